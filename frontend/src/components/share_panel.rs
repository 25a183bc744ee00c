use leptos::prelude::*;

use crate::i18n::{I18n, Strings};
use crate::{boards, controller, platform};

/// One link with a copy button.
#[component]
fn LinkRow(
    label: fn(&'static Strings) -> &'static str,
    url: String,
    testid: &'static str,
) -> impl IntoView {
    let i18n = I18n::get();
    let copied = RwSignal::new(false);
    let to_copy = url.clone();
    view! {
        <div class="share-row">
            <label>{i18n.t(label)}</label>
            <div class="share-field">
                <input type="text" readonly data-testid=testid prop:value=url on:focus=|ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        i.select();
                    }
                }/>
                <button class="btn" on:click=move |_| {
                    platform::copy_to_clipboard(&to_copy);
                    copied.set(true);
                    platform::set_timeout(2000, move || copied.set(false));
                }>
                    {move || if copied.get() { i18n.t(|s| s.link_copied)() } else { i18n.t(|s| s.copy)() }}
                </button>
            </div>
        </div>
    }
}

/// The board's share links: all of them on the device that created the
/// board, otherwise the link this device uses.
#[component]
pub fn SharePanel() -> impl IntoView {
    let i18n = I18n::get();
    let id = controller::board_id().unwrap_or_default();
    let remembered = boards::recall(&id);
    let rows = match remembered.as_ref().and_then(|r| r.links.clone()) {
        Some(links) => view! {
            <LinkRow label=|s| s.share_editor url=links.editor testid="share-editor"/>
            <LinkRow label=|s| s.share_viewer url=links.viewer testid="share-viewer"/>
        }
        .into_any(),
        None => {
            let key = remembered.map(|r| r.key).unwrap_or_default();
            let url = format!("{}/b/{id}#key={key}", platform::origin());
            view! { <LinkRow label=|s| s.share_this url=url testid="share-this"/> }.into_any()
        }
    };
    view! {
        <section class="share-panel" data-testid="share-panel" aria-label=i18n.t(|s| s.share)>
            {rows}
            <p class="share-hint">{i18n.t(|s| s.share_hint)}</p>
        </section>
    }
}
