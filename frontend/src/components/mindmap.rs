//! The mind-map view, laid out by `MindMapView::layout` from crates/board.
//! The keyboard is enough: Tab adds a child, Enter a sibling, arrows move
//! the selection, Delete removes, F2 or typing edits, Ctrl+← / Ctrl+→
//! collapse and expand. Drag a node onto another to move it there.
use leptos::html::{Div, Input};
use leptos::prelude::*;
use samskab_board::layout::{Size, Spacing};
use samskab_board::{MindMapView, NodeView, Op, order_between, text_splice};
use wasm_bindgen::JsCast;

use crate::controller::{self, BoardSignals};
use crate::i18n::I18n;
use crate::platform;
use crate::ui::{Ui, View};

/// Room kept at the right of a node with children for its fold button
/// (which sits on the node's edge), so that the button never covers text.
const TOGGLE_ROOM: f64 = 24.0;

/// A node's box: wide enough for short texts on one line, wrapping longer
/// ones, plus room for the fold button when it has children.
pub fn node_size(n: &NodeView, has_children: bool) -> Size {
    let chars = n.text.chars().count().max(4) as f64;
    let w = (chars * 9.0 + 48.0).clamp(120.0, 300.0);
    let lines = ((chars * 9.0) / (w - 48.0)).ceil().max(1.0);
    Size {
        w: w + if has_children { TOGGLE_ROOM } else { 0.0 },
        h: (lines * 22.0 + 26.0).max(48.0),
    }
}

fn children<'a>(m: &'a MindMapView, id: &str) -> Vec<&'a NodeView> {
    m.nodes
        .iter()
        .filter(|n| n.parent.as_deref() == Some(id))
        .collect()
}

fn last_child_order(m: &MindMapView, id: &str) -> Option<f64> {
    children(m, id)
        .iter()
        .map(|n| n.order)
        .fold(None, |a, o| Some(a.map_or(o, |a: f64| a.max(o))))
}

fn is_descendant(m: &MindMapView, node: &str, of: &str) -> bool {
    let mut cur = m.nodes.iter().find(|n| n.id == node).cloned();
    while let Some(n) = cur {
        if n.id == of {
            return true;
        }
        cur = n
            .parent
            .as_ref()
            .and_then(|p| m.nodes.iter().find(|x| &x.id == p).cloned());
    }
    false
}

#[component]
pub fn MindMap(signals: BoardSignals, map: String) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    let BoardSignals {
        mindmaps, can_edit, ..
    } = signals;
    let map_id = map.clone();
    let view_of =
        Memo::new(move |_| mindmaps.with(|ms| ms.iter().find(|m| m.id == map_id).cloned()));
    let placed = Memo::new(move |_| {
        view_of
            .get()
            .map(|m| {
                let parents: std::collections::HashSet<&str> =
                    m.nodes.iter().filter_map(|n| n.parent.as_deref()).collect();
                m.layout(
                    |n| node_size(n, parents.contains(n.id.as_str())),
                    Spacing::default(),
                )
            })
            .unwrap_or_default()
    });
    let selected = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(None::<(String, i32, f64, f64, bool)>);
    let drag_at = RwSignal::new(None::<(f64, f64)>);
    let root_ref = NodeRef::<Div>::new();
    let edit_ref = NodeRef::<Input>::new();
    // Select the root at first, and something that exists after deletions.
    Effect::new(move |_| {
        let Some(m) = view_of.get() else { return };
        let ok = selected.with_untracked(|s| {
            s.as_ref()
                .is_some_and(|s| placed.with_untracked(|p| p.iter().any(|n| &n.id == s)))
        });
        if !ok {
            selected.set(Some(m.root.clone()));
        }
    });
    Effect::new(move |_| {
        if let Some(el) = root_ref.get() {
            let _ = el.focus();
        }
    });
    Effect::new(move |_| {
        if editing.get().is_some()
            && let Some(el) = edit_ref.get()
        {
            let _ = el.focus();
            let len = el.value().encode_utf16().count() as u32;
            let _ = el.set_selection_range(len, len);
        }
    });
    let focus_tree = move || {
        platform::set_timeout(0, move || {
            if let Some(el) = root_ref.get_untracked() {
                let _ = el.focus();
            }
        })
    };

    let add = move |sibling: bool| {
        let (Some(m), Some(sel)) = (view_of.get_untracked(), selected.get_untracked()) else {
            return;
        };
        let node = m.nodes.iter().find(|n| n.id == sel).cloned();
        let Some(node) = node else { return };
        let (parent, order) = match (&node.parent, sibling) {
            (Some(p), true) => {
                let next = children(&m, p)
                    .iter()
                    .map(|n| n.order)
                    .filter(|o| *o > node.order)
                    .fold(None, |a: Option<f64>, o| Some(a.map_or(o, |a| a.min(o))));
                (p.clone(), order_between(Some(node.order), next))
            }
            _ => {
                if node.collapsed {
                    controller::apply(Op::SetCollapsed {
                        map: m.id.clone(),
                        id: node.id.clone(),
                        collapsed: false,
                    });
                }
                (
                    node.id.clone(),
                    order_between(last_child_order(&m, &node.id), None),
                )
            }
        };
        let id = platform::random_id();
        controller::apply(Op::AddNode {
            map: m.id.clone(),
            id: id.clone(),
            parent,
            order,
            text: String::new(),
        });
        selected.set(Some(id.clone()));
        editing.set(Some(id));
    };
    let set_collapsed = move |collapsed: bool| {
        let (Some(m), Some(sel)) = (view_of.get_untracked(), selected.get_untracked()) else {
            return;
        };
        if !children(&m, &sel).is_empty() {
            controller::apply(Op::SetCollapsed {
                map: m.id,
                id: sel,
                collapsed,
            });
        }
    };
    let remove = move || {
        let (Some(m), Some(sel)) = (view_of.get_untracked(), selected.get_untracked()) else {
            return;
        };
        if sel == m.root {
            return;
        }
        let parent = m
            .nodes
            .iter()
            .find(|n| n.id == sel)
            .and_then(|n| n.parent.clone());
        controller::apply(Op::DeleteNode { map: m.id, id: sel });
        selected.set(parent);
    };
    let to_board = move || {
        let (Some(m), Some(sel)) = (view_of.get_untracked(), selected.get_untracked()) else {
            return;
        };
        if sel == m.root {
            return;
        }
        let (x, y) = ui.center();
        controller::apply(Op::NodeToNote {
            map: m.id,
            node: sel,
            note: platform::random_id(),
            x: (x - 100.0).round(),
            y: (y - 80.0).round(),
        });
    };
    let go = move |key: &str| {
        let (Some(m), Some(sel)) = (view_of.get_untracked(), selected.get_untracked()) else {
            return;
        };
        let shown: Vec<String> =
            placed.with_untracked(|p| p.iter().map(|n| n.id.clone()).collect());
        let node = m.nodes.iter().find(|n| n.id == sel);
        let parent = node.and_then(|n| n.parent.clone());
        let next = match key {
            "ArrowLeft" => parent,
            "ArrowRight" => children(&m, &sel)
                .first()
                .map(|n| n.id.clone())
                .filter(|c| shown.contains(c)),
            "ArrowUp" | "ArrowDown" => {
                let sibs: Vec<String> = match &parent {
                    Some(p) => children(&m, p).iter().map(|n| n.id.clone()).collect(),
                    None => vec![sel.clone()],
                };
                let i = sibs.iter().position(|s| s == &sel).unwrap_or(0);
                let j = if key == "ArrowUp" {
                    i.checked_sub(1)
                } else {
                    Some(i + 1)
                };
                match j.and_then(|j| sibs.get(j)) {
                    Some(s) => Some(s.clone()),
                    None => {
                        // No sibling that way: the neighbour in reading order.
                        let k = shown.iter().position(|s| s == &sel).unwrap_or(0);
                        let k = if key == "ArrowUp" {
                            k.checked_sub(1)
                        } else {
                            Some(k + 1)
                        };
                        k.and_then(|k| shown.get(k)).cloned()
                    }
                }
            }
            _ => None,
        };
        if let Some(n) = next {
            selected.set(Some(n));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if editing.get_untracked().is_some() {
            return;
        }
        let edit = can_edit.get_untracked();
        let key = ev.key();
        match key.as_str() {
            "ArrowLeft" | "ArrowRight" if ev.ctrl_key() || ev.meta_key() => {
                if edit {
                    set_collapsed(key == "ArrowLeft");
                }
            }
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => go(&key),
            "Tab" if edit && !ev.shift_key() => add(false),
            "Enter" if edit => add(true),
            "Delete" | "Backspace" if edit => remove(),
            "F2" if edit => editing.set(selected.get_untracked()),
            "Escape" => ui.view.set(View::Canvas),
            k if edit
                && k.chars().count() == 1
                && !ev.ctrl_key()
                && !ev.meta_key()
                && !ev.alt_key() =>
            {
                // Typing starts editing, with the typed letter added.
                if let (Some(m), Some(sel)) = (view_of.get_untracked(), selected.get_untracked()) {
                    let len = m
                        .nodes
                        .iter()
                        .find(|n| n.id == sel)
                        .map(|n| n.text.chars().count())
                        .unwrap_or(0);
                    controller::apply(Op::EditNodeText {
                        map: m.id,
                        id: sel.clone(),
                        index: len,
                        delete: 0,
                        insert: k.to_string(),
                    });
                    editing.set(Some(sel));
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };
    let on_edit_input = move |ev: leptos::ev::Event| {
        let (Some(m), Some(id)) = (view_of.get_untracked(), editing.get_untracked()) else {
            return;
        };
        let new = event_target_value(&ev);
        let old = m
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.text.clone())
            .unwrap_or_default();
        if let Some((index, delete, insert)) = text_splice(&old, &new) {
            controller::apply(Op::EditNodeText {
                map: m.id,
                id,
                index,
                delete,
                insert,
            });
        }
    };
    let on_edit_key = move |ev: leptos::ev::KeyboardEvent| {
        match ev.key().as_str() {
            "Enter" | "Escape" => {
                // Focus goes back to the tree at once, so that a key pressed
                // right after Enter (an arrow) is not lost while the field
                // is being removed.
                if let Some(el) = root_ref.get_untracked() {
                    let _ = el.focus();
                }
                editing.set(None);
                focus_tree();
            }
            "Tab" => {
                editing.set(None);
                add(false);
            }
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };

    // Dragging a node onto another moves it there.
    let node_down = move |id: String, ev: leptos::ev::PointerEvent| {
        if ev.button() > 0 || editing.get_untracked().is_some() {
            return;
        }
        selected.set(Some(id.clone()));
        if !can_edit.get_untracked() {
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
        dragging.set(Some((
            id,
            ev.pointer_id(),
            ev.client_x() as f64,
            ev.client_y() as f64,
            false,
        )));
    };
    let node_move = move |ev: leptos::ev::PointerEvent| {
        if let Some((id, p, x, y, moved)) = dragging.get_untracked()
            && p == ev.pointer_id()
        {
            let (dx, dy) = (ev.client_x() as f64 - x, ev.client_y() as f64 - y);
            if moved || dx.abs() + dy.abs() > 6.0 {
                if !moved {
                    dragging.set(Some((id, p, x, y, true)));
                }
                drag_at.set(Some((dx, dy)));
            }
        }
    };
    let node_up = move |ev: leptos::ev::PointerEvent| {
        let Some((id, p, _, _, moved)) = dragging.get_untracked() else {
            return;
        };
        if p != ev.pointer_id() {
            return;
        }
        dragging.set(None);
        drag_at.set(None);
        if !moved {
            focus_tree();
            return;
        }
        let target = document()
            .elements_from_point(ev.client_x() as f32, ev.client_y() as f32)
            .iter()
            .filter_map(|e| e.dyn_into::<web_sys::Element>().ok())
            .filter_map(|e| e.closest("[data-node-id]").ok().flatten())
            .filter_map(|e| e.get_attribute("data-node-id"))
            .find(|t| t != &id);
        let Some(m) = view_of.get_untracked() else {
            return;
        };
        if let Some(target) = target
            && !is_descendant(&m, &target, &id)
        {
            controller::apply(Op::Reparent {
                map: m.id.clone(),
                id: id.clone(),
                parent: target.clone(),
                order: order_between(last_child_order(&m, &target), None),
            });
        }
        focus_tree();
    };

    let origin = move || {
        placed.with(|p| {
            let minx = p.iter().map(|n| n.x).fold(0.0_f64, f64::min);
            let miny = p.iter().map(|n| n.y).fold(0.0_f64, f64::min);
            (40.0 - minx, 40.0 - miny)
        })
    };
    let extent = move || {
        let (ox, oy) = origin();
        placed.with(|p| {
            let w = p.iter().map(|n| n.x + n.w).fold(0.0_f64, f64::max) + ox + 80.0;
            let h = p.iter().map(|n| n.y + n.h).fold(0.0_f64, f64::max) + oy + 80.0;
            (w, h)
        })
    };
    let edges = move || {
        let (ox, oy) = origin();
        let m = view_of.get();
        placed.with(|p| {
            let mut d = String::new();
            if let Some(m) = m {
                for n in p {
                    let parent = m
                        .nodes
                        .iter()
                        .find(|x| x.id == n.id)
                        .and_then(|x| x.parent.clone());
                    if let Some(pp) = parent.and_then(|pid| p.iter().find(|q| q.id == pid)) {
                        let (x1, y1) = (pp.x + pp.w + ox, pp.y + pp.h / 2.0 + oy);
                        let (x2, y2) = (n.x + ox, n.y + n.h / 2.0 + oy);
                        let mx = (x1 + x2) / 2.0;
                        d.push_str(&format!(
                            "M{x1:.1},{y1:.1} C{mx:.1},{y1:.1} {mx:.1},{y2:.1} {x2:.1},{y2:.1} "
                        ));
                    }
                }
            }
            d
        })
    };
    let nodes = move || {
        let (ox, oy) = origin();
        let Some(m) = view_of.get() else {
            return Vec::new();
        };
        placed.with(|p| {
            p.iter()
                .filter_map(|pl| {
                    let n = m.nodes.iter().find(|x| x.id == pl.id)?.clone();
                    let has_children = !children(&m, &n.id).is_empty();
                    let id = n.id.clone();
                    let id2 = n.id.clone();
                    let id3 = n.id.clone();
                    let id4 = n.id.clone();
                    let is_sel = move || selected.get().as_deref() == Some(id.as_str());
                    let is_sel2 = is_sel.clone();
                    let is_edit = move || editing.get().as_deref() == Some(id2.as_str());
                    let drag_style = move || match (dragging.get(), drag_at.get()) {
                        (Some((d, ..)), Some((dx, dy))) if d == id3 => {
                            format!("translate({dx}px, {dy}px)")
                        }
                        _ => String::new(),
                    };
                    let (x, y, w, h) = (pl.x + ox, pl.y + oy, pl.w, pl.h);
                    let text = n.text.clone();
                    let label = if text.trim().is_empty() {
                        i18n.now().empty_node.to_string()
                    } else {
                        text.clone()
                    };
                    let collapsed = n.collapsed;
                    let map_id = m.id.clone();
                    let toggle_id = n.id.clone();
                    Some(view! {
                        <div class=move || format!("mm-node depth-{}{}{}", n.depth.min(3), if has_children { " has-children" } else { "" }, if is_sel() { " selected" } else { "" })
                            data-testid="mm-node" data-node-id=id4.clone() role="treeitem"
                            attr:aria-level=n.depth + 1 aria-selected=move || is_sel2().to_string()
                            aria-expanded=has_children.then(|| (!collapsed).to_string())
                            aria-label=label
                            style=move || format!("left:{x}px;top:{y}px;width:{w}px;min-height:{h}px;transform:{}", drag_style())
                            on:pointerdown={
                                let id = id4.clone();
                                move |ev| node_down(id.clone(), ev)
                            }
                            on:pointermove=node_move on:pointerup=node_up
                            on:dblclick={
                                let id = id4.clone();
                                move |_| if can_edit.get_untracked() { editing.set(Some(id.clone())) }
                            }>
                            <span class="mm-text" class:hidden=is_edit>{text.clone()}</span>
                            {has_children.then(|| {
                                let map_id = map_id.clone();
                                let toggle_id = toggle_id.clone();
                                view! {
                                    <button class="mm-toggle" data-testid="mm-toggle" tabindex="-1"
                                        aria-label=move || if collapsed { i18n.t(|s| s.expand)() } else { i18n.t(|s| s.collapse)() }
                                        on:click=move |ev| {
                                            ev.stop_propagation();
                                            if can_edit.get_untracked() {
                                                controller::apply(Op::SetCollapsed { map: map_id.clone(), id: toggle_id.clone(), collapsed: !collapsed });
                                            }
                                        }>
                                        {if collapsed { "+" } else { "−" }}
                                    </button>
                                }
                            })}
                        </div>
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let exists = move || view_of.with(Option::is_some);
    let edit_style = move || {
        let (ox, oy) = origin();
        let id = editing.get().unwrap_or_default();
        placed.with(|p| {
            p.iter()
                .find(|n| n.id == id)
                .map(|n| {
                    format!(
                        "left:{}px;top:{}px;width:{}px;height:{}px",
                        n.x + ox,
                        n.y + oy,
                        n.w.max(200.0),
                        n.h
                    )
                })
                .unwrap_or_default()
        })
    };
    let edit_initial = move || {
        let id = editing.get_untracked().unwrap_or_default();
        view_of
            .with_untracked(|m| {
                m.as_ref()
                    .and_then(|m| m.nodes.iter().find(|n| n.id == id).map(|n| n.text.clone()))
            })
            .unwrap_or_default()
    };
    view! {
        <section class="mindmap-view" data-testid="mindmap-view">
            <Show when=move || can_edit.get() && exists()>
                <div class="toolbar mm-toolbar" role="toolbar" aria-label=i18n.t(|s| s.tools)>
                    <button class="btn" data-testid="mm-add-child" on:click=move |_| add(false)>{i18n.t(|s| s.add_child)}</button>
                    <button class="btn" data-testid="mm-add-sibling" on:click=move |_| add(true)>{i18n.t(|s| s.add_sibling)}</button>
                    <button class="btn" data-testid="mm-edit-button" on:click=move |_| editing.set(selected.get_untracked())>{i18n.t(|s| s.edit_node)}</button>
                    <button class="btn" data-testid="mm-to-board" on:click=move |_| to_board()>{i18n.t(|s| s.to_board)}</button>
                    <button class="btn danger" data-testid="mm-delete" on:click=move |_| remove()>{i18n.t(|s| s.delete)}</button>
                    <span class="tool-hint-inline">{i18n.t(|s| s.mindmap_keys)}</span>
                </div>
            </Show>
            <Show when=move || !exists()>
                <p class="empty-hint static">{i18n.t(|s| s.no_mindmap)}</p>
            </Show>
            <div class="mindmap" data-testid="mindmap" role="tree" tabindex="0" node_ref=root_ref
                aria-label=i18n.t(|s| s.view_mindmap) on:keydown=on_key>
                <div class="mm-area" style=move || { let (w, h) = extent(); format!("width:{w}px;height:{h}px") }>
                    <svg class="mm-edges" aria-hidden="true" width=move || extent().0 height=move || extent().1>
                        <path d=edges/>
                    </svg>
                    {nodes}
                    {move || editing.get().map(|eid| view! {
                        <input class="mm-edit" data-testid="mm-edit" node_ref=edit_ref style=edit_style
                            prop:value=edit_initial() aria-label=i18n.t(|s| s.edit_node)
                            on:input=on_edit_input on:keydown=on_edit_key
                            on:blur=move |_| if editing.get_untracked().as_deref() == Some(eid.as_str()) { editing.set(None) }/>
                    })}
                </div>
            </div>
        </section>
    }
}
