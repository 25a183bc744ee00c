//! Public snapshot (in the export panel): the facilitator freezes the board
//! into a read-only public copy with names replaced by role groups
//! (`POST /api/boards/{id}/snapshots`) and gets its link to copy. Shown only
//! on the facilitator link, which is what the server asks for.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::export_api;
use crate::i18n::I18n;
use crate::{controller, platform};

#[derive(Debug, Clone, PartialEq)]
enum Publish {
    Idle,
    Working,
    Done(String),
    Failed(String),
}

#[component]
pub fn SnapshotSection() -> impl IntoView {
    let i18n = I18n::get();
    let id = controller::board_id().unwrap_or_default();
    let is_facilitator = RwSignal::new(false);
    {
        let id = id.clone();
        spawn_local(async move {
            let key = export_api::key(&id);
            // Offline or refused: the section stays hidden (the server would
            // refuse the snapshot anyway).
            if let Ok(p) = export_api::permission(&id, &key).await {
                is_facilitator.set(p == "facilitator");
            }
        });
    }
    let state = RwSignal::new(Publish::Idle);
    let copied = RwSignal::new(false);
    let publish = move |_: leptos::ev::MouseEvent| {
        if state.get_untracked() == Publish::Working {
            return;
        }
        state.set(Publish::Working);
        let s = i18n.now_export();
        let id = id.clone();
        spawn_local(async move {
            let key = export_api::key(&id);
            state.set(match export_api::snapshot(&id, &key).await {
                Ok(snap) => Publish::Done(snap.url),
                Err(e) => {
                    Publish::Failed(format!("{}{}", s.snapshot_failed, e.message(s.unreachable)))
                }
            });
        });
    };
    let result = move || match state.get() {
        Publish::Done(url) => {
            let to_copy = url.clone();
            view! {
                <div class="share-row">
                    <label for="snapshot-url">{i18n.x(|s| s.snapshot_link)}</label>
                    <div class="share-field">
                        <input id="snapshot-url" type="text" readonly data-testid="snapshot-url" prop:value=url.clone()
                            on:focus=|ev| {
                                use wasm_bindgen::JsCast;
                                if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    i.select();
                                }
                            }/>
                        <button class="btn" data-testid="snapshot-copy" on:click=move |_| {
                            platform::copy_to_clipboard(&to_copy);
                            copied.set(true);
                            platform::set_timeout(2000, move || copied.set(false));
                        }>
                            {move || if copied.get() { i18n.t(|s| s.link_copied)() } else { i18n.t(|s| s.copy)() }}
                        </button>
                        <a class="btn link-btn" href=url target="_blank" rel="noopener noreferrer">{i18n.x(|s| s.open_link)}</a>
                    </div>
                </div>
            }
            .into_any()
        }
        Publish::Failed(message) => {
            view! { <p class="error" role="alert" data-testid="snapshot-error">{message}</p> }
                .into_any()
        }
        Publish::Idle | Publish::Working => ().into_any(),
    };
    view! {
        <Show when=move || is_facilitator.get()>
            <section class="snapshot-section" data-testid="snapshot-section">
                <h3>{i18n.x(|s| s.snapshot)}</h3>
                <p class="export-note">{i18n.x(|s| s.snapshot_hint)}</p>
                <button class="btn" data-testid="snapshot-create"
                    prop:disabled=move || state.get() == Publish::Working
                    on:click=publish.clone()>
                    {move || if state.get() == Publish::Working { i18n.x(|s| s.snapshot_creating)() } else { i18n.x(|s| s.snapshot_create)() }}
                </button>
                {result}
            </section>
        </Show>
    }
}
