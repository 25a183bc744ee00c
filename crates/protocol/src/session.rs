//! [`ClientSession`]: the browser's (or any client's) side of a board
//! connection, sans-IO. Feed it frames and local edits; take frames to send.
use std::collections::VecDeque;

use automerge::ChangeHash;
use samskab_board::{Board, BoardError, Ctx, History, Op};

use crate::message::{
    Ack, ErrorMsg, Hello, Message, PROTOCOL_VERSION, Participant, PeerPresence, Permission,
    Presence, Welcome,
};
use crate::sync::{PeerSync, SyncError, changes_since, missing_deps, receive_changes_from_server};

/// What happened as a result of an incoming frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server accepted us.
    Welcomed(Welcome),
    /// The document changed because of the server (re-read the views).
    Changed,
    /// The server has durably stored more of our changes.
    Acked,
    /// The server refused something; a close usually follows.
    Refused(ErrorMsg),
    /// Someone's presence (cursor, viewport, drag) changed.
    Presence(PeerPresence),
    /// Someone left.
    PeerLeft(u64),
    /// My hidden content (private notes, my dots) as the server holds it.
    Private(crate::facil::PrivateState),
}

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Offline,
    Connecting,
    Joined(Permission),
}

/// Why an incoming frame could not be handled.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SessionError {
    #[error(transparent)]
    Decode(#[from] crate::message::DecodeError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("unexpected {0} message from the server")]
    Unexpected(&'static str),
}

/// One client's view of one board and its connection to the server.
#[derive(Debug)]
pub struct ClientSession {
    board_id: String,
    key: Option<String>,
    participant: Participant,
    board: Board,
    /// This person's undo and redo.
    history: History,
    peer: PeerSync,
    phase: Phase,
    /// Our own changes the server has not confirmed as stored yet.
    unacked: Vec<ChangeHash>,
    /// The heads in the server's latest acknowledgement.
    stored_heads: Vec<ChangeHash>,
    /// Some of `stored_heads` were not in the replica yet when last looked
    /// at: a change that arrives may complete them.
    stored_unknown: bool,
    outbox: VecDeque<Vec<u8>>,
    /// This device's secret for `participant` (see [`Hello::participant_key`]).
    participant_key: Option<String>,
    /// My hidden content, as last heard from the server.
    private: crate::facil::PrivateState,
    /// Server clock minus ours, from the welcome (ms).
    clock_offset_ms: i64,
    /// The server has put this connection live: new changes travel as
    /// `Message::Changes` both ways (see the `message` module doc).
    live: bool,
}

impl ClientSession {
    /// A session on `board` (possibly loaded from local storage).
    pub fn new(
        board_id: impl Into<String>,
        key: Option<String>,
        participant: Participant,
        board: Board,
    ) -> Self {
        ClientSession {
            board_id: board_id.into(),
            key,
            participant,
            board,
            history: History::new(),
            peer: PeerSync::with_server(),
            phase: Phase::Offline,
            unacked: Vec::new(),
            stored_heads: Vec::new(),
            stored_unknown: false,
            outbox: VecDeque::new(),
            participant_key: None,
            private: Default::default(),
            clock_offset_ms: 0,
            live: false,
        }
    }

    /// Sets this device's participant secret, sent with every hello.
    pub fn set_participant_key(&mut self, key: Option<String>) {
        self.participant_key = key;
    }

    pub fn participant(&self) -> &Participant {
        &self.participant
    }

    /// The board this session syncs.
    pub fn board_id(&self) -> &str {
        &self.board_id
    }

    /// My hidden content (private notes, my dots), as the server holds it.
    pub fn private(&self) -> &crate::facil::PrivateState {
        &self.private
    }

    /// The server's time for a local time `local_ms` (timers count down
    /// by the server's clock, so every device shows the same).
    pub fn server_time(&self, local_ms: i64) -> i64 {
        local_ms + self.clock_offset_ms
    }

    /// Sets the clock offset from a welcome received at local time `local_ms`.
    pub fn sync_clock(&mut self, server_ms: i64, local_ms: i64) {
        self.clock_offset_ms = server_ms - local_ms;
    }

    /// Asks the server to carry out a facilitation command (only while
    /// joined: commands are never queued offline). Returns whether it was sent.
    pub fn command(&mut self, command: crate::facil::Command) -> bool {
        if let Phase::Joined(_) = self.phase {
            self.outbox.push_back(Message::Command(command).encode());
            true
        } else {
            false
        }
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    /// The local replica's heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.board.heads()
    }

    /// The local replica, saved (for keeping on the device).
    pub fn save(&mut self) -> Vec<u8> {
        self.board.save()
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether the server has put this connection live (new changes travel
    /// as `Message::Changes`; see the `message` module doc).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The transport is open: say hello. A fresh sync state is used for each
    /// connection, so nothing is assumed about what the server already has.
    pub fn connected(&mut self) {
        self.outbox.clear();
        self.peer = PeerSync::with_server();
        self.live = false;
        self.phase = Phase::Connecting;
        self.outbox.push_back(
            Message::Hello(Hello {
                protocol: PROTOCOL_VERSION,
                board: self.board_id.clone(),
                key: self.key.clone(),
                participant: self.participant.clone(),
                participant_key: self.participant_key.clone(),
                live: true,
            })
            .encode(),
        );
    }

    /// The transport closed. Local edits keep accumulating.
    pub fn disconnected(&mut self) {
        self.phase = Phase::Offline;
        self.live = false;
        self.outbox.clear();
    }

    /// Handles one frame from the server.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Vec<Event>, SessionError> {
        let mut events = Vec::new();
        match Message::decode(frame)? {
            Message::Welcome(w) => {
                self.phase = Phase::Joined(w.permission);
                events.push(Event::Welcomed(w));
                self.queue_sync();
            }
            Message::Sync(payload) => {
                // The server is syncing with us (again): answer in kind
                // until it puts us live. Coming from live, it starts from
                // scratch, and so do we (our sync state is stale).
                if self.live {
                    self.live = false;
                    self.peer = PeerSync::with_server();
                }
                let before = self.board.heads();
                self.peer.receive(&mut self.board, &payload)?;
                if self.board.heads() != before {
                    events.push(Event::Changed);
                    if self.stored_unknown && self.settle() {
                        events.push(Event::Acked);
                    }
                }
                self.queue_sync();
            }
            Message::Changes(bytes) if bytes.is_empty() => {
                // In step with the server: from now on only new changes.
                self.live = true;
                // The server judged us in step from the heads we last
                // reported. Edits made since then that the sync protocol
                // had not sent yet (it sends one message per turn) would
                // otherwise never leave this device: send them now.
                if let Some(theirs) = self.peer.their_heads().map(<[_]>::to_vec) {
                    let bytes = changes_since(&mut self.board, &theirs);
                    if !bytes.is_empty() {
                        self.outbox.push_back(Message::Changes(bytes).encode());
                    }
                }
            }
            Message::Changes(bytes) => {
                let before = self.board.heads();
                receive_changes_from_server(&mut self.board, &bytes)?;
                if missing_deps(&mut self.board) && self.live {
                    // Something was lost on the way: ask the server to
                    // sync with us again (an empty `Changes`); the sync
                    // protocol finds what is missing.
                    self.live = false;
                    self.peer = PeerSync::with_server();
                    self.outbox.push_back(Message::Changes(Vec::new()).encode());
                }
                if self.board.heads() != before {
                    events.push(Event::Changed);
                    if self.stored_unknown && self.settle() {
                        events.push(Event::Acked);
                    }
                }
            }
            Message::Ack(Ack { heads }) => {
                self.stored_heads = heads.iter().filter_map(|h| h.parse().ok()).collect();
                if self.settle() {
                    events.push(Event::Acked);
                }
            }
            Message::Error(e) => events.push(Event::Refused(e)),
            Message::PeerPresence(p) => events.push(Event::Presence(p)),
            Message::PeerLeft(p) => events.push(Event::PeerLeft(p)),
            Message::Private(p) => {
                self.private = p.clone();
                events.push(Event::Private(p));
            }
            Message::Command(_) => return Err(SessionError::Unexpected("command")),
            Message::Hello(_) => return Err(SessionError::Unexpected("hello")),
            Message::Presence(_) => return Err(SessionError::Unexpected("presence")),
        }
        Ok(events)
    }

    /// Applies a local edit (undoable) and queues it for the server.
    pub fn apply(&mut self, op: &Op, ctx: &Ctx) -> Result<(), BoardError> {
        let before = self.board.heads();
        let hash = self.history.apply(&mut self.board, op, ctx)?;
        self.sent(&before, hash);
        Ok(())
    }

    /// Undoes this person's last edit that can still be undone (never
    /// anyone else's). Returns whether anything changed.
    pub fn undo(&mut self, ctx: &Ctx) -> Result<bool, BoardError> {
        let before = self.board.heads();
        let hash = self.history.undo(&mut self.board, ctx)?;
        Ok(self.sent(&before, hash))
    }

    pub fn redo(&mut self, ctx: &Ctx) -> Result<bool, BoardError> {
        let before = self.board.heads();
        let hash = self.history.redo(&mut self.board, ctx)?;
        Ok(self.sent(&before, hash))
    }

    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    fn sent(&mut self, before: &[ChangeHash], hash: Option<ChangeHash>) -> bool {
        let Some(hash) = hash else { return false };
        self.unacked.push(hash);
        self.queue_new(before);
        true
    }

    /// Merges another replica of this board into ours (an import, or a copy
    /// edited elsewhere) and queues the result for the server.
    pub fn merge(&mut self, other: &mut Board) -> Result<(), BoardError> {
        let before = self.board.heads();
        let added = self.board.doc_mut().merge(other.doc_mut())?;
        self.unacked.extend(added);
        self.queue_new(&before);
        Ok(())
    }

    /// Shares my presence (only while joined: presence is never queued).
    pub fn set_presence(&mut self, presence: &Presence) {
        if let Phase::Joined(_) = self.phase {
            self.outbox
                .push_back(Message::Presence(presence.clone()).encode());
        }
    }

    /// The next frame to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.outbox.pop_front()
    }

    /// How many of our changes the server has not yet confirmed as stored.
    /// Zero means "Saved".
    pub fn unacknowledged(&self) -> usize {
        self.unacked.len()
    }

    /// Our unconfirmed change hashes, to keep with the board in local storage.
    pub fn unacknowledged_hashes(&self) -> &[ChangeHash] {
        &self.unacked
    }

    /// Restores the unconfirmed list kept in local storage (after a reload).
    pub fn restore_unacknowledged(&mut self, hashes: Vec<ChangeHash>) {
        self.unacked = hashes;
    }

    /// Drops every unconfirmed change that the server's stored heads cover.
    /// Heads we do not know yet are left out: what they cover arrives by
    /// sync right after the acknowledgement.
    /// Returns whether anything was settled.
    fn settle(&mut self) -> bool {
        if self.unacked.is_empty() {
            return false;
        }
        // Automerge 0.12 rebuilds a change from its op columns for
        // `get_change_by_hash` and `get_changes` (a scan of the document):
        // ask the change graph only.
        let doc = self.board.doc_mut();
        let missing: std::collections::HashSet<ChangeHash> = doc
            .get_missing_deps(&self.stored_heads)
            .into_iter()
            .collect();
        let known: Vec<ChangeHash> = self
            .stored_heads
            .iter()
            .copied()
            .filter(|h| !missing.contains(h))
            .collect();
        self.stored_unknown = known.len() < self.stored_heads.len();
        if known.is_empty() {
            return false;
        }
        let uncovered: std::collections::HashSet<ChangeHash> = doc
            .get_changes_meta(&known)
            .iter()
            .map(|c| c.hash)
            .collect();
        let before = self.unacked.len();
        self.unacked.retain(|h| uncovered.contains(h));
        self.unacked.len() != before
    }

    /// Queues what changed locally since `before`: as raw changes when
    /// live, else through the sync protocol.
    fn queue_new(&mut self, before: &[ChangeHash]) {
        match self.phase {
            Phase::Joined(_) if self.live => {
                let bytes = changes_since(&mut self.board, before);
                if !bytes.is_empty() {
                    self.outbox.push_back(Message::Changes(bytes).encode());
                }
            }
            _ => self.queue_sync(),
        }
    }

    fn queue_sync(&mut self) {
        if let Phase::Joined(_) = self.phase {
            // One message per turn (see the server's room for why).
            if let Some(frame) = self.peer.generate(&mut self.board) {
                self.outbox.push_back(frame);
            }
        }
    }
}
