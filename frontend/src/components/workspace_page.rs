//! `/w/<id>#key=…`: a committee's meetings in a series. Everyone with a link
//! sees the meetings in order (date, theme, agenda, the item being worked
//! on, who chaired) and opens each meeting's board with their own role; the
//! facilitator adds the next meeting (optionally from the previous one's
//! mind-map minutes) and keeps the rotation plan for the chair.
use leptos::prelude::*;
use leptos::task::spawn_local;

use std::collections::BTreeMap;

use crate::api::ApiError;
use crate::components::language_switch::LanguageSwitch;
use crate::i18n::I18n;
use crate::platform;
use crate::series::{self, NewMeeting, Person, Workspace};

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready(Workspace),
    NotFound,
    Revoked,
    Unreachable,
}

#[component]
pub fn WorkspacePage(id: String) -> impl IntoView {
    let i18n = I18n::get();
    let key = platform::fragment_key().or_else(|| series::key_of(&id));
    if let Some(k) = &key {
        series::remember_key(&id, k);
    }
    let load = RwSignal::new(Load::Loading);
    let id = StoredValue::new(id);
    let key = StoredValue::new(key.unwrap_or_default());
    let reload = move || {
        let (id, key) = (id.get_value(), key.get_value());
        if key.is_empty() {
            load.set(Load::NotFound);
            return;
        }
        spawn_local(async move {
            load.set(match series::get(&id, &key).await {
                Ok(ws) => Load::Ready(ws),
                Err(ApiError::NotFound) => Load::NotFound,
                Err(ApiError::Revoked) => Load::Revoked,
                Err(_) => Load::Unreachable,
            });
        });
    };
    reload();
    view! {
        <main class="home workspace" data-testid="workspace-page">
            <header class="home-top">
                <a class="brand-small" href="/">"Samskab"</a>
                <LanguageSwitch/>
            </header>
            {move || match load.get() {
                Load::Loading => view! { <p class="loading" data-testid="loading">{i18n.t(|s| s.loading)}</p> }.into_any(),
                Load::NotFound => view! {
                    <section class="message-page" data-testid="workspace-not-found">
                        <h1>{i18n.w(|s| s.series_not_found_title)}</h1>
                        <p>{i18n.w(|s| s.series_not_found_body)}</p>
                    </section>
                }.into_any(),
                Load::Revoked => view! {
                    <section class="message-page" data-testid="link-revoked">
                        <h1>{i18n.t(|s| s.revoked_title)}</h1>
                        <p>{i18n.t(|s| s.revoked_body)}</p>
                    </section>
                }.into_any(),
                Load::Unreachable => view! {
                    <section class="message-page" data-testid="server-unreachable">
                        <h1>{i18n.t(|s| s.unreachable_title)}</h1>
                        <p>{i18n.t(|s| s.unreachable_body)}</p>
                        <button class="btn btn-primary" on:click=move |_| reload()>{i18n.t(|s| s.try_again)}</button>
                    </section>
                }.into_any(),
                Load::Ready(ws) => {
                    let facilitator = ws.permission == "facilitator";
                    let links = ws.links.clone();
                    let has_previous = !ws.meetings.is_empty();
                    let rotation = ws.rotation.clone();
                    let people = ws.participants.clone();
                    let templates = ws.templates.clone();
                    view! {
                        <p class="hint">{i18n.w(|s| s.series)}</p>
                        <h1 class="workspace-name" data-testid="workspace-name">{ws.name.clone()}</h1>
                        <p class="tagline" data-testid="workspace-role">{if facilitator { i18n.w(|s| s.role_facilitator) } else { i18n.w(|s| s.role_participant) }}</p>
                        <MeetingList ws=ws/>
                        {facilitator.then(|| view! {
                            <NewMeetingForm id=id.get_value() key=key.get_value() has_previous=has_previous templates=templates reload=Callback::new(move |_| reload())/>
                            <RotationForm id=id.get_value() key=key.get_value() plan=rotation people=people/>
                        })}
                        {(!links.is_empty()).then(|| view! { <SeriesLinks links=links/> })}
                    }.into_any()
                }
            }}
        </main>
    }
}

#[component]
fn MeetingList(ws: Workspace) -> impl IntoView {
    let i18n = I18n::get();
    if ws.meetings.is_empty() {
        return view! { <p class="hint" data-testid="no-meetings">{i18n.w(|s| s.no_meetings)}</p> }
            .into_any();
    }
    view! {
        <section class="meetings">
            <h2>{i18n.w(|s| s.meetings)}</h2>
            <ol class="meeting-list" data-testid="meetings">
                {ws.meetings.into_iter().map(|m| {
                    let href = series::local_href(&m.link);
                    let chaired = m.chaired_by.join(", ");
                    view! {
                        <li class="meeting" data-testid="meeting" data-board=m.board.clone()>
                            <div class="meeting-head">
                                <span class="meeting-date" data-testid="meeting-date">{move || format!("{} {} · {}", i18n.w(|s| s.meeting)(), m.position, m.date)}</span>
                                <a class="btn btn-primary" data-testid="meeting-link" href=href>{i18n.w(|s| s.open_board)}</a>
                            </div>
                            <p class="meeting-theme" data-testid="meeting-theme">{m.theme.clone()}</p>
                            {(!m.agenda.is_empty()).then(|| view! {
                                <details class="meeting-agenda">
                                    <summary>{i18n.w(|s| s.agenda)}</summary>
                                    <ol>{m.agenda.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}</ol>
                                </details>
                            })}
                            {(!m.current_item.is_empty()).then(|| view! {
                                <p data-testid="meeting-current">{i18n.w(|s| s.current_item)}{m.current_item.clone()}</p>
                            })}
                            {(!chaired.is_empty()).then(|| view! {
                                <p data-testid="meeting-chair">{i18n.w(|s| s.chaired_by)}{chaired.clone()}</p>
                            })}
                            {(!m.planned_chair.is_empty()).then(|| view! {
                                <p class="hint" data-testid="meeting-planned">{i18n.w(|s| s.planned_chair)}{m.planned_chair.clone()}</p>
                            })}
                            {(!m.links.is_empty()).then(|| view! {
                                <details class="meeting-links share-links" data-testid="meeting-links">
                                    <summary>{i18n.r(|s| s.meeting_links)}</summary>
                                    <RoleLinks links=m.links.clone() testid="meeting-share"/>
                                </details>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
    .into_any()
}

#[component]
fn NewMeetingForm(
    id: String,
    key: String,
    has_previous: bool,
    templates: Vec<series::TemplateInfo>,
    reload: Callback<()>,
) -> impl IntoView {
    let own = RwSignal::new(String::new());
    let has_templates = !templates.is_empty();
    let i18n = I18n::get();
    let date = RwSignal::new(String::new());
    let theme = RwSignal::new(String::new());
    let agenda = RwSignal::new(String::new());
    let from_previous = RwSignal::new(has_previous);
    let carry = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (id, key) = (StoredValue::new(id), StoredValue::new(key));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let meeting = NewMeeting {
            date: date.get_untracked(),
            theme: theme.get_untracked().trim().to_string(),
            agenda: agenda
                .get_untracked()
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
            from_previous: from_previous.get_untracked()
                && has_previous
                && own.get_untracked().is_empty(),
            carry_actions: carry.get_untracked()
                && from_previous.get_untracked()
                && has_previous
                && own.get_untracked().is_empty(),
            language: i18n.now_lang_code().to_string(),
            template: own.get_untracked(),
        };
        if meeting.date.is_empty() || meeting.theme.is_empty() {
            error.set(Some(i18n.w_now(|s| s.need_date_theme).to_string()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match series::add_meeting(&id.get_value(), &key.get_value(), &meeting).await {
                Ok(()) => reload.run(()),
                Err(e) => {
                    let why = series::message(&e).unwrap_or_else(|| format!("{e:?}"));
                    error.set(Some(format!("{}{why}", i18n.w_now(|s| s.meeting_failed))));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form class="create-form" data-testid="new-meeting" on:submit=submit>
            <h2>{i18n.w(|s| s.next_meeting)}</h2>
            <label for="meeting-date">{i18n.w(|s| s.date)}</label>
            <input id="meeting-date" data-testid="meeting-date-input" type="date" required
                prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
            <label for="meeting-theme">{i18n.w(|s| s.theme)}</label>
            <input id="meeting-theme" data-testid="meeting-theme-input" type="text" maxlength="200" required
                prop:value=move || theme.get() on:input=move |ev| theme.set(event_target_value(&ev))/>
            <label for="meeting-agenda">{i18n.w(|s| s.agenda_hint)}</label>
            <textarea id="meeting-agenda" data-testid="meeting-agenda-input" rows="4"
                prop:value=move || agenda.get() on:input=move |ev| agenda.set(event_target_value(&ev))></textarea>
            {has_templates.then(|| view! {
                <label for="meeting-template">{i18n.r(|s| s.start_from_template)}</label>
                <select id="meeting-template" data-testid="meeting-template"
                    on:change=move |ev| own.set(event_target_value(&ev))>
                    <option value="" selected=move || own.get().is_empty()>{i18n.r(|s| s.no_own_template)}</option>
                    {templates.into_iter().map(|t| {
                        let value = t.id.clone();
                        let selected = move || own.get() == value;
                        let label = move || format!("{} ({})", t.name, if t.scope == "series" { i18n.r(|s| s.scope_series)() } else { i18n.r(|s| s.scope_installation)() });
                        view! { <option value=t.id.clone() selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            })}
            {has_previous.then(|| view! {
                <label class="check">
                    <input type="checkbox" data-testid="meeting-from-previous" prop:checked=move || from_previous.get()
                        disabled=move || !own.get().is_empty()
                        on:change=move |ev| from_previous.set(event_target_checked(&ev))/>
                    {i18n.w(|s| s.from_previous)}
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="meeting-carry-actions" prop:checked=move || carry.get()
                        disabled=move || !from_previous.get()
                        on:change=move |ev| carry.set(event_target_checked(&ev))/>
                    {i18n.w(|s| s.carry_actions)}
                </label>
            })}
            <button class="btn btn-primary" data-testid="meeting-add" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { i18n.w(|s| s.adding)() } else { i18n.w(|s| s.add_meeting)() }}
            </button>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="meeting-error">{move || error.get().unwrap_or_default()}</p>
            </Show>
        </form>
    }
}

/// The chair rotation: participants of the series (by name, stored by id),
/// in the order they chair the meetings.
#[component]
fn RotationForm(id: String, key: String, plan: Vec<Person>, people: Vec<Person>) -> impl IntoView {
    let i18n = I18n::get();
    let chosen = RwSignal::new(plan);
    let pick = RwSignal::new(people.first().map(|p| p.id.clone()).unwrap_or_default());
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let (id, key) = (StoredValue::new(id), StoredValue::new(key));
    let people = StoredValue::new(people);
    let shown = |p: &Person| {
        if p.name.trim().is_empty() {
            p.id.clone()
        } else {
            p.name.clone()
        }
    };
    let add = move |_: leptos::ev::MouseEvent| {
        let want = pick.get_untracked();
        match people.with_value(|ps| ps.iter().find(|p| p.id == want).cloned()) {
            Some(p) => {
                chosen.update(|c| c.push(p));
                saved.set(false);
                error.set(None);
            }
            None => error.set(Some(i18n.r_now(|s| s.pick_participant).to_string())),
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let plan: Vec<String> = chosen.get_untracked().into_iter().map(|p| p.id).collect();
        saved.set(false);
        spawn_local(async move {
            match series::set_rotation(&id.get_value(), &key.get_value(), &plan).await {
                Ok(()) => {
                    error.set(None);
                    saved.set(true);
                }
                Err(e) => error.set(Some(
                    series::message(&e).unwrap_or_else(|| format!("{e:?}")),
                )),
            }
        });
    };
    view! {
        <form class="create-form" data-testid="rotation" on:submit=save>
            <h2>{i18n.w(|s| s.rotation)}</h2>
            <p class="hint">{i18n.w(|s| s.rotation_hint)}</p>
            <ol class="rotation-list" data-testid="rotation-list">
                {move || chosen.get().into_iter().enumerate().map(|(i, p)| {
                    let name = shown(&p);
                    let label = name.clone();
                    view! {
                        <li class="rotation-entry">
                            <span data-testid="rotation-entry">{name}</span>
                            <button type="button" class="btn" data-testid="rotation-remove"
                                aria-label=move || format!("{} {label}", i18n.r(|s| s.remove)())
                                on:click=move |_| { chosen.update(|c| { if i < c.len() { c.remove(i); } }); saved.set(false); }>
                                {i18n.r(|s| s.remove)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {move || if people.with_value(Vec::is_empty) {
                view! { <p class="hint" data-testid="rotation-nobody">{i18n.r(|s| s.no_participants)}</p> }.into_any()
            } else {
                view! {
                    <div class="rotation-add">
                        <label for="rotation-pick">{i18n.r(|s| s.next_chair)}</label>
                        <select id="rotation-pick" data-testid="rotation-pick"
                            on:change=move |ev| pick.set(event_target_value(&ev))>
                            {people.get_value().into_iter().map(|p| {
                                let value = p.id.clone();
                                let selected = move || pick.get() == value;
                                view! { <option value=p.id.clone() selected=selected>{shown(&p)}</option> }
                            }).collect_view()}
                        </select>
                        <button type="button" class="btn" data-testid="rotation-add" on:click=add>{i18n.r(|s| s.add_to_rotation)}</button>
                    </div>
                }.into_any()
            }}
            <button class="btn btn-primary" data-testid="rotation-save" type="submit">{i18n.w(|s| s.save_rotation)}</button>
            <Show when=move || saved.get()>
                <p class="hint" role="status" data-testid="rotation-saved">{i18n.w(|s| s.rotation_saved)}</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="rotation-error">{move || error.get().unwrap_or_default()}</p>
            </Show>
        </form>
    }
}

/// Copyable links, one row per role (the highest first): the series' own
/// links, or one meeting's board links.
#[component]
fn RoleLinks(links: BTreeMap<String, String>, testid: &'static str) -> impl IntoView {
    let i18n = I18n::get();
    type Pick = fn(&'static crate::i18n::SeriesStrings) -> &'static str;
    let label = |role: &str| -> Pick {
        match role {
            "facilitator" => |s| s.link_facilitator,
            "editor" => |s| s.link_editor,
            _ => |s| s.link_viewer,
        }
    };
    series::ROLES
        .into_iter()
        .filter_map(|role| links.get(role).map(|l| (role, l.clone())))
        .map(|(role, link)| {
            let copy = link.clone();
            view! {
                <div class="share-row">
                    <span>{i18n.w(label(role))}</span>
                    <input readonly data-testid=format!("{testid}-{role}") prop:value=link/>
                    <button class="btn" on:click=move |_| platform::copy_to_clipboard(&copy)>{i18n.w(|s| s.copy)}</button>
                </div>
            }
        })
        .collect_view()
}

/// The series' links for my role and the roles below it.
#[component]
fn SeriesLinks(links: BTreeMap<String, String>) -> impl IntoView {
    let i18n = I18n::get();
    view! {
        <section class="share-links" data-testid="series-links">
            <h2>{i18n.w(|s| s.series_links)}</h2>
            <RoleLinks links=links testid="series-link"/>
        </section>
    }
}

/// On the start page: create a series and open it.
#[component]
pub fn NewWorkspace() -> impl IntoView {
    let i18n = I18n::get();
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if busy.get_untracked() {
            return;
        }
        if n.is_empty() {
            failed.set(true);
            return;
        }
        busy.set(true);
        failed.set(false);
        spawn_local(async move {
            match series::create(&n).await {
                Ok(created) => {
                    let key = series::key_in(&created.links.facilitator);
                    series::remember_key(&created.id, &key);
                    platform::navigate(&format!("/w/{}#key={key}", created.id));
                }
                Err(_) => {
                    failed.set(true);
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form class="create-form" data-testid="new-series" on:submit=submit>
            <h2>{i18n.w(|s| s.new_series)}</h2>
            <p class="hint">{i18n.w(|s| s.series_hint)}</p>
            <label for="series-name">{i18n.w(|s| s.series_name)}</label>
            <input id="series-name" data-testid="new-series-name" type="text" maxlength="200"
                placeholder=i18n.w(|s| s.series_name_placeholder)
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <button class="btn btn-primary" data-testid="create-series" type="submit" disabled=move || busy.get()>
                {i18n.w(|s| s.create_series)}
            </button>
            <Show when=move || failed.get()>
                <p class="error" role="alert">{i18n.w(|s| s.series_failed)}</p>
            </Show>
        </form>
    }
}

/// On a meeting's board: the way back to its series (a link when this
/// device knows the series' secret, else its name).
#[component]
pub fn WorkspaceLink(board: String, key: String) -> impl IntoView {
    let i18n = I18n::get();
    let found = RwSignal::new(None::<series::BoardWorkspace>);
    spawn_local(async move {
        if let Ok(Some(ws)) = series::of_board(&board, &key).await {
            found.set(Some(ws));
        }
    });
    move || {
        found.get().map(|ws| match series::key_of(&ws.id) {
            Some(k) => view! {
                <a class="btn btn-quiet series-link" data-testid="back-to-series" href=format!("/w/{}#key={k}", ws.id)>
                    {i18n.w(|s| s.back_to_series)}{ws.name.clone()}
                </a>
            }
            .into_any(),
            None => view! {
                <span class="series-link" data-testid="back-to-series">{i18n.w(|s| s.back_to_series)}{ws.name.clone()}</span>
            }
            .into_any(),
        })
    }
}
