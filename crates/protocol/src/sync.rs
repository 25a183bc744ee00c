//! [`PeerSync`]: one side of the Automerge sync protocol with one remote peer,
//! as bytes in and framed messages out. No sockets.
use automerge::sync::{self, SyncDoc};
use samskab_board::Board;
use samskab_board::wire::{self, WireError};
use thiserror::Error;

use crate::message::Message;

/// A sync message that could not be applied.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SyncError {
    #[error("not an Automerge sync message: {0}")]
    Decode(String),
    /// Declares more than the board's limits allow (checked before
    /// Automerge reads it: [`samskab_board::wire`]).
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("the sync message could not be applied: {0}")]
    Apply(String),
    /// The document library panicked on this message. The replica may be
    /// half-changed: throw it away and load it again from storage.
    #[error("the sync message broke the document library: {0}")]
    Poisoned(String),
}

/// The sync state for one remote peer.
#[derive(Debug, Default)]
pub struct PeerSync {
    state: sync::State,
    broken: Option<String>,
    /// The peer is our own server (see [`PeerSync::with_server`]).
    server: bool,
}

impl PeerSync {
    /// Sync with a peer whose messages are checked against the board's
    /// limits before Automerge reads them ([`samskab_board::wire`]): what a
    /// server does with every browser.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sync with our own server, as a browser does: its messages are not
    /// walked by the wire check. The server checked every change it relays,
    /// and the first sync of a long-lived board carries its whole history,
    /// which may declare more than one peer's message ever may.
    pub fn with_server() -> Self {
        PeerSync {
            server: true,
            ..Self::default()
        }
    }

    /// Sync again from scratch with a peer after this side has lost changes
    /// the peer sent it (a server that reverted or reloaded its replica).
    /// Automerge's sync protocol never sends a change twice on one sync
    /// state, even when asked for it: the first message therefore tells
    /// the peer to forget what it has sent (an Automerge sync reset), and
    /// the peer sends again whatever this side lacks.
    pub fn restarted() -> Self {
        let mut sync = Self::new();
        sync.state.needs_reset = true;
        sync
    }

    /// Applies an incoming sync payload (the bytes of a [`Message::Sync`]).
    pub fn receive(&mut self, board: &mut Board, payload: &[u8]) -> Result<(), SyncError> {
        if !self.server {
            wire::check_sync_message(payload, board.limits()).map_err(SyncError::from)?;
        }
        let mut msg =
            sync::Message::decode(payload).map_err(|e| SyncError::Decode(e.to_string()))?;
        let whole = self.server && take_whole_board(board, &mut msg);
        // Automerge 0.12 can panic on well-formed but inconsistent changes
        // (found by fuzzing); a peer must not be able to take a room down.
        let state = &mut self.state;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            board.doc_mut().sync().receive_sync_message(state, msg)
        }));
        match result {
            Ok(Ok(())) => {
                if whole {
                    // Automerge saw our heads arrive already equal to the
                    // sender's and would not answer; the sender must hear
                    // them (the server puts us live on them), as after
                    // applying the changes.
                    self.state.last_sent_heads.clear();
                }
                Ok(())
            }
            Ok(Err(e)) => Err(SyncError::Apply(e.to_string())),
            Err(panic) => {
                self.state = sync::State::new();
                Err(SyncError::Poisoned(panic_message(&panic)))
            }
        }
    }

    /// The next framed [`Message::Sync`] for this peer, if it needs one.
    ///
    /// If the document library panics while writing it (see
    /// [`PeerSync::receive`]), this returns `None`, starts this peer's sync
    /// again and keeps the panic for [`PeerSync::take_broken`]: the caller
    /// must not trust the board any more.
    pub fn generate(&mut self, board: &mut Board) -> Option<Vec<u8>> {
        let state = &mut self.state;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            board.doc_mut().sync().generate_sync_message(state)
        }));
        match result {
            Ok(m) => m.map(|m| Message::Sync(m.encode()).encode()),
            Err(panic) => {
                self.state = sync::State::new();
                self.broken = Some(panic_message(&panic));
                None
            }
        }
    }

    /// Whether [`PeerSync::generate`] hit a panic of the document library
    /// (and what it said) since the last call.
    pub fn take_broken(&mut self) -> Option<String> {
        self.broken.take()
    }

    /// The heads this peer is known to have.
    pub fn their_heads(&self) -> Option<&[automerge::ChangeHash]> {
        self.state.their_heads.as_deref()
    }

    /// Whether the peer has told us it has exactly our heads: nothing is
    /// left to exchange, so the connection can go live (`Message::Changes`).
    pub fn in_step(&self, board: &mut Board) -> bool {
        let Some(theirs) = self.state.their_heads.as_ref() else {
            return false;
        };
        let mut ours = board.heads();
        let mut theirs = theirs.clone();
        ours.sort_unstable();
        theirs.sort_unstable();
        ours == theirs
    }

    /// What the peer still lacks of our board, when that is all there is
    /// between us: its heads (as it last told us) are all in our board, so
    /// it holds nothing we lack, and at most `max` of the changes it lacks
    /// are not already on their way to it (sent by this sync state, the
    /// whole board included). Those changes as raw bytes for a
    /// [`Message::Changes`] (empty: nothing more to send), or `None` when the
    /// peer has not told us its heads, holds changes we lack, or lacks more
    /// than `max` we have not sent.
    ///
    /// In a busy meeting the board moves on while a peer's sync finishes,
    /// so it would seldom report exactly our heads ([`PeerSync::in_step`]);
    /// what it lacks is then the last few changes, and sending them brings
    /// it level.
    pub fn behind_by(&self, board: &mut Board, max: usize) -> Option<Vec<u8>> {
        let theirs = self.state.their_heads.as_ref()?;
        let doc = board.doc_mut();
        let unknown = doc.get_missing_deps(theirs);
        if theirs.iter().any(|h| unknown.contains(h)) {
            return None;
        }
        let unsent: std::collections::HashSet<automerge::ChangeHash> = doc
            .get_changes_meta(theirs)
            .iter()
            .map(|c| c.hash)
            .filter(|h| !self.state.sent_hashes.contains(h))
            .collect();
        if unsent.len() > max {
            return None;
        }
        if unsent.is_empty() {
            return Some(Vec::new());
        }
        Some(
            doc.get_changes(theirs)
                .iter()
                .filter(|c| unsent.contains(&c.hash()))
                .flat_map(|c| c.raw_bytes().to_vec())
                .collect(),
        )
    }
}

/// A new device joining a big board gets it from the server as one saved
/// document (Automerge sends the whole document when the peer lacks more
/// than a third of it). Our replica is not empty (it holds the genesis
/// change), so Automerge would apply the document change by change: 2.5 s
/// for 100,000 changes where loading it as a document takes 0.4 s. When the
/// replica holds nothing else, load the document in its place and let the
/// sync state see a message without changes. Anything unexpected leaves the
/// message to the normal path. Returns whether the board was taken whole.
fn take_whole_board(board: &mut Board, msg: &mut sync::Message) -> bool {
    const DOCUMENT_CHUNK: u8 = 0;
    let loaded = {
        let mut chunks = msg.changes.iter();
        let (Some(doc), None) = (chunks.next(), chunks.next()) else {
            return false;
        };
        // Magic bytes (4), checksum (4), chunk type.
        if doc.get(8) != Some(&DOCUMENT_CHUNK) || !board.is_pristine() {
            return false;
        }
        let actor = board.doc().get_actor().to_bytes().to_vec();
        let Ok(mut loaded) = Board::load_stored(doc, &actor) else {
            return false;
        };
        if !loaded.has_genesis() {
            return false;
        }
        loaded
    };
    let limits = board.limits().clone();
    *board = loaded.with_limits(limits);
    msg.changes = sync::ChunkList::empty();
    true
}

/// Applies the raw changes of a [`Message::Changes`] (any number of
/// concatenated change chunks) from a peer, after checking them against the
/// board's limits ([`samskab_board::wire`]). Changes whose dependencies are
/// missing are kept by Automerge until they arrive; [`missing_deps`] tells.
pub fn receive_changes(board: &mut Board, bytes: &[u8]) -> Result<(), SyncError> {
    if bytes.is_empty() {
        return Ok(());
    }
    wire::check_chunks(bytes, board.limits()).map_err(SyncError::from)?;
    receive_changes_from_server(board, bytes)
}

/// [`receive_changes`] without the wire check, for what our own server
/// relays (see [`PeerSync::with_server`]).
pub fn receive_changes_from_server(board: &mut Board, bytes: &[u8]) -> Result<(), SyncError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        board.doc_mut().load_incremental(bytes)
    }));
    match result {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(SyncError::Apply(e.to_string())),
        Err(panic) => Err(SyncError::Poisoned(panic_message(&panic))),
    }
}

/// Whether the replica holds changes that wait for dependencies it lacks
/// (then only the sync protocol can find them).
pub fn missing_deps(board: &mut Board) -> bool {
    !board.doc_mut().get_missing_deps(&[]).is_empty()
}

/// The raw bytes of every change after `since`, for a [`Message::Changes`].
pub fn changes_since(board: &mut Board, since: &[automerge::ChangeHash]) -> Vec<u8> {
    board
        .doc_mut()
        .get_changes(since)
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect()
}

impl From<WireError> for SyncError {
    fn from(e: WireError) -> Self {
        match e {
            WireError::Malformed(m) | WireError::Unsupported(m) => SyncError::Decode(m),
            WireError::TooLarge(m) => SyncError::TooLarge(m),
        }
    }
}

/// The text of a caught panic.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}
