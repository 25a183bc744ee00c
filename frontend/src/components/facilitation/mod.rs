//! The facilitation panel: timer, rounds, private ideation, dot voting,
//! balance by role group, the chair, templates and actions. What it shows
//! comes from the board (`samskab_board::facilitation`) and from my own
//! hidden content (`PrivateState`), published by the controller.
use std::cell::RefCell;

use leptos::prelude::*;
use std::collections::BTreeMap;

use samskab_board::facilitation::{ActionView, Balance, DecisionView, FacilitationView, Vague};
use samskab_board::{Op, ParticipantView, RoleGroup};
use samskab_protocol::{ClientSession, Permission, Phase, PrivateState};

mod outcomes;
mod panel;
mod save_template;

pub use outcomes::OutcomesPanel;
pub use panel::FacilitationPanel;

/// What the panel renders from.
#[derive(Debug, Clone, Copy)]
pub struct FacilSignals {
    pub view: RwSignal<FacilitationView>,
    pub private: RwSignal<PrivateState>,
    pub me: RwSignal<String>,
    /// On the facilitator link, or the chair.
    pub facilitator: RwSignal<bool>,
    pub can_edit: RwSignal<bool>,
    pub participants: RwSignal<Vec<ParticipantView>>,
    /// (id, text) of every note, for votes and actions.
    pub notes: RwSignal<Vec<(String, String)>>,
    pub balance: RwSignal<Balance>,
    /// Server clock minus ours (ms).
    pub offset: RwSignal<i64>,
    /// (id, text) of every mind-map node, for decisions and actions.
    pub nodes: RwSignal<Vec<(String, String)>>,
    pub actions: RwSignal<Vec<ActionView>>,
    pub decisions: RwSignal<Vec<DecisionView>>,
    /// Per decision: its ideas that are not yet concrete actions.
    pub vague: RwSignal<BTreeMap<String, Vec<Vague>>>,
    /// (id, text) of my private notes written offline, waiting to be sent.
    pub waiting: RwSignal<Vec<(String, String)>>,
    /// (vote id, item, dots) of my dots given offline, waiting to be sent.
    pub waiting_dots: RwSignal<Vec<(String, String, u32)>>,
    /// The server refused dots given offline: their vote was over.
    pub too_late: RwSignal<bool>,
}

thread_local! {
    static SIGNALS: RefCell<Option<FacilSignals>> = const { RefCell::new(None) };
}

pub fn signals() -> FacilSignals {
    SIGNALS.with(|s| {
        *s.borrow_mut().get_or_insert_with(|| FacilSignals {
            view: RwSignal::new(FacilitationView::default()),
            private: RwSignal::new(PrivateState::default()),
            me: RwSignal::new(String::new()),
            facilitator: RwSignal::new(false),
            can_edit: RwSignal::new(false),
            participants: RwSignal::new(Vec::new()),
            notes: RwSignal::new(Vec::new()),
            balance: RwSignal::new(Balance::default()),
            offset: RwSignal::new(0),
            nodes: RwSignal::new(Vec::new()),
            actions: RwSignal::new(Vec::new()),
            decisions: RwSignal::new(Vec::new()),
            vague: RwSignal::new(BTreeMap::new()),
            waiting: RwSignal::new(Vec::new()),
            waiting_dots: RwSignal::new(Vec::new()),
            too_late: RwSignal::new(false),
        })
    })
}

fn put<T: PartialEq + Send + Sync + 'static>(sig: RwSignal<T>, value: T) {
    if sig.with_untracked(|v| v != &value) {
        sig.set(value);
    }
}

/// Publishes the session's facilitation state to the panel (called by the
/// controller whenever the board or my hidden content changes).
pub fn publish(session: &ClientSession) {
    let s = signals();
    let board = session.board();
    let permission = match session.phase() {
        Phase::Joined(p) => Some(p),
        _ => None,
    };
    let me = session.participant().id.clone();
    let view = board.facilitation();
    let facilitator = permission == Some(Permission::Facilitator)
        || (permission.is_some_and(Permission::can_edit) && view.chair.current == me);
    put(s.facilitator, facilitator);
    // Offline (not joined), what this device could do when last connected
    // holds, so private notes can still be written (`private_queue`).
    let can_edit = match permission {
        Some(p) => p.can_edit(),
        None => s.can_edit.get_untracked(),
    };
    put(s.can_edit, can_edit);
    put(s.view, view);
    // Offline, on a page loaded since, what the server last sent to this
    // device (my dots it already holds).
    let private = if permission.is_none() && *session.private() == PrivateState::default() {
        crate::private_queue::known(session.board_id())
    } else {
        session.private().clone()
    };
    put(s.private, private);

    put(s.me, me);
    put(s.participants, board.participants());
    put(
        s.notes,
        board.notes().into_iter().map(|n| (n.id, n.text)).collect(),
    );
    put(s.balance, board.balance());
    put(s.offset, session.server_time(0));
    put(
        s.nodes,
        board
            .mindmaps()
            .into_iter()
            .flat_map(|m| m.nodes.into_iter().map(|n| (n.id, n.text)))
            .collect(),
    );
    let decisions = board.decisions();
    put(
        s.vague,
        decisions
            .iter()
            .map(|d| (d.id.clone(), board.concreteness(&d.id)))
            .collect(),
    );
    put(s.decisions, decisions);
    put(s.actions, board.actions());
    if permission.is_some_and(Permission::can_edit) {
        register_me(session);
    }
}

/// Shows my private notes and dots waiting on this device for board `board`.
pub fn show_waiting(board: &str) {
    put(signals().waiting, crate::private_queue::notes(board));
    put(signals().waiting_dots, crate::private_queue::dots(board));
}

thread_local! {
    static REGISTERING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Puts me on the board's list of participants (name and role group, as
/// given in the join dialog) if I am not on it yet: rounds, groups, the
/// balance and the names beside dissent read that list. Deferred, since the
/// controller is busy while it publishes.
fn register_me(session: &ClientSession) {
    let me = &session.participant().id;
    if session.board().participants().iter().any(|p| &p.id == me) {
        return;
    }
    let name = crate::controller::display_name().trim().to_string();
    if name.is_empty() || REGISTERING.with(|r| r.replace(true)) {
        return;
    }
    let role = crate::controller::role_group()
        .and_then(|r| RoleGroup::parse(&r))
        .unwrap_or_default();
    crate::platform::set_timeout(0, move || {
        crate::controller::apply(Op::SetParticipant {
            name,
            role,
            color: crate::controller::role_color(role.as_str()).to_string(),
        });
        // Consent given in the join dialog, applied once I am on the list
        // (the server takes it only from me, on my verified connection).
        if crate::components::join_dialog::consent_given() {
            crate::controller::apply(Op::SetNameConsent { consent: true });
        }
        REGISTERING.with(|r| r.set(false));
    });
}

pub(crate) fn facil(act: samskab_board::facilitation::FacilOp) {
    crate::controller::apply(Op::Facilitate { act });
}
