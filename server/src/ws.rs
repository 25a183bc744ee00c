//! One websocket connection: hello, then sync frames to and from the room.
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use samskab_protocol::{ErrorReason, Hello, Message, PROTOCOL_VERSION, Permission};
use tokio::sync::mpsc;

use crate::AppState;
use crate::rooms::{Outgoing, PEER_QUEUE};

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn upgrade(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    let max = state.config.max_message_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| connection(socket, state))
}

fn close_frame(reason: ErrorReason, message: &str) -> WsMessage {
    // A close reason must fit in 123 bytes.
    let mut text: String = format!("{reason:?}: {message}");
    while text.len() > 123 {
        text.pop();
    }
    WsMessage::Close(Some(CloseFrame {
        code: reason.close_code(),
        reason: text.into(),
    }))
}

async fn reject(socket: &mut WebSocket, reason: ErrorReason, message: &str) {
    let frame = Message::error(reason, message).encode();
    let _ = socket.send(WsMessage::Binary(frame.into())).await;
    let _ = socket.send(close_frame(reason, message)).await;
}

/// Reads the first frame, which must be a hello.
async fn read_hello(socket: &mut WebSocket) -> Result<Hello, (ErrorReason, String)> {
    let first = tokio::time::timeout(HELLO_TIMEOUT, socket.recv())
        .await
        .map_err(|_| {
            (
                ErrorReason::Malformed,
                "no hello within 10 seconds".to_string(),
            )
        })?;
    let bytes = match first {
        Some(Ok(WsMessage::Binary(b))) => b,
        Some(Ok(_)) => return Err((ErrorReason::Malformed, "expected a binary hello".into())),
        Some(Err(e)) => return Err(ws_error(&e)),
        None => return Err((ErrorReason::Malformed, "closed before hello".into())),
    };
    match Message::decode(&bytes) {
        Ok(Message::Hello(h)) if h.protocol == PROTOCOL_VERSION => Ok(h),
        Ok(Message::Hello(h)) => Err((
            ErrorReason::WrongVersion,
            format!(
                "protocol {} is not supported; this server speaks {PROTOCOL_VERSION}",
                h.protocol
            ),
        )),
        Ok(_) => Err((
            ErrorReason::Malformed,
            "the first message must be a hello".into(),
        )),
        Err(e) => Err((e.reason(), e.to_string())),
    }
}

fn ws_error(e: &axum::Error) -> (ErrorReason, String) {
    let text = e.to_string();
    if text.contains("too long") || text.contains("Space limit") || text.contains("size") {
        (ErrorReason::TooLarge, "message too large".into())
    } else {
        (ErrorReason::Malformed, text)
    }
}

async fn connection(mut socket: WebSocket, state: AppState) {
    let hello = match read_hello(&mut socket).await {
        Ok(h) => h,
        Err((reason, message)) => return reject(&mut socket, reason, &message).await,
    };
    match state.storage.board_meta(&hello.board).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return reject(
                &mut socket,
                ErrorReason::BoardNotFound,
                "there is no such board",
            )
            .await;
        }
        Err(e) => {
            tracing::error!(error = %e, "board lookup failed");
            return reject(
                &mut socket,
                ErrorReason::Internal,
                "the server could not look up the board",
            )
            .await;
        }
    }
    let peer = state.next_peer_id();
    let (out_tx, mut out_rx) = mpsc::channel(PEER_QUEUE);
    let Some(room) = state
        .rooms
        .join(&hello.board, peer, Permission::Editor, out_tx.clone())
        .await
    else {
        return reject(
            &mut socket,
            ErrorReason::Internal,
            "the board could not be opened",
        )
        .await;
    };
    tracing::debug!(board = %hello.board, peer, name = %hello.participant.name, "joined");

    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        while let Some(out) = out_rx.recv().await {
            match out {
                Outgoing::Frame(f) => {
                    if sink.send(WsMessage::Binary(f.into())).await.is_err() {
                        return;
                    }
                }
                Outgoing::Close { reason, message } => {
                    let frame = Message::error(reason, &message).encode();
                    let _ = sink.send(WsMessage::Binary(frame.into())).await;
                    let _ = sink.send(close_frame(reason, &message)).await;
                    return;
                }
            }
        }
        let _ = sink.close().await;
    });

    let mut writer = writer;
    let mut writer_done = false;
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            _ = &mut writer => { writer_done = true; break; }
        };
        let Some(frame) = frame else { break };
        let problem = match frame {
            Ok(WsMessage::Binary(bytes)) => match Message::decode(&bytes) {
                Ok(Message::Sync(payload)) => {
                    if room.sync(payload).await {
                        continue;
                    }
                    (ErrorReason::Internal, "the board closed".to_string())
                }
                Ok(other) => (
                    ErrorReason::Malformed,
                    format!("unexpected {:?} message", other.kind()),
                ),
                Err(e) => (e.reason(), e.to_string()),
            },
            Ok(WsMessage::Text(_)) => (ErrorReason::Malformed, "expected binary messages".into()),
            Ok(WsMessage::Ping(_) | WsMessage::Pong(_)) => continue,
            Ok(WsMessage::Close(_)) => break,
            Err(e) => ws_error(&e),
        };
        tracing::debug!(peer, reason = ?problem.0, message = %problem.1, "closing connection");
        let _ = out_tx.try_send(Outgoing::Close {
            reason: problem.0,
            message: problem.1,
        });
        break;
    }
    room.leave().await;
    drop(out_tx);
    if !writer_done {
        let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    }
    // Let the client answer our close frame before the socket goes away:
    // dropping it with unread input would reset the connection, and the
    // client could lose the close reason.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(msg)) = stream.next().await {
            if matches!(msg, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
}
