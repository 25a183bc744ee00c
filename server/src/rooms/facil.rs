//! The room's part in facilitation: who holds the facilitator's controls,
//! the refusal of changes to guarded state, and the hidden content (private
//! ideation notes, dots in an open vote) that the room holds per participant
//! and sends only to its owner's connections until the facilitator reveals it.
use std::collections::{BTreeMap, HashMap};

use samskab_board::facilitation::{
    FacilOp, IdeationState, Tally, VoteState, guarded_writes, validate_extension,
};
use samskab_board::{Board, Ctx, Op, RoleGroup};
use samskab_protocol::{Command, ErrorReason, Message, Permission, PrivateNote, PrivateState};

use super::{Peer, Room};
use crate::storage::Storage;

/// Most private notes one person may hold in one ideation phase.
pub(super) const MAX_PRIVATE_NOTES: usize = 200;

pub(super) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What one connection may write, decided before its change is merged.
#[derive(Debug, Clone)]
pub(super) struct Rights {
    /// On the facilitator link, or the chair (a verified participant the
    /// facilitator handed the controls to).
    pub facilitator: bool,
    /// The participant id, when it is bound to this device.
    pub participant: Option<String>,
}

impl Rights {
    pub(super) fn of(board: &Board, peer: &Peer) -> Rights {
        let participant = peer.verified.then(|| peer.participant.id.clone());
        let chair = peer.permission.can_edit()
            && participant
                .as_ref()
                .is_some_and(|id| board.chair().current == *id);
        Rights {
            facilitator: peer.permission == Permission::Facilitator || chair,
            participant,
        }
    }
}

/// Whether the only facilitation state written is the round, moved on by
/// one turn that the writer held: a speaker may end or pass their own turn
/// (`FacilOp::RoundNext`) without the facilitator's controls.
fn ends_own_turn(board: &mut Board, before: &[automerge::ChangeHash], rights: &Rights) -> bool {
    let Some(me) = rights.participant.as_deref() else {
        return false;
    };
    let Ok(earlier) = board.doc_mut().fork_at(before) else {
        return false;
    };
    let Ok(earlier) = Board::from_doc(earlier) else {
        return false;
    };
    let (was, now) = (earlier.facilitation(), board.facilitation());
    let (r0, r1) = (&was.round, &now.round);
    if r0.speaker() != Some(me) {
        return false;
    }
    let Some(turn) = r1.turns.last() else {
        return false;
    };
    let finished = r0.current + 1 >= r0.order.len();
    let expected = samskab_board::facilitation::Round {
        turns: [r0.turns.clone(), vec![turn.clone()]].concat(),
        current: r0.current + 1,
        turn_started_at: turn.ended_at,
        state: if finished {
            samskab_board::facilitation::RoundState::Finished
        } else {
            r0.state
        },
        ..r0.clone()
    };
    let others_unchanged = samskab_board::facilitation::FacilitationView {
        round: r0.clone(),
        ..now.clone()
    } == was;
    turn.participant == me
        && turn.started_at == r0.turn_started_at
        && turn.ended_at >= turn.started_at
        && *r1 == expected
        && others_unchanged
}

/// Refuses what a connection may not write: facilitator-only state from
/// anyone but a facilitator, someone else's dissent, and someone else's
/// consent to be named. Checks the
/// facilitation and outcome maps when they were written.
pub(super) fn gate(
    board: &mut Board,
    before: &[automerge::ChangeHash],
    rights: &Rights,
) -> Result<(), (ErrorReason, String)> {
    let w = guarded_writes(board, before);
    if w.facilitation && !rights.facilitator && !ends_own_turn(board, before, rights) {
        return Err((
            ErrorReason::Forbidden,
            "only the facilitator may change the facilitation state".into(),
        ));
    }
    if !rights.facilitator
        && w.dissent_of
            .iter()
            .any(|p| Some(p) != rights.participant.as_ref())
    {
        return Err((
            ErrorReason::Forbidden,
            "a dissent can only be written by the dissenter".into(),
        ));
    }
    // Not even a facilitator may give or withdraw someone's consent to be
    // named in public snapshots; an unverified connection has no one's.
    if w.consent_of
        .iter()
        .any(|p| Some(p) != rights.participant.as_ref())
    {
        return Err((
            ErrorReason::Forbidden,
            "only a participant can give or withdraw their own consent to be named".into(),
        ));
    }
    if w.facilitation || w.outcomes {
        let v = validate_extension(board);
        if let Some(first) = v.first() {
            return Err((
                ErrorReason::InvalidChange,
                format!("{}: {}", first.path, first.problem),
            ));
        }
    }
    Ok(())
}

/// Every participant's hidden content on one board, as stored.
#[derive(Debug, Default)]
pub(super) struct PrivateStore {
    by: HashMap<String, PrivateState>,
}

impl PrivateStore {
    pub(super) async fn load(storage: &dyn Storage, board: &str) -> PrivateStore {
        let rows = match storage.load_private(board).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(board, error = %e, "cannot load private content");
                Vec::new()
            }
        };
        PrivateStore {
            by: rows
                .into_iter()
                .filter_map(|(p, json)| Some((p, serde_json::from_str(&json).ok()?)))
                .collect(),
        }
    }
}

impl Room {
    /// My hidden content as it counts now: notes of the current ideation,
    /// dots of the current vote.
    fn private_of(&self, participant: &str) -> PrivateState {
        let mut s = self
            .private
            .by
            .get(participant)
            .cloned()
            .unwrap_or_default();
        let ideation = self.board.ideation();
        if ideation.state != IdeationState::Open || s.ideation != ideation.id {
            s.ideation = String::new();
            s.notes.clear();
        }
        let vote = self.board.vote();
        if vote.state != VoteState::Open || s.vote != vote.id {
            s.vote = String::new();
            s.votes.clear();
        }
        s
    }

    /// Sends a verified peer its own hidden content.
    pub(super) fn send_private_to(&mut self, peer: u64) {
        let Some(p) = self.peers.get(&peer).filter(|p| p.verified) else {
            return;
        };
        let frame = Message::Private(self.private_of(&p.participant.id.clone())).encode();
        self.send(peer, frame);
    }

    /// Sends a participant's hidden content to each of its own connections.
    fn send_private_owner(&mut self, participant: &str) {
        let mine: Vec<u64> = self
            .peers
            .iter()
            .filter(|(_, p)| p.verified && p.participant.id == participant)
            .map(|(id, _)| *id)
            .collect();
        for peer in mine {
            self.send_private_to(peer);
        }
    }

    fn refuse_command(&mut self, peer: u64, reason: ErrorReason, message: &str) {
        Metrics::inc(&self.metrics.refused);
        self.send(peer, Message::error(reason, message).encode());
    }

    async fn store_private(&mut self, participant: &str, state: PrivateState) -> bool {
        let json = if state.notes.is_empty() && state.votes.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&state).unwrap_or_default()
        };
        match self.storage.save_private(&self.id, participant, json).await {
            Ok(()) => {
                self.private.by.insert(participant.to_string(), state);
                true
            }
            Err(e) => {
                tracing::error!(board = %self.id, error = %e, "cannot store private content");
                Metrics::inc(&self.metrics.storage_errors);
                false
            }
        }
    }

    /// Carries out a facilitation command. Returns whether the board changed.
    pub(super) async fn command(&mut self, peer: u64, command: Command) -> bool {
        let Some(p) = self.peers.get(&peer) else {
            return false;
        };
        let rights = Rights::of(&self.board, p);
        let can_edit = p.permission.can_edit();
        let hello_role = p.participant.role.clone();
        match command {
            Command::PrivateNote { .. }
            | Command::DeletePrivateNote { .. }
            | Command::Vote { .. } => {
                let Some(me) = rights.participant.clone().filter(|_| can_edit) else {
                    self.refuse_command(
                        peer,
                        ErrorReason::Forbidden,
                        "private notes and votes need an editing link and a participant key",
                    );
                    return false;
                };
                let mut state = self.private_of(&me);
                let result = self.change_private(&mut state, command, &me, &hello_role);
                match result {
                    Err((reason, msg)) => self.refuse_command(peer, reason, &msg),
                    Ok(()) => {
                        if !self.store_private(&me, state).await {
                            self.refuse_command(
                                peer,
                                ErrorReason::Internal,
                                "the server could not save; try again",
                            );
                        }
                    }
                }
                self.send_private_owner(&me);
                false
            }
            Command::RevealIdeas | Command::RevealVotes if !rights.facilitator => {
                self.refuse_command(
                    peer,
                    ErrorReason::Forbidden,
                    "only the facilitator may reveal",
                );
                false
            }
            Command::RevealIdeas => {
                let by = rights
                    .participant
                    .clone()
                    .unwrap_or_else(|| "facilitator".into());
                self.reveal_ideas(peer, &by).await
            }
            Command::RevealVotes => {
                let by = rights
                    .participant
                    .clone()
                    .unwrap_or_else(|| "facilitator".into());
                self.reveal_votes(peer, &by).await
            }
        }
    }

    fn change_private(
        &self,
        state: &mut PrivateState,
        command: Command,
        me: &str,
        hello_role: &str,
    ) -> Result<(), (ErrorReason, String)> {
        let invalid = |msg: String| (ErrorReason::InvalidChange, msg);
        let limits = self.board.limits();
        match command {
            Command::PrivateNote { id, text, color } => {
                let ideation = self.board.ideation();
                if ideation.state != IdeationState::Open {
                    return Err(invalid("private ideation is not open".into()));
                }
                samskab_board::check_id(&id).map_err(|e| invalid(e.to_string()))?;
                if text.chars().count() > limits.max_note_chars {
                    return Err(invalid(format!(
                        "a note has at most {} characters",
                        limits.max_note_chars
                    )));
                }
                state.ideation = ideation.id;
                let full = state.notes.len() >= MAX_PRIVATE_NOTES;
                match state.notes.iter_mut().find(|n| n.id == id) {
                    Some(n) => {
                        n.text = text;
                        n.color = color;
                    }
                    None if full => {
                        return Err(invalid(format!(
                            "at most {MAX_PRIVATE_NOTES} private notes"
                        )));
                    }
                    None => state.notes.push(PrivateNote { id, text, color }),
                }
            }
            Command::DeletePrivateNote { id } => state.notes.retain(|n| n.id != id),
            Command::Vote {
                item,
                dots,
                vote: meant,
            } => {
                let vote = self.board.vote();
                // Dots meant for a vote that is over (cast offline, sent on
                // reconnect) are refused as late, never counted in another.
                if !meant.is_empty() && (meant != vote.id || vote.state != VoteState::Open) {
                    return Err((
                        ErrorReason::TooLate,
                        "the vote was closed before these dots reached the server".into(),
                    ));
                }
                if vote.state != VoteState::Open {
                    return Err(invalid("no vote is open".into()));
                }
                if !vote.items.contains(&item) {
                    return Err(invalid(format!("{item} is not in this vote")));
                }
                state.vote = vote.id;
                state.role = self
                    .board
                    .participants()
                    .into_iter()
                    .find(|p| p.id == me)
                    .map(|p| p.role.as_str().to_string())
                    .unwrap_or_else(|| hello_role.to_string());
                let others: u32 = state
                    .votes
                    .iter()
                    .filter(|(k, _)| **k != item)
                    .map(|(_, v)| v)
                    .sum();
                if others + dots > vote.dots {
                    return Err(invalid(format!("you have {} dots in this vote", vote.dots)));
                }
                if dots == 0 {
                    state.votes.remove(&item);
                } else {
                    state.votes.insert(item, dots);
                }
            }
            Command::RevealIdeas | Command::RevealVotes => {}
        }
        Ok(())
    }

    /// Writes the board changes made by the room itself and stores them;
    /// returns whether they are stored.
    async fn write_and_store(&mut self, ops: Vec<(Op, Ctx)>) -> bool {
        let before = self.board.heads();
        for (op, ctx) in &ops {
            if let Err(e) = self.board.apply(op, ctx) {
                tracing::warn!(board = %self.id, error = %e, "a reveal op was refused");
            }
        }
        let after = self.board.heads();
        if after == before {
            return false;
        }
        self.batch_started
            .get_or_insert_with(std::time::Instant::now);
        self.persist().await;
        self.stored == after
    }

    async fn reveal_ideas(&mut self, peer: u64, by: &str) -> bool {
        let ideation = self.board.ideation();
        if ideation.state != IdeationState::Open {
            self.refuse_command(
                peer,
                ErrorReason::InvalidChange,
                "private ideation is not open",
            );
            return false;
        }
        let mut notes: Vec<(String, PrivateNote)> = self
            .private
            .by
            .iter()
            .filter(|(_, s)| s.ideation == ideation.id)
            .flat_map(|(p, s)| s.notes.iter().map(move |n| (p.clone(), n.clone())))
            .filter(|(_, n)| !n.text.trim().is_empty())
            .collect();
        // By note id (random), so the order on the board says nothing about who wrote what.
        notes.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        let frame = self
            .board
            .frames()
            .into_iter()
            .find(|f| f.id == ideation.frame);
        let (ox, oy, cols) = match &frame {
            Some(f) => (
                f.x + 20.0,
                f.y + 60.0,
                ((f.w - 20.0) / 220.0).floor().max(1.0) as usize,
            ),
            None => {
                let bottom = self
                    .board
                    .notes()
                    .iter()
                    .map(|n| n.y + n.h)
                    .fold(0.0_f64, f64::max);
                (0.0, bottom + 80.0, 5)
            }
        };
        let now = now_ms();
        let existing: std::collections::BTreeSet<String> =
            self.board.notes().into_iter().map(|n| n.id).collect();
        let mut ops = Vec::new();
        for (i, (author, n)) in notes.iter().enumerate() {
            let id = if existing.contains(&n.id) {
                format!("{}-{i}", &n.id[..n.id.len().min(50)])
            } else {
                n.id.clone()
            };
            let ctx = Ctx::new(author.clone(), now);
            ops.push((
                Op::CreateNote {
                    id: id.clone(),
                    x: ox + (i % cols) as f64 * 220.0,
                    y: oy + (i / cols) as f64 * 180.0,
                    color: n.color,
                    text: n.text.clone(),
                },
                ctx.clone(),
            ));
            if let Some(f) = &frame {
                ops.push((
                    Op::SetNoteFrame {
                        id,
                        frame: Some(f.id.clone()),
                    },
                    ctx,
                ));
            }
        }
        ops.push((
            Op::Facilitate {
                act: FacilOp::IdeationRevealed {
                    count: notes.len() as u32,
                },
            },
            Ctx::new(by, now),
        ));
        if !self.write_and_store(ops).await {
            return false;
        }
        let owners: Vec<String> = self.private.by.keys().cloned().collect();
        for p in owners {
            let mut s = self.private.by.get(&p).cloned().unwrap_or_default();
            if s.ideation == ideation.id {
                s.notes.clear();
                s.ideation.clear();
                self.store_private(&p, s).await;
            }
            self.send_private_owner(&p);
        }
        // Stored already; `true` has the room sync it to everyone.
        true
    }

    async fn reveal_votes(&mut self, peer: u64, by: &str) -> bool {
        let vote = self.board.vote();
        if !matches!(vote.state, VoteState::Open | VoteState::Closed) {
            self.refuse_command(peer, ErrorReason::InvalidChange, "no vote to reveal");
            return false;
        }
        let mut tallies: BTreeMap<String, Tally> = vote
            .items
            .iter()
            .map(|i| {
                (
                    i.clone(),
                    Tally {
                        item: i.clone(),
                        ..Tally::default()
                    },
                )
            })
            .collect();
        let mut voters = 0;
        for s in self.private.by.values().filter(|s| s.vote == vote.id) {
            if s.dots_used() > 0 {
                voters += 1;
            }
            let role = RoleGroup::parse(&s.role).unwrap_or_default();
            for (item, dots) in &s.votes {
                if let Some(t) = tallies.get_mut(item) {
                    t.total += dots;
                    if vote.by_role {
                        *t.by_role.entry(role).or_default() += dots;
                    }
                }
            }
        }
        let ops = vec![(
            Op::Facilitate {
                act: FacilOp::VoteResults {
                    results: tallies.into_values().collect(),
                    voters,
                },
            },
            Ctx::new(by, now_ms()),
        )];
        if !self.write_and_store(ops).await {
            return false;
        }
        let owners: Vec<String> = self.private.by.keys().cloned().collect();
        for p in owners {
            let mut s = self.private.by.get(&p).cloned().unwrap_or_default();
            if s.vote == vote.id {
                s.votes.clear();
                s.vote.clear();
                self.store_private(&p, s).await;
            }
            self.send_private_owner(&p);
        }
        // Stored already; `true` has the room sync it to everyone.
        true
    }
}

use crate::metrics::Metrics;
