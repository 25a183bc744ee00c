//! Rooms: one task owns each open board. It holds the document and every
//! connected peer's sync state, takes messages from its inbox, and is the only
//! writer of that board. A change is stored before it is acknowledged or
//! passed on to anyone; idle rooms compact their storage and exit.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use automerge::sync as am_sync;
use samskab_board::facilitation::guarded_writes;
use samskab_board::{Board, Limits, validate_changes, wire};
use samskab_protocol::{
    Ack, ErrorReason, Message, PROTOCOL_VERSION, Participant, PeerPresence, PeerSync, Permission,
    Presence, SyncError, Welcome, changes_since, heads_to_hex, receive_changes,
    receive_changes_from_server,
};
use tokio::sync::{mpsc, oneshot};

use crate::metrics::Metrics;
use crate::storage::{Storage, StorageError};

mod facil;

/// Something for a connection to send to its client.
#[derive(Debug)]
pub enum Outgoing {
    Frame(Vec<u8>),
    /// Send an error message, then close the socket with this reason.
    Close {
        reason: ErrorReason,
        message: String,
    },
}

/// How deep a peer's outgoing queue may get before it counts as stuck.
pub const PEER_QUEUE: usize = 512;
/// Most changes a syncing peer may lack (beyond what its sync has already
/// sent it) and still be put live, with those changes sent as they are: a
/// few seconds of a full meeting's edits. One further behind syncs on.
const CATCH_UP_MAX: usize = 2_000;
const INBOX: usize = 1024;
const MAX_BATCH: usize = 256;

enum RoomMsg {
    Join {
        peer: u64,
        permission: Permission,
        participant: Participant,
        /// The participant id is bound to this device's participant secret.
        verified: bool,
        /// The client can go live (`Hello::live`).
        can_live: bool,
        out: mpsc::Sender<Outgoing>,
        reply: oneshot::Sender<()>,
    },
    Presence {
        peer: u64,
        presence: Presence,
    },
    Sync {
        peer: u64,
        payload: Vec<u8>,
    },
    /// New changes from a live peer (`Message::Changes`).
    Changes {
        peer: u64,
        payload: Vec<u8>,
    },
    Command {
        peer: u64,
        command: samskab_protocol::Command,
    },
    Leave {
        peer: u64,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
    /// A link of this role was replaced: cut off everyone who came through it.
    Revoke {
        role: Permission,
    },
    /// A change made on the server (an import merged in, a restore): run on
    /// the room's board, validated and stored like a peer's change.
    Apply {
        edit: Edit,
        reply: oneshot::Sender<Result<Vec<ChangeHash>, String>>,
    },
}

/// A server-side edit of a board: runs on the room's task, the only writer.
pub type Edit = Box<dyn FnOnce(&mut Board) -> Result<(), String> + Send>;

#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// How long a room with nobody in it stays open.
    pub idle: Duration,
    /// Compact a board's storage after this many appended chunks.
    pub compact_every: usize,
    /// Most connections one board takes at once.
    pub max_connections: usize,
    pub limits: Limits,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            idle: Duration::from_secs(30),
            compact_every: 500,
            max_connections: 200,
            limits: Limits::default(),
        }
    }
}

/// The open rooms.
pub struct Rooms {
    storage: Arc<dyn Storage>,
    metrics: Arc<Metrics>,
    config: RoomConfig,
    open: Mutex<HashMap<String, mpsc::Sender<RoomMsg>>>,
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rooms")
            .field("open", &self.open_count())
            .finish()
    }
}

/// Who joins a room, as the handshake established.
#[derive(Debug, Clone)]
pub struct Joiner {
    pub permission: Permission,
    pub participant: Participant,
    /// The participant id is bound to this device's participant secret.
    pub verified: bool,
    /// The client can go live (`Hello::live`).
    pub can_live: bool,
}

/// A peer's handle on the room it joined.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    peer: u64,
    inbox: mpsc::Sender<RoomMsg>,
}

impl RoomHandle {
    /// Passes a sync payload to the room; `false` if the room is gone.
    pub async fn sync(&self, payload: Vec<u8>) -> bool {
        self.inbox
            .send(RoomMsg::Sync {
                peer: self.peer,
                payload,
            })
            .await
            .is_ok()
    }

    /// Passes a live peer's new changes to the room; `false` if the room is gone.
    pub async fn changes(&self, payload: Vec<u8>) -> bool {
        self.inbox
            .send(RoomMsg::Changes {
                peer: self.peer,
                payload,
            })
            .await
            .is_ok()
    }

    /// Passes my presence to the room (it goes to everyone else there).
    pub async fn presence(&self, presence: Presence) -> bool {
        self.inbox
            .send(RoomMsg::Presence {
                peer: self.peer,
                presence,
            })
            .await
            .is_ok()
    }

    /// Passes a facilitation command to the room.
    pub async fn command(&self, command: samskab_protocol::Command) -> bool {
        self.inbox
            .send(RoomMsg::Command {
                peer: self.peer,
                command,
            })
            .await
            .is_ok()
    }

    pub async fn leave(&self) {
        let _ = self.inbox.send(RoomMsg::Leave { peer: self.peer }).await;
    }
}

impl Rooms {
    pub fn new(storage: Arc<dyn Storage>, config: RoomConfig, metrics: Arc<Metrics>) -> Arc<Rooms> {
        Arc::new(Rooms {
            storage,
            metrics,
            config,
            open: Mutex::new(HashMap::new()),
        })
    }

    pub fn open_count(&self) -> usize {
        self.open.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Joins `peer` to the board's room, opening it if needed. The room sends
    /// the welcome, the stored heads and the first sync message through `out`.
    pub async fn join(
        self: &Arc<Self>,
        board: &str,
        peer: u64,
        who: Joiner,
        out: mpsc::Sender<Outgoing>,
    ) -> Option<RoomHandle> {
        let Joiner {
            permission,
            participant,
            verified,
            can_live,
        } = who;
        // A room that is closing drops our join unanswered: then open anew.
        for _ in 0..8 {
            let inbox = self.inbox_for(board);
            let (reply, joined) = oneshot::channel();
            let msg = RoomMsg::Join {
                peer,
                permission,
                participant: participant.clone(),
                verified,
                can_live,
                out: out.clone(),
                reply,
            };
            if inbox.send(msg).await.is_ok() && joined.await.is_ok() {
                return Some(RoomHandle { peer, inbox });
            }
            tokio::task::yield_now().await;
        }
        None
    }

    fn inbox_for(self: &Arc<Self>, board: &str) -> mpsc::Sender<RoomMsg> {
        let mut open = self.open.lock().expect("rooms lock");
        if let Some(tx) = open.get(board)
            && !tx.is_closed()
        {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(INBOX);
        open.insert(board.to_string(), tx.clone());
        let rooms = self.clone();
        let id = board.to_string();
        let me = tx.downgrade();
        tokio::spawn(async move { run_room(rooms, id, me, rx).await });
        tx
    }

    /// Runs `edit` on the board inside its room (opening it if needed), so
    /// connected clients see the result live and storage keeps one writer.
    /// The result is validated like any incoming change and stored before
    /// this returns its new heads; on any error nothing changes.
    pub async fn apply(
        self: &Arc<Self>,
        board: &str,
        edit: Edit,
    ) -> Result<Vec<ChangeHash>, String> {
        let mut edit = Some(edit);
        for _ in 0..8 {
            let inbox = self.inbox_for(board);
            let (reply, done) = oneshot::channel();
            let Some(e) = edit.take() else { break };
            match inbox.send(RoomMsg::Apply { edit: e, reply }).await {
                Ok(()) => {
                    return done.await.map_err(|_| {
                        "the board closed before the change was stored".to_string()
                    })?;
                }
                // A room that is closing refuses the message: retry on a new one.
                Err(mpsc::error::SendError(RoomMsg::Apply { edit: e, .. })) => edit = Some(e),
                Err(_) => break,
            }
            tokio::task::yield_now().await;
        }
        Err("the board cannot be opened right now".into())
    }

    /// Disconnects everyone on `board` who joined with `role`.
    pub async fn revoke(&self, board: &str, role: Permission) {
        let inbox = self.open.lock().ok().and_then(|m| m.get(board).cloned());
        if let Some(inbox) = inbox {
            let _ = inbox.send(RoomMsg::Revoke { role }).await;
        }
    }

    /// Stops every room after its pending writes, closing their peers.
    pub async fn shutdown(&self) {
        let inboxes: Vec<_> = self
            .open
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        for inbox in inboxes {
            let (reply, done) = oneshot::channel();
            if inbox.send(RoomMsg::Shutdown { reply }).await.is_ok() {
                let _ = done.await;
            }
        }
    }

    /// Forgets the room for `board` if `me` is still the one registered and
    /// nothing waits in its inbox. Returns whether the room may stop.
    fn forget(
        &self,
        board: &str,
        me: &mpsc::WeakSender<RoomMsg>,
        inbox: &mpsc::Receiver<RoomMsg>,
    ) -> bool {
        let mut open = self.open.lock().expect("rooms lock");
        if !inbox.is_empty() {
            return false;
        }
        let registered = match (open.get(board), me.upgrade()) {
            (Some(tx), Some(mine)) => tx.same_channel(&mine),
            _ => false,
        };
        if registered {
            open.remove(board);
        }
        true
    }
}

struct Peer {
    sync: PeerSync,
    out: mpsc::Sender<Outgoing>,
    permission: Permission,
    participant: Participant,
    /// `participant.id` is bound to this device (see `Hello::participant_key`).
    verified: bool,
    presence: Presence,
    /// The client said it can go live (`Hello::live`).
    can_live: bool,
    /// Live: the peer has had everything; new changes go to it as
    /// `Message::Changes`, not through its sync state.
    live: bool,
}

/// What a peer sent that may change the board.
#[derive(Clone, Copy)]
enum Incoming<'a> {
    Sync(&'a [u8]),
    Changes(&'a [u8]),
}

struct Room {
    id: String,
    board: Board,
    storage: Arc<dyn Storage>,
    config: RoomConfig,
    peers: HashMap<u64, Peer>,
    /// Heads of what storage has committed.
    stored: Vec<ChangeHash>,
    last_seq: i64,
    chunks_since_compact: usize,
    /// Bytes the board takes in storage (for the document size limit).
    stored_bytes: usize,
    /// Bytes of changes received in this batch, not yet stored.
    pending_bytes: usize,
    /// When the oldest unacknowledged change of this batch arrived.
    batch_started: Option<Instant>,
    /// The document library panicked: the in-memory board is not trusted.
    poisoned: bool,
    /// Peers sent back to the sync protocol in this batch (they need a sync
    /// message even though they did not send one).
    resync: Vec<u64>,
    metrics: Arc<Metrics>,
    /// Participants' hidden content (private notes, open votes).
    private: facil::PrivateStore,
}

async fn load_board(storage: &dyn Storage, id: &str) -> Result<(Board, i64, usize, usize), String> {
    let chunks = storage.load(id).await.map_err(|e| e.to_string())?;
    if chunks.is_empty() {
        return Err(StorageError::NoSuchBoard(id.to_string()).to_string());
    }
    let last_seq = chunks.last().map(|c| c.seq).unwrap_or(0);
    let count = chunks.len();
    let size: usize = chunks.iter().map(|c| c.bytes.len()).sum();
    let bytes: Vec<u8> = chunks.into_iter().flat_map(|c| c.bytes).collect();
    let board = tokio::task::spawn_blocking(move || {
        Board::load_stored(&bytes, &rand::random::<[u8; 16]>())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Ok((board, last_seq, count, size))
}

async fn run_room(
    rooms: Arc<Rooms>,
    id: String,
    me: mpsc::WeakSender<RoomMsg>,
    mut inbox: mpsc::Receiver<RoomMsg>,
) {
    let (board, last_seq, count, size) = match load_board(rooms.storage.as_ref(), &id).await {
        Ok(loaded) => loaded,
        Err(e) => {
            tracing::error!(board = %id, error = %e, "cannot open board");
            rooms.forget(&id, &me, &inbox);
            inbox.close();
            while let Some(msg) = inbox.recv().await {
                if let RoomMsg::Join { out, reply, .. } = msg {
                    let _ = out.try_send(Outgoing::Close {
                        reason: ErrorReason::Internal,
                        message: "this board cannot be opened right now".into(),
                    });
                    let _ = reply.send(());
                }
            }
            return;
        }
    };
    let mut room = Room {
        id: id.clone(),
        board: board.with_limits(rooms.config.limits.clone()),
        storage: rooms.storage.clone(),
        config: rooms.config.clone(),
        peers: HashMap::new(),
        stored: Vec::new(),
        last_seq,
        chunks_since_compact: count.saturating_sub(1),
        stored_bytes: size,
        pending_bytes: 0,
        batch_started: None,
        poisoned: false,
        resync: Vec::new(),
        metrics: rooms.metrics.clone(),
        private: facil::PrivateStore::load(rooms.storage.as_ref(), &id).await,
    };
    room.stored = room.board.heads();
    tracing::debug!(board = %id, "room open");

    loop {
        let first = if room.peers.is_empty() {
            match tokio::time::timeout(room.config.idle, inbox.recv()).await {
                Ok(msg) => msg,
                Err(_) => {
                    room.compact().await;
                    if rooms.forget(&id, &me, &inbox) {
                        break;
                    }
                    continue;
                }
            }
        } else {
            inbox.recv().await
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        // A busy room gathers what arrives in the next few milliseconds
        // into the same batch: every peer then applies one message with
        // several edits instead of several messages (applying a message
        // costs Automerge about the same whatever it holds).
        let window = coalescing_window(room.peers.len());
        let until = tokio::time::Instant::now() + window;
        while batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) if window.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(until, inbox.recv()).await {
                    Ok(Some(m)) => batch.push(m),
                    Ok(None) | Err(_) => break,
                },
            }
        }
        if room.handle_batch(batch).await {
            break;
        }
    }
    // Joins that raced with closing are dropped unanswered; they retry.
    inbox.close();
    while inbox.recv().await.is_some() {}
    tracing::debug!(board = %id, "room closed");
}

impl Room {
    /// Returns true when the room must stop.
    async fn handle_batch(&mut self, batch: Vec<RoomMsg>) -> bool {
        let mut changed = false;
        // What the live peers already have.
        let start = self.board.heads();
        // Peers whose sync state may want an answer even if the board did
        // not change (they sent a sync message, or just joined).
        let mut spoke: Vec<u64> = Vec::new();
        let mut stop = None;
        for step in group_live_changes(batch) {
            let msg = match step {
                Step::One(msg) => msg,
                Step::Group(run) => {
                    changed |= heavy(|| self.receive_group(run));
                    continue;
                }
            };
            match msg {
                RoomMsg::Join {
                    peer,
                    permission,
                    participant,
                    verified,
                    can_live,
                    out,
                    reply,
                } => {
                    if self.peers.len() >= self.config.max_connections {
                        Metrics::inc(&self.metrics.refused);
                        let _ = out.try_send(Outgoing::Close {
                            reason: ErrorReason::BoardFull,
                            message: format!(
                                "this board already has {} connections, the most this server allows",
                                self.config.max_connections
                            ),
                        });
                        let _ = reply.send(());
                        continue;
                    }
                    let welcome = Message::Welcome(Welcome {
                        protocol: PROTOCOL_VERSION,
                        board: self.id.clone(),
                        permission,
                        server_time_ms: Some(facil::now_ms()),
                    });
                    let ack = ack_frame(&self.stored);
                    if out.try_send(Outgoing::Frame(welcome.encode())).is_ok()
                        && out.try_send(Outgoing::Frame(ack)).is_ok()
                    {
                        // Who is here already, then tell them about the newcomer.
                        for (id, p) in &self.peers {
                            let _ = out.try_send(Outgoing::Frame(presence_frame(*id, p)));
                        }
                        let newcomer = Peer {
                            sync: PeerSync::new(),
                            out,
                            permission,
                            participant,
                            verified,
                            presence: Presence::default(),
                            can_live,
                            live: false,
                        };
                        let frame = presence_frame(peer, &newcomer);
                        self.peers.insert(peer, newcomer);
                        spoke.push(peer);
                        self.broadcast_except(peer, frame);
                        self.send_private_to(peer);
                    }
                    let _ = reply.send(());
                }
                RoomMsg::Leave { peer } => {
                    if self.peers.remove(&peer).is_some() {
                        self.broadcast_except(peer, Message::PeerLeft(peer).encode());
                    }
                }
                RoomMsg::Presence { peer, presence } => {
                    if let Some(p) = self.peers.get_mut(&peer) {
                        p.presence = presence;
                        let frame = presence_frame(peer, p);
                        self.broadcast_except(peer, frame);
                    }
                }
                RoomMsg::Sync { peer, payload } => {
                    // A live peer's sync messages were on their way before
                    // it heard it is live: apply them, answer nothing.
                    if self.peers.get(&peer).is_some_and(|p| !p.live) {
                        spoke.push(peer);
                    }
                    changed |= heavy(|| self.receive(peer, Incoming::Sync(&payload)));
                }
                RoomMsg::Changes { peer, payload } if payload.is_empty() => {
                    // The peer missed something: back to the sync
                    // protocol, from scratch.
                    if let Some(p) = self.peers.get_mut(&peer) {
                        tracing::debug!(board = %self.id, peer, "the peer asks to sync again");
                        Metrics::inc(&self.metrics.resyncs);
                        p.live = false;
                        p.sync = PeerSync::new();
                        spoke.push(peer);
                    }
                }
                RoomMsg::Changes { peer, payload } => {
                    changed |= heavy(|| self.receive(peer, Incoming::Changes(&payload)));
                }
                RoomMsg::Command { peer, command } => {
                    changed |= self.command(peer, command).await;
                }
                RoomMsg::Shutdown { reply } => stop = Some(reply),
                RoomMsg::Apply { edit, reply } => {
                    let result = self.apply_edit(edit).await;
                    // Everyone connected gets the new changes.
                    changed |= result.is_ok();
                    let _ = reply.send(result);
                }
                RoomMsg::Revoke { role } => {
                    let cut: Vec<u64> = self
                        .peers
                        .iter()
                        .filter(|(_, p)| p.permission == role)
                        .map(|(id, _)| *id)
                        .collect();
                    for peer in cut {
                        self.drop_peer(peer, ErrorReason::Forbidden, crate::ws::REVOKED);
                    }
                }
            }
        }
        // A reload restarts every peer's sync.
        let everyone = changed || self.poisoned;
        let reloaded = self.poisoned;
        if self.poisoned {
            // Throw the in-memory board away and start again from storage;
            // unstored changes of others are still on their devices and come
            // back through a fresh sync.
            self.reload().await;
        }
        spoke.append(&mut self.resync);
        spoke.sort_unstable();
        spoke.dedup();
        // Live peers get this batch's new changes as they are, once
        // (`Message::Changes`); the others through their sync state.
        if changed && !reloaded && self.peers.values().any(|p| p.live) {
            let bytes = heavy(|| changes_since(&mut self.board, &start));
            if !bytes.is_empty() {
                let frame = Message::Changes(bytes).encode();
                let live: Vec<u64> = self
                    .peers
                    .iter()
                    .filter(|(_, p)| p.live)
                    .map(|(id, _)| *id)
                    .collect();
                for p in live {
                    self.send(p, frame.clone());
                }
            }
        }
        // The others get the new changes first, then storage commits them and
        // everyone gets the acknowledgement: seeing a colleague's note does
        // not wait for the disk, and "Saved" still means committed. Should
        // the server die in between, the author's device still holds the
        // change unacknowledged and sends it again.
        if everyone {
            heavy(|| self.send_sync(None));
        } else if !spoke.is_empty() {
            heavy(|| self.send_sync(Some(&spoke)));
        }
        if self.poisoned {
            // Writing a sync message broke the board: start again from
            // storage (once); what was not stored yet comes back from the
            // devices that made it, as above.
            self.reload().await;
            heavy(|| self.send_sync(None));
        } else if changed && !reloaded {
            self.persist().await;
        }
        if self.chunks_since_compact >= self.config.compact_every {
            self.compact().await;
        }
        if let Some(reply) = stop {
            for peer in self.peers.values() {
                let _ = peer.out.try_send(Outgoing::Close {
                    reason: ErrorReason::ShuttingDown,
                    message: "the server is restarting; your changes are kept".into(),
                });
            }
            self.peers.clear();
            self.compact().await;
            let _ = reply.send(());
            return true;
        }
        false
    }

    /// Applies one peer's sync message or live changes; returns whether the
    /// document changed.
    fn receive(&mut self, peer_id: u64, incoming: Incoming<'_>) -> bool {
        let Some(peer) = self.peers.get_mut(&peer_id) else {
            return false;
        };
        if !peer.permission.can_edit() {
            let has_changes = match incoming {
                Incoming::Sync(payload) => am_sync::Message::decode(payload)
                    .map(|m| !m.changes.is_empty())
                    .unwrap_or(true),
                Incoming::Changes(bytes) => !bytes.is_empty(),
            };
            if has_changes {
                self.drop_peer(
                    peer_id,
                    ErrorReason::Forbidden,
                    "this link can only view the board",
                );
                return false;
            }
        }
        // Record what arrives, so validation costs as much as the change.
        let before = self.board.mark();
        // What already waits for dependencies (only live changes are judged
        // by what they add to it).
        let waiting = match incoming {
            Incoming::Changes(_) => waiting_for(&mut self.board),
            Incoming::Sync(_) => Vec::new(),
        };
        let rights = facil::Rights::of(&self.board, peer);
        let applied = match incoming {
            Incoming::Sync(payload) => peer.sync.receive(&mut self.board, payload),
            Incoming::Changes(bytes) => receive_changes(&mut self.board, bytes),
        };
        if let Err(e) = applied {
            if let SyncError::Poisoned(why) = &e {
                tracing::error!(board = %self.id, peer = peer_id, panic = %why, "a sync message broke the document; reloading the board");
                self.poisoned = true;
            }
            let (reason, text) = match &e {
                SyncError::TooLarge(why) => (ErrorReason::TooLarge, format!("refused: {why}")),
                _ => (
                    ErrorReason::Malformed,
                    "this message could not be read".to_string(),
                ),
            };
            tracing::warn!(board = %self.id, peer = peer_id, error = %e, "refused a peer's message");
            self.drop_peer(peer_id, reason, &text);
            return false;
        }
        if matches!(incoming, Incoming::Changes(_))
            && newly_waiting(&waiting, &waiting_for(&mut self.board))
        {
            // Live changes whose dependencies we lack: forget them and let
            // the sync protocol find what is missing (the peer still holds
            // them all and sends them again through it). Changes that were
            // already waiting (a syncing peer's) are not this peer's doing.
            tracing::debug!(board = %self.id, peer = peer_id, "live changes with missing dependencies; syncing again");
            self.revert(&before, !waiting.is_empty());
            self.restart_sync(peer_id);
            return false;
        }
        if self.board.heads() == before {
            return false;
        }
        let added = bytes_since(&mut self.board, &before);
        let max = self.config.limits.max_doc_bytes;
        if self.stored_bytes + self.pending_bytes + added > max {
            self.revert_to(&before);
            self.drop_peer(
                peer_id,
                ErrorReason::TooLarge,
                &format!(
                    "the board has reached its size limit ({} MB)",
                    max / 1_000_000
                ),
            );
            return false;
        }
        if let Err(e) = validate_changes(&mut self.board, &before, &self.config.limits) {
            tracing::warn!(board = %self.id, error = %e, "refused an invalid change");
            self.revert_to(&before);
            self.drop_peer(
                peer_id,
                ErrorReason::InvalidChange,
                &format!("change refused: {e}"),
            );
            return false;
        }
        if let Err((reason, e)) = facil::gate(&mut self.board, &before, &rights) {
            tracing::warn!(board = %self.id, peer = peer_id, error = %e, "refused a change to guarded state");
            self.revert_to(&before);
            self.drop_peer(peer_id, reason, &format!("change refused: {e}"));
            return false;
        }
        self.pending_bytes += added;
        self.batch_started.get_or_insert_with(Instant::now);
        true
    }

    /// Applies the live changes of several peers at once: Automerge's cost
    /// of applying changes (and the server's of validating them) grows with
    /// the board, not with the number applied together, so a busy meeting
    /// costs one apply per batch instead of one per message. Whenever the
    /// group needs a decision about one peer (a link that cannot edit, data
    /// the wire check refuses, missing dependencies, the size limit, an
    /// invalid change, a write to guarded state), it is undone and each
    /// message goes through [`Room::receive`] on its own, exactly as if it
    /// had come alone. Returns whether the document changed.
    fn receive_group(&mut self, run: Vec<(u64, Vec<u8>)>) -> bool {
        let tried = self.try_group(&run);
        let counter = match tried {
            Grouped::OneByOne => &self.metrics.groups_split,
            _ => &self.metrics.groups_applied,
        };
        Metrics::inc(counter);
        match tried {
            Grouped::Applied => return true,
            Grouped::Unchanged => return false,
            // The document library panicked: the board is reloaded from
            // storage and every peer syncs again, so the changes come back
            // one peer at a time through the sync protocol, which finds the
            // culprit.
            Grouped::Poisoned => return false,
            Grouped::OneByOne => {}
        }
        let mut changed = false;
        for (peer, payload) in run {
            changed |= self.receive(peer, Incoming::Changes(&payload));
        }
        changed
    }

    /// The fast path of [`Room::receive_group`]; on `OneByOne` nothing of
    /// the group is left applied.
    fn try_group(&mut self, run: &[(u64, Vec<u8>)]) -> Grouped {
        let limits = self.board.limits().clone();
        let plain = run.iter().all(|(peer, payload)| {
            self.peers
                .get(peer)
                .is_some_and(|p| p.permission.can_edit())
                && wire::check_chunks(payload, &limits).is_ok()
        });
        if !plain {
            return Grouped::OneByOne;
        }
        let before = self.board.mark();
        let waiting = waiting_for(&mut self.board);
        let all: Vec<u8> = run.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        match receive_changes_from_server(&mut self.board, &all) {
            Ok(()) => {}
            Err(SyncError::Poisoned(why)) => {
                tracing::error!(board = %self.id, panic = %why, "live changes broke the document; reloading the board");
                self.poisoned = true;
                return Grouped::Poisoned;
            }
            Err(_) => {
                if self.board.heads() != before {
                    self.revert_to(&before);
                }
                return Grouped::OneByOne;
            }
        }
        // Before "nothing changed": changes that all lack their
        // dependencies change nothing yet, and their senders must be told.
        if newly_waiting(&waiting, &waiting_for(&mut self.board)) {
            tracing::debug!(board = %self.id, "live changes taken apart: missing dependencies");
            self.revert(&before, !waiting.is_empty());
            return Grouped::OneByOne;
        }
        if self.board.heads() == before {
            return Grouped::Unchanged;
        }
        let added = bytes_since(&mut self.board, &before);
        let why =
            if self.stored_bytes + self.pending_bytes + added > self.config.limits.max_doc_bytes {
                Some("size limit".into())
            } else if let Err(e) = validate_changes(&mut self.board, &before, &self.config.limits) {
                Some(format!("invalid: {e}"))
            } else if guarded_writes(&mut self.board, &before).any() {
                Some("guarded state".into())
            } else {
                None
            };
        if let Some(why) = why {
            tracing::debug!(board = %self.id, why, "live changes taken apart");
            self.revert_to(&before);
            return Grouped::OneByOne;
        }
        self.pending_bytes += added;
        self.batch_started.get_or_insert_with(Instant::now);
        Grouped::Applied
    }

    /// Runs a server-side edit, validates and stores it (with whatever else
    /// this batch has changed so far).
    async fn apply_edit(&mut self, edit: Edit) -> Result<Vec<ChangeHash>, String> {
        if self.poisoned {
            return Err("the board is being reloaded; try again".into());
        }
        let before = self.board.mark();
        let limits = self.config.limits.clone();
        let outcome = heavy(|| {
            let board = &mut self.board;
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| edit(board)))
                .unwrap_or_else(|_| Err("the document could not take this change".into()));
            ran?;
            let added = bytes_since(board, &before);
            if added > 0 && self.stored_bytes + self.pending_bytes + added > limits.max_doc_bytes {
                return Err(format!(
                    "the board would pass its size limit ({} MB)",
                    limits.max_doc_bytes / 1_000_000
                ));
            }
            validate_changes(board, &before, &limits).map_err(|e| format!("change refused: {e}"))
        });
        if let Err(e) = outcome {
            self.revert_to(&before);
            return Err(e);
        }
        if self.board.heads() != before {
            self.batch_started.get_or_insert_with(Instant::now);
            self.persist().await;
            if self.board.heads() != self.stored {
                return Err("the server could not save".into());
            }
        }
        Ok(self.board.heads())
    }

    /// Replaces the in-memory board with what storage holds and restarts
    /// every peer's sync from scratch.
    async fn reload(&mut self) {
        match load_board(self.storage.as_ref(), &self.id).await {
            Ok((board, last_seq, count, size)) => {
                self.board = board.with_limits(self.config.limits.clone());
                self.stored = self.board.heads();
                self.last_seq = last_seq;
                self.chunks_since_compact = count.saturating_sub(1);
                self.stored_bytes = size;
                self.pending_bytes = 0;
                self.batch_started = None;
                self.poisoned = false;
                // Unstored changes are gone from the server, and a syncing
                // peer would never send them again on its old sync state.
                for p in self.peers.values_mut() {
                    p.sync = PeerSync::restarted();
                    p.live = false;
                }
            }
            Err(e) => {
                tracing::error!(board = %self.id, error = %e, "reload failed; closing the board");
                let peers: Vec<u64> = self.peers.keys().copied().collect();
                for p in peers {
                    self.drop_peer(
                        p,
                        ErrorReason::Internal,
                        "the board is being reopened; reconnecting",
                    );
                }
            }
        }
    }

    /// Forgets every change after `heads` (none of them was stored).
    ///
    /// The fork also forgets the changes waiting in Automerge's queue for
    /// their dependencies. A syncing peer may have sent them (the sync
    /// protocol sends a change before its dependencies when a Bloom filter
    /// says, wrongly, that we have them, and asks again later), and it
    /// never sends a change twice on one sync state: every syncing peer
    /// then starts its sync again, told to forget what it has sent.
    fn revert_to(&mut self, heads: &[ChangeHash]) {
        let dropping_waiting = !waiting_for(&mut self.board).is_empty();
        self.revert(heads, dropping_waiting);
    }

    /// [`Room::revert_to`], for a caller that knows whether changes other
    /// than those it is forgetting were waiting in the queue.
    fn revert(&mut self, heads: &[ChangeHash], dropping_waiting: bool) {
        let actor = self.board.doc().get_actor().clone();
        match self.board.doc_mut().fork_at(heads) {
            Ok(doc) => match Board::from_doc(doc.with_actor(actor)) {
                Ok(b) => self.board = b.with_limits(self.config.limits.clone()),
                Err(e) => tracing::error!(board = %self.id, error = %e, "revert failed"),
            },
            Err(e) => tracing::error!(board = %self.id, error = %e, "revert failed"),
        }
        if dropping_waiting {
            let syncing: Vec<u64> = self
                .peers
                .iter()
                .filter(|(_, p)| !p.live)
                .map(|(id, _)| *id)
                .collect();
            for id in syncing {
                self.restart_sync(id);
            }
        }
    }

    /// Starts `peer`'s sync again from scratch, told to forget what it has
    /// sent ([`PeerSync::restarted`]); a live peer leaves live.
    fn restart_sync(&mut self, peer_id: u64) {
        if let Some(peer) = self.peers.get_mut(&peer_id) {
            Metrics::inc(&self.metrics.resyncs);
            peer.live = false;
            peer.sync = PeerSync::restarted();
            self.resync.push(peer_id);
        }
    }

    fn drop_peer(&mut self, peer: u64, reason: ErrorReason, message: &str) {
        if let Some(p) = self.peers.remove(&peer) {
            if reason != ErrorReason::ShuttingDown {
                Metrics::inc(&self.metrics.refused);
            }
            let _ = p.out.try_send(Outgoing::Close {
                reason,
                message: message.to_string(),
            });
            self.broadcast_except(peer, Message::PeerLeft(peer).encode());
        }
    }

    /// Sends `frame` to every peer but `except`.
    fn broadcast_except(&mut self, except: u64, frame: Vec<u8>) {
        let others: Vec<u64> = self
            .peers
            .keys()
            .copied()
            .filter(|p| *p != except)
            .collect();
        for p in others {
            self.send(p, frame.clone());
        }
    }

    /// Stores every change not yet stored, then acknowledges to all peers.
    async fn persist(&mut self) {
        let changes = self.board.doc_mut().get_changes(&self.stored);
        if changes.is_empty() {
            return;
        }
        let bytes: Vec<u8> = changes
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        let len = bytes.len();
        let result = self.storage.append(&self.id, bytes).await;
        self.pending_bytes = 0;
        let started = self.batch_started.take();
        match result {
            Ok(seq) => {
                if let Some(t) = started {
                    self.metrics.observe_ack(t.elapsed());
                }
                Metrics::inc(&self.metrics.changes_stored);
                self.stored_bytes += len;
                self.last_seq = seq;
                self.chunks_since_compact += 1;
                self.stored = self.board.heads();
                let ack = ack_frame(&self.stored);
                let peers: Vec<u64> = self.peers.keys().copied().collect();
                for p in peers {
                    self.send(p, ack.clone());
                }
            }
            Err(e) => {
                // Forget what could not be stored and make everyone
                // reconnect: the author still holds the change (it was never
                // acknowledged) and so may peers that received it; they all
                // send it again on reconnect, when storage may work again.
                tracing::error!(board = %self.id, error = %e, "storage append failed");
                Metrics::inc(&self.metrics.storage_errors);
                let stored = self.stored.clone();
                self.revert_to(&stored);
                let peers: Vec<u64> = self.peers.keys().copied().collect();
                for p in peers {
                    self.drop_peer(
                        p,
                        ErrorReason::Internal,
                        "the server could not save; reconnecting",
                    );
                }
            }
        }
    }

    /// Sends every peer in `only` (everyone with `None`) what its sync state
    /// says it lacks.
    fn send_sync(&mut self, only: Option<&[u64]>) {
        let ids: Vec<u64> = match only {
            Some(ids) => ids.to_vec(),
            None => self.peers.keys().copied().collect(),
        };
        for id in ids {
            let Some(peer) = self.peers.get_mut(&id) else {
                continue;
            };
            if peer.live {
                continue;
            }
            // One message per turn, as the sync protocol intends: a crafted
            // message can leave the state so that every call answers again
            // (regressions/slow), and a loop here would never end.
            let mut frames: Vec<Vec<u8>> =
                peer.sync.generate(&mut self.board).into_iter().collect();
            if let Some(why) = peer.sync.take_broken() {
                tracing::error!(board = %self.id, peer = id, panic = %why, "writing a sync message broke the document; reloading the board");
                self.poisoned = true;
            }
            // The peer has told us it has our heads, or all but a few of
            // our changes and nothing we lack: whatever these frames say,
            // after them and those few changes it lacks nothing. Put it
            // live (an empty `Changes` says so). Waiting for it to report
            // exactly our heads would, in a busy meeting, keep it syncing
            // for good: the board moves on every few milliseconds.
            let behind = if peer.can_live && !self.poisoned {
                peer.sync.behind_by(&mut self.board, CATCH_UP_MAX)
            } else {
                None
            };
            if let Some(lacking) = behind {
                tracing::debug!(board = %self.id, peer = id, catch_up = lacking.len(), "in step: live");
                peer.live = true;
                if !lacking.is_empty() {
                    frames.push(Message::Changes(lacking).encode());
                }
                frames.push(Message::Changes(Vec::new()).encode());
            }
            for f in frames {
                self.send(id, f);
            }
        }
    }

    fn send(&mut self, peer: u64, frame: Vec<u8>) {
        let stuck = match self.peers.get(&peer) {
            Some(p) => p.out.try_send(Outgoing::Frame(frame)).is_err(),
            None => false,
        };
        if stuck {
            tracing::warn!(board = %self.id, peer, "peer too slow or gone; disconnecting");
            self.peers.remove(&peer);
        }
    }

    /// Replaces the stored chunks with one snapshot.
    async fn compact(&mut self) {
        if self.chunks_since_compact == 0 {
            return;
        }
        let started = Instant::now();
        let snapshot = heavy(|| self.board.save());
        let size = snapshot.len();
        let saved = started.elapsed();
        let title = self.board.title();
        match self
            .storage
            .compact(&self.id, snapshot, self.last_seq, title)
            .await
        {
            Ok(()) => {
                tracing::debug!(board = %self.id, bytes = size, save_ms = saved.as_millis() as u64,
                    total_ms = started.elapsed().as_millis() as u64, "compacted");
                self.chunks_since_compact = 0;
                self.stored_bytes = size;
            }
            Err(e) => {
                Metrics::inc(&self.metrics.storage_errors);
                tracing::error!(board = %self.id, error = %e, "compaction failed");
            }
        }
    }
}

/// The dependencies that changes waiting in Automerge's queue lack (almost
/// always none: a change waits only when it arrives before what it builds on).
fn waiting_for(board: &mut Board) -> Vec<ChangeHash> {
    board.doc_mut().get_missing_deps(&[])
}

/// Whether changes just received wait for something that nothing waited
/// for before: they, not changes already waiting, lack their dependencies.
fn newly_waiting(before: &[ChangeHash], after: &[ChangeHash]) -> bool {
    after.iter().any(|h| !before.contains(h))
}

/// The bytes of the changes made since `before` (what storing them adds).
fn bytes_since(board: &mut Board, before: &[ChangeHash]) -> usize {
    board
        .doc_mut()
        .get_changes(before)
        .iter()
        .map(|c| c.raw_bytes().len())
        .sum()
}

/// What became of a group of live changes tried together.
enum Grouped {
    Applied,
    /// Nothing new in it.
    Unchanged,
    /// Undone: each message must go on its own.
    OneByOne,
    /// The document library panicked; the board must be reloaded.
    Poisoned,
}

/// One step of a batch: a message, or a run of consecutive live changes
/// from peers, applied together ([`Room::receive_group`]).
enum Step {
    One(RoomMsg),
    Group(Vec<(u64, Vec<u8>)>),
}

/// Splits a batch into steps, keeping its order: runs of two or more
/// consecutive `Changes` messages with changes in them become one group.
fn group_live_changes(batch: Vec<RoomMsg>) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut run: Vec<(u64, Vec<u8>)> = Vec::new();
    let close = |run: &mut Vec<(u64, Vec<u8>)>, steps: &mut Vec<Step>| match run.len() {
        0 => {}
        1 => {
            let (peer, payload) = run.pop().expect("one");
            steps.push(Step::One(RoomMsg::Changes { peer, payload }));
        }
        _ => steps.push(Step::Group(std::mem::take(run))),
    };
    for msg in batch {
        match msg {
            RoomMsg::Changes { peer, payload } if !payload.is_empty() => run.push((peer, payload)),
            other => {
                close(&mut run, &mut steps);
                steps.push(Step::One(other));
            }
        }
    }
    close(&mut run, &mut steps);
    steps
}

/// How long a room with `peers` connections gathers messages into one
/// batch: nothing for a small meeting (every edit goes out at once), up to
/// 10 ms for a full room.
fn coalescing_window(peers: usize) -> Duration {
    const FROM: usize = 10;
    if peers < FROM {
        Duration::ZERO
    } else {
        Duration::from_micros((200 * peers as u64).min(10_000))
    }
}

/// Runs CPU-heavy Automerge work (merging, validating, saving) so that it
/// does not stall the other rooms' tasks on this worker thread.
fn heavy<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

fn presence_frame(peer: u64, p: &Peer) -> Vec<u8> {
    Message::PeerPresence(PeerPresence {
        peer,
        participant: p.participant.clone(),
        presence: p.presence.clone(),
    })
    .encode()
}

fn ack_frame(heads: &[ChangeHash]) -> Vec<u8> {
    Message::Ack(Ack {
        heads: heads_to_hex(heads),
    })
    .encode()
}
