//! The outcomes panel: notes and mind-map nodes turned into actions (owner,
//! deadline, how we know it is done, status), decisions over chosen notes
//! with the agreement reached, every participant's dissent in their own
//! words, and the concreteness check (ideas in a decision with no action,
//! owner or deadline). In anonymous mode no author is shown.
use leptos::prelude::*;
use samskab_board::Op;
use samskab_board::facilitation::{ActionStatus, ActionView, DecisionView, OutcomeOp};

use super::signals;
use crate::controller;
use crate::i18n::{I18n, OutcomeStrings};
use crate::platform;

fn outcome(act: OutcomeOp) {
    controller::apply(Op::Outcome { act });
}

fn status_label(st: ActionStatus) -> fn(&'static OutcomeStrings) -> &'static str {
    match st {
        ActionStatus::Open => |s| s.status_open,
        ActionStatus::Doing => |s| s.status_doing,
        ActionStatus::Done => |s| s.status_done,
        ActionStatus::Dropped => |s| s.status_dropped,
    }
}

/// The text of a note or node, by id.
fn item_text(id: &str) -> Option<String> {
    let s = signals();
    s.notes
        .with(|n| n.iter().find(|(i, _)| i == id).map(|(_, t)| t.clone()))
        .or_else(|| {
            s.nodes
                .with(|n| n.iter().find(|(i, _)| i == id).map(|(_, t)| t.clone()))
        })
}

/// Brings the action form into view with its owner field focused.
fn focus_action_form() {
    use wasm_bindgen::JsCast;
    if let Some(owner) = document()
        .query_selector("[data-testid=action-owner]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        owner.scroll_into_view();
        let _ = owner.focus();
    }
}

/// A participant's name, or "a participant" in anonymous mode.
fn who(i18n: I18n, id: &str) -> String {
    let s = signals();
    if s.view.with(|v| v.settings.anonymous) {
        return i18n.o(|s| s.someone)().to_string();
    }
    s.participants
        .with(|ps| ps.iter().find(|p| p.id == id).map(|p| p.name.clone()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| i18n.o(|s| s.someone)().to_string())
}

#[component]
pub fn OutcomesPanel() -> impl IntoView {
    let i18n = I18n::get();
    let s = signals();
    // The action being made: its source note or node, and its fields.
    let source = RwSignal::new(String::new());
    view! {
        <aside class="facil-panel outcomes-panel" data-testid="outcomes-panel">
            <Show when=move || s.view.with(|v| v.settings.anonymous)>
                <p class="hint" data-testid="anonymous-on">{i18n.o(|s| s.anonymous_on)}</p>
            </Show>
            <section>
                <h3>{i18n.o(|s| s.actions)}</h3>
                <Show when=move || s.can_edit.get()>
                    <ActionForm source=source/>
                </Show>
                <Show when=move || s.actions.with(Vec::is_empty)>
                    <p class="hint">{i18n.o(|s| s.no_actions)}</p>
                </Show>
                <ul class="outcome-list" data-testid="actions">
                    <For each=move || s.actions.get() key=|a| (a.id.clone(), a.text.clone(), a.owner.clone(), a.deadline.clone(), a.done_when.clone(), a.status.as_str(), a.author.clone()) let:a>
                        <ActionRow a=a/>
                    </For>
                </ul>
            </section>
            <section>
                <h3>{i18n.o(|s| s.decisions)}</h3>
                <Show when=move || s.can_edit.get()>
                    <DecisionForm/>
                </Show>
                <Show when=move || s.decisions.with(Vec::is_empty)>
                    <p class="hint">{i18n.o(|s| s.no_decisions)}</p>
                </Show>
                <ul class="outcome-list" data-testid="decisions">
                    <For each=move || s.decisions.get() key=|d| d.id.clone() let:d>
                        <DecisionRow id=d.id.clone() source=source/>
                    </For>
                </ul>
            </section>
        </aside>
    }
}

#[component]
fn ActionForm(source: RwSignal<String>) -> impl IntoView {
    let i18n = I18n::get();
    let s = signals();
    let text = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let done_when = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let src = source.get_untracked();
        let t = Some(text.get_untracked().trim().to_string())
            .filter(|t| !t.is_empty())
            .or_else(|| item_text(&src))
            .unwrap_or_default();
        if t.is_empty() {
            return;
        }
        outcome(OutcomeOp::CreateAction {
            id: platform::random_id(),
            source: src,
            text: t,
            owner: owner.get_untracked().trim().to_string(),
            deadline: deadline.get_untracked(),
            done_when: done_when.get_untracked().trim().to_string(),
        });
        for f in [text, owner, deadline, done_when, source] {
            f.set(String::new());
        }
    };
    let items = move || {
        let mut all = s.notes.get();
        all.extend(s.nodes.get());
        all
    };
    view! {
        <form class="outcome-form" data-testid="action-form" on:submit=create>
            <h4>{i18n.f(|s| s.action)}</h4>
            <label>{i18n.f(|s| s.from_note)}" "
                <select data-testid="action-note" prop:value=move || source.get()
                    on:change=move |ev| source.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    <For each=items key=|n| n.clone() let:n>
                        <option value=n.0.clone() selected=move || source.get() == n.0>{n.1.clone()}</option>
                    </For>
                </select>
            </label>
            <input data-testid="action-text" placeholder=i18n.o(|s| s.action_text)
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <input data-testid="action-owner" placeholder=i18n.f(|s| s.owner)
                prop:value=move || owner.get() on:input=move |ev| owner.set(event_target_value(&ev))/>
            <label>{i18n.o(|s| s.deadline)}" "
                <input data-testid="action-deadline" type="date"
                    prop:value=move || deadline.get() on:input=move |ev| deadline.set(event_target_value(&ev))/>
            </label>
            <input data-testid="action-done-when" placeholder=i18n.f(|s| s.done_when)
                prop:value=move || done_when.get() on:input=move |ev| done_when.set(event_target_value(&ev))/>
            <button class="btn btn-primary" data-testid="action-create" type="submit">{i18n.f(|s| s.create_action)}</button>
        </form>
    }
}

#[component]
fn ActionRow(a: ActionView) -> impl IntoView {
    let i18n = I18n::get();
    let s = signals();
    let id = StoredValue::new(a.id.clone());
    let update = move |owner: Option<String>,
                       deadline: Option<String>,
                       done_when: Option<String>,
                       status: Option<ActionStatus>| {
        outcome(OutcomeOp::UpdateAction {
            id: id.get_value(),
            text: None,
            owner,
            deadline,
            done_when,
            status,
        });
    };
    let source = a
        .source
        .clone()
        .map(|src| item_text(&src).unwrap_or_else(|| i18n.o(|s| s.item_missing)().to_string()));
    let author = a.author.clone();
    let ro = move || !s.can_edit.get();
    view! {
        <li class="outcome" data-testid="action" data-status=a.status.as_str()>
            <strong data-testid="action-title">{a.text.clone()}</strong>
            {source.filter(|t| *t != a.text).map(|t| view! { <span class="hint">" ← "{t}</span> })}
            <div class="outcome-fields">
                <input data-testid="action-row-owner" placeholder=i18n.f(|s| s.owner) prop:value=a.owner.clone() disabled=ro
                    on:change=move |ev| update(Some(event_target_value(&ev)), None, None, None)/>
                <input data-testid="action-row-deadline" type="date" prop:value=a.deadline.clone() disabled=ro
                    aria-label=i18n.o(|s| s.deadline)
                    on:change=move |ev| update(None, Some(event_target_value(&ev)), None, None)/>
                <input data-testid="action-row-done-when" placeholder=i18n.f(|s| s.done_when) prop:value=a.done_when.clone() disabled=ro
                    on:change=move |ev| update(None, None, Some(event_target_value(&ev)), None)/>
                <select data-testid="action-status" disabled=ro aria-label=i18n.o(|s| s.status)
                    on:change=move |ev| update(None, None, None, ActionStatus::parse(&event_target_value(&ev)))>
                    {ActionStatus::ALL.into_iter().map(|st| view! {
                        <option value=st.as_str() selected=st == a.status>{i18n.o(status_label(st))}</option>
                    }).collect_view()}
                </select>
            </div>
            <p class="hint" data-testid="action-author">{move || format!("{}{}", i18n.o(|s| s.by)(), who(i18n, &author))}</p>
        </li>
    }
}

#[component]
fn DecisionForm() -> impl IntoView {
    let i18n = I18n::get();
    let s = signals();
    let text = RwSignal::new(String::new());
    let agreement = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let missing = RwSignal::new(false);
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked().trim().to_string();
        let items = chosen.get_untracked();
        if t.is_empty() || items.is_empty() {
            missing.set(true);
            return;
        }
        missing.set(false);
        let id = platform::random_id();
        outcome(OutcomeOp::CreateDecision {
            id: id.clone(),
            text: t,
            items,
        });
        let a = agreement.get_untracked().trim().to_string();
        if !a.is_empty() {
            outcome(OutcomeOp::SetAgreement { id, agreement: a });
        }
        text.set(String::new());
        agreement.set(String::new());
        chosen.set(Vec::new());
    };
    let items = move || {
        let mut all = s.notes.get();
        all.extend(s.nodes.get());
        all
    };
    view! {
        <form class="outcome-form" data-testid="decision-form" on:submit=record>
            <h4>{i18n.o(|s| s.new_decision)}</h4>
            <input data-testid="decision-text" placeholder=i18n.o(|s| s.decision_text)
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
            <textarea data-testid="decision-agreement" placeholder=i18n.o(|s| s.agreement) rows="2"
                prop:value=move || agreement.get() on:input=move |ev| agreement.set(event_target_value(&ev))></textarea>
            <fieldset class="decision-items">
                <legend>{i18n.o(|s| s.covers)}</legend>
                <For each=items key=|n| n.clone() let:n>
                    {
                        let id = StoredValue::new(n.0.clone());
                        view! {
                            <label class="check" data-testid="decision-item">
                                <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id.get_value()))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| {
                                            c.retain(|x| *x != id.get_value());
                                            if on { c.push(id.get_value()) }
                                        });
                                    }/>
                                {n.1.clone()}
                            </label>
                        }
                    }
                </For>
            </fieldset>
            <button class="btn btn-primary" data-testid="decision-create" type="submit">{i18n.o(|s| s.record_decision)}</button>
            <Show when=move || missing.get()>
                <p class="error" role="alert">{i18n.o(|s| s.need_decision_text)}</p>
            </Show>
        </form>
    }
}

#[component]
fn DecisionRow(id: String, source: RwSignal<String>) -> impl IntoView {
    let i18n = I18n::get();
    let s = signals();
    let id = StoredValue::new(id);
    let decision = move || -> Option<DecisionView> {
        s.decisions
            .with(|ds| ds.iter().find(|d| d.id == id.get_value()).cloned())
    };
    let mine = RwSignal::new(
        decision()
            .and_then(|d| d.dissent.get(&s.me.get_untracked()).cloned())
            .unwrap_or_default(),
    );
    let save_dissent = move |text: String| {
        outcome(OutcomeOp::SetDissent {
            id: id.get_value(),
            text,
        });
    };
    view! {
        <li class="outcome" data-testid="decision">
            <strong data-testid="decision-title">{move || decision().map(|d| d.text).unwrap_or_default()}</strong>
            <p data-testid="decision-agreement-shown">{move || decision().map(|d| d.agreement).unwrap_or_default()}</p>
            <ul class="decision-covers">
                {move || decision().map(|d| d.items).unwrap_or_default().into_iter().map(|item| {
                    let t = item_text(&item).unwrap_or_else(|| i18n.o(|s| s.item_missing)().to_string());
                    view! { <li>{t}</li> }
                }).collect_view()}
            </ul>
            <div class="concreteness" data-testid="concreteness">
                <h4>{i18n.o(|s| s.concreteness)}</h4>
                {move || {
                    let vague = s.vague.with(|v| v.get(&id.get_value()).cloned().unwrap_or_default());
                    if vague.is_empty() {
                        return view! { <p class="ok" data-testid="all-concrete">{i18n.o(|s| s.all_concrete)}</p> }.into_any();
                    }
                    view! {
                        <ul>
                            {vague.into_iter().map(|v| {
                                let mut why = Vec::new();
                                if v.no_action { why.push(i18n.o(|s| s.no_action)()) }
                                if v.no_owner && !v.no_action { why.push(i18n.o(|s| s.no_owner)()) }
                                if v.no_deadline && !v.no_action { why.push(i18n.o(|s| s.no_deadline)()) }
                                let text = item_text(&v.item).unwrap_or_else(|| i18n.o(|s| s.item_missing)().to_string());
                                let item = v.item.clone();
                                view! {
                                    <li data-testid="vague-item">
                                        <span>{text}</span>" — "<span data-testid="vague-why">{why.join(", ")}</span>
                                        <Show when=move || s.can_edit.get()>
                                            {
                                                let item = item.clone();
                                                view! {
                                                    <button class="btn" data-testid="vague-make-action" on:click=move |_| { source.set(item.clone()); focus_action_form() }>
                                                        {i18n.o(|s| s.make_action)}
                                                    </button>
                                                }
                                            }
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </div>
            <div class="dissent" data-testid="dissent">
                <h4>{i18n.o(|s| s.dissent)}</h4>
                <ul>
                    {move || decision().map(|d| d.dissent).unwrap_or_default().into_iter().map(|(who_id, text)| {
                        let name = who(i18n, &who_id);
                        view! { <li data-testid="dissent-entry"><em>{name}</em>": "{text}</li> }
                    }).collect_view()}
                </ul>
                <Show when=move || s.can_edit.get()>
                    <textarea data-testid="dissent-text" rows="2" placeholder=i18n.o(|s| s.my_dissent)
                        prop:value=move || mine.get() on:input=move |ev| mine.set(event_target_value(&ev))></textarea>
                    <button class="btn" data-testid="dissent-save" on:click=move |_| save_dissent(mine.get_untracked().trim().to_string())>
                        {i18n.o(|s| s.save_dissent)}
                    </button>
                    <button class="btn btn-quiet" data-testid="dissent-withdraw" on:click=move |_| { mine.set(String::new()); save_dissent(String::new()) }>
                        {i18n.o(|s| s.withdraw_dissent)}
                    </button>
                </Show>
            </div>
        </li>
    }
}
