//! Joining from a link: who are you? A display name and a role group,
//! remembered on this device. No account.
use leptos::prelude::*;
use samskab_board::RoleGroup;

use crate::components::language_switch::LanguageSwitch;
use crate::i18n::I18n;
use crate::platform;

/// The name and role fields (also on the start page).
#[component]
pub fn WhoFields(name: RwSignal<String>, role: RwSignal<RoleGroup>) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <label for="display-name">{i18n.t(|s| s.your_name)}</label>
        <input id="display-name" data-testid="display-name" type="text" maxlength="60" autocomplete="name"
            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
        <fieldset class="roles">
            <legend>{i18n.t(|s| s.your_role)}</legend>
            {RoleGroup::ALL.into_iter().map(|r| view! {
                <label class="role-option">
                    <input type="radio" name="role" data-testid=format!("role-{}", r.as_str())
                        prop:checked=move || role.get() == r on:change=move |_| role.set(r)/>
                    <span class="role-dot" style=format!("background:{}", crate::controller::role_color(r.as_str()))></span>
                    {move || i18n.role(r)}
                </label>
            }).collect::<Vec<_>>()}
        </fieldset>
    }
}

/// Remembers who this device's person is.
pub fn remember_who(name: &str, role: RoleGroup) {
    platform::local_set("samskab.name", name.trim());
    platform::local_set("samskab.role", role.as_str());
}

const CONSENT_KEY: &str = "samskab.named_consent";

/// Remembers whether this device's person agreed, when joining, that their
/// name may appear in public snapshots of the boards they join from here.
pub fn remember_consent(consent: bool) {
    platform::local_set(CONSENT_KEY, if consent { "1" } else { "0" });
}

/// Whether this device's person agreed to be named (absent: no).
pub fn consent_given() -> bool {
    platform::local_get(CONSENT_KEY).as_deref() == Some("1")
}

#[component]
pub fn JoinDialog(done: RwSignal<bool>) -> impl IntoView {
    let i18n = I18n::get();
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(
        crate::controller::role_group()
            .and_then(|r| RoleGroup::parse(&r))
            .unwrap_or(RoleGroup::Citizen),
    );
    let consent = RwSignal::new(false);
    let missing_name = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked();
        if n.trim().is_empty() {
            missing_name.set(true);
            return;
        }
        remember_who(&n, role.get_untracked());
        remember_consent(consent.get_untracked());
        done.set(false);
    };
    view! {
        <main class="home">
            <header class="home-top"><LanguageSwitch/></header>
            <form class="create-form join" role="dialog" aria-labelledby="join-title" data-testid="join-dialog" on:submit=submit>
                <h1 id="join-title">{i18n.t(|s| s.join_title)}</h1>
                <p class="tagline">{i18n.t(|s| s.join_body)}</p>
                <WhoFields name=name role=role/>
                <label class="check consent">
                    <input type="checkbox" data-testid="name-consent" aria-describedby="name-consent-hint"
                        prop:checked=move || consent.get() on:change=move |ev| consent.set(event_target_checked(&ev))/>
                    {i18n.r(|s| s.name_consent)}
                </label>
                <p class="hint" id="name-consent-hint">{i18n.r(|s| s.name_consent_hint)}</p>
                <Show when=move || missing_name.get()>
                    <p class="error" role="alert" data-testid="join-error">{i18n.r(|s| s.need_name)}</p>
                </Show>
                <button class="btn btn-primary" type="submit" data-testid="join">{i18n.t(|s| s.join)}</button>
            </form>
        </main>
    }
}
