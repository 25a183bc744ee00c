//! The wire format. Every websocket binary frame is one message:
//!
//! ```text
//! byte 0      protocol version (PROTOCOL_VERSION)
//! byte 1      kind (see Kind)
//! bytes 2..   payload: raw Automerge sync bytes for Sync, raw Automerge
//!             changes for Changes, UTF-8 JSON otherwise
//! ```
//!
//! **Sync, then live.** A connection starts with Automerge's sync protocol
//! (`Sync`), which finds out what each side lacks whatever happened offline.
//! Once the server sees that a peer lacks nothing but changes it can send
//! at once (the heads the peer reported are all in the server's board, and
//! at most a few thousand changes after them have not been sent to it
//! yet), and the peer said in its hello that it can (`Hello::live`), it
//! sends those changes and an empty `Changes`: from then on both sides send
//! each other only new changes, as raw bytes (`Changes`), in the order they
//! were applied. (Waiting for exactly equal heads kept peers syncing for
//! good in a busy meeting: the board moves on while a report is on its way.) A received sync message
//! costs Automerge a walk over the whole history (`receive_sync_message`
//! prunes its sent-hashes against every ancestor of the peer's heads); a
//! `Changes` message costs what its changes cost. When changes arrive whose
//! dependencies are missing, the receiver goes back to sync: the server by
//! sending `Sync`, the client by sending an empty `Changes` ("sync with me
//! again"). Sync messages a client sent before it heard it is live are
//! applied and not answered.
//!
//! The version comes first so that a server can tell an old client exactly
//! that, whatever the rest of the frame holds.
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The version this build speaks.
pub const PROTOCOL_VERSION: u8 = 1;

/// The message kinds, as byte 1 of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Hello = 1,
    Welcome = 2,
    Sync = 3,
    Ack = 4,
    Error = 5,
    Presence = 6,
    PeerPresence = 7,
    PeerLeft = 8,
    Command = 9,
    Private = 10,
    Changes = 11,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Hello,
            2 => Kind::Welcome,
            3 => Kind::Sync,
            4 => Kind::Ack,
            5 => Kind::Error,
            6 => Kind::Presence,
            7 => Kind::PeerPresence,
            8 => Kind::PeerLeft,
            9 => Kind::Command,
            10 => Kind::Private,
            11 => Kind::Changes,
            _ => return None,
        })
    }
}

/// Who a client says it is. Kept in presence, never trusted for permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub name: String,
    /// "citizen", "politician", "administrator" or "other".
    #[serde(default)]
    pub role: String,
    /// A CSS colour for cursors and avatars.
    #[serde(default)]
    pub color: String,
}

/// The part of the board a person is looking at (for "follow me").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub zoom: f64,
}

/// A note being dragged: where it is now (committed on drop, not before).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dragging {
    pub id: String,
    pub x: f64,
    pub y: f64,
}

/// Ephemeral state of one person: never stored, never in the document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Presence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<(f64, f64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewport: Option<Viewport>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selection: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dragging: Option<Dragging>,
}

/// Server to client: someone's presence (sent on join for everyone there,
/// then on every change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerPresence {
    /// A number for this connection, unique on the server while it lasts.
    pub peer: u64,
    pub participant: Participant,
    pub presence: Presence,
}

/// Client to server, first message on a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u8,
    pub board: String,
    /// The secret from a share link, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub participant: Participant,
    /// A secret this device made for this participant (kept on the device).
    /// The server binds the participant id to it on first use, so only this
    /// device can act as this participant (private notes, votes, the chair).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_key: Option<String>,
    /// The client can switch to `Changes` once in sync (see the module doc).
    /// Clients that do not say so stay on the sync protocol.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
}

/// What a connection may do on a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Facilitator,
    Editor,
    Viewer,
}

impl Permission {
    pub fn can_edit(self) -> bool {
        !matches!(self, Permission::Viewer)
    }
}

/// Server to client, answer to a good [`Hello`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    pub protocol: u8,
    pub board: String,
    pub permission: Permission,
    /// The server's clock (ms since the epoch) when it welcomed us, so that
    /// timers read the same on every device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time_ms: Option<i64>,
}

/// Server to client: storage has durably committed a document with these heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Change hashes, lower-case hex.
    pub heads: Vec<String>,
}

/// Why the server refuses something. Stable names: clients switch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorReason {
    WrongVersion,
    Malformed,
    BoardNotFound,
    Forbidden,
    TooLarge,
    RateLimited,
    InvalidChange,
    /// The board has as many connections as the server allows.
    BoardFull,
    Internal,
    ShuttingDown,
    /// A command came for something that is over: dots cast offline for a
    /// vote that was closed or revealed before they reached the server.
    /// Refuses that command only; the connection stays.
    TooLate,
}

impl ErrorReason {
    /// The websocket close code that goes with this reason.
    pub fn close_code(self) -> u16 {
        match self {
            ErrorReason::Malformed | ErrorReason::InvalidChange | ErrorReason::TooLate => 1007,
            ErrorReason::TooLarge => 1009,
            ErrorReason::Internal => 1011,
            ErrorReason::ShuttingDown => 1001,
            ErrorReason::WrongVersion => 4000,
            ErrorReason::BoardNotFound => 4004,
            ErrorReason::Forbidden => 4003,
            ErrorReason::RateLimited => 4029,
            ErrorReason::BoardFull => 4030,
        }
    }
}

/// Server to client: something was refused. Usually followed by a close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorMsg {
    pub reason: ErrorReason,
    pub message: String,
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Hello(Hello),
    Welcome(Welcome),
    /// An Automerge sync message, passed through as bytes.
    Sync(Vec<u8>),
    Ack(Ack),
    Error(ErrorMsg),
    /// Client to server: my presence changed.
    Presence(Presence),
    PeerPresence(PeerPresence),
    /// Server to client: this connection has gone.
    PeerLeft(u64),
    /// Client to server: a facilitation command.
    Command(crate::facil::Command),
    /// Server to client: my own hidden content.
    Private(crate::facil::PrivateState),
    /// New Automerge changes as raw bytes, either way, once live (see the
    /// module doc). Empty from the server: "you are live now"; empty from
    /// a client: "sync with me again".
    Changes(Vec<u8>),
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("empty message")]
    Empty,
    #[error("this server speaks protocol version {PROTOCOL_VERSION}, the message has version {0}")]
    WrongVersion(u8),
    #[error("message is cut short")]
    Truncated,
    #[error("unknown message kind {0}")]
    UnknownKind(u8),
    #[error("bad {kind} message: {detail}")]
    BadPayload { kind: &'static str, detail: String },
}

impl DecodeError {
    pub fn reason(&self) -> ErrorReason {
        match self {
            DecodeError::WrongVersion(_) => ErrorReason::WrongVersion,
            _ => ErrorReason::Malformed,
        }
    }
}

impl Message {
    pub fn kind(&self) -> Kind {
        match self {
            Message::Hello(_) => Kind::Hello,
            Message::Welcome(_) => Kind::Welcome,
            Message::Sync(_) => Kind::Sync,
            Message::Ack(_) => Kind::Ack,
            Message::Error(_) => Kind::Error,
            Message::Presence(_) => Kind::Presence,
            Message::PeerPresence(_) => Kind::PeerPresence,
            Message::PeerLeft(_) => Kind::PeerLeft,
            Message::Command(_) => Kind::Command,
            Message::Private(_) => Kind::Private,
            Message::Changes(_) => Kind::Changes,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![PROTOCOL_VERSION, self.kind() as u8];
        match self {
            Message::Hello(h) => write_json(&mut out, h),
            Message::Welcome(w) => write_json(&mut out, w),
            Message::Sync(bytes) => out.extend_from_slice(bytes),
            Message::Ack(a) => write_json(&mut out, a),
            Message::Error(e) => write_json(&mut out, e),
            Message::Presence(p) => write_json(&mut out, p),
            Message::PeerPresence(p) => write_json(&mut out, p),
            Message::PeerLeft(p) => write_json(&mut out, p),
            Message::Command(c) => write_json(&mut out, c),
            Message::Private(p) => write_json(&mut out, p),
            Message::Changes(bytes) => out.extend_from_slice(bytes),
        }
        out
    }

    pub fn decode(frame: &[u8]) -> Result<Message, DecodeError> {
        let (&version, rest) = frame.split_first().ok_or(DecodeError::Empty)?;
        if version != PROTOCOL_VERSION {
            return Err(DecodeError::WrongVersion(version));
        }
        let (&kind, payload) = rest.split_first().ok_or(DecodeError::Truncated)?;
        let kind = Kind::from_byte(kind).ok_or(DecodeError::UnknownKind(kind))?;
        fn parse<T: serde::de::DeserializeOwned>(
            kind: &'static str,
            payload: &[u8],
        ) -> Result<T, DecodeError> {
            serde_json::from_slice(payload).map_err(|e| DecodeError::BadPayload {
                kind,
                detail: e.to_string(),
            })
        }
        Ok(match kind {
            Kind::Hello => Message::Hello(parse("hello", payload)?),
            Kind::Welcome => Message::Welcome(parse("welcome", payload)?),
            Kind::Sync => {
                if payload.is_empty() {
                    return Err(DecodeError::Truncated);
                }
                Message::Sync(payload.to_vec())
            }
            Kind::Ack => Message::Ack(parse("ack", payload)?),
            Kind::Error => Message::Error(parse("error", payload)?),
            Kind::Presence => Message::Presence(parse("presence", payload)?),
            Kind::PeerPresence => Message::PeerPresence(parse("peer presence", payload)?),
            Kind::PeerLeft => Message::PeerLeft(parse("peer left", payload)?),
            Kind::Command => Message::Command(parse("command", payload)?),
            Kind::Private => Message::Private(parse("private", payload)?),
            Kind::Changes => Message::Changes(payload.to_vec()),
        })
    }

    pub fn error(reason: ErrorReason, message: impl Into<String>) -> Message {
        Message::Error(ErrorMsg {
            reason,
            message: message.into(),
        })
    }
}

fn write_json<T: Serialize>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(out, value).expect("protocol payloads always serialize");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> Message {
        Message::Hello(Hello {
            protocol: PROTOCOL_VERSION,
            board: "b1".into(),
            key: None,
            participant: Participant {
                id: "p1".into(),
                name: "Åse".into(),
                role: "citizen".into(),
                color: "#c33".into(),
            },
            participant_key: None,
            live: true,
        })
    }

    #[test]
    fn every_kind_round_trips() {
        let msgs = [
            hello(),
            Message::Welcome(Welcome {
                protocol: 1,
                board: "b1".into(),
                permission: Permission::Editor,
                server_time_ms: Some(1_700_000_000_000),
            }),
            Message::Command(crate::facil::Command::Vote {
                item: "n1".into(),
                dots: 2,
                vote: "v1".into(),
            }),
            Message::error(ErrorReason::TooLate, "the vote is over"),
            Message::Private(crate::facil::PrivateState {
                ideation: "i1".into(),
                notes: vec![crate::facil::PrivateNote {
                    id: "p1".into(),
                    text: "hemmelig".into(),
                    color: samskab_board::Color::Pink,
                }],
                ..Default::default()
            }),
            Message::Sync(vec![0x42, 1, 2, 3]),
            Message::Changes(vec![0x85, 0x6f, 0x4a, 0x83]),
            Message::Changes(Vec::new()),
            Message::Ack(Ack {
                heads: vec!["ab".into()],
            }),
            Message::error(ErrorReason::TooLarge, "too big"),
            Message::Presence(Presence {
                cursor: Some((1.0, 2.5)),
                dragging: Some(Dragging {
                    id: "n1".into(),
                    x: 3.0,
                    y: 4.0,
                }),
                ..Presence::default()
            }),
            Message::PeerLeft(7),
        ];
        for m in msgs {
            assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        }
    }

    #[test]
    fn bad_frames_say_what_is_wrong() {
        assert_eq!(Message::decode(&[]), Err(DecodeError::Empty));
        assert_eq!(Message::decode(&[1]), Err(DecodeError::Truncated));
        assert_eq!(Message::decode(&[0, 1]), Err(DecodeError::WrongVersion(0)));
        assert_eq!(Message::decode(&[1, 99]), Err(DecodeError::UnknownKind(99)));
        assert_eq!(Message::decode(&[1, 3]), Err(DecodeError::Truncated));
        let err = Message::decode(b"\x01\x01{not json").unwrap_err();
        assert_eq!(err.reason(), ErrorReason::Malformed);
        assert!(err.to_string().starts_with("bad hello message"));
        let mut cut = hello().encode();
        cut.truncate(cut.len() - 3);
        assert!(matches!(
            Message::decode(&cut),
            Err(DecodeError::BadPayload { .. })
        ));
    }
}
