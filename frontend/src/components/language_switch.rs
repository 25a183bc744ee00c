use leptos::prelude::*;

use crate::i18n::I18n;

/// Switches between Danish and English.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <button class="btn btn-quiet" data-testid="language-switch" on:click=move |_| i18n.toggle()>
            {i18n.t(|s| s.switch_language)}
        </button>
    }
}
