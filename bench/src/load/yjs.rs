//! A client of a y-websocket server (`@y/websocket-server`): the y-websocket
//! protocol (sync step 1 / step 2 / update; awareness ignored) over a
//! websocket to `ws://host:port/<room>`, with a `yrs` document (the Rust port
//! of Yjs, wire compatible with it).
//!
//! The board is a root `Y.Map` `notes` of `Y.Map`s `{ x, y, color, text: Y.Text }`,
//! each edit of the mix one transaction, sent as one update, as the
//! y-websocket provider does.
use std::time::Duration;

use samskab_board::Op;
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{
    Doc, GetString, Map, MapPrelim, MapRef, Out, ReadTxn, StateVector, Text, TextPrelim, Transact,
    Update,
};

use crate::conn::{EditId, color_name};
use crate::repo::open_ws;

use crate::wire::{self, Ws};

pub struct YClient {
    pub doc: Doc,
    notes: MapRef,
    ws: Option<Ws>,
    room: String,
    outbox: Vec<Vec<u8>>,
    /// The server's answer to our sync step 1 has arrived.
    synced: bool,
    version: u64,
    closed: Option<String>,
}

impl YClient {
    pub fn offline(room: &str) -> YClient {
        // Yjs client ids are 53-bit.
        let doc = Doc::with_client_id(rand::random::<u64>() >> 11);
        let notes = doc.get_or_insert_map("notes");
        YClient {
            doc,
            notes,
            ws: None,
            room: room.to_string(),
            outbox: Vec::new(),
            synced: false,
            version: 0,
            closed: None,
        }
    }

    /// Connects to `room` and waits for the server's state.
    pub async fn join(base: &str, room: &str) -> anyhow::Result<YClient> {
        let mut c = YClient::offline(room);
        c.connect(base).await?;
        c.until_synced(Duration::from_secs(120)).await?;
        Ok(c)
    }

    /// Opens the websocket and sends sync step 1.
    pub async fn connect(&mut self, base: &str) -> anyhow::Result<()> {
        let ws = open_ws(&format!("{base}/{}", self.room)).await?;
        self.ws = Some(ws);
        self.closed = None;
        self.synced = false;
        let sv = self.doc.transact().state_vector();
        self.outbox
            .push(Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1());
        self.flush().await
    }

    pub async fn until_synced(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.synced {
            anyhow::ensure!(self.is_connected(), "closed: {}", self.close_reason());
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "no sync step 2 in {timeout:?}"
            );
            self.pump_once(Duration::from_millis(50)).await?;
        }
        Ok(())
    }

    pub fn is_synced(&self) -> bool {
        self.synced
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
    /// first), then sends one round of answers. Yjs applies an update in
    /// time proportional to the update, so each is applied as it comes.
    pub async fn pump_batch(
        &mut self,
        wait: Duration,
        max: usize,
    ) -> anyhow::Result<(usize, bool)> {
        let batch = wire::next_batch(&mut self.ws, &mut self.closed, wait, max).await;
        for frame in &batch.frames {
            self.receive(frame)?;
        }
        if batch.any {
            self.flush().await?;
        }
        Ok((batch.frames.len(), batch.any))
    }

    fn receive(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let msg = match Message::decode_v1(bytes) {
            Ok(m) => m,
            // Awareness and others we do not read.
            Err(_) => return Ok(()),
        };
        match msg {
            Message::Sync(SyncMessage::SyncStep1(sv)) => {
                let diff = self.doc.transact().encode_diff_v1(&sv);
                self.outbox
                    .push(Message::Sync(SyncMessage::SyncStep2(diff)).encode_v1());
            }
            Message::Sync(SyncMessage::SyncStep2(update)) => {
                self.apply_update(&update)?;
                self.synced = true;
            }
            Message::Sync(SyncMessage::Update(update)) => self.apply_update(&update)?,
            _ => {}
        }
        Ok(())
    }

    fn apply_update(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let update = Update::decode_v1(bytes)?;
        let mut txn = self.doc.transact_mut();
        txn.apply_update(update)?;
        drop(txn);
        self.version += 1;
        Ok(())
    }

    /// One edit of the mix as one transaction, queued as one update.
    pub fn apply(&mut self, op: &Op) -> anyhow::Result<Option<EditId>> {
        let mut txn = self.doc.transact_mut();
        let note = |txn: &yrs::TransactionMut, id: &str| -> anyhow::Result<MapRef> {
            match self.notes.get(txn, id) {
                Some(Out::YMap(m)) => Ok(m),
                _ => anyhow::bail!("no note {id}"),
            }
        };
        match op {
            Op::CreateNote {
                id,
                x,
                y,
                color,
                text,
            } => {
                let n = self
                    .notes
                    .insert(&mut txn, id.as_str(), MapPrelim::default());
                n.insert(&mut txn, "x", *x);
                n.insert(&mut txn, "y", *y);
                n.insert(&mut txn, "color", color_name(*color));
                n.insert(&mut txn, "text", TextPrelim::new(text.as_str()));
            }
            Op::EditText { id, insert, .. } => {
                let n = note(&txn, id)?;
                match n.get(&txn, "text") {
                    Some(Out::YText(t)) => t.push(&mut txn, insert),
                    _ => anyhow::bail!("a note without text"),
                }
            }
            Op::MoveNote { id, x, y } => {
                let n = note(&txn, id)?;
                n.insert(&mut txn, "x", *x);
                n.insert(&mut txn, "y", *y);
            }
            Op::RecolorNote { id, color } => {
                let n = note(&txn, id)?;
                n.insert(&mut txn, "color", color_name(*color));
            }
            // A tombstone, as Samskab's model keeps one (a Yjs map delete
            // would make no new item, so no clock to wait for).
            Op::DeleteNote { id } => {
                let n = note(&txn, id)?;
                n.insert(&mut txn, "deleted", true);
            }
            other => anyhow::bail!("no Yjs equivalent of {other:?}"),
        }
        let update = txn.encode_update_v1();
        drop(txn);
        self.version += 1;
        self.outbox
            .push(Message::Sync(SyncMessage::Update(update)).encode_v1());
        let client = self.doc.client_id();
        let clock = self.doc.transact().state_vector().get(&client);
        Ok(Some(EditId::Clock {
            client: client.get(),
            clock,
        }))
    }

    /// How far the replica has integrated `client`'s edits.
    pub fn clock_of(&self, client: u64) -> u32 {
        self.doc
            .transact()
            .state_vector()
            .get(&yrs::ClientID::new(client))
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// State vector and content: equal on two replicas exactly when they
    /// hold the same edits and the same (merged) notes.
    pub fn digest(&self) -> Vec<u8> {
        let txn = self.doc.transact();
        let mut sv: Vec<(u64, u32)> = txn
            .state_vector()
            .iter()
            .map(|(c, n)| (c.get(), *n))
            .collect();
        sv.sort();
        let mut out: Vec<u8> = sv
            .iter()
            .flat_map(|(c, n)| c.to_le_bytes().into_iter().chain(n.to_le_bytes()))
            .collect();
        let mut notes: Vec<(String, String)> = self
            .notes
            .iter(&txn)
            .map(|(k, v)| {
                let s = match v {
                    Out::YMap(m) => {
                        let text = match m.get(&txn, "text") {
                            Some(Out::YText(t)) => t.get_string(&txn),
                            _ => String::new(),
                        };
                        let any = |k: &str| match m.get(&txn, k) {
                            Some(Out::Any(a)) => a.to_string(),
                            _ => String::new(),
                        };
                        format!(
                            "{} {} {} {} {text}",
                            any("x"),
                            any("y"),
                            any("color"),
                            any("deleted")
                        )
                    }
                    other => format!("{other:?}"),
                };
                (k.to_string(), s)
            })
            .collect();
        notes.sort();
        for (k, v) in notes {
            out.extend(k.as_bytes());
            out.extend(v.as_bytes());
        }
        out
    }

    /// The state vector (to compare with another replica's).
    pub fn state_vector(&self) -> StateVector {
        self.doc.transact().state_vector()
    }
}
