//! A frame: a named area that holds notes. Drag its label to move it with
//! its notes; rename it in place.
use leptos::prelude::*;
use samskab_board::{FrameView, Op, text_splice};
use wasm_bindgen::JsCast;

use crate::controller;
use crate::i18n::I18n;
use crate::ui::Ui;

#[component]
pub fn FrameBox(frame: FrameView, can_edit: RwSignal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    let drag = RwSignal::new(None::<(i32, f64, f64)>);
    let offset = RwSignal::new(None::<(f64, f64)>);
    let (fx, fy) = (frame.x, frame.y);
    let id = frame.id.clone();
    let down = move |ev: leptos::ev::PointerEvent| {
        if !can_edit.get_untracked() || ev.button() > 0 {
            return;
        }
        if let Some(t) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            if t.closest("input, button").ok().flatten().is_some() {
                return;
            }
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        ev.stop_propagation();
        ev.prevent_default();
        drag.set(Some((
            ev.pointer_id(),
            ev.client_x() as f64,
            ev.client_y() as f64,
        )));
    };
    let mv = move |ev: leptos::ev::PointerEvent| {
        if let Some((p, px, py)) = drag.get_untracked()
            && p == ev.pointer_id()
        {
            let z = ui.camera.get_untracked().zoom;
            offset.set(Some((
                (ev.client_x() as f64 - px) / z,
                (ev.client_y() as f64 - py) / z,
            )));
        }
    };
    let up = {
        let id = id.clone();
        move |_ev: leptos::ev::PointerEvent| {
            drag.set(None);
            if let Some((dx, dy)) = offset.get_untracked() {
                controller::apply(Op::MoveFrame {
                    id: id.clone(),
                    x: fx + dx,
                    y: fy + dy,
                });
            }
            offset.set(None);
        }
    };
    let rename = {
        let id = id.clone();
        let old = frame.name.clone();
        move |ev: leptos::ev::Event| {
            let new = event_target_value(&ev);
            if text_splice(&old, &new).is_some() {
                controller::apply(Op::RenameFrame {
                    id: id.clone(),
                    name: new,
                });
            }
        }
    };
    let delete = {
        let id = id.clone();
        move |_| controller::apply(Op::DeleteFrame { id: id.clone() })
    };
    let style = move || {
        let (dx, dy) = offset.get().unwrap_or((0.0, 0.0));
        format!(
            "transform: translate({}px, {}px); width: {}px; height: {}px;",
            fx + dx,
            fy + dy,
            frame.w,
            frame.h
        )
    };
    let name = frame.name.clone();
    view! {
        <section class=format!("frame frame-{}", frame.color.as_str()) style=style data-testid="frame"
            data-frame-id=id.clone() aria-label=format!("{}: {}", i18n.now().frame_label, name)>
            <div class="frame-label" on:pointerdown=down on:pointermove=mv on:pointerup=up>
                <input class="frame-name" data-testid="frame-name" prop:value=name.clone()
                    aria-label=i18n.t(|s| s.frame_name) readonly=move || !can_edit.get() on:change=rename/>
                <Show when=move || can_edit.get()>
                    <button class="note-delete" data-testid="frame-delete" aria-label=i18n.t(|s| s.delete_frame)
                        title=i18n.t(|s| s.delete_frame) on:click=delete.clone()>"×"</button>
                </Show>
            </div>
        </section>
    }
}
