//! In the facilitation panel: save this board's structure as one of the
//! committee's own templates (for its series, or for every board on this
//! server), optionally with what was written.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::I18n;
use crate::series;

#[component]
pub fn SaveTemplate() -> impl IntoView {
    let i18n = I18n::get();
    let name = RwSignal::new(String::new());
    let with_content = RwSignal::new(false);
    // The board's series, if it is a meeting of one: then the series is the
    // default place to keep the template.
    let in_series = RwSignal::new(false);
    let scope = RwSignal::new("installation".to_string());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let board = crate::controller::board_id().unwrap_or_default();
    let key = crate::boards::key_for(&board).unwrap_or_default();
    let (board, key) = (StoredValue::new(board), StoredValue::new(key));
    spawn_local(async move {
        if let Ok(Some(_)) = series::of_board(&board.get_value(), &key.get_value()).await {
            in_series.set(true);
            scope.set("series".into());
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            error.set(Some(i18n.r_now(|s| s.need_template_name).to_string()));
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        saved.set(None);
        let (with, sc) = (with_content.get_untracked(), scope.get_untracked());
        spawn_local(async move {
            match series::save_template(&board.get_value(), &key.get_value(), &n, with, &sc).await {
                Ok(()) => {
                    saved.set(Some(n));
                    name.set(String::new());
                }
                Err(e) => error.set(Some(format!(
                    "{}{}",
                    i18n.r_now(|s| s.template_failed),
                    series::message(&e).unwrap_or_else(|| format!("{e:?}"))
                ))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="save-template" data-testid="save-template" on:submit=save>
            <h3>{i18n.r(|s| s.save_as_template)}</h3>
            <p class="hint">{i18n.r(|s| s.save_template_hint)}</p>
            <label for="template-name">{i18n.r(|s| s.template_name)}</label>
            <input id="template-name" data-testid="template-name" type="text" maxlength="200"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <label class="check">
                <input type="checkbox" data-testid="template-with-content" prop:checked=move || with_content.get()
                    on:change=move |ev| with_content.set(event_target_checked(&ev))/>
                {i18n.r(|s| s.template_with_content)}
            </label>
            <Show when=move || in_series.get()>
                <label class="check">
                    <input type="radio" name="template-scope" data-testid="template-scope-series"
                        prop:checked=move || scope.get() == "series" on:change=move |_| scope.set("series".into())/>
                    {i18n.r(|s| s.scope_series)}
                </label>
                <label class="check">
                    <input type="radio" name="template-scope" data-testid="template-scope-installation"
                        prop:checked=move || scope.get() == "installation" on:change=move |_| scope.set("installation".into())/>
                    {i18n.r(|s| s.scope_installation)}
                </label>
            </Show>
            <button class="btn" data-testid="template-save" type="submit" disabled=move || busy.get()>{i18n.r(|s| s.save_template)}</button>
            <Show when=move || saved.get().is_some()>
                <p class="hint" role="status" data-testid="template-saved">{move || format!("{}{}", i18n.r(|s| s.template_saved)(), saved.get().unwrap_or_default())}</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="template-error">{move || error.get().unwrap_or_default()}</p>
            </Show>
        </form>
    }
}
