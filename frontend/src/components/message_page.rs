use leptos::prelude::*;

use crate::i18n::I18n;

/// A whole-page message: board not found, server unreachable…
#[component]
pub fn MessagePage(
    testid: &'static str,
    title: impl Fn() -> &'static str + Send + 'static,
    body: impl Fn() -> &'static str + Send + 'static,
) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <main class="message-page" data-testid=testid>
            <h1>{title}</h1>
            <p>{body}</p>
            <a class="btn btn-primary" href="/">{i18n.t(|s| s.to_start)}</a>
        </main>
    }
}
