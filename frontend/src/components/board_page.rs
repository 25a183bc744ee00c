use leptos::prelude::*;
use leptos::task::spawn_local;
use samskab_board::{Color, Op};

use crate::api::{self, ApiError};
use crate::components::canvas::{Canvas, add_note_in_view};
use crate::components::export_panel::ExportPanel;
use crate::components::facilitation::FacilitationPanel;
use crate::components::history_panel::HistoryPanel;
use crate::components::join_dialog::JoinDialog;
use crate::components::language_switch::LanguageSwitch;
use crate::components::list_view::ListView;
use crate::components::message_page::MessagePage;
use crate::components::mindmap::MindMap;
use crate::components::presence_list::PresenceList;
use crate::components::share_panel::SharePanel;
use crate::components::status_badge::StatusBadge;
use crate::components::toolbar::{Toolbar, delete_selected, zoom_by, zoom_to_fit};
use crate::components::workspace_page::WorkspaceLink;
use crate::controller::{self, BoardSignals, Fatal, NoteEntry};
use crate::i18n::I18n;
use crate::platform;
use crate::ui::{Tool, Ui, View, move_ops};

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    NotFound,
    Revoked,
    Unreachable,
}

/// `/b/<id>`: asks for a name the first time, loads the copy kept on this
/// device, checks the board exists, then shows it. With the server out of
/// reach and a copy on this device, the board opens offline.
#[component]
pub fn BoardPage(id: String) -> impl IntoView {
    let i18n = I18n::get();
    let load = RwSignal::new(Load::Loading);
    let signals = RwSignal::new(None::<BoardSignals>);
    let needs_name = RwSignal::new(controller::display_name().trim().is_empty());
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
                let kept = crate::store::load(&id).await;
                match api::board_info(&id, &key).await {
                    Ok(info) => {
                        crate::boards::touch(&info.id, &info.title);
                        signals.set(Some(controller::open(&info.id, &key, &info.title, kept)));
                        load.set(Load::Ready);
                    }
                    Err(ApiError::Unreachable) if kept.is_some() => {
                        let title = kept.as_ref().map(|k| k.title.clone()).unwrap_or_default();
                        signals.set(Some(controller::open(&id, &key, &title, kept)));
                        load.set(Load::Ready);
                    }
                    Err(ApiError::NotFound) => load.set(Load::NotFound),
                    Err(ApiError::Revoked) => load.set(Load::Revoked),
                    Err(_) => load.set(Load::Unreachable),
                }
            });
        }
    };
    let retry = StoredValue::new(fetch);
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || needs_name.get() {
            return done.unwrap_or(false);
        }
        retry.with_value(|f| f());
        true
    });
    move || {
        if needs_name.get() {
            return view! { <JoinDialog done=needs_name/> }.into_any();
        }
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

/// Which panel is open (by name), for panels that close themselves.
#[derive(Debug, Clone, Copy)]
pub struct OpenPanel(pub RwSignal<Option<&'static str>>);

/// A panel that opens under the top bar, with its button.
#[derive(Clone)]
struct PanelDef {
    name: &'static str,
    label: fn(crate::i18n::Lang) -> &'static str,
    body: fn(BoardSignals) -> AnyView,
}

/// The board's panels. To add one, add one line here.
const PANELS: &[PanelDef] = &[
    PanelDef {
        name: "share",
        label: |l| l.strings().share,
        body: |_| view! { <SharePanel/> }.into_any(),
    },
    PanelDef {
        name: "export",
        label: |l| l.export_strings().export,
        body: |s| view! { <ExportPanel signals=s/> }.into_any(),
    },
    PanelDef {
        name: "history",
        label: |l| l.export_strings().history,
        body: |s| view! { <HistoryPanel signals=s/> }.into_any(),
    },
];

/// Keys on the board (not while typing in a field): N adds a note, Delete
/// removes the selection, arrows move it (or pan), + / − / 0 zoom, Escape
/// lets go. A viewer's keys change nothing on the board.
fn on_key(ev: &web_sys::KeyboardEvent, ui: Ui, can_edit: bool, notes: RwSignal<Vec<NoteEntry>>) {
    if ui.view.get_untracked() != View::Canvas {
        return;
    }
    let typing = document().active_element().is_some_and(|a| {
        matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || a.closest(".mindmap").ok().flatten().is_some()
    });
    if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return;
    }
    let step = if ev.shift_key() { 1.0 } else { 20.0 };
    let arrow = match ev.key().as_str() {
        "ArrowLeft" => Some((-step, 0.0)),
        "ArrowRight" => Some((step, 0.0)),
        "ArrowUp" => Some((0.0, -step)),
        "ArrowDown" => Some((0.0, step)),
        _ => None,
    };
    match ev.key().as_str() {
        "n" | "N" if can_edit => add_note_in_view(ui, notes),
        "Delete" | "Backspace" if can_edit => delete_selected(ui),
        "+" | "=" => zoom_by(ui, 1.25),
        "-" => zoom_by(ui, 1.0 / 1.25),
        "0" => zoom_to_fit(ui),
        "Escape" => {
            ui.selected.set(Default::default());
            ui.tool.set(Tool::Select);
            ui.connect_from.set(None);
        }
        _ => match arrow {
            Some((dx, dy)) if ui.selected.with_untracked(|s| !s.is_empty()) => {
                if !can_edit {
                    return;
                }
                let ids = ui.selected.get_untracked();
                let (notes, frames) = controller::read(|b| {
                    (
                        ids.iter().filter_map(|i| b.note(i)).collect::<Vec<_>>(),
                        b.frames(),
                    )
                })
                .unwrap_or_default();
                controller::apply_all(move_ops(&notes, &frames, dx, dy));
            }
            Some((dx, dy)) => ui.camera.update(|c| c.pan_by(-dx * 4.0, -dy * 4.0)),
            None => return,
        },
    }
    ev.prevent_default();
}

/// Follows another person's view while `ui.following` names them.
fn follow(ui: Ui, peers: RwSignal<Vec<samskab_protocol::PeerPresence>>) {
    Effect::new(move |_| {
        let Some(peer) = ui.following.get() else {
            return;
        };
        let vp = peers.with(|ps| {
            ps.iter()
                .find(|p| p.peer == peer)
                .map(|p| p.presence.viewport)
        });
        match vp {
            Some(Some(v)) => {
                let (w, h) = ui.size.get_untracked();
                let mut c = ui.camera.get_untracked();
                c.zoom = v.zoom;
                c.center_on(v.x + v.w / 2.0, v.y + v.h / 2.0, w, h);
                ui.camera.set(c);
            }
            Some(None) => {}
            None => ui.following.set(None),
        }
    });
}

#[component]
fn BoardView(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::provide();
    let BoardSignals {
        title,
        status,
        fatal,
        notice,
        can_edit,
        peers,
        joined,
        ..
    } = signals;
    // Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y (⌘ on a Mac) undo and redo my own edits,
    // also inside a note, where the browser's own undo would not know about
    // other people's typing.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let edit = can_edit.get_untracked();
        if ev.ctrl_key() || ev.meta_key() {
            if !edit {
                return;
            }
            match ev.key().to_ascii_lowercase().as_str() {
                "z" if ev.shift_key() => controller::redo(),
                "z" => controller::undo(),
                "y" => controller::redo(),
                _ => return,
            }
            ev.prevent_default();
            return;
        }
        on_key(&ev, ui, edit, signals.notes);
    });
    on_cleanup(move || keys.remove());
    follow(ui, peers);
    crate::platform::on_visual_viewport_resize(move || {
        // The on-screen keyboard opened: keep the note being typed in view.
        if let Some(id) = document()
            .active_element()
            .and_then(|a| a.closest("[data-note-id]").ok().flatten())
            .and_then(|n| n.get_attribute("data-note-id"))
            && let Some(n) = controller::read(|b| b.note(&id)).flatten()
        {
            ui.reveal(
                crate::camera::Rect {
                    x: n.x,
                    y: n.y,
                    w: n.w,
                    h: n.h,
                },
                crate::platform::visible_canvas_height(),
            );
        }
    });
    // The device that created the board sets it up once it may edit.
    Effect::new(move |_| {
        if joined.get() && can_edit.get() {
            apply_setup(ui);
        }
    });
    let open_panel = RwSignal::new(None::<&'static str>);
    provide_context(OpenPanel(open_panel));
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
    let following_name = move || {
        let peer = ui.following.get()?;
        peers.with(|ps| {
            ps.iter()
                .find(|p| p.peer == peer)
                .map(|p| p.participant.name.clone())
        })
    };
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
                    <div class="board-heading">
                        <h1 class="board-title" data-testid="board-title">{shown_title}</h1>
                        <Show when=move || !signals.theme.with(|t| t.trim().is_empty())>
                            <p class="board-theme" data-testid="board-theme">{move || signals.theme.get()}</p>
                        </Show>
                        {controller::board_id().map(|b| {
                            let key = crate::boards::key_for(&b).unwrap_or_default();
                            view! { <WorkspaceLink board=b key=key/> }
                        })}
                    </div>
                    <div class="topbar-actions">
                        <Show when=move || !can_edit.get() && joined.get()>
                            <span class="viewer-badge" data-testid="viewer-badge">{i18n.t(|s| s.view_only)}</span>
                        </Show>
                        {PANELS.iter().map(|p| {
                            let name = p.name;
                            view! {
                                <button class="btn" data-testid=name
                                    aria-expanded=move || (open_panel.get() == Some(name)).to_string()
                                    on:click=move |_| open_panel.update(|o| *o = if *o == Some(name) { None } else { Some(name) })>
                                    {move || (p.label)(i18n.0.get())}
                                </button>
                            }
                        }).collect::<Vec<_>>()}
                        <PresenceList peers=peers/>
                        <StatusBadge status=status/>
                        <LanguageSwitch/>
                    </div>
                </header>
                {move || open_panel.get().and_then(|name| PANELS.iter().find(|p| p.name == name)).map(|p| (p.body)(signals))}
                <Toolbar signals=signals/>
                <div class="stage">
                    // Over the board's top right corner (the selection's bar
                    // has the left): appearing, they do not move the board.
                    <div class="stage-float">
                        <Show when=move || notice.get().is_some()>
                            <p class="notice" role="alert" data-testid="notice">{move || notice.get().unwrap_or_default()}</p>
                        </Show>
                        <Show when=move || ui.following.get().is_some()>
                            <p class="follow-banner" role="status" data-testid="following">
                                {move || format!("{} {}", i18n.t(|s| s.following)(), following_name().unwrap_or_default())}
                                <button class="btn" data-testid="stop-following" on:click=move |_| ui.following.set(None)>
                                    {i18n.t(|s| s.stop_following)}
                                </button>
                            </p>
                        </Show>
                    </div>
                    {move || match ui.view.get() {
                        View::Canvas => view! { <Canvas signals=signals/> }.into_any(),
                        View::MindMap(id) => view! { <MindMap signals=signals map=id/> }.into_any(),
                        View::List => view! { <ListView signals=signals/> }.into_any(),
                    }}
                </div>
                // Under the board, not over it: the board ends above this bar.
                <FacilitationPanel/>
            </div>
        }
        .into_any(),
    }
    }
}

/// The theme question and the template chosen when the board was created
/// on this device, applied once.
fn apply_setup(ui: Ui) {
    let Some(id) = controller::board_id() else {
        return;
    };
    let Some(mut r) = crate::boards::recall(&id) else {
        return;
    };
    let Some(setup) = r.setup.take() else { return };
    crate::boards::remember(&id, &r);
    let s = I18n::get().now();
    if !setup.theme.trim().is_empty() {
        controller::apply(Op::SetTheme {
            theme: setup.theme.clone(),
        });
    }
    controller::apply(Op::SetTemplate {
        template: setup.template.clone(),
    });
    match setup.template.as_str() {
        "postits" => {
            for (i, name) in s.template_frames.iter().enumerate() {
                controller::apply(Op::CreateFrame {
                    id: platform::random_id(),
                    name: name.to_string(),
                    x: 40.0 + i as f64 * 520.0,
                    y: 40.0,
                    w: 480.0,
                    h: 640.0,
                    color: [Color::Blue, Color::Green, Color::Orange][i % 3],
                });
            }
            platform::set_timeout(50, move || crate::components::toolbar::zoom_to_fit(ui));
        }
        "mindmap" => {
            let map = platform::random_id();
            let root = if setup.theme.trim().is_empty() {
                controller::read(|b| b.title()).unwrap_or_default()
            } else {
                setup.theme
            };
            controller::apply(Op::CreateMindMap {
                id: map.clone(),
                root: platform::random_id(),
                text: root,
            });
            ui.view.set(View::MindMap(map));
        }
        _ => {}
    }
}
