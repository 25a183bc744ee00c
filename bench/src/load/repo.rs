//! A client of an automerge-repo sync server (the JS `Repo` with
//! `NodeWSServerAdapter`, the published `@automerge/automerge-repo-sync-server`,
//! samod): the automerge-repo network protocol (CBOR messages `join`, `peer`,
//! `request`, `sync`, `doc-unavailable`; protocol version "1") over a
//! websocket, with the Automerge sync protocol of the `automerge` crate (the
//! same crate and version as Samskab's client) inside.
//!
//! The board is a document `{ notes: { <id>: { x, y, color, text: Text } } }`;
//! the edits of the mix map onto it one change each, like Samskab's ops.
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ObjId, ObjType, ROOT, ReadDoc};
use ciborium::Value;
use futures_util::{SinkExt, StreamExt};
use samskab_board::Op;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::conn::color_name;

use crate::wire::{self, Ws};

/// A new automerge-repo document id: a random (version 4) UUID,
/// base58check-encoded. (automerge-repo 1.x refuses bytes that are not a
/// valid UUID.)
pub fn new_document_id() -> String {
    let mut uuid = rand::random::<[u8; 16]>();
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    bs58::encode(uuid).with_check().into_string()
}

/// Whether an automerge-repo server at `base` answers `join` with `peer`
/// (a Node.js server listens a moment before its `Repo` handles sockets).
pub async fn probe(base: &str) -> bool {
    let mut c = RepoClient::offline("probe");
    tokio::time::timeout(Duration::from_secs(3), c.connect(base))
        .await
        .map(|r| r.is_ok())
        .unwrap_or(false)
}

/// Opens a websocket with `TCP_NODELAY`, as browsers do.
pub async fn open_ws(url: &str) -> anyhow::Result<Ws> {
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
    Ok(ws)
}

pub struct RepoClient {
    pub doc: Automerge,
    sync: sync::State,
    ws: Option<Ws>,
    peer_id: String,
    server: Option<String>,
    doc_id: String,
    /// The `notes` map, once the document has it.
    notes: Option<ObjId>,
    /// Frames to send.
    outbox: Vec<Vec<u8>>,
    /// Whether the server knows we are interested in the document.
    asked: bool,
    version: u64,
    closed: Option<String>,
}

fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

fn get<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
        .map(|(_, v)| v)
}

fn get_str<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a str> {
    match get(map, key)? {
        Value::Text(t) => Some(t),
        _ => None,
    }
}

impl RepoClient {
    fn offline(doc_id: &str) -> RepoClient {
        RepoClient {
            doc: Automerge::new(),
            sync: sync::State::new(),
            ws: None,
            peer_id: format!("bench-{:016x}", rand::random::<u64>()),
            server: None,
            doc_id: doc_id.to_string(),
            notes: None,
            outbox: Vec::new(),
            asked: false,
            version: 0,
            closed: None,
        }
    }

    /// Creates the board `doc_id` on the server at `base`: an empty notes
    /// map, pushed until the server has it.
    pub async fn create(base: &str, doc_id: &str) -> anyhow::Result<()> {
        let mut c = RepoClient::offline(doc_id);
        c.doc
            .transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put_object(ROOT, "notes", ObjType::Map)?;
                Ok(())
            })
            .map_err(|f| anyhow::anyhow!("{:?}", f.error))?;
        c.upload(base).await
    }

    /// Pushes a whole document (`bytes`, an Automerge save) to the server as
    /// `doc_id`, and waits until the server has all of it.
    pub async fn upload_saved(base: &str, doc_id: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut c = RepoClient::offline(doc_id);
        c.doc = Automerge::load(bytes)?;
        c.upload(base).await
    }

    async fn upload(&mut self, base: &str) -> anyhow::Result<()> {
        // A peer that has the document says `sync`, not `request` (samod
        // answers a request for a document it lacks with `doc-unavailable`).
        self.asked = true;
        self.connect(base).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(600);
        while !self.in_sync() {
            anyhow::ensure!(self.is_connected(), "closed: {}", self.close_reason());
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "the server did not take the document"
            );
            self.pump_once(Duration::from_millis(100)).await?;
        }
        if let Some(ws) = self.ws.as_mut() {
            let _ = ws.close(None).await;
        }
        Ok(())
    }

    /// Connects to the server at `base`, asks for `doc_id` and waits until
    /// it has arrived.
    pub async fn join(base: &str, doc_id: &str) -> anyhow::Result<RepoClient> {
        let mut c = RepoClient::offline(doc_id);
        c.connect(base).await?;
        c.until_synced(Duration::from_secs(120)).await?;
        Ok(c)
    }

    /// Connects and asks for `doc_id` without waiting for it.
    pub async fn open(base: &str, doc_id: &str) -> anyhow::Result<RepoClient> {
        let mut c = RepoClient::offline(doc_id);
        c.connect(base).await?;
        Ok(c)
    }

    /// Whether the server said it has exactly our heads.
    pub fn in_sync(&self) -> bool {
        let Some(theirs) = self.sync.their_heads.as_ref() else {
            return false;
        };
        let mut theirs = theirs.clone();
        theirs.sort();
        theirs == self.heads()
    }

    /// Sorted heads of the replica.
    pub fn heads(&self) -> Vec<ChangeHash> {
        let mut h = self.doc.get_heads();
        h.sort();
        h
    }

    /// Waits until the document has its notes map and the last sync round
    /// with the server is over.
    pub async fn until_synced(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.notes.is_some() && self.in_sync() {
                return Ok(());
            }
            anyhow::ensure!(self.is_connected(), "closed: {}", self.close_reason());
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "the document did not arrive in {timeout:?}"
            );
            self.pump_once(Duration::from_millis(50)).await?;
        }
    }

    /// Opens the websocket, says `join`, waits for `peer`, then asks for
    /// the document (or offers what we have).
    async fn connect(&mut self, base: &str) -> anyhow::Result<()> {
        let mut ws = open_ws(base).await?;
        let join = Value::Map(vec![
            (text("type"), text("join")),
            (text("senderId"), text(&self.peer_id)),
            (
                text("supportedProtocolVersions"),
                Value::Array(vec![text("1")]),
            ),
            (
                text("peerMetadata"),
                Value::Map(vec![(text("isEphemeral"), Value::Bool(true))]),
            ),
        ]);
        ws.send(WsMessage::Binary(encode(&join)?.into())).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .map_err(|_| anyhow::anyhow!("no `peer` answer to `join`"))?
                .ok_or_else(|| anyhow::anyhow!("closed before `peer`"))??;
            if let WsMessage::Binary(b) = msg {
                let v: Value = ciborium::from_reader(&b[..])?;
                let Value::Map(m) = v else { continue };
                match get_str(&m, "type") {
                    Some("peer") => {
                        self.server = get_str(&m, "senderId").map(str::to_string);
                        break;
                    }
                    Some("error") => anyhow::bail!("server error: {m:?}"),
                    _ => {}
                }
            }
        }
        self.ws = Some(ws);
        self.closed = None;
        // Each connection starts its sync afresh.
        self.sync = sync::State::new();
        self.sync_out();
        self.flush().await
    }

    pub async fn reconnect(&mut self, base: &str) -> anyhow::Result<()> {
        self.ws = None;
        self.connect(base).await?;
        self.until_synced(Duration::from_secs(120)).await
    }

    pub fn is_connected(&self) -> bool {
        self.ws.is_some()
    }

    pub fn drop_connection(&mut self) {
        self.ws = None;
    }

    pub fn close_reason(&self) -> String {
        self.closed.clone().unwrap_or_else(|| "?".into())
    }

    /// Queues the sync messages the document has for the server.
    fn sync_out(&mut self) {
        let Some(server) = self.server.clone() else {
            return;
        };
        while let Some(msg) = self.doc.generate_sync_message(&mut self.sync) {
            let kind = if self.asked { "sync" } else { "request" };
            self.asked = true;
            let v = Value::Map(vec![
                (text("type"), text(kind)),
                (text("senderId"), text(&self.peer_id)),
                (text("targetId"), text(&server)),
                (text("documentId"), text(&self.doc_id)),
                (text("data"), Value::Bytes(msg.encode())),
            ]);
            if let Ok(bytes) = encode(&v) {
                self.outbox.push(bytes);
            }
        }
    }

    pub async fn flush(&mut self) -> anyhow::Result<()> {
        wire::flush(&mut self.ws, &mut self.outbox, &mut self.closed).await;
        Ok(())
    }

    pub async fn pump_once(&mut self, wait: Duration) -> anyhow::Result<bool> {
        match wire::next(&mut self.ws, &mut self.closed, wait).await {
            wire::Next::Idle => return Ok(false),
            wire::Next::Ended => return Ok(true),
            wire::Next::Frame(b) => self.receive(&b)?,
            wire::Next::Other => {}
        }
        self.flush().await?;
        Ok(true)
    }

    /// Handles every frame that has arrived (waiting up to `wait` for the
    /// first): the changes of all their sync messages are applied in one
    /// batch (one `load_incremental`) (Automerge's cost of applying grows with the document, not with
    /// the batch), then each message goes through the sync protocol (its
    /// changes are then already there) and one round of answers goes back.
    /// Returns how many frames there were and whether anything happened.
    pub async fn pump_batch(
        &mut self,
        wait: Duration,
        max: usize,
    ) -> anyhow::Result<(usize, bool)> {
        let batch = wire::next_batch(&mut self.ws, &mut self.closed, wait, max).await;
        let incoming = batch
            .frames
            .iter()
            .map(|f| self.parse(f))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut chunks = 0;
        let mut changes: Vec<u8> = Vec::new();
        for i in &incoming {
            if let Incoming::Sync(msg) = i {
                chunks += msg.changes.len();
                msg.changes
                    .iter()
                    .for_each(|c| changes.extend_from_slice(c));
            }
        }
        if incoming.len() > 1 && chunks > 1 {
            self.doc.load_incremental(&changes)?;
        }
        for i in incoming {
            self.handle(i)?;
        }
        if batch.any {
            self.flush().await?;
        }
        Ok((batch.frames.len(), batch.any))
    }

    fn receive(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let incoming = self.parse(bytes)?;
        self.handle(incoming)
    }

    /// What a frame says, as far as this client cares.
    fn parse(&self, bytes: &[u8]) -> anyhow::Result<Incoming> {
        let v: Value = ciborium::from_reader(bytes)?;
        let Value::Map(m) = v else {
            return Ok(Incoming::Other);
        };
        Ok(match get_str(&m, "type") {
            Some("sync") | Some("request") => {
                if get_str(&m, "documentId") != Some(self.doc_id.as_str()) {
                    return Ok(Incoming::Other);
                }
                let Some(Value::Bytes(data)) = get(&m, "data") else {
                    anyhow::bail!("a sync message without data");
                };
                Incoming::Sync(sync::Message::decode(data)?)
            }
            Some("doc-unavailable") => anyhow::bail!("the server does not have {}", self.doc_id),
            Some("error") => anyhow::bail!("server error: {m:?}"),
            _ => Incoming::Other,
        })
    }

    fn handle(&mut self, incoming: Incoming) -> anyhow::Result<()> {
        let Incoming::Sync(msg) = incoming else {
            return Ok(());
        };
        let before = self.doc.get_heads();
        self.doc.receive_sync_message(&mut self.sync, msg)?;
        if self.doc.get_heads() != before {
            self.version += 1;
            if self.notes.is_none() {
                self.notes = self.find_notes();
            }
        }
        self.sync_out();
        Ok(())
    }

    fn find_notes(&self) -> Option<ObjId> {
        match self.doc.get(ROOT, "notes").ok()?? {
            (automerge::Value::Object(ObjType::Map), id) => Some(id),
            _ => None,
        }
    }

    fn note(&self, id: &str) -> Option<ObjId> {
        let notes = self.notes.as_ref()?;
        match self.doc.get(notes, id).ok()?? {
            (automerge::Value::Object(ObjType::Map), id) => Some(id),
            _ => None,
        }
    }

    /// One edit of the mix as one change.
    pub fn apply(&mut self, op: &Op) -> anyhow::Result<Option<ChangeHash>> {
        let notes = self
            .notes
            .clone()
            .ok_or_else(|| anyhow::anyhow!("no notes map yet"))?;
        let target = match op {
            Op::CreateNote { .. } => None,
            Op::EditText { id, .. }
            | Op::MoveNote { id, .. }
            | Op::RecolorNote { id, .. }
            | Op::DeleteNote { id } => Some(
                self.note(id)
                    .ok_or_else(|| anyhow::anyhow!("no note {id}"))?,
            ),
            other => anyhow::bail!("no peer equivalent of {other:?}"),
        };
        let text_obj = match (op, &target) {
            (Op::EditText { .. }, Some(n)) => match self.doc.get(n, "text")? {
                Some((automerge::Value::Object(ObjType::Text), t)) => Some(t),
                _ => anyhow::bail!("a note without text"),
            },
            _ => None,
        };
        let result = self
            .doc
            .transact::<_, _, automerge::AutomergeError>(|tx| {
                match op {
                    Op::CreateNote {
                        id,
                        x,
                        y,
                        color,
                        text,
                    } => {
                        let n = tx.put_object(&notes, id.as_str(), ObjType::Map)?;
                        tx.put(&n, "x", *x)?;
                        tx.put(&n, "y", *y)?;
                        tx.put(&n, "color", color_name(*color))?;
                        let t = tx.put_object(&n, "text", ObjType::Text)?;
                        tx.splice_text(&t, 0, 0, text)?;
                    }
                    Op::EditText { delete, insert, .. } => {
                        let t = text_obj.as_ref().expect("text");
                        // The mix types at the end of the note.
                        let len = tx.length(t);
                        tx.splice_text(t, len.saturating_sub(*delete), *delete as isize, insert)?;
                    }
                    Op::MoveNote { x, y, .. } => {
                        let n = target.as_ref().expect("note");
                        tx.put(n, "x", *x)?;
                        tx.put(n, "y", *y)?;
                    }
                    Op::RecolorNote { color, .. } => {
                        let n = target.as_ref().expect("note");
                        tx.put(n, "color", color_name(*color))?;
                    }
                    Op::DeleteNote { id } => tx.delete(&notes, id.as_str())?,
                    _ => {}
                }
                Ok(())
            })
            .map_err(|f| anyhow::anyhow!("{:?}", f.error))?;
        self.version += 1;
        self.sync_out();
        Ok(result.hash)
    }

    /// The replica (see `Conn::holds`).
    pub fn document(&self) -> &automerge::Automerge {
        &self.doc
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn digest(&self) -> Vec<u8> {
        let mut h = self.doc.get_heads();
        h.sort();
        h.iter().flat_map(|h| h.0).collect()
    }
}

/// A frame from the server.
enum Incoming {
    Sync(sync::Message),
    Other,
}

fn encode(v: &Value) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out)?;
    Ok(out)
}
