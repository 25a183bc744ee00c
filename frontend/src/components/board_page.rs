use leptos::prelude::*;
use leptos::task::spawn_local;
use samskab_board::{Color, Op};

use crate::api::{self, ApiError};
use crate::components::facilitation::FacilitationPanel;
use crate::components::language_switch::LanguageSwitch;
use crate::components::message_page::MessagePage;
use crate::components::note_card::NoteCard;
use crate::components::presence_list::PresenceList;
use crate::components::share_panel::SharePanel;
use crate::components::status_badge::StatusBadge;
use crate::controller::{self, BoardSignals, Fatal};
use crate::i18n::I18n;
use crate::platform;

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    NotFound,
    Revoked,
    Unreachable,
}

/// `/b/<id>`: checks the board exists, then shows it.
#[component]
pub fn BoardPage(id: String) -> impl IntoView {
    let i18n = I18n::get();
    let load = RwSignal::new(Load::Loading);
    let signals = RwSignal::new(None::<BoardSignals>);
    let fetch = {
        let id = id.clone();
        move || {
            let id = id.clone();
            let Some(key) = crate::boards::key_for(&id) else {
                load.set(Load::NotFound);
                return;
            };
            load.set(Load::Loading);
            spawn_local(async move {
                match api::board_info(&id, &key).await {
                    Ok(info) => {
                        signals.set(Some(controller::open(&info.id, &key, &info.title)));
                        load.set(Load::Ready);
                    }
                    Err(ApiError::NotFound) => load.set(Load::NotFound),
                    Err(ApiError::Revoked) => load.set(Load::Revoked),
                    Err(_) => load.set(Load::Unreachable),
                }
            });
        }
    };
    fetch();
    let retry = StoredValue::new(fetch);
    move || {
        match load.get() {
        Load::Loading => view! { <p class="loading" data-testid="loading">{i18n.t(|s| s.loading)}</p> }.into_any(),
        Load::NotFound => view! {
            <MessagePage testid="board-not-found" title=i18n.t(|s| s.not_found_title) body=i18n.t(|s| s.not_found_body)/>
        }
        .into_any(),
        Load::Revoked => view! {
            <MessagePage testid="link-revoked" title=i18n.t(|s| s.revoked_title) body=i18n.t(|s| s.revoked_body)/>
        }
        .into_any(),
        Load::Unreachable => view! {
            <main class="message-page" data-testid="server-unreachable">
                <h1>{i18n.t(|s| s.unreachable_title)}</h1>
                <p>{i18n.t(|s| s.unreachable_body)}</p>
                <button class="btn btn-primary" on:click=move |_| retry.with_value(|f| f())>{i18n.t(|s| s.try_again)}</button>
            </main>
        }
        .into_any(),
        Load::Ready => match signals.get() {
            Some(s) => view! { <BoardView signals=s/> }.into_any(),
            None => ().into_any(),
        },
    }
    }
}

/// Where the next note added from the toolbar goes: a loose grid, so that
/// notes added one after another do not hide each other.
fn next_note_position(count: usize) -> (f64, f64) {
    let col = (count % 5) as f64;
    let row = ((count / 5) % 8) as f64;
    (40.0 + col * 230.0 + row * 12.0, 40.0 + row * 190.0)
}

fn add_note_at(x: f64, y: f64) {
    controller::apply(Op::CreateNote {
        id: platform::random_id(),
        x,
        y,
        color: Color::Yellow,
        text: String::new(),
    });
}

#[component]
fn BoardView(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let BoardSignals {
        notes,
        title,
        status,
        fatal,
        notice,
        can_edit,
        can_undo,
        can_redo,
        peers,
    } = signals;
    // Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y (⌘ on a Mac) undo and redo my own edits,
    // also inside a note, where the browser's own undo would not know about
    // other people's typing.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if !(ev.ctrl_key() || ev.meta_key()) || !can_edit.get_untracked() {
            return;
        }
        match ev.key().to_lowercase().as_str() {
            "z" if ev.shift_key() => controller::redo(),
            "z" => controller::undo(),
            "y" => controller::redo(),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());
    let add = move |_| {
        let (x, y) = next_note_position(notes.with_untracked(Vec::len));
        add_note_at(x, y);
    };
    let on_dblclick = move |ev: leptos::ev::MouseEvent| {
        let on_background = ev.target().is_some() && ev.target() == ev.current_target();
        if on_background && can_edit.get_untracked() {
            add_note_at(
                (ev.offset_x() as f64 - 100.0).max(0.0),
                (ev.offset_y() as f64 - 40.0).max(0.0),
            );
        }
    };
    let sharing = RwSignal::new(false);
    let shown_title = move || {
        let t = title.get();
        if t.trim().is_empty() {
            i18n.t(|s| s.untitled)().to_string()
        } else {
            t
        }
    };
    Effect::new(move |_| {
        if notice.get().is_some() {
            platform::set_timeout(5000, move || notice.set(None));
        }
    });
    move || {
        match fatal.get() {
        Some(Fatal::NotFound) => view! {
            <MessagePage testid="board-not-found" title=i18n.t(|s| s.not_found_title) body=i18n.t(|s| s.not_found_body)/>
        }
        .into_any(),
        Some(Fatal::Revoked) => view! {
            <MessagePage testid="link-revoked" title=i18n.t(|s| s.revoked_title) body=i18n.t(|s| s.revoked_body)/>
        }
        .into_any(),
        Some(Fatal::Refused(message)) => view! {
            <main class="message-page" data-testid="board-refused"><h1>{i18n.t(|s| s.refused)}</h1><p>{message}</p></main>
        }
        .into_any(),
        None => view! {
            <div class="board-page">
                <header class="topbar">
                    <a class="brand-small" href="/">"Samskab"</a>
                    <h1 class="board-title" data-testid="board-title">{shown_title}</h1>
                    <div class="topbar-actions">
                        <Show when=move || can_edit.get()>
                            <button class="btn btn-primary" data-testid="add-note" on:click=add>
                                <span aria-hidden="true">"+ "</span>{i18n.t(|s| s.add_note)}
                            </button>
                            <button class="btn" data-testid="undo" title=i18n.t(|s| s.undo)
                                disabled=move || !can_undo.get() on:click=move |_| controller::undo()>
                                <span aria-hidden="true">"↶ "</span>{i18n.t(|s| s.undo)}
                            </button>
                            <button class="btn" data-testid="redo" title=i18n.t(|s| s.redo)
                                disabled=move || !can_redo.get() on:click=move |_| controller::redo()>
                                <span aria-hidden="true">"↷ "</span>{i18n.t(|s| s.redo)}
                            </button>
                        </Show>
                        <button class="btn" data-testid="share" aria-expanded=move || sharing.get().to_string()
                            on:click=move |_| sharing.update(|s| *s = !*s)>
                            {i18n.t(|s| s.share)}
                        </button>
                        <PresenceList peers=peers/>
                        <StatusBadge status=status/>
                        <LanguageSwitch/>
                    </div>
                </header>
                <Show when=move || sharing.get()>
                    <SharePanel/>
                </Show>
                <FacilitationPanel/>
                <Show when=move || notice.get().is_some()>
                    <p class="notice" role="alert" data-testid="notice">{move || notice.get().unwrap_or_default()}</p>
                </Show>
                <div class="viewport">
                    <div class="canvas" data-testid="canvas" on:dblclick=on_dblclick>
                        <Show when=move || notes.with(Vec::is_empty)>
                            <p class="empty-hint">{i18n.t(|s| s.empty_board)}</p>
                        </Show>
                        <For each=move || notes.get() key=|entry| entry.id.clone() let:entry>
                            <NoteCard view=entry.view can_edit=can_edit peers=peers/>
                        </For>
                    </div>
                </div>
            </div>
        }
        .into_any(),
    }
    }
}
