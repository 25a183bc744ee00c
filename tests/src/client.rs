use std::time::Duration;

use futures_util::{FutureExt, SinkExt, StreamExt};
use samskab_board::{Board, Ctx, Op};
use samskab_protocol::{ClientSession, ErrorMsg, Event, Participant, Phase};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One item of a websocket stream: a message, an error, or its end (`None`).
pub type WsItem = Option<Result<WsMessage, tokio_tungstenite::tungstenite::Error>>;

/// Waits up to `wait` for the next item of `ws`, then takes every item that
/// has already arrived (up to `max` in all) without waiting again, so a
/// client that fell behind handles what piled up in one go. Stops at the
/// end of the stream, an error or a close frame.
pub async fn arrived<S>(ws: &mut S, wait: Duration, max: usize) -> Vec<WsItem>
where
    S: futures_util::Stream<Item = Result<WsMessage, tokio_tungstenite::tungstenite::Error>>
        + Unpin,
{
    let mut items = Vec::new();
    match tokio::time::timeout(wait, ws.next()).await {
        Err(_) => return items,
        Ok(item) => items.push(item),
    }
    while items.len() < max && matches!(items.last(), Some(Some(Ok(m))) if !m.is_close()) {
        match ws.next().now_or_never() {
            Some(item) => items.push(item),
            None => break,
        }
    }
    items
}

/// A protocol client over a real websocket, built on `ClientSession`.
pub struct WsClient {
    pub session: ClientSession,
    pub name: String,
    ws: Option<Ws>,
    /// Errors the server sent us.
    pub refusals: Vec<ErrorMsg>,
    /// Everyone else's presence, by connection, as last heard.
    pub peers: std::collections::BTreeMap<u64, samskab_protocol::PeerPresence>,
    /// The close frame the server sent, if it closed the connection.
    pub closed: Option<Option<CloseFrame>>,
    /// Every binary frame received, byte for byte (for tests that must
    /// prove what did not reach this client), while `keep_received` holds.
    pub received: Vec<Vec<u8>>,
    /// Whether to keep `received` (on by default; a load generator with
    /// thousands of clients turns it off).
    pub keep_received: bool,
}

impl WsClient {
    /// A client with an empty local replica, connected with the link secret
    /// `key` and welcomed.
    pub async fn join(
        ws_url: &str,
        board: &str,
        key: &str,
        name: &str,
    ) -> anyhow::Result<WsClient> {
        let mut c = WsClient::offline(board, key, name);
        c.connect(ws_url).await?;
        Ok(c)
    }

    /// A client that has not connected yet.
    pub fn offline(board: &str, key: &str, name: &str) -> WsClient {
        let participant = Participant {
            id: crate::random_id(),
            name: name.to_string(),
            role: "other".into(),
            color: "#1d5fa8".into(),
        };
        let replica = Board::new(&rand::random::<[u8; 16]>());
        WsClient {
            session: ClientSession::new(board, Some(key.to_string()), participant, replica),
            name: name.to_string(),
            ws: None,
            refusals: Vec::new(),
            peers: Default::default(),
            closed: None,
            received: Vec::new(),
            keep_received: true,
        }
    }

    /// A client that has not connected yet, as a given participant with a
    /// role group and this device's participant secret.
    pub fn offline_as(
        board: &str,
        key: &str,
        name: &str,
        participant_id: &str,
        role: &str,
        participant_key: Option<&str>,
    ) -> WsClient {
        let mut c = WsClient::offline(board, key, name);
        let participant = Participant {
            id: participant_id.to_string(),
            name: name.to_string(),
            role: role.to_string(),
            color: "#1d5fa8".into(),
        };
        let replica = Board::new(&rand::random::<[u8; 16]>());
        c.session = ClientSession::new(board, Some(key.to_string()), participant, replica);
        c.session
            .set_participant_key(participant_key.map(str::to_string));
        c
    }

    /// Asks the server to carry out a facilitation command.
    pub async fn command(&mut self, command: samskab_protocol::Command) -> anyhow::Result<()> {
        anyhow::ensure!(self.session.command(command), "not joined");
        self.flush().await
    }

    /// Connects (again) and waits for the welcome. Sets `TCP_NODELAY`, as
    /// browsers do.
    pub async fn connect(&mut self, ws_url: &str) -> anyhow::Result<()> {
        let (ws, _) = tokio_tungstenite::connect_async_with_config(ws_url, None, true).await?;
        self.ws = Some(ws);
        self.closed = None;
        self.session.connected();
        self.flush().await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !matches!(self.session.phase(), Phase::Joined(_)) {
            anyhow::ensure!(
                self.closed.is_none(),
                "closed before welcome: {:?}",
                self.closed
            );
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "no welcome");
            self.pump_once(Duration::from_millis(200)).await?;
        }
        Ok(())
    }

    /// Drops the connection without a close handshake (a lost network).
    pub fn drop_connection(&mut self) {
        self.ws = None;
        self.session.disconnected();
    }

    pub fn is_connected(&self) -> bool {
        self.ws.is_some()
    }

    pub fn ctx(&self) -> Ctx {
        Ctx::new(
            self.session.participant().id.clone(),
            self.session.server_time(now_ms()),
        )
    }

    /// Applies a local edit and sends it if connected.
    pub async fn apply(&mut self, op: Op) -> anyhow::Result<()> {
        let ctx = self.ctx();
        self.session.apply(&op, &ctx)?;
        self.flush().await
    }

    pub fn board(&self) -> &Board {
        self.session.board()
    }

    /// Shares presence (cursor, drag…) with the others on the board.
    pub async fn presence(&mut self, presence: &samskab_protocol::Presence) -> anyhow::Result<()> {
        self.session.set_presence(presence);
        self.flush().await
    }

    /// Sends a raw websocket message, bypassing the session.
    pub async fn send_raw(&mut self, msg: WsMessage) -> anyhow::Result<()> {
        let ws = self
            .ws
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("not connected"))?;
        ws.send(msg).await?;
        Ok(())
    }

    /// Sends whatever the session has queued.
    pub async fn flush(&mut self) -> anyhow::Result<()> {
        let Some(ws) = self.ws.as_mut() else {
            return Ok(());
        };
        while let Some(frame) = self.session.poll_transmit() {
            ws.send(WsMessage::Binary(frame.into())).await?;
        }
        Ok(())
    }

    /// Handles what arrives within `wait`. Returns whether anything arrived.
    pub async fn pump_once(&mut self, wait: Duration) -> anyhow::Result<bool> {
        let Some(ws) = self.ws.as_mut() else {
            tokio::time::sleep(wait).await;
            return Ok(false);
        };
        let item = match tokio::time::timeout(wait, ws.next()).await {
            Err(_) => return Ok(false),
            Ok(item) => item,
        };
        if let Some(bytes) = self.take(item) {
            self.handle_frame(&bytes)?;
            self.flush_or_drop().await;
        }
        Ok(true)
    }

    /// Handles everything that has arrived, waiting up to `wait` for the
    /// first frame and then taking (up to `max`) what is already waiting:
    /// consecutive live changes are applied as one batch, as a client that
    /// fell behind would (applying costs Automerge time in proportion to
    /// the document, not to the batch). Returns how many frames were
    /// handled and whether anything arrived at all.
    pub async fn pump_batch(
        &mut self,
        wait: Duration,
        max: usize,
    ) -> anyhow::Result<(usize, bool)> {
        let Some(ws) = self.ws.as_mut() else {
            tokio::time::sleep(wait).await;
            return Ok((0, false));
        };
        let items = arrived(ws, wait, max).await;
        let any = !items.is_empty();
        let frames: Vec<Vec<u8>> = items.into_iter().filter_map(|i| self.take(i)).collect();
        let mut changes: Vec<u8> = Vec::new();
        for bytes in &frames {
            match samskab_protocol::Message::decode(bytes) {
                Ok(samskab_protocol::Message::Changes(c)) if !c.is_empty() => {
                    changes.extend_from_slice(&c);
                    continue;
                }
                _ => {}
            }
            if !changes.is_empty() {
                let batch = samskab_protocol::Message::Changes(std::mem::take(&mut changes));
                self.handle_frame(&batch.encode())?;
            }
            self.handle_frame(bytes)?;
        }
        if !changes.is_empty() {
            self.handle_frame(&samskab_protocol::Message::Changes(changes).encode())?;
        }
        if any {
            self.flush_or_drop().await;
        }
        Ok((frames.len(), any))
    }

    /// A binary frame's bytes; notes the end of the connection.
    fn take(&mut self, item: WsItem) -> Option<Vec<u8>> {
        match item {
            None | Some(Err(_)) => {
                self.closed.get_or_insert(None);
                self.drop_connection();
                None
            }
            Some(Ok(WsMessage::Binary(bytes))) => Some(bytes.to_vec()),
            Some(Ok(WsMessage::Close(frame))) => {
                self.closed = Some(frame);
                self.drop_connection();
                None
            }
            Some(Ok(_)) => None,
        }
    }

    /// Hands one frame to the session and notes what it says.
    fn handle_frame(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        if self.keep_received {
            self.received.push(bytes.to_vec());
        }
        if let Ok(samskab_protocol::Message::Welcome(w)) = samskab_protocol::Message::decode(bytes)
            && let Some(t) = w.server_time_ms
        {
            self.session.sync_clock(t, now_ms());
        }
        for event in self.session.receive(bytes)? {
            match event {
                Event::Refused(e) => self.refusals.push(e),
                Event::Presence(p) => {
                    self.peers.insert(p.peer, p);
                }
                Event::PeerLeft(p) => {
                    self.peers.remove(&p);
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn flush_or_drop(&mut self) {
        if self.flush().await.is_err() {
            self.closed.get_or_insert(None);
            self.drop_connection();
        }
    }

    /// Pumps until `done` holds or `timeout` passes (then errs).
    pub async fn pump_until(
        &mut self,
        timeout: Duration,
        mut done: impl FnMut(&mut WsClient) -> bool,
    ) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(self) {
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "{}: condition not reached in {timeout:?}",
                self.name
            );
            self.pump_once(Duration::from_millis(50)).await?;
        }
        Ok(())
    }

    /// Pumps until the server has stored all our changes.
    pub async fn until_saved(&mut self) -> anyhow::Result<()> {
        self.pump_until(Duration::from_secs(10), |c| c.session.unacknowledged() == 0)
            .await
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Pumps all clients until their documents have the same heads and nothing
/// is unsaved, or errs after `timeout`.
pub async fn converge(clients: &mut [&mut WsClient], timeout: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut heads = Vec::new();
        let mut unsaved = 0;
        for c in clients.iter_mut() {
            let mut h = c.session.heads();
            h.sort();
            heads.push(h);
            unsaved += c.session.unacknowledged();
        }
        if unsaved == 0 && heads.windows(2).all(|w| w[0] == w[1]) {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            let states: Vec<String> = clients
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} unsaved, live {}, closed {:?}, refused {:?}",
                        c.session.participant().name,
                        c.session.unacknowledged(),
                        c.session.is_live(),
                        c.closed,
                        c.refusals
                    )
                })
                .collect();
            anyhow::bail!(
                "clients did not converge in {timeout:?} ({unsaved} unsaved): {}",
                states.join("; ")
            );
        }
        for c in clients.iter_mut() {
            c.pump_once(Duration::from_millis(10)).await?;
        }
    }
}
