use leptos::prelude::*;
use samskab_protocol::PeerPresence;

use crate::i18n::I18n;
use crate::ui::Ui;

/// Everyone else on the board: a circle in their role group's colour with
/// their initial. Tapping one follows their view (touching the board stops).
#[component]
pub fn PresenceList(peers: RwSignal<Vec<PeerPresence>>) -> impl IntoView {
    let i18n = I18n::get();
    let ui = Ui::get();
    let label = move || format!("{}: {}", i18n.t(|s| s.here)(), peers.with(Vec::len));
    view! {
        <ul class="presence" data-testid="presence" aria-label=label>
            <For each=move || peers.get() key=|p| (p.peer, p.participant.name.clone(), p.participant.color.clone(), p.participant.role.clone()) let:p>
                {
                    let name = if p.participant.name.trim().is_empty() {
                        i18n.t(|s| s.guest)().to_string()
                    } else {
                        p.participant.name.clone()
                    };
                    let initial = crate::platform::uppercase(&name.chars().take(1).collect::<String>());
                    let style = format!("background: {};", p.participant.color);
                    let peer = p.peer;
                    let role = samskab_board::RoleGroup::parse(&p.participant.role).unwrap_or_default();
                    let title = move || format!("{name} ({}). {}", i18n.role(role), i18n.t(|s| s.follow)());
                    view! {
                        <li>
                            <button class="avatar" data-testid="peer" style=style title=title.clone() aria-label=title
                                aria-pressed=move || (ui.following.get() == Some(peer)).to_string()
                                on:click=move |_| ui.following.update(|f| *f = if *f == Some(peer) { None } else { Some(peer) })>
                                {initial}
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
