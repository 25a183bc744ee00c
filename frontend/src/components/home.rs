use leptos::prelude::*;
use leptos::task::spawn_local;
use samskab_board::RoleGroup;

use crate::boards::{Remembered, Setup};
use crate::components::join_dialog::{WhoFields, remember_who};
use crate::components::language_switch::LanguageSwitch;
use crate::components::workspace_page::NewWorkspace;
use crate::i18n::I18n;

type Pick = fn(&'static crate::i18n::Strings) -> &'static str;

/// The start page: create a board (title, theme question, template), and
/// the boards opened on this device.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = I18n::get();
    let title = RwSignal::new(String::new());
    let theme = RwSignal::new(String::new());
    let template = RwSignal::new("postits".to_string());
    let name = RwSignal::new(crate::controller::display_name());
    let role = RwSignal::new(
        crate::controller::role_group()
            .and_then(|r| RoleGroup::parse(&r))
            .unwrap_or(RoleGroup::Citizen),
    );
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let recent = crate::boards::recent();
    // The installation's own templates (saved by committees on this server).
    let own_templates = RwSignal::new(Vec::<crate::series::TemplateInfo>::new());
    spawn_local(async move {
        if let Ok(list) = crate::series::installation_templates().await {
            own_templates.set(list);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failed.set(false);
        let t = title.get_untracked();
        if !name.get_untracked().trim().is_empty() {
            remember_who(&name.get_untracked(), role.get_untracked());
        }
        let chosen = template.get_untracked();
        let own = chosen.strip_prefix("own:").map(str::to_string);
        let setup = Setup {
            theme: theme.get_untracked().trim().to_string(),
            template: if own.is_some() { "own".into() } else { chosen },
        };
        spawn_local(async move {
            match crate::api::create_board(&t, own.as_deref()).await {
                Ok(created) => {
                    let key = created
                        .links
                        .facilitator
                        .split_once("#key=")
                        .map(|(_, k)| k.to_string())
                        .unwrap_or_default();
                    crate::boards::remember(
                        &created.id,
                        &Remembered {
                            key: key.clone(),
                            links: Some(created.links),
                            title: t.clone(),
                            can_edit: true,
                            opened_at: crate::platform::now_ms(),
                            setup: Some(setup),
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
    let templates: [(&'static str, Pick); 3] = [
        ("blank", |s| s.template_blank),
        ("postits", |s| s.template_postits),
        ("mindmap", |s| s.template_mindmap),
    ];
    view! {
        <main class="home">
            <header class="home-top"><LanguageSwitch/></header>
            <h1 class="brand">"Samskab"</h1>
            <p class="tagline">{i18n.t(|s| s.tagline)}</p>
            <form class="create-form" on:submit=submit>
                <h2>{i18n.t(|s| s.new_board)}</h2>
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
                <label for="board-theme">{i18n.t(|s| s.theme_label)}</label>
                <input
                    id="board-theme"
                    data-testid="new-board-theme"
                    type="text"
                    maxlength="300"
                    placeholder=i18n.t(|s| s.theme_placeholder)
                    prop:value=move || theme.get()
                    on:input=move |ev| theme.set(event_target_value(&ev))
                />
                <fieldset class="templates">
                    <legend>{i18n.t(|s| s.template_label)}</legend>
                    {templates.into_iter().map(|(value, label)| view! {
                        <label class="template-option">
                            <input type="radio" name="template" data-testid=format!("template-{value}")
                                prop:checked=move || template.get() == value
                                on:change=move |_| template.set(value.to_string())/>
                            {i18n.t(label)}
                        </label>
                    }).collect::<Vec<_>>()}
                    {move || own_templates.get().into_iter().map(|t| {
                        let value = format!("own:{}", t.id);
                        let checked = value.clone();
                        view! {
                            <label class="template-option">
                                <input type="radio" name="template" data-testid=format!("template-own-{}", t.id)
                                    prop:checked=move || template.get() == checked
                                    on:change=move |_| template.set(value.clone())/>
                                {t.name.clone()}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <WhoFields name=name role=role/>
                <button class="btn btn-primary" data-testid="create-board" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { i18n.t(|s| s.creating)() } else { i18n.t(|s| s.create_board)() }}
                </button>
            </form>
            <Show when=move || failed.get()>
                <p class="error" role="alert">{i18n.t(|s| s.create_failed)}</p>
            </Show>
            <NewWorkspace/>
            {(!recent.is_empty()).then(|| view! {
                <section class="recent" data-testid="recent-boards">
                    <h2>{i18n.t(|s| s.recent_boards)}</h2>
                    <ul>
                        {recent.into_iter().map(|(id, r)| {
                            let href = format!("/b/{id}#key={}", r.key);
                            let title = if r.title.trim().is_empty() { id.clone() } else { r.title.clone() };
                            view! { <li><a class="recent-link" data-testid="recent-board" href=href>{title}</a></li> }
                        }).collect::<Vec<_>>()}
                    </ul>
                </section>
            })}
        </main>
    }
}
