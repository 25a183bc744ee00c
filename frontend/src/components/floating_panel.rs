//! A panel that hangs from the top bar over the board (export, history):
//! the board keeps its size underneath. It takes the focus when it opens,
//! and its close button or Escape closes it and gives the focus back to the
//! top-bar button that opened it. Keys pressed inside it are not board
//! shortcuts.
use leptos::prelude::*;

use crate::components::board_page::OpenPanel;
use crate::i18n::{ExportStrings, I18n};

fn close(name: &'static str) {
    if let Some(OpenPanel(open)) = use_context::<OpenPanel>() {
        open.set(None);
    }
    if let Some(button) = document()
        .query_selector(&format!("[data-testid={name}]"))
        .ok()
        .flatten()
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = button.focus();
    }
}

#[component]
pub fn FloatingPanel(
    /// The panel's name in `PANELS` (also its button's `data-testid`).
    name: &'static str,
    label: fn(&'static ExportStrings) -> &'static str,
    testid: &'static str,
    extra_class: &'static str,
    children: Children,
) -> impl IntoView {
    let i18n = I18n::get();
    let node = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let _ = el.focus();
        }
    });
    view! {
        <div class="panel-anchor">
            <section node_ref=node class=format!("side-panel {extra_class}") data-testid=testid tabindex="-1"
                aria-label=i18n.x(label)
                on:keydown=move |ev| {
                    // Keys typed here are not board shortcuts (N adds a
                    // note, arrows pan…).
                    ev.stop_propagation();
                    if ev.key() == "Escape" {
                        close(name);
                    }
                }>
                <div class="panel-head">
                    <h2>{i18n.x(label)}</h2>
                    <button class="btn btn-quiet panel-close" data-testid=format!("{testid}-close")
                        aria-label=i18n.x(|s| s.close) on:click=move |_| close(name)>
                        "✕"
                    </button>
                </div>
                {children()}
            </section>
        </div>
    }
}
