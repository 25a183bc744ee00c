use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::language_switch::LanguageSwitch;
use crate::i18n::I18n;

/// The start page: create a board.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = I18n::get();
    let title = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failed.set(false);
        let t = title.get_untracked();
        spawn_local(async move {
            match crate::api::create_board(&t).await {
                Ok(created) => {
                    let key = created
                        .links
                        .facilitator
                        .split_once("#key=")
                        .map(|(_, k)| k.to_string())
                        .unwrap_or_default();
                    crate::boards::remember(
                        &created.id,
                        &crate::boards::Remembered {
                            key: key.clone(),
                            links: Some(created.links),
                            title: t.clone(),
                        },
                    );
                    crate::platform::navigate(&format!("/b/{}#key={key}", created.id));
                }
                Err(_) => {
                    failed.set(true);
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <main class="home">
            <header class="home-top"><LanguageSwitch/></header>
            <h1 class="brand">"Samskab"</h1>
            <p class="tagline">{i18n.t(|s| s.tagline)}</p>
            <form class="create-form" on:submit=submit>
                <label for="board-title">{i18n.t(|s| s.title_label)}</label>
                <input
                    id="board-title"
                    data-testid="new-board-title"
                    type="text"
                    maxlength="200"
                    placeholder=i18n.t(|s| s.title_placeholder)
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <button class="btn btn-primary" data-testid="create-board" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(|s| s.creating)() } else { i18n.t(|s| s.create_board)() }}
                </button>
            </form>
            <Show when=move || failed.get()>
                <p class="error" role="alert">{i18n.t(|s| s.create_failed)}</p>
            </Show>
        </main>
    }
}
