//! One websocket connection: hello, then sync frames to and from the room.
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use samskab_protocol::{ErrorReason, Hello, Message, PROTOCOL_VERSION};
use tokio::sync::mpsc;

use crate::AppState;
use crate::auth;
use crate::metrics::Metrics;
use crate::rooms::{Outgoing, PEER_QUEUE};
use crate::storage::LinkStatus;

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// What a client hears when its link has been replaced.
pub const REVOKED: &str = "this link has been revoked; ask the facilitator for the new one";

/// Whether a browser page at `origin` may open a board socket. Non-browser
/// clients send no Origin and are allowed (they still need a link secret).
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if state
        .config
        .allowed_origins
        .iter()
        .any(|o| o.trim_end_matches('/') == origin)
    {
        return true;
    }
    // Same origin: the Origin's host is the host this request was sent to.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    let public_host = state
        .config
        .public_url
        .as_deref()
        .and_then(|u| u.split_once("://").map(|(_, h)| h.trim_end_matches('/')));
    origin_host == host || Some(origin_host) == public_host
}

/// How much each connection reads from its socket at once. tungstenite
/// zero-fills its whole read buffer before every read, so the default
/// (128 KiB) is resident for every connection: 256 MB for a town's 2,000.
/// Edits and sync messages are a few hundred bytes; a larger message is
/// still read whole (the buffer grows for it).
const READ_BUFFER: usize = 8 * 1024;

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if !origin_allowed(&state, &headers) {
        tracing::warn!(origin = ?headers.get(header::ORIGIN), "websocket from a foreign origin refused");
        return (
            StatusCode::FORBIDDEN,
            "this page may not open boards on this server",
        )
            .into_response();
    }
    let max = state.config.max_message_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(READ_BUFFER)
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
    let _live = state.sockets.enter();
    let hello = match read_hello(&mut socket).await {
        Ok(h) => h,
        Err((reason, message)) => return reject(&mut socket, reason, &message).await,
    };
    let permission = match auth::authorize(&state, &hello.board, hello.key.as_deref()).await {
        Ok(Some(LinkStatus::Active(role))) => role,
        Ok(Some(LinkStatus::Revoked(_))) => {
            return reject(&mut socket, ErrorReason::Forbidden, REVOKED).await;
        }
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
    };
    let verified = match verify_participant(&state, &hello).await {
        Ok(v) => v,
        Err((reason, message)) => return reject(&mut socket, reason, &message).await,
    };
    let peer = state.next_peer_id();
    let (out_tx, mut out_rx) = mpsc::channel(PEER_QUEUE);
    let Some(room) = state
        .rooms
        .join(
            &hello.board,
            peer,
            crate::rooms::Joiner {
                permission,
                participant: hello.participant.clone(),
                verified,
                can_live: hello.live,
            },
            out_tx.clone(),
        )
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

    Metrics::inc(&state.metrics.connections_open);
    Metrics::inc(&state.metrics.connections_total);
    let mut bucket = TokenBucket::new(state.config.max_messages_per_sec);
    let mut writer = writer;
    let mut writer_done = false;
    let mut read_failed = false;
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            _ = &mut writer => { writer_done = true; break; }
        };
        let Some(frame) = frame else { break };
        Metrics::inc(&state.metrics.messages_in);
        if matches!(frame, Ok(WsMessage::Binary(_) | WsMessage::Text(_))) && !bucket.take() {
            let _ = out_tx.try_send(Outgoing::Close {
                reason: ErrorReason::RateLimited,
                message: format!(
                    "more than {} messages a second; slow down and reconnect",
                    state.config.max_messages_per_sec
                ),
            });
            Metrics::inc(&state.metrics.refused);
            break;
        }
        let problem = match frame {
            Ok(WsMessage::Binary(bytes)) => match Message::decode(&bytes) {
                Ok(Message::Sync(payload)) => {
                    if room.sync(payload).await {
                        continue;
                    }
                    (ErrorReason::Internal, "the board closed".to_string())
                }
                Ok(Message::Changes(payload)) => {
                    if room.changes(payload).await {
                        continue;
                    }
                    (ErrorReason::Internal, "the board closed".to_string())
                }
                Ok(Message::Command(c)) => {
                    if room.command(c).await {
                        continue;
                    }
                    (ErrorReason::Internal, "the board closed".to_string())
                }
                Ok(Message::Presence(p)) => {
                    if room.presence(p).await {
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
            Err(e) => {
                read_failed = true;
                ws_error(&e)
            }
        };
        tracing::debug!(peer, reason = ?problem.0, message = %problem.1, "closing connection");
        let _ = out_tx.try_send(Outgoing::Close {
            reason: problem.0,
            message: problem.1,
        });
        break;
    }
    room.leave().await;
    Metrics::dec(&state.metrics.connections_open);
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
                return;
            }
        }
        // The input broke off mid-message (e.g. too large): unread input
        // makes closing the socket reset it, which can destroy the close
        // frame before the client reads it. Give the client a moment.
        if read_failed {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
    .await;
}

/// Binds the hello's participant id to its participant secret (trust on
/// first use). `Ok(true)`: this device is that participant; `Ok(false)`: no
/// secret was sent; an error: another device holds that participant id.
async fn verify_participant(
    state: &AppState,
    hello: &Hello,
) -> Result<bool, (ErrorReason, String)> {
    let Some(key) = hello.participant_key.as_deref() else {
        return Ok(false);
    };
    if key.len() < 16 || key.len() > 128 || samskab_board::check_id(&hello.participant.id).is_err()
    {
        return Err((
            ErrorReason::Malformed,
            "a participant key is 16 to 128 characters, with a valid participant id".into(),
        ));
    }
    match state
        .storage
        .bind_participant(&hello.board, &hello.participant.id, &auth::hash_secret(key))
        .await
    {
        Ok(true) => Ok(true),
        Ok(false) => Err((
            ErrorReason::Forbidden,
            "this participant belongs to another device on this board".into(),
        )),
        Err(e) => {
            tracing::error!(error = %e, "participant key lookup failed");
            Err((
                ErrorReason::Internal,
                "the server could not check who you are".into(),
            ))
        }
    }
}

/// Messages a connection may send: `rate` a second on average, in bursts of
/// up to two seconds' worth.
struct TokenBucket {
    rate: f64,
    tokens: f64,
    last: std::time::Instant,
}

impl TokenBucket {
    fn new(rate: u32) -> TokenBucket {
        let rate = f64::from(rate.max(1));
        TokenBucket {
            rate,
            tokens: rate * 2.0,
            last: std::time::Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = std::time::Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.rate * 2.0);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
