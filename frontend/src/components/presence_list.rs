use leptos::prelude::*;
use samskab_protocol::PeerPresence;

use crate::i18n::I18n;

/// Everyone else on the board: a coloured circle with their initial.
#[component]
pub fn PresenceList(peers: RwSignal<Vec<PeerPresence>>) -> impl IntoView {
    let i18n = I18n::get();
    let label = move || format!("{}: {}", i18n.t(|s| s.here)(), peers.with(Vec::len));
    view! {
        <ul class="presence" data-testid="presence" aria-label=label>
            <For each=move || peers.get() key=|p| (p.peer, p.participant.name.clone(), p.participant.color.clone()) let:p>
                {
                    let name = if p.participant.name.trim().is_empty() {
                        i18n.t(|s| s.guest)().to_string()
                    } else {
                        p.participant.name.clone()
                    };
                    let initial: String = name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
                    let style = format!("background: {};", p.participant.color);
                    view! { <li class="avatar" data-testid="peer" style=style title=name.clone() aria-label=name>{initial}</li> }
                }
            </For>
        </ul>
    }
}
