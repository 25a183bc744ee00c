use leptos::prelude::*;
use samskab_board::facilitation::{
    FacilOp, Group, IdeationState, RoundState, Settings, TimerState, VoteState, mixed_groups,
    mixed_order,
};
use samskab_board::templates::{Template, template_ops};
use samskab_board::{Color, Op, RoleGroup};
use samskab_protocol::Command;

use super::save_template::SaveTemplate;
use super::{OutcomesPanel, facil, signals};
use crate::controller;
use crate::i18n::I18n;
use crate::platform;

fn mmss(ms: i64) -> String {
    let s = (ms + 999) / 1000;
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// The facilitation panel, folded away behind a button until opened.
#[component]
pub fn FacilitationPanel() -> impl IntoView {
    let i18n = I18n::get();
    let s = signals();
    let open = RwSignal::new(false);
    // A clock for the countdowns, by the server's time.
    let now = RwSignal::new(platform::now_ms());
    fn tick(now: RwSignal<i64>) {
        now.set(platform::now_ms());
        platform::set_timeout(500, move || tick(now));
    }
    tick(now);
    let server_now = move || now.get() + s.offset.get();
    let name_of = move |id: &str| {
        s.participants
            .with(|ps| ps.iter().find(|p| p.id == id).map(|p| p.name.clone()))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| id.to_string())
    };
    let timer_text = move || {
        let t = s.view.with(|v| v.timer.clone());
        if t.state == TimerState::Stopped {
            String::new()
        } else {
            format!("{} {}", t.label, mmss(t.remaining(server_now())))
        }
    };
    let question = RwSignal::new(String::new());
    let private_text = RwSignal::new(String::new());
    let by_role = RwSignal::new(true);
    let outcomes_open = RwSignal::new(false);
    let group_size = RwSignal::new(2usize);
    let start_round = move |_: leptos::ev::MouseEvent| {
        let people: Vec<(String, RoleGroup)> = s
            .participants
            .get_untracked()
            .into_iter()
            .map(|p| (p.id, p.role))
            .collect();
        let order = mixed_order(&people);
        if order.is_empty() {
            return;
        }
        facil(FacilOp::RoundStart {
            id: platform::random_id(),
            question: question.get_untracked(),
            order,
            turn_ms: 90_000,
        });
    };
    let add_private = move |_: leptos::ev::MouseEvent| {
        let text = private_text.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        controller::command(Command::PrivateNote {
            id: platform::random_id(),
            text,
            color: Color::Yellow,
        });
        private_text.set(String::new());
    };
    let open_vote = move |_: leptos::ev::MouseEvent| {
        let items: Vec<String> = s
            .notes
            .get_untracked()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        if items.is_empty() {
            return;
        }
        facil(FacilOp::VoteOpen {
            id: platform::random_id(),
            items,
            dots: 3,
            by_role: by_role.get_untracked(),
        });
    };
    let set_role = move |role: RoleGroup| {
        controller::apply(Op::SetParticipant {
            name: controller::display_name(),
            role,
            color: controller::role_color(role.as_str()).to_string(),
        });
    };
    let template = move |t: Template| {
        let lang = i18n.now_lang_code();
        for op in template_ops(t, lang, &mut platform::random_id) {
            controller::apply(op);
        }
    };
    let split_groups = move |_: leptos::ev::MouseEvent| {
        let people: Vec<(String, RoleGroup)> = s
            .participants
            .get_untracked()
            .into_iter()
            .map(|p| (p.id, p.role))
            .collect();
        if people.is_empty() {
            return;
        }
        let groups = mixed_groups(&people, group_size.get_untracked())
            .into_iter()
            .enumerate()
            .map(|(i, members)| Group {
                id: format!("g{}", i + 1),
                name: String::new(),
                members,
                frame: String::new(),
            })
            .collect();
        facil(FacilOp::SetGroups {
            id: platform::random_id(),
            groups,
        });
    };
    let fac = move || s.facilitator.get();
    // Only the agenda: the list is not redrawn on every tick of the timer.
    let agenda = Memo::new(move |_| s.view.with(|v| v.agenda.clone()));
    let current_item = move || {
        agenda.with(|a| {
            a.items
                .iter()
                .find(|i| i.id == a.current)
                .map(|i| i.title.clone())
                .unwrap_or_default()
        })
    };
    // My dots on an item of the open vote: those waiting on this device
    // (given offline) stand for what the server holds until they are sent.
    let waiting_on = move |item: &str| {
        let vote = s.view.with(|v| v.vote.id.clone());
        s.waiting_dots.with(|w| {
            w.iter()
                .find(|(v, i, _)| *v == vote && i == item)
                .map(|(_, _, d)| *d)
        })
    };
    let my_dots = move |item: &str| {
        let vote = s.view.with(|v| v.vote.id.clone());
        waiting_on(item).unwrap_or_else(|| {
            s.private.with(|p| {
                // Dots the server holds for this vote (a copy kept on the
                // device may be of an earlier one).
                (p.vote == vote)
                    .then(|| p.votes.get(item).copied())
                    .flatten()
                    .unwrap_or(0)
            })
        })
    };
    let dots_left = move || {
        let total = s.view.with(|v| v.vote.dots);
        let used: u32 = s
            .view
            .with(|v| v.vote.items.iter().map(|i| my_dots(i)).sum());
        total.saturating_sub(used)
    };
    view! {
        <div class="facil-dock">
            <div class="facil-strip" data-testid="facil-strip" aria-live="polite">
                <span class="facil-timer" data-testid="facil-timer">{timer_text}</span>
                <span class="facil-speaker" data-testid="facil-speaker">{move || {
                    let r = s.view.with(|v| v.round.clone());
                    match r.speaker() {
                        Some(sp) => format!("{}{} ({}) · {}{}",
                            i18n.f(|s| s.speaking)(), name_of(sp), mmss(r.turn_remaining(server_now())),
                            i18n.f(|s| s.next_up)(), r.next().map(name_of).unwrap_or_else(|| "—".into())),
                        None if r.state == RoundState::Finished => i18n.f(|s| s.round_over)().to_string(),
                        None => String::new(),
                    }
                }}</span>
                <Show when=move || !current_item().is_empty()>
                    <span class="facil-agenda" data-testid="agenda-current">{move || format!("{}{}", i18n.w(|s| s.current_item)(), current_item())}</span>
                </Show>
                <Show when=move || s.view.with(|v| v.chair.current == s.me.get() && !v.chair.current.is_empty())>
                    <span class="facil-chair" data-testid="you-chair">{i18n.f(|s| s.you_chair)}</span>
                </Show>
                <button class="btn" data-testid="facil-toggle" aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)>{i18n.f(|s| s.panel)}</button>
                <button class="btn" data-testid="outcomes-toggle" aria-expanded=move || outcomes_open.get().to_string()
                    on:click=move |_| outcomes_open.update(|o| *o = !*o)>{i18n.o(|s| s.outcomes)}</button>
            </div>
            <Show when=move || outcomes_open.get()>
                <OutcomesPanel/>
            </Show>
            <Show when=move || open.get()>
                <aside class="facil-panel" data-testid="facil-panel">
                    <section>
                        <label>{i18n.f(|s| s.my_role)}" "
                            <select data-testid="my-role" on:change=move |ev| {
                                if let Some(r) = RoleGroup::parse(&event_target_value(&ev)) { set_role(r) }
                            }>
                                {RoleGroup::ALL.into_iter().map(|r| {
                                    let selected = move || s.participants.with(|ps| ps.iter().any(|p| p.id == s.me.get() && p.role == r));
                                    view! { <option value=r.as_str() selected=selected>{move || i18n.role(r)}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <Show when=move || s.participants.with(|ps| ps.iter().any(|p| p.id == s.me.get()))>
                            <label class="check consent">
                                <input type="checkbox" data-testid="my-name-consent"
                                    prop:checked=move || s.participants.with(|ps| ps.iter().any(|p| p.id == s.me.get() && p.named_consent))
                                    on:change=move |ev| controller::apply(Op::SetNameConsent { consent: event_target_checked(&ev) })/>
                                {i18n.r(|s| s.name_consent)}
                            </label>
                        </Show>
                    </section>
                    <Show when=move || agenda.with(|a| !a.items.is_empty())>
                        <section data-testid="agenda">
                            <h3>{i18n.w(|s| s.agenda)}</h3>
                            <ol class="agenda-list">
                                {move || agenda.with(|a| a.items.clone()).into_iter().map(|item| {
                                    let id = item.id.clone();
                                    let is_current = {
                                        let id = id.clone();
                                        move || agenda.with(|a| a.current == id)
                                    };
                                    let pressed = is_current.clone();
                                    view! {
                                        <li aria-current=move || is_current().then_some("step")>
                                            <Show when=fac fallback={
                                                let title = item.title.clone();
                                                move || view! { <span data-testid="agenda-entry">{title.clone()}</span> }
                                            }>
                                                {
                                                    let (id, title, pressed) = (id.clone(), item.title.clone(), pressed.clone());
                                                    view! {
                                                        <button class="btn" data-testid="agenda-item" aria-pressed=move || pressed().to_string()
                                                            on:click=move |_| facil(FacilOp::SetCurrentItem { id: id.clone() })>{title}</button>
                                                    }
                                                }
                                            </Show>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </section>
                    </Show>
                    <Show when=fac>
                        <section data-testid="facil-timer-controls">
                            <h3>{i18n.f(|s| s.timer)}</h3>
                            <button class="btn" data-testid="timer-start" on:click=move |_| facil(FacilOp::TimerStart { duration_ms: 300_000, label: String::new() })>{i18n.f(|s| s.start_5)}</button>
                            <button class="btn" data-testid="timer-pause" on:click=move |_| facil(FacilOp::TimerPause)>{i18n.f(|s| s.pause)}</button>
                            <button class="btn" data-testid="timer-resume" on:click=move |_| facil(FacilOp::TimerResume)>{i18n.f(|s| s.resume)}</button>
                            <button class="btn" data-testid="timer-extend" on:click=move |_| facil(FacilOp::TimerExtend { ms: 60_000 })>{i18n.f(|s| s.extend_1)}</button>
                            <button class="btn" data-testid="timer-stop" on:click=move |_| facil(FacilOp::TimerStop)>{i18n.f(|s| s.stop)}</button>
                        </section>
                        <section>
                            <h3>{i18n.f(|s| s.templates)}</h3>
                            <button class="btn" data-testid="template-swot" on:click=move |_| template(Template::Swot)>{i18n.f(|s| s.swot)}</button>
                            <button class="btn" data-testid="template-question" on:click=move |_| template(Template::QuestionBoard)>{i18n.f(|s| s.question_board)}</button>
                            <button class="btn" data-testid="template-minutes" on:click=move |_| template(Template::MindMapMinutes)>{i18n.f(|s| s.minutes)}</button>
                            <SaveTemplate/>
                        </section>
                    </Show>
                    <Show when=move || fac() || s.view.with(|v| v.round.state != RoundState::None)>
                        <section>
                            <h3>{i18n.f(|s| s.round)}</h3>
                            <Show when=move || s.view.with(|v| !v.round.question.is_empty())>
                                <p data-testid="round-question-shown">{move || s.view.with(|v| v.round.question.clone())}</p>
                            </Show>
                            <Show when=fac>
                                <input data-testid="round-question" placeholder=i18n.f(|s| s.round_question)
                                    prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev))/>
                                <button class="btn" data-testid="round-start" on:click=start_round>{i18n.f(|s| s.start_round)}</button>
                                <button class="btn" data-testid="round-next" on:click=move |_| facil(FacilOp::RoundNext { passed: false })>{i18n.f(|s| s.done_turn)}</button>
                                <button class="btn" data-testid="round-pass" on:click=move |_| facil(FacilOp::RoundNext { passed: true })>{i18n.f(|s| s.pass)}</button>
                            </Show>
                            // The speaker ends or passes their own turn (the
                            // server allows exactly that one step of the round).
                            <Show when=move || !fac() && s.can_edit.get() && s.view.with(|v| v.round.speaker() == Some(s.me.get().as_str()))>
                                <button class="btn" data-testid="my-turn-done" on:click=move |_| facil(FacilOp::RoundNext { passed: false })>{i18n.f(|s| s.done_turn)}</button>
                                <button class="btn" data-testid="my-turn-pass" on:click=move |_| facil(FacilOp::RoundNext { passed: true })>{i18n.f(|s| s.pass)}</button>
                            </Show>
                        </section>
                    </Show>
                    <Show when=move || fac() || s.view.with(|v| v.ideation.state != IdeationState::None)>
                        <section>
                            <h3>{i18n.f(|s| s.ideation)}</h3>
                            <Show when=fac>
                                <button class="btn" data-testid="ideation-start" on:click=move |_| facil(FacilOp::IdeationStart { id: platform::random_id(), frame: String::new() })>{i18n.f(|s| s.start_ideation)}</button>
                                <button class="btn" data-testid="ideation-reveal" on:click=move |_| controller::command(Command::RevealIdeas)>{i18n.f(|s| s.reveal)}</button>
                            </Show>
                            <Show when=move || s.can_edit.get() && s.view.with(|v| v.ideation.state == IdeationState::Open)>
                                <p class="hint">{i18n.f(|s| s.private_hint)}</p>
                                <textarea data-testid="private-text" prop:value=move || private_text.get()
                                    on:input=move |ev| private_text.set(event_target_value(&ev))></textarea>
                                <button class="btn btn-primary" data-testid="private-add" on:click=add_private>{i18n.f(|s| s.add_private)}</button>
                                <ul data-testid="private-notes">
                                    <For each=move || s.private.get().notes key=|n| n.id.clone() let:n>
                                        <li data-testid="private-note">{n.text}</li>
                                    </For>
                                    <For each=move || s.waiting.get() key=|n| n.clone() let:n>
                                        <li data-testid="private-note-waiting">{n.1}" "<span class="hint">{i18n.r(|s| s.private_waiting)}</span></li>
                                    </For>
                                </ul>
                            </Show>
                        </section>
                    </Show>
                    <Show when=move || fac() || s.too_late.get() || s.view.with(|v| v.vote.state != VoteState::None)>
                        <section>
                            <h3>{i18n.f(|s| s.vote)}</h3>
                            <Show when=fac>
                                <label class="check"><input type="checkbox" prop:checked=move || by_role.get()
                                    on:change=move |ev| by_role.set(event_target_checked(&ev))/>{i18n.f(|s| s.by_role)}</label>
                                <button class="btn" data-testid="vote-open" on:click=open_vote>{i18n.f(|s| s.open_vote)}</button>
                                <button class="btn" data-testid="vote-reveal" on:click=move |_| controller::command(Command::RevealVotes)>{i18n.f(|s| s.reveal)}</button>
                            </Show>
                            <Show when=move || s.can_edit.get() && s.view.with(|v| v.vote.state == VoteState::Open)>
                                <p data-testid="dots-left">{i18n.f(|s| s.dots_left)}{dots_left}</p>
                                <ul>
                                    <For each=move || s.view.with(|v| v.vote.items.clone()) key=|id| id.clone() let:id>
                                        {
                                            let id = StoredValue::new(id);
                                            let text = move || id.with_value(|id| s.notes.with(|n| n.iter().find(|(i, _)| i == id).map(|(_, t)| t.clone()).unwrap_or_default()));
                                            let mine = move || id.with_value(|id| my_dots(id));
                                            let waiting = move || id.with_value(|id| waiting_on(id).is_some());
                                            let vote = move || s.view.with_untracked(|v| v.vote.id.clone());
                                            let plus = move |_: leptos::ev::MouseEvent| {
                                                if dots_left() > 0 {
                                                    controller::command(Command::Vote { item: id.get_value(), dots: mine() + 1, vote: vote() });
                                                }
                                            };
                                            let minus = move |_: leptos::ev::MouseEvent| controller::command(Command::Vote { item: id.get_value(), dots: mine().saturating_sub(1), vote: vote() });
                                            view! {
                                                <li data-testid="vote-item">
                                                    <span>{text}</span>" "
                                                    <button class="btn" data-testid="dot-minus" on:click=minus>"−"</button>
                                                    <span data-testid="my-dots" data-waiting=move || waiting().to_string()>{mine}</span>
                                                    <button class="btn" data-testid="dot-plus" on:click=plus>"+"</button>
                                                    <Show when=waiting>
                                                        " "<span class="hint" data-testid="my-dots-waiting">{i18n.r(|s| s.dots_waiting)}</span>
                                                    </Show>
                                                </li>
                                            }
                                        }
                                    </For>
                                </ul>
                            </Show>
                            <Show when=move || s.too_late.get()>
                                <p class="notice-inline" role="alert" data-testid="dots-too-late">{i18n.r(|s| s.dots_too_late)}</p>
                            </Show>
                            <Show when=move || s.view.with(|v| v.vote.state == VoteState::Revealed)>
                                <h4>{i18n.f(|s| s.results)}</h4>
                                <ol data-testid="vote-results">
                                    <For each=move || s.view.with(|v| v.vote.results.clone()) key=|t| (t.item.clone(), t.total) let:t>
                                        {
                                            let item = t.item.clone();
                                            let text = move || s.notes.with(|n| n.iter().find(|(i, _)| *i == item).map(|(_, t)| t.clone()).unwrap_or_default());
                                            let split: String = t.by_role.iter().map(|(r, n)| format!(" {}: {n}", i18n.role(*r))).collect();
                                            view! { <li data-testid="vote-result">{text}" — "{t.total}{split}</li> }
                                        }
                                    </For>
                                </ol>
                            </Show>
                        </section>
                    </Show>
                    <Show when=move || fac() || s.view.with(|v| v.settings.share_balance)>
                        <section data-testid="balance">
                            <h3>{i18n.f(|s| s.balance)}</h3>
                            // Counts under one header row: a word in every cell
                            // made the table wider than the panel.
                            <table class="balance-table">
                                <thead>
                                    <tr>
                                        <td></td>
                                        <th scope="col">{i18n.f(|s| s.notes)}</th>
                                        <th scope="col">{i18n.f(|s| s.words)}</th>
                                        <th scope="col">{i18n.f(|s| s.votes)}</th>
                                        <th scope="col">{i18n.f(|s| s.turns)}</th>
                                        <th scope="col">{i18n.r(|s| s.passes)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {move || s.balance.get().by_role.into_iter().map(|(r, c)| view! {
                                        <tr data-testid="balance-row" data-role=r.as_str() data-turns=c.turns.to_string() data-passes=c.passes.to_string()>
                                            <th scope="row">{i18n.role(r)}</th>
                                            <td>{c.notes}</td>
                                            <td>{c.words}</td>
                                            <td>{c.votes}</td>
                                            <td>{c.turns}</td>
                                            <td>{c.passes}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Show when=fac>
                                <label class="check"><input type="checkbox" prop:checked=move || s.view.with(|v| v.settings.share_balance)
                                    on:change=move |ev| {
                                        let mut settings: Settings = s.view.with_untracked(|v| v.settings.clone());
                                        settings.share_balance = event_target_checked(&ev);
                                        facil(FacilOp::SetSettings { settings });
                                    }/>{i18n.f(|s| s.share_balance)}</label>
                            </Show>
                        </section>
                    </Show>
                    <Show when=move || fac() || s.view.with(|v| !v.groups.groups.is_empty())>
                        <section data-testid="groups">
                            <h3>{i18n.o(|s| s.groups)}</h3>
                            <Show when=fac>
                                <label>{i18n.o(|s| s.group_size)}" "
                                    <select data-testid="group-size" on:change=move |ev| {
                                        if let Ok(n) = event_target_value(&ev).parse() { group_size.set(n) }
                                    }>
                                        {[2usize, 3, 4, 5, 6].into_iter().map(|n| view! {
                                            <option value=n.to_string() selected=move || group_size.get() == n>{n}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button class="btn" data-testid="groups-split" on:click=split_groups>{i18n.o(|s| s.split_groups)}</button>
                                <button class="btn" data-testid="groups-together" on:click=move |_| facil(FacilOp::GroupsTogether)>{i18n.o(|s| s.groups_together)}</button>
                            </Show>
                            <ol data-testid="group-list">
                                {move || s.view.with(|v| v.groups.groups.clone()).into_iter().map(|g| {
                                    let names: Vec<String> = g.members.iter().map(|m| name_of(m)).collect();
                                    view! { <li data-testid="group">{names.join(", ")}</li> }
                                }).collect_view()}
                            </ol>
                            <Show when=move || s.view.with(|v| v.groups.together && !v.groups.groups.is_empty())>
                                <p class="hint" data-testid="groups-together-shown">{i18n.o(|s| s.together)}</p>
                            </Show>
                        </section>
                    </Show>
                    <Show when=fac>
                        <section>
                            <label class="check"><input type="checkbox" data-testid="anonymous"
                                prop:checked=move || s.view.with(|v| v.settings.anonymous)
                                on:change=move |ev| {
                                    let mut settings: Settings = s.view.with_untracked(|v| v.settings.clone());
                                    settings.anonymous = event_target_checked(&ev);
                                    facil(FacilOp::SetSettings { settings });
                                }/>{i18n.o(|s| s.anonymous)}</label>
                        </section>
                        <section>
                            <h3>{i18n.f(|s| s.chair)}</h3>
                            <label>{i18n.f(|s| s.hand_over)}" "
                                <select data-testid="chair-select" on:change=move |ev| {
                                    facil(FacilOp::SetChair { participant: event_target_value(&ev), meeting: String::new() })
                                }>
                                    <option value="">"—"</option>
                                    <For each=move || s.participants.get() key=|p| p.id.clone() let:p>
                                        <option value=p.id.clone()>{if p.name.is_empty() { p.id.clone() } else { p.name.clone() }}</option>
                                    </For>
                                </select>
                            </label>
                        </section>
                    </Show>
                </aside>
            </Show>
        </div>
    }
}
