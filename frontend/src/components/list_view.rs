//! The board as text, for screen readers and keyboards: notes grouped by
//! frame, each mind map as a nested outline.
use leptos::prelude::*;
use samskab_board::{MindMapView, NodeView};

use crate::controller::BoardSignals;
use crate::i18n::I18n;

fn outline(map: &MindMapView, parent: Option<&str>) -> Vec<AnyView> {
    map.nodes
        .iter()
        .filter(|n| n.parent.as_deref() == parent)
        .map(|n: &NodeView| {
            let children = outline(map, Some(&n.id));
            let text = n.text.clone();
            if children.is_empty() {
                view! { <li><span>{text}</span></li> }.into_any()
            } else {
                view! { <li><span>{text}</span><ul>{children}</ul></li> }.into_any()
            }
        })
        .collect()
}

#[component]
pub fn ListView(signals: BoardSignals) -> impl IntoView {
    let i18n = I18n::get();
    let BoardSignals {
        notes,
        frames,
        mindmaps,
        ..
    } = signals;
    let groups = move || {
        let notes: Vec<_> = notes.with(|l| l.iter().map(|e| e.view.get()).collect());
        let mut out = Vec::new();
        for f in frames.get() {
            let inside: Vec<String> = notes
                .iter()
                .filter(|n| n.frame.as_deref() == Some(f.id.as_str()))
                .map(|n| n.text.clone())
                .collect();
            out.push((f.name.clone(), inside));
        }
        let loose: Vec<String> = notes
            .iter()
            .filter(|n| n.frame.is_none())
            .map(|n| n.text.clone())
            .collect();
        out.push((i18n.now().outside_frames.to_string(), loose));
        out
    };
    view! {
        <section class="list-view" data-testid="list-view" aria-label=i18n.t(|s| s.view_list)>
            <h2>{i18n.t(|s| s.notes_heading)}</h2>
            {move || groups().into_iter().map(|(name, texts)| view! {
                <h3>{name}</h3>
                {if texts.is_empty() {
                    view! { <p class="muted">{i18n.t(|s| s.no_notes)}</p> }.into_any()
                } else {
                    view! { <ul data-testid="list-notes">{texts.into_iter().map(|t| view! { <li>{t}</li> }).collect::<Vec<_>>()}</ul> }.into_any()
                }}
            }).collect::<Vec<_>>()}
            {move || mindmaps.get().into_iter().map(|m| view! {
                <h2>{i18n.t(|s| s.view_mindmap)}</h2>
                <ul class="outline" data-testid="list-outline">{outline(&m, None)}</ul>
            }).collect::<Vec<_>>()}
        </section>
    }
}
