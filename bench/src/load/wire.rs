//! The websocket plumbing the peers' clients (`repo.rs`, `yjs.rs`) share:
//! send what is queued, and wait for the next frame.
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What [`next`] got.
pub enum Next {
    /// Nothing within the wait (or no connection).
    Idle,
    /// The connection ended; `closed` says why.
    Ended,
    /// A binary frame.
    Frame(Vec<u8>),
    /// Anything else (a close frame is recorded in `closed`).
    Other,
}

/// Sends every queued frame; without a connection the queue is dropped.
pub async fn flush(ws: &mut Option<Ws>, outbox: &mut Vec<Vec<u8>>, closed: &mut Option<String>) {
    let Some(socket) = ws.as_mut() else {
        outbox.clear();
        return;
    };
    for frame in outbox.drain(..) {
        if let Err(e) = socket.send(WsMessage::Binary(frame.into())).await {
            *closed = Some(format!("send: {e}"));
            *ws = None;
            break;
        }
    }
}

/// Waits up to `wait` for the next frame.
pub async fn next(ws: &mut Option<Ws>, closed: &mut Option<String>, wait: Duration) -> Next {
    let Some(socket) = ws.as_mut() else {
        tokio::time::sleep(wait).await;
        return Next::Idle;
    };
    match tokio::time::timeout(wait, socket.next()).await {
        Err(_) => Next::Idle,
        Ok(item) => settle(ws, closed, item),
    }
}

/// What one item of the websocket stream means.
fn settle(ws: &mut Option<Ws>, closed: &mut Option<String>, item: samskab_tests::WsItem) -> Next {
    match item {
        None => {
            closed.get_or_insert_with(|| "end of stream".into());
            *ws = None;
            Next::Ended
        }
        Some(Err(e)) => {
            *closed = Some(e.to_string());
            *ws = None;
            Next::Ended
        }
        Some(Ok(WsMessage::Binary(b))) => Next::Frame(b.to_vec()),
        Some(Ok(WsMessage::Close(f))) => {
            *closed = Some(format!("close frame {f:?}"));
            *ws = None;
            Next::Other
        }
        Some(Ok(_)) => Next::Other,
    }
}

/// What [`next_batch`] got: every binary frame that had arrived, in order.
pub struct Batch {
    pub frames: Vec<Vec<u8>>,
    /// Something arrived (a frame of any kind, or the end of the connection).
    pub any: bool,
}

/// Waits up to `wait` for the next frame, then takes every frame already
/// waiting (up to `max`) without waiting again, so a client that fell
/// behind handles what piled up in one go.
pub async fn next_batch(
    ws: &mut Option<Ws>,
    closed: &mut Option<String>,
    wait: Duration,
    max: usize,
) -> Batch {
    let Some(socket) = ws.as_mut() else {
        tokio::time::sleep(wait).await;
        return Batch {
            frames: Vec::new(),
            any: false,
        };
    };
    let items = samskab_tests::arrived(socket, wait, max).await;
    let mut batch = Batch {
        frames: Vec::new(),
        any: !items.is_empty(),
    };
    for item in items {
        if let Next::Frame(b) = settle(ws, closed, item) {
            batch.frames.push(b);
        }
    }
    batch
}
