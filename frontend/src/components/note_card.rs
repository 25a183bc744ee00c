use leptos::html::Textarea;
use leptos::prelude::*;
use samskab_board::{NoteView, Op, text_splice};
use samskab_protocol::{Dragging, PeerPresence, Presence};
use wasm_bindgen::JsCast;

use crate::controller;
use crate::i18n::I18n;

/// Where a drag started: pointer position and the note's position then.
#[derive(Debug, Clone, Copy)]
struct DragStart {
    pointer: i32,
    px: f64,
    py: f64,
    x: f64,
    y: f64,
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

/// One sticky note: drag by its grip, type in its body.
#[component]
pub fn NoteCard(
    view: RwSignal<NoteView>,
    can_edit: RwSignal<bool>,
    peers: RwSignal<Vec<PeerPresence>>,
) -> impl IntoView {
    let i18n = I18n::get();
    let id = view.with_untracked(|v| v.id.clone());
    let drag = RwSignal::new(None::<DragStart>);
    let last_shared = StoredValue::new(0_i64);
    let offset = RwSignal::new(None::<(f64, f64)>);
    let text_ref = NodeRef::<Textarea>::new();

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

    let pointer_down = move |ev: leptos::ev::PointerEvent| {
        if !can_edit.get_untracked() || ev.button() > 0 {
            return;
        }
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
        let v = view.get_untracked();
        drag.set(Some(DragStart {
            pointer: ev.pointer_id(),
            px: ev.client_x() as f64,
            py: ev.client_y() as f64,
            x: v.x,
            y: v.y,
        }));
    };
    let pointer_move = move |ev: leptos::ev::PointerEvent| {
        if let Some(d) = drag
            .get_untracked()
            .filter(|d| d.pointer == ev.pointer_id())
        {
            let x = (d.x + ev.client_x() as f64 - d.px).max(0.0);
            let y = (d.y + ev.client_y() as f64 - d.py).max(0.0);
            offset.set(Some((x, y)));
            // Others see the note move while it is dragged (as presence; the
            // move itself is committed on drop). At most 20 updates a second.
            let now = crate::platform::now_ms();
            if now - last_shared.get_value() >= 50 {
                last_shared.set_value(now);
                let id = view.with_untracked(|v| v.id.clone());
                controller::share_presence(Presence {
                    dragging: Some(Dragging { id, x, y }),
                    ..Presence::default()
                });
            }
        }
    };
    let pointer_up = {
        let id = id.clone();
        move |ev: leptos::ev::PointerEvent| {
            if drag
                .get_untracked()
                .is_none_or(|d| d.pointer != ev.pointer_id())
            {
                return;
            }
            drag.set(None);
            controller::share_presence(Presence::default());
            if let Some((x, y)) = offset.get_untracked() {
                controller::apply(Op::MoveNote {
                    id: id.clone(),
                    x,
                    y,
                });
            }
            offset.set(None);
        }
    };
    let pointer_cancel = move |_ev: leptos::ev::PointerEvent| {
        controller::share_presence(Presence::default());
        drag.set(None);
        offset.set(None);
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
    let style = move || {
        let v = view.get();
        let (x, y) = offset.get().or_else(|| remote.get()).unwrap_or((v.x, v.y));
        // Stacking follows the DOM order (the list is sorted by z); a note
        // being dragged goes on top of everything.
        format!(
            "transform: translate({x}px, {y}px); width: {}px; height: {}px;{}",
            v.w,
            v.h,
            if offset.get().is_some() || remote.get().is_some() {
                " z-index: 1000000;"
            } else {
                ""
            }
        )
    };
    let class = move || {
        let v = view.get();
        format!(
            "note note-{}{}",
            v.color.as_str(),
            if offset.get().is_some() {
                " dragging"
            } else {
                ""
            }
        )
    };
    let label = move || {
        let text = view.with(|v| v.text.chars().take(40).collect::<String>());
        format!("{}: {text}", i18n.t(|s| s.note_label)())
    };
    let initial_text = view.with_untracked(|v| v.text.clone());
    view! {
        <div class=class style=style data-testid="note" data-note-id=id.clone() role="group" aria-label=label>
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
                aria-label=i18n.t(|s| s.note_label)
                readonly=move || !can_edit.get()
                on:input=on_input
            >
                {initial_text}
            </textarea>
        </div>
    }
}
