//! The infinite canvas: the whole board moves by one CSS transform (pan and
//! zoom never touch the notes), and only the notes near the view are in the
//! page. Mouse wheel pans, Ctrl+wheel (a trackpad pinch) zooms, one finger
//! or a mouse drag on the background pans, two fingers pan and pinch,
//! Shift+drag (or the area tool) selects, a double tap adds a note.
use std::collections::HashMap;

use leptos::html::Div;
use leptos::prelude::*;
use samskab_board::{Color, Op};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::camera::{self, Camera, Rect};
use crate::components::frame_box::FrameBox;
use crate::components::minimap::Minimap;
use crate::components::note_card::NoteCard;
use crate::controller::{self, BoardSignals, NoteEntry};
use crate::i18n::I18n;
use crate::platform;
use crate::ui::{Tool, Ui};

/// What the pointers on the background are doing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Gesture {
    None,
    Pan {
        last: (f64, f64),
    },
    Pinch {
        start: Camera,
        from: ((f64, f64), (f64, f64)),
    },
    Area {
        from: (f64, f64),
        to: (f64, f64),
    },
}

/// Adds a note in the middle of the view (the toolbar's button, the `N`
/// key): where it covers no other note, beside them, and not under the
/// floating bars ([`camera::free_spot`]). The notes' places come from the
/// page's note views (the board is not read again).
pub fn add_note_in_view(ui: Ui, notes: RwSignal<Vec<NoteEntry>>) {
    let (x, y) = ui.center();
    let (w, h) = samskab_board::NOTE_SIZE;
    let taken: Vec<Rect> = notes.with_untracked(|ns| ns.iter().map(note_rect).collect());
    let want = ((x - w / 2.0).round(), (y - h / 2.0).round());
    // Not under the floating bars along the view's edges (the selection's
    // bar, the minimap): a margin of 72 screen pixels.
    let inner = ui.visible().grow(-72.0 / ui.camera.get_untracked().zoom);
    let (left, top) = camera::free_spot(&taken, want, (w, h), inner);
    add_note_at(ui, left + w / 2.0, top + h / 2.0);
}

/// Adds a note at a board point (its centre), selects it and focuses it.
pub fn add_note_at(ui: Ui, x: f64, y: f64) {
    let id = platform::random_id();
    let (w, h) = samskab_board::NOTE_SIZE;
    controller::apply(Op::CreateNote {
        id: id.clone(),
        x: (x - w / 2.0).round(),
        y: (y - h / 2.0).round(),
        color: Color::Yellow,
        text: String::new(),
    });
    // A note added inside a frame belongs to it.
    if let Some(frame) = controller::read(|b| crate::ui::frame_at(&b.frames(), x, y)).flatten() {
        controller::apply(Op::SetNoteFrame {
            id: id.clone(),
            frame: Some(frame),
        });
    }
    ui.select_only(&id);
    focus_note_later(id);
}

/// Puts the caret into a note once it is on the page.
pub fn focus_note_later(id: String) {
    platform::set_timeout(30, move || {
        let sel = format!("[data-note-id=\"{id}\"] textarea");
        if let Some(el) = document()
            .query_selector(&sel)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

fn note_rect(e: &NoteEntry) -> Rect {
    e.view.with(|v| Rect {
        x: v.x,
        y: v.y,
        w: v.w,
        h: v.h,
    })
}

#[component]
pub fn Canvas(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    let BoardSignals {
        notes,
        can_edit,
        peers,
        frames,
        connectors,
        ..
    } = signals;
    let el = NodeRef::<Div>::new();
    let pointers = StoredValue::new(HashMap::<i32, (f64, f64)>::new());
    let gesture = RwSignal::new(Gesture::None);
    let last_tap = StoredValue::new((0.0_f64, 0.0_f64, 0.0_f64));
    let moved = StoredValue::new(false);

    // The canvas's size, and the wheel (a non-passive listener, so that
    // Ctrl+wheel zooms the board and not the page).
    Effect::new(move |_| {
        let Some(div) = el.get() else { return };
        let measure = {
            let div = div.clone();
            move || {
                let r = div.get_bounding_client_rect();
                ui.size.set((r.width(), r.height()));
            }
        };
        measure();
        let resize = Closure::<dyn FnMut()>::new(measure);
        let _ = platform::window()
            .add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref());
        resize.forget();
        let div2 = div.clone();
        let wheel =
            Closure::<dyn FnMut(web_sys::WheelEvent)>::new(move |ev: web_sys::WheelEvent| {
                ev.prevent_default();
                ui.following.set(None);
                let r = div2.get_bounding_client_rect();
                let (sx, sy) = (
                    ev.client_x() as f64 - r.left(),
                    ev.client_y() as f64 - r.top(),
                );
                let unit = if ev.delta_mode() == 1 { 16.0 } else { 1.0 };
                let mut c = ui.camera.get_untracked();
                if ev.ctrl_key() || ev.meta_key() {
                    c.zoom_at(sx, sy, (-ev.delta_y() * unit * 0.01).exp());
                } else {
                    c.pan_by(-ev.delta_x() * unit, -ev.delta_y() * unit);
                }
                ui.camera.set(c);
            });
        let opts = web_sys::AddEventListenerOptions::new();
        opts.set_passive(false);
        let _ = div.add_event_listener_with_callback_and_add_event_listener_options(
            "wheel",
            wheel.as_ref().unchecked_ref(),
            &opts,
        );
        wheel.forget();
    });
    // A board whose notes are all out of the first view: show them all.
    let first_view = StoredValue::new(false);
    Effect::new(move |_| {
        if first_view.get_value() || notes.with(Vec::is_empty) {
            return;
        }
        first_view.set_value(true);
        let v = ui.visible();
        if !notes.with_untracked(|l| l.iter().any(|e| v.intersects(&note_rect(e)))) {
            crate::components::toolbar::zoom_to_fit(ui);
        }
    });
    // The others see where I look (for "follow").
    Effect::new(move |_| {
        ui.camera.track();
        ui.selected.track();
        ui.share_view();
    });

    let local = move |ev: &web_sys::PointerEvent| -> (f64, f64) {
        let r = el
            .get_untracked()
            .map(|d| d.get_bounding_client_rect())
            .map(|r| (r.left(), r.top()))
            .unwrap_or((0.0, 0.0));
        (ev.client_x() as f64 - r.0, ev.client_y() as f64 - r.1)
    };
    let on_background = |ev: &web_sys::PointerEvent| {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| {
                t.closest(".note, .minimap, .zoom-controls, .frame-label, button")
                    .ok()
                    .flatten()
                    .is_none()
            })
    };
    let down = move |ev: web_sys::PointerEvent| {
        if !on_background(&ev) {
            return;
        }
        // Touching the canvas stops following someone.
        ui.following.set(None);
        if let Some(d) = el.get_untracked() {
            let _ = d.set_pointer_capture(ev.pointer_id());
            let _ = d.focus();
        }
        let p = local(&ev);
        pointers.update_value(|m| {
            m.insert(ev.pointer_id(), p);
        });
        let all: Vec<(f64, f64)> = pointers.with_value(|m| m.values().copied().collect());
        moved.set_value(all.len() > 1);
        gesture.set(match all.as_slice() {
            [a, b, ..] => Gesture::Pinch {
                start: ui.camera.get_untracked(),
                from: (*a, *b),
            },
            _ if ev.shift_key() || ui.tool.get_untracked() == Tool::Area => {
                Gesture::Area { from: p, to: p }
            }
            _ => Gesture::Pan { last: p },
        });
    };
    let mv = move |ev: web_sys::PointerEvent| {
        let p = local(&ev);
        if ev.pointer_type() == "mouse" {
            let c = ui.camera.get_untracked();
            ui.share_cursor(Some(c.to_board(p.0, p.1)));
        }
        if !pointers.with_value(|m| m.contains_key(&ev.pointer_id())) {
            return;
        }
        pointers.update_value(|m| {
            m.insert(ev.pointer_id(), p);
        });
        match gesture.get_untracked() {
            Gesture::Pan { last } => {
                let (dx, dy) = (p.0 - last.0, p.1 - last.1);
                if dx.abs() + dy.abs() > 0.0 {
                    if dx.abs() + dy.abs() > 3.0 {
                        moved.set_value(true);
                    }
                    ui.camera.update(|c| c.pan_by(dx, dy));
                    gesture.set(Gesture::Pan { last: p });
                }
            }
            Gesture::Pinch { start, from } => {
                let all: Vec<(f64, f64)> = pointers.with_value(|m| m.values().copied().collect());
                if let [a, b, ..] = all.as_slice() {
                    ui.camera.set(camera::pinch(start, from, (*a, *b)));
                }
            }
            Gesture::Area { from, .. } => {
                moved.set_value(true);
                gesture.set(Gesture::Area { from, to: p });
            }
            Gesture::None => {}
        }
    };
    let up = move |ev: web_sys::PointerEvent| {
        let known = pointers.with_value(|m| m.contains_key(&ev.pointer_id()));
        pointers.update_value(|m| {
            m.remove(&ev.pointer_id());
        });
        if !known {
            return;
        }
        let remaining: Vec<(f64, f64)> = pointers.with_value(|m| m.values().copied().collect());
        match gesture.get_untracked() {
            Gesture::Area { from, to } => {
                let c = ui.camera.get_untracked();
                let r = Rect::from_corners(c.to_board(from.0, from.1), c.to_board(to.0, to.1));
                let picked = notes.with_untracked(|list| {
                    list.iter()
                        .filter(|e| r.intersects(&note_rect(e)))
                        .map(|e| e.id.clone())
                        .collect()
                });
                ui.selected.set(picked);
                gesture.set(Gesture::None);
            }
            Gesture::Pinch { .. } => {
                // One finger left: keep panning with it.
                gesture.set(match remaining.first() {
                    Some(p) => Gesture::Pan { last: *p },
                    None => Gesture::None,
                });
            }
            _ => {
                gesture.set(Gesture::None);
                if !moved.get_value() {
                    // A tap on the background: clears the selection; a
                    // second tap soon after at the same place adds a note.
                    let p = local(&ev);
                    let now = platform::now_ms() as f64;
                    let (t, x, y) = last_tap.get_value();
                    if now - t < 400.0 && (p.0 - x).abs() < 30.0 && (p.1 - y).abs() < 30.0 {
                        last_tap.set_value((0.0, 0.0, 0.0));
                        if can_edit.get_untracked() {
                            let (bx, by) = ui.camera.get_untracked().to_board(p.0, p.1);
                            add_note_at(ui, bx, by);
                        }
                    } else {
                        last_tap.set_value((now, p.0, p.1));
                        ui.selected.set(Default::default());
                        ui.connect_from.set(None);
                    }
                }
            }
        }
    };
    let cancel = move |ev: web_sys::PointerEvent| {
        pointers.update_value(|m| {
            m.remove(&ev.pointer_id());
        });
        gesture.set(Gesture::None);
    };

    // Only the notes near the view are in the page. The rendered area is a
    // generous margin around the view and changes only when the view leaves
    // it, so panning re-renders nothing most of the time.
    let area = Memo::new(move |prev: Option<&Rect>| {
        let (w, h) = ui.size.get();
        let view = ui.camera.get().visible(w, h);
        match prev {
            Some(p)
                if p.contains(view.x, view.y)
                    && p.contains(view.x + view.w, view.y + view.h)
                    && view.w * 4.0 > p.w =>
            {
                *p
            }
            _ => view.grow(view.w.max(view.h)),
        }
    });
    let shown = Memo::new(move |_| {
        let a = area.get();
        notes.with(|list| {
            list.iter()
                .filter(|e| a.intersects(&note_rect(e)) || ui.selected.with(|s| s.contains(&e.id)))
                .map(|e| (e.id.clone(), e.view))
                .collect::<Vec<_>>()
        })
    });

    let world_style = move || {
        let c = ui.camera.get();
        format!("{} --zoom: {};", c.transform(), c.zoom)
    };
    let area_box = move || match gesture.get() {
        Gesture::Area { from, to } => {
            let r = Rect::from_corners(from, to);
            Some(view! {
                <div class="area-select" data-testid="area-select"
                    style=format!("left:{}px;top:{}px;width:{}px;height:{}px", r.x, r.y, r.w, r.h)></div>
            })
        }
        _ => None,
    };
    let lines = move || {
        let pos: HashMap<String, Rect> =
            notes.with(|list| list.iter().map(|e| (e.id.clone(), note_rect(e))).collect());
        connectors.with(|cs| {
            cs.iter()
                .filter_map(|c| {
                    let (a, b) = (pos.get(&c.from)?, pos.get(&c.to)?);
                    let (ax, ay) = (a.x + a.w / 2.0, a.y + a.h / 2.0);
                    let (bx, by) = (b.x + b.w / 2.0, b.y + b.h / 2.0);
                    // End at the target's edge, so the arrowhead shows.
                    let (dx, dy) = (bx - ax, by - ay);
                    let tx = (b.w / 2.0) / dx.abs().max(1e-6);
                    let ty = (b.h / 2.0) / dy.abs().max(1e-6);
                    let t = tx.min(ty).min(1.0);
                    let (ex, ey) = (bx - dx * t, by - dy * t);
                    Some(view! {
                        <line class="connector" data-testid="connector" data-from=c.from.clone() data-to=c.to.clone()
                            x1=ax y1=ay x2=ex y2=ey marker-end="url(#arrow)"></line>
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let cursors = move || {
        let c = ui.camera.get();
        peers.with(|ps| {
            ps.iter()
                .filter_map(|p| {
                    let (x, y) = p.presence.cursor?;
                    let name = if p.participant.name.trim().is_empty() {
                        i18n.now().guest.to_string()
                    } else {
                        p.participant.name.clone()
                    };
                    let (sx, sy) = c.to_screen(x, y);
                    Some(view! {
                        <div class="peer-cursor" data-testid="peer-cursor"
                            style=format!("transform: translate({sx}px, {sy}px); --peer: {};", p.participant.color)>
                            <svg width="18" height="22" viewBox="0 0 18 22" aria-hidden="true"><path d="M1 1 L1 17 L5.5 13 L9 21 L12 19.5 L8.5 12 L15 12 Z"/></svg>
                            <span class="peer-name">{name}</span>
                        </div>
                    })
                })
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="canvas" data-testid="canvas" node_ref=el tabindex="-1"
            aria-label=i18n.t(|s| s.canvas_label)
            class:tool-area=move || ui.tool.get() == Tool::Area
            on:pointerdown=down on:pointermove=mv on:pointerup=up on:pointercancel=cancel
            on:pointerleave=move |ev: web_sys::PointerEvent| {
                if ev.pointer_type() == "mouse" { ui.share_cursor(None) }
            }>
            <div class="world" data-testid="world" style=world_style>
                <For each=move || frames.get() key=|f| format!("{f:?}") let:f>
                    <FrameBox frame=f can_edit=can_edit/>
                </For>
                <svg class="connectors" aria-hidden="true">
                    <defs>
                        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                            <path d="M 0 0 L 10 5 L 0 10 z"/>
                        </marker>
                    </defs>
                    {lines}
                </svg>
                <Show when=move || notes.with(Vec::is_empty) && frames.with(Vec::is_empty)>
                    <p class="empty-hint">{i18n.t(|s| s.empty_board)}</p>
                </Show>
                <For each=move || shown.get() key=|(id, _)| id.clone() let:entry>
                    <NoteCard view=entry.1 can_edit=can_edit peers=peers/>
                </For>
            </div>
            {cursors}
            {area_box}
            <Minimap notes=notes frames=frames/>
        </div>
    }
}
