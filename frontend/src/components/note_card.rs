use leptos::html::Textarea;
use leptos::prelude::*;
use samskab_board::{NoteView, Op, text_splice};
use samskab_protocol::{Dragging, PeerPresence};
use wasm_bindgen::JsCast;

use crate::camera::Rect;
use crate::controller;
use crate::i18n::I18n;
use crate::ui::{Tool, Ui, move_ops};

/// Where a drag started: pointer position (screen) and when.
#[derive(Debug, Clone, Copy)]
struct DragStart {
    pointer: i32,
    px: f64,
    py: f64,
    at: f64,
    moved: bool,
    touch: bool,
}

/// Keeps the caret where the person was typing when someone else's edit
/// changes the text of the note they are in.
fn shift_caret(pos: u32, index: usize, delete: usize, insert: usize) -> u32 {
    let pos = pos as usize;
    let moved = if pos >= index + delete {
        pos + insert - delete
    } else if pos > index {
        index + insert
    } else {
        pos
    };
    moved as u32
}

/// A note's size within what the board shows well (wide enough for its
/// grip's buttons, never bigger than a few screens).
fn clamp_size(w: f64, h: f64) -> (f64, f64) {
    (w.clamp(120.0, 1200.0), h.clamp(100.0, 1200.0))
}

/// Character offset to the UTF-16 offset that the DOM uses, and back.
fn utf16_to_chars(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.chars().enumerate() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    text.chars().count()
}

fn chars_to_utf16(text: &str, chars: usize) -> u32 {
    text.chars().take(chars).map(|c| c.len_utf16() as u32).sum()
}

/// One sticky note: drag by its grip (mouse, touch or pen), type in its
/// body, resize by its corner. Tapping the grip selects it; shift-tap or a
/// long press adds it to the selection; dragging a selected note moves the
/// whole selection.
#[component]
pub fn NoteCard(
    view: RwSignal<NoteView>,
    can_edit: RwSignal<bool>,
    peers: RwSignal<Vec<PeerPresence>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    let id = view.with_untracked(|v| v.id.clone());
    let drag = RwSignal::new(None::<DragStart>);
    let resize = RwSignal::new(None::<(i32, f64, f64, f64, f64)>);
    let size = RwSignal::new(None::<(f64, f64)>);
    let text_ref = NodeRef::<Textarea>::new();
    let selected = {
        let id = id.clone();
        Memo::new(move |_| ui.selected.with(|s| s.contains(&id)))
    };

    // Remote text changes: update the textarea without losing the caret.
    Effect::new(move |_| {
        let text = view.with(|v| v.text.clone());
        let Some(el) = text_ref.get() else { return };
        let current = el.value();
        if current == text {
            return;
        }
        let focused = document().active_element().is_some_and(|a| a == **el);
        let selection = (
            el.selection_start().ok().flatten(),
            el.selection_end().ok().flatten(),
        );
        el.set_value(&text);
        if let (true, (Some(s), Some(e)), Some((index, delete, insert))) =
            (focused, selection, text_splice(&current, &text))
        {
            let ins = insert.chars().count();
            let s = shift_caret(utf16_to_chars(&current, s) as u32, index, delete, ins);
            let e = shift_caret(utf16_to_chars(&current, e) as u32, index, delete, ins);
            let _ = el.set_selection_range(
                chars_to_utf16(&text, s as usize),
                chars_to_utf16(&text, e as usize),
            );
        }
    });

    let on_input = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let new = event_target_value(&ev);
            let old = view.with_untracked(|v| v.text.clone());
            if let Some((index, delete, insert)) = text_splice(&old, &new) {
                controller::apply(Op::EditText {
                    id: id.clone(),
                    index,
                    delete,
                    insert,
                });
                // A refused edit (too long) puts the stored text back.
                let stored = view.with_untracked(|v| v.text.clone());
                if stored != new
                    && let Some(el) = text_ref.get_untracked()
                {
                    el.set_value(&stored);
                }
            }
        }
    };
    // The note being typed stays in view, above the on-screen keyboard.
    let reveal = move || {
        let v = view.get_untracked();
        ui.reveal(
            Rect {
                x: v.x,
                y: v.y,
                w: v.w,
                h: v.h,
            },
            crate::platform::visible_canvas_height(),
        );
    };
    let on_focus = {
        let id = id.clone();
        move |_| {
            if !selected.get_untracked() {
                ui.select_only(&id);
            }
            reveal();
            // The keyboard takes a moment to open.
            crate::platform::set_timeout(400, reveal);
        }
    };

    let connect_tap = {
        let id = id.clone();
        move || match ui.connect_from.get_untracked() {
            None => ui.connect_from.set(Some(id.clone())),
            Some(from) if from == id => ui.connect_from.set(None),
            Some(from) => {
                controller::apply(Op::Connect {
                    id: crate::platform::random_id(),
                    from,
                    to: id.clone(),
                    label: String::new(),
                });
                ui.connect_from.set(None);
            }
        }
    };

    let pointer_down = {
        let id = id.clone();
        let connect_tap = connect_tap.clone();
        move |ev: leptos::ev::PointerEvent| {
            if ev.button() > 0 {
                return;
            }
            ev.stop_propagation();
            if let Some(t) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                if t.closest("button").ok().flatten().is_some() {
                    return;
                }
                let _ = t.set_pointer_capture(ev.pointer_id());
            }
            ev.prevent_default();
            ui.following.set(None);
            if ui.tool.get_untracked() == Tool::Connect && can_edit.get_untracked() {
                connect_tap();
                return;
            }
            if ev.shift_key() {
                ui.toggle_selected(&id);
            } else if !selected.get_untracked() {
                ui.select_only(&id);
            }
            let start = DragStart {
                pointer: ev.pointer_id(),
                px: ev.client_x() as f64,
                py: ev.client_y() as f64,
                at: crate::platform::now_ms() as f64,
                moved: false,
                touch: ev.pointer_type() != "mouse",
            };
            drag.set(Some(start));
            // A long press (touch or pen) adds the note to the selection.
            if start.touch {
                let id = id.clone();
                crate::platform::set_timeout(550, move || {
                    if drag
                        .get_untracked()
                        .is_some_and(|d| !d.moved && d.at == start.at)
                    {
                        ui.selected.update(|s| {
                            s.insert(id.clone());
                        });
                        drag.set(None);
                    }
                });
            }
        }
    };
    let pointer_move = {
        let id = id.clone();
        move |ev: leptos::ev::PointerEvent| {
            let Some(mut d) = drag
                .get_untracked()
                .filter(|d| d.pointer == ev.pointer_id())
            else {
                return;
            };
            let zoom = ui.camera.get_untracked().zoom;
            let (dx, dy) = (ev.client_x() as f64 - d.px, ev.client_y() as f64 - d.py);
            if !d.moved && dx.abs() + dy.abs() < 4.0 {
                return;
            }
            if !can_edit.get_untracked() {
                return;
            }
            if !d.moved {
                d.moved = true;
                drag.set(Some(d));
            }
            let (bx, by) = (dx / zoom, dy / zoom);
            ui.group_drag.set(Some((bx, by)));
            // Others see the note move while it is dragged (as presence; the
            // move itself is committed on drop).
            let v = view.get_untracked();
            ui.share_dragging(Some(Dragging {
                id: id.clone(),
                x: v.x + bx,
                y: v.y + by,
            }));
        }
    };
    let pointer_up = move |ev: leptos::ev::PointerEvent| {
        if drag
            .get_untracked()
            .is_none_or(|d| d.pointer != ev.pointer_id())
        {
            return;
        }
        drag.set(None);
        if let Some((dx, dy)) = ui.group_drag.get_untracked() {
            ui.share_dragging(None);
            let ids = ui.selected.get_untracked();
            let (notes, frames) = controller::read(|b| {
                (
                    ids.iter().filter_map(|i| b.note(i)).collect::<Vec<_>>(),
                    b.frames(),
                )
            })
            .unwrap_or_default();
            controller::apply_all(move_ops(&notes, &frames, dx, dy));
            ui.group_drag.set(None);
        }
    };
    let pointer_cancel = move |_ev: leptos::ev::PointerEvent| {
        ui.share_dragging(None);
        drag.set(None);
        ui.group_drag.set(None);
    };

    let resize_down = move |ev: leptos::ev::PointerEvent| {
        ev.stop_propagation();
        ev.prevent_default();
        if let Some(t) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        let v = view.get_untracked();
        resize.set(Some((
            ev.pointer_id(),
            ev.client_x() as f64,
            ev.client_y() as f64,
            v.w,
            v.h,
        )));
    };
    let resize_move = move |ev: leptos::ev::PointerEvent| {
        if let Some((p, px, py, w, h)) = resize.get_untracked()
            && p == ev.pointer_id()
        {
            let zoom = ui.camera.get_untracked().zoom;
            size.set(Some(clamp_size(
                w + (ev.client_x() as f64 - px) / zoom,
                h + (ev.client_y() as f64 - py) / zoom,
            )));
        }
    };
    let resize_up = {
        let id = id.clone();
        move |_ev: leptos::ev::PointerEvent| {
            resize.set(None);
            if let Some((w, h)) = size.get_untracked() {
                controller::apply(Op::ResizeNote {
                    id: id.clone(),
                    w: w.round(),
                    h: h.round(),
                });
            }
            size.set(None);
        }
    };
    // The keyboard way: arrow keys on the focused handle make the note
    // wider, narrower, taller or shorter (Shift: small steps).
    let resize_key = {
        let id = id.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let step = if ev.shift_key() { 2.0 } else { 20.0 };
            let (dw, dh) = match ev.key().as_str() {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                "ArrowDown" => (0.0, step),
                _ => return,
            };
            // The board's arrow keys (move the selection) must not see it.
            ev.prevent_default();
            ev.stop_propagation();
            let v = view.get_untracked();
            let (w, h) = clamp_size(v.w + dw, v.h + dh);
            if (w, h) != (v.w, v.h) {
                controller::apply(Op::ResizeNote {
                    id: id.clone(),
                    w: w.round(),
                    h: h.round(),
                });
            }
        }
    };
    let delete = {
        let id = id.clone();
        move |_| controller::apply(Op::DeleteNote { id: id.clone() })
    };

    // Someone else dragging this note right now.
    let remote = Memo::new(move |_| {
        let id = view.with(|v| v.id.clone());
        peers.with(|ps| {
            ps.iter().find_map(|p| {
                p.presence
                    .dragging
                    .as_ref()
                    .filter(|d| d.id == id)
                    .map(|d| (d.x, d.y))
            })
        })
    });
    let mine = Memo::new(move |_| {
        if selected.get() {
            ui.group_drag.get()
        } else {
            None
        }
    });
    let style = move || {
        let v = view.get();
        let (x, y) = match (mine.get(), remote.get()) {
            (Some((dx, dy)), _) => (v.x + dx, v.y + dy),
            (None, Some(p)) => p,
            (None, None) => (v.x, v.y),
        };
        let (w, h) = size.get().unwrap_or((v.w, v.h));
        // Stacking follows the DOM order (the list is sorted by z); a note
        // being dragged goes on top of everything.
        format!(
            "transform: translate({x}px, {y}px); width: {w}px; height: {h}px;{}",
            if mine.get().is_some() || remote.get().is_some() {
                " z-index: 1000000;"
            } else {
                ""
            }
        )
    };
    let class = move || {
        let v = view.get();
        format!(
            "note note-{}{}{}{}",
            v.color.as_str(),
            if mine.get().is_some() {
                " dragging"
            } else {
                ""
            },
            if selected.get() { " selected" } else { "" },
            if ui.connect_from.get().as_deref() == Some(v.id.as_str()) {
                " connect-from"
            } else {
                ""
            }
        )
    };
    let label = move || {
        let text = view.with(|v| v.text.chars().take(60).collect::<String>());
        let s = i18n.0.get().strings();
        if text.trim().is_empty() {
            format!("{} ({})", s.note_label, s.empty_note)
        } else {
            format!("{}: {text}", s.note_label)
        }
    };
    let initial_text = view.with_untracked(|v| v.text.clone());
    let connecting = move || ui.tool.get() == Tool::Connect && can_edit.get();
    view! {
        <div class=class style=style data-testid="note" data-note-id=id.clone() role="group" aria-label=label
            data-selected=move || selected.get().to_string()>
            <div
                class="note-grip"
                data-testid="note-grip"
                title=i18n.t(|s| s.move_note)
                on:pointerdown=pointer_down
                on:pointermove=pointer_move
                on:pointerup=pointer_up
                on:pointercancel=pointer_cancel
            >
                <span class="grip-dots" aria-hidden="true">"⋮⋮"</span>
                <Show when=move || can_edit.get()>
                    <button
                        class="note-delete"
                        data-testid="note-delete"
                        aria-label=i18n.t(|s| s.delete_note)
                        title=i18n.t(|s| s.delete_note)
                        on:click=delete.clone()
                    >
                        "×"
                    </button>
                </Show>
            </div>
            <textarea
                class="note-text"
                data-testid="note-text"
                node_ref=text_ref
                aria-label=label
                readonly=move || !can_edit.get()
                on:input=on_input
                on:focus=on_focus
            >
                {initial_text}
            </textarea>
            <Show when=move || can_edit.get()>
                <button type="button" class="note-resize" data-testid="note-resize"
                    aria-label=i18n.t(|s| s.resize_note) title=i18n.t(|s| s.resize_note)
                    on:keydown=resize_key.clone()
                    on:pointerdown=resize_down on:pointermove=resize_move on:pointerup=resize_up.clone()
                    on:pointercancel=move |_| { resize.set(None); size.set(None); }></button>
            </Show>
            <Show when=connecting>
                <button class="note-connect-target" data-testid="note-connect-target"
                    aria-label=i18n.t(|s| s.connect_here)
                    on:click={
                        let connect_tap = connect_tap.clone();
                        move |_| connect_tap()
                    }></button>
            </Show>
        </div>
    }
}
