//! # samskab-protocol
//!
//! The Samskab wire protocol ([`Message`], versioned from the first byte) and
//! the sans-IO sync pieces shared by the server and the browser: [`PeerSync`]
//! (Automerge sync with one peer) and [`ClientSession`] (a client's whole
//! connection: hello, sync, acknowledgements, unsaved-change count).
//! Nothing here touches a socket, so two sessions can be wired together in
//! memory:
//!
//! ```
//! use samskab_board::{Board, Color, Ctx, Op};
//! use samskab_protocol::{ClientSession, Message, Participant, PeerSync, Permission, Welcome};
//!
//! let me = Participant { id: "p1".into(), name: "Maja".into(), role: "citizen".into(), color: "#c33".into() };
//! let mut client = ClientSession::new("b1", None, me, Board::new(&[1; 16]));
//! let mut server_board = Board::new(&[9; 16]);
//! let mut server_side = PeerSync::new();
//!
//! client.connected();
//! let hello = client.poll_transmit().unwrap();
//! assert!(matches!(Message::decode(&hello), Ok(Message::Hello(_))));
//! let welcome = Message::Welcome(Welcome { protocol: 1, board: "b1".into(), permission: Permission::Editor, server_time_ms: None });
//! client.receive(&welcome.encode()).unwrap();
//!
//! client.apply(&Op::CreateNote { id: "n1".into(), x: 0.0, y: 0.0, color: Color::Blue, text: "Idé".into() }, &Ctx::new("p1", 0)).unwrap();
//! assert_eq!(client.unacknowledged(), 1);
//!
//! // Shuttle frames both ways until neither side has anything to say.
//! loop {
//!     let mut quiet = true;
//!     while let Some(frame) = client.poll_transmit() {
//!         quiet = false;
//!         let Ok(Message::Sync(payload)) = Message::decode(&frame) else { panic!() };
//!         server_side.receive(&mut server_board, &payload).unwrap();
//!     }
//!     while let Some(frame) = server_side.generate(&mut server_board) {
//!         quiet = false;
//!         client.receive(&frame).unwrap();
//!     }
//!     if quiet { break; }
//! }
//! assert_eq!(server_board.note("n1").unwrap().text, "Idé");
//! ```

mod facil;
mod message;
mod session;
mod sync;

pub use facil::{Command, PrivateNote, PrivateState};
pub use message::{
    Ack, DecodeError, Dragging, ErrorMsg, ErrorReason, Hello, Kind, Message, PROTOCOL_VERSION,
    Participant, PeerPresence, Permission, Presence, Viewport, Welcome,
};
pub use session::{ClientSession, Event, Phase, SessionError};
pub use sync::{
    PeerSync, SyncError, changes_since, missing_deps, receive_changes, receive_changes_from_server,
};

/// Change hashes as they travel in [`Ack`]: lower-case hex.
pub fn heads_to_hex(heads: &[automerge::ChangeHash]) -> Vec<String> {
    heads.iter().map(|h| h.to_string()).collect()
}
