//! The board's tools: add a note or a frame, the tool (select, area,
//! connect), the selection's colour and deletion, undo and redo, the view
//! (canvas, mind map, list) and the zoom. Everything a key does has a
//! button here too, and every button is at least 44 px. The tools used
//! less often (frame, arrow, redo, the list view) sit in a "More" menu, so
//! the bar is one row on a 1024 px tablet in either language: a button
//! that opens a group of ordinary buttons (a disclosure, reached by Tab;
//! Escape or a choice closes it).
use leptos::prelude::*;
use samskab_board::{Color, Op};

use crate::camera::{self, Camera, Rect};
use crate::components::canvas::add_note_in_view;
use crate::controller::{self, BoardSignals};
use crate::i18n::I18n;
use crate::platform;
use crate::ui::{Tool, Ui, View};

/// Zooms around the canvas centre.
pub fn zoom_by(ui: Ui, factor: f64) {
    let (w, h) = ui.size.get_untracked();
    ui.camera.update(|c| c.zoom_at(w / 2.0, h / 2.0, factor));
}

/// Shows every note and frame.
pub fn zoom_to_fit(ui: Ui) {
    let rects = controller::read(|b| {
        let mut r: Vec<Rect> = b
            .notes()
            .iter()
            .map(|n| Rect {
                x: n.x,
                y: n.y,
                w: n.w,
                h: n.h,
            })
            .collect();
        r.extend(b.frames().iter().map(|f| Rect {
            x: f.x,
            y: f.y,
            w: f.w,
            h: f.h,
        }));
        r
    })
    .unwrap_or_default();
    let (w, h) = ui.size.get_untracked();
    let cam = camera::bounds(rects)
        .map(|b| Camera::fit(b, w, h))
        .unwrap_or_default();
    ui.camera.set(cam);
}

pub fn delete_selected(ui: Ui) {
    let ids: Vec<String> = ui.selected.get_untracked().into_iter().collect();
    controller::apply_all(ids.into_iter().map(|id| Op::DeleteNote { id }).collect());
    ui.selected.set(Default::default());
}

pub fn add_frame(ui: Ui) {
    let (x, y) = ui.center();
    let n = controller::read(|b| b.frames().len()).unwrap_or(0) + 1;
    controller::apply(Op::CreateFrame {
        id: platform::random_id(),
        name: format!("{} {n}", crate::i18n::strings().frame_label),
        x: (x - 300.0).round(),
        y: (y - 200.0).round(),
        w: 600.0,
        h: 400.0,
        color: Color::Blue,
    });
}

/// Sends the selected notes into the first mind map (under its root).
pub fn selection_to_mindmap(ui: Ui) {
    let Some(map) = controller::read(|b| b.mindmaps().into_iter().next()).flatten() else {
        return;
    };
    let last = map
        .nodes
        .iter()
        .filter(|n| n.parent.as_deref() == Some(map.root.as_str()))
        .map(|n| n.order)
        .fold(None, |a: Option<f64>, o| Some(a.map_or(o, |a| a.max(o))));
    let mut order = samskab_board::order_between(last, None);
    let mut ops = Vec::new();
    for id in ui.selected.get_untracked() {
        ops.push(Op::NoteToNode {
            note: id,
            map: map.id.clone(),
            node: platform::random_id(),
            parent: map.root.clone(),
            order,
        });
        order += 1.0;
    }
    controller::apply_all(ops);
    ui.selected.set(Default::default());
    ui.view.set(View::MindMap(map.id));
}

#[component]
fn ToolButton(
    tool: Tool,
    testid: &'static str,
    label: fn(&'static crate::i18n::Strings) -> &'static str,
    icon: &'static str,
) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    view! {
        <button class="btn tool" data-testid=testid aria-pressed=move || (ui.tool.get() == tool).to_string()
            title=i18n.t(label)
            on:click=move |_| {
                ui.connect_from.set(None);
                ui.tool.set(if ui.tool.get_untracked() == tool { Tool::Select } else { tool });
            }>
            <span aria-hidden="true">{icon}" "</span>{i18n.t(label)}
        </button>
    }
}

#[component]
pub fn Toolbar(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    let BoardSignals {
        can_edit,
        can_undo,
        can_redo,
        mindmaps,
        ..
    } = signals;
    let on_canvas = move || ui.view.get() == View::Canvas;
    let has_selection = move || ui.selected.with(|s| !s.is_empty());
    let more_open = RwSignal::new(false);
    let more_button = NodeRef::<leptos::html::Button>::new();
    // A tap or click anywhere else closes the menu.
    let outside = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if !more_open.get_untracked() {
            return;
        }
        let inside = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|e| e.closest(".more-menu").ok().flatten().is_some());
        if !inside {
            more_open.set(false);
        }
    });
    on_cleanup(move || outside.remove());
    let more_keys = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && more_open.get_untracked() {
            ev.stop_propagation();
            more_open.set(false);
            if let Some(b) = more_button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    // A choice in the menu closes it (after the button has done its work).
    let chosen = move |ev: leptos::ev::MouseEvent| {
        let on_button = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|e| e.closest("button").ok().flatten().is_some());
        if on_button {
            more_open.set(false);
        }
    };
    // The selection's bar and the tool's hint float over the top of the
    // board instead of pushing it down: tapping a note selects it, and the
    // board must not jump under the finger that is about to drag it.
    view! {
        <div class="toolbar-wrap">
        <div class="toolbar" role="toolbar" aria-label=i18n.t(|s| s.tools) data-testid="toolbar">
            <Show when=move || can_edit.get() && on_canvas()>
                <button class="btn btn-primary" data-testid="add-note" on:click=move |_| {
                    add_note_in_view(ui, signals.notes);
                }>
                    <span aria-hidden="true">"+ "</span>{i18n.t(|s| s.add_note)}
                </button>
                <ToolButton tool=Tool::Area testid="tool-area" label=|s| s.tool_area icon="⬚"/>
            </Show>
            <Show when=move || can_edit.get()>
                <button class="btn" data-testid="undo" title=i18n.t(|s| s.undo)
                    disabled=move || !can_undo.get() on:click=move |_| controller::undo()>
                    <span aria-hidden="true">"↶ "</span>{i18n.t(|s| s.undo)}
                </button>
            </Show>
            <div class="more-menu" on:keydown=more_keys>
                <button class="btn" data-testid="toolbar-more" node_ref=more_button
                    aria-expanded=move || more_open.get().to_string() aria-controls="toolbar-more-items"
                    on:click=move |_| more_open.update(|o| *o = !*o)>
                    {i18n.t(|s| s.more)}<span aria-hidden="true">" ▾"</span>
                </button>
                <div id="toolbar-more-items" class="more-items" role="group" aria-label=i18n.t(|s| s.more)
                    data-testid="toolbar-more-items" hidden=move || !more_open.get() on:click=chosen>
                    <Show when=move || can_edit.get() && on_canvas()>
                        <button class="btn" data-testid="add-frame" on:click=move |_| add_frame(ui)>
                            <span aria-hidden="true">"▭ "</span>{i18n.t(|s| s.add_frame)}
                        </button>
                        <ToolButton tool=Tool::Connect testid="tool-connect" label=|s| s.tool_connect icon="→"/>
                    </Show>
                    <Show when=move || can_edit.get()>
                        <button class="btn" data-testid="redo" title=i18n.t(|s| s.redo)
                            disabled=move || !can_redo.get() on:click=move |_| controller::redo()>
                            <span aria-hidden="true">"↷ "</span>{i18n.t(|s| s.redo)}
                        </button>
                    </Show>
                    <button class="btn" data-testid="view-list" aria-pressed=move || (ui.view.get() == View::List).to_string()
                        on:click=move |_| ui.view.set(View::List)>{i18n.t(|s| s.view_list)}</button>
                </div>
            </div>
            <span class="toolbar-gap"></span>
            <div class="view-switch" role="group" aria-label=i18n.t(|s| s.views)>
                <button class="btn" data-testid="view-canvas" aria-pressed=move || on_canvas().to_string()
                    on:click=move |_| ui.view.set(View::Canvas)>{i18n.t(|s| s.view_canvas)}</button>
                <button class="btn" data-testid="view-mindmap"
                    aria-pressed=move || matches!(ui.view.get(), View::MindMap(_)).to_string()
                    on:click=move |_| {
                        match mindmaps.with_untracked(|m| m.first().map(|m| m.id.clone())) {
                            Some(id) => ui.view.set(View::MindMap(id)),
                            None if can_edit.get_untracked() => {
                                let id = platform::random_id();
                                let root = {
                                    let t = signals.theme.get_untracked();
                                    if t.trim().is_empty() { signals.title.get_untracked() } else { t }
                                };
                                controller::apply(Op::CreateMindMap {
                                    id: id.clone(),
                                    root: platform::random_id(),
                                    text: root,
                                });
                                ui.view.set(View::MindMap(id));
                            }
                            None => ui.view.set(View::MindMap(String::new())),
                        }
                    }>{i18n.t(|s| s.view_mindmap)}</button>
            </div>
            <Show when=on_canvas>
                <div class="zoom-controls" role="group" aria-label=i18n.t(|s| s.zoom)>
                    <button class="btn" data-testid="zoom-out" aria-label=i18n.t(|s| s.zoom_out) title=i18n.t(|s| s.zoom_out)
                        on:click=move |_| zoom_by(ui, 1.0 / 1.25)>"−"</button>
                    <span class="zoom-level" data-testid="zoom-level">{move || format!("{:.0} %", ui.camera.get().zoom * 100.0)}</span>
                    <button class="btn" data-testid="zoom-in" aria-label=i18n.t(|s| s.zoom_in) title=i18n.t(|s| s.zoom_in)
                        on:click=move |_| zoom_by(ui, 1.25)>"+"</button>
                    <button class="btn" data-testid="zoom-fit" on:click=move |_| zoom_to_fit(ui)>{i18n.t(|s| s.zoom_fit)}</button>
                </div>
            </Show>
        </div>
        <div class="toolbar-float">
        <Show when=move || can_edit.get() && on_canvas() && has_selection()>
            <div class="selection-bar" role="toolbar" aria-label=i18n.t(|s| s.selection) data-testid="selection-bar">
                <span class="selection-count">{move || format!("{} {}", ui.selected.with(|s| s.len()), i18n.t(|s| s.selected_count)())}</span>
                {Color::ALL.into_iter().map(|c| view! {
                    <button class=format!("swatch note-{}", c.as_str()) data-testid=format!("color-{}", c.as_str())
                        aria-label=move || format!("{}: {}", i18n.t(|s| s.color)(), i18n.0.get().strings().color_name(c))
                        on:click=move |_| {
                            let ids = ui.selected.get_untracked();
                            controller::apply_all(ids.into_iter().map(|id| Op::RecolorNote { id, color: c }).collect());
                        }></button>
                }).collect::<Vec<_>>()}
                <Show when=move || mindmaps.with(|m| !m.is_empty())>
                    <button class="btn" data-testid="to-mindmap" on:click=move |_| selection_to_mindmap(ui)>
                        {i18n.t(|s| s.to_mindmap)}
                    </button>
                </Show>
                <button class="btn danger" data-testid="delete-selected" on:click=move |_| delete_selected(ui)>
                    {i18n.t(|s| s.delete)}
                </button>
            </div>
        </Show>
        <Show when=move || ui.tool.get() == Tool::Connect && can_edit.get()>
            <p class="tool-hint" data-testid="tool-hint" role="status">
                {move || if ui.connect_from.get().is_some() { i18n.t(|s| s.connect_second)() } else { i18n.t(|s| s.connect_first)() }}
            </p>
        </Show>
        </div>
        </div>
    }
}
