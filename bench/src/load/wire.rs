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
        Ok(None) => {
            closed.get_or_insert_with(|| "end of stream".into());
            *ws = None;
            Next::Ended
        }
        Ok(Some(Err(e))) => {
            *closed = Some(e.to_string());
            *ws = None;
            Next::Ended
        }
        Ok(Some(Ok(WsMessage::Binary(b)))) => Next::Frame(b.to_vec()),
        Ok(Some(Ok(WsMessage::Close(f)))) => {
            *closed = Some(format!("close frame {f:?}"));
            *ws = None;
            Next::Other
        }
        Ok(Some(Ok(_))) => Next::Other,
    }
}
