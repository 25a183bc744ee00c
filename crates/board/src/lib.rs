//! # samskab-board
//!
//! The Samskab board model. A board is an [Automerge](automerge) document;
//! [`schema`] spells its keys, every user edit is one [`Op`] applied by
//! [`Board::apply`], [`Board::notes`] and friends give typed read views, and
//! [`validate`] checks a whole document against the schema and [`Limits`].
//!
//! The crate does no IO, reads no clock and draws no random numbers: the
//! replica's actor id, the time and new ids all come in as arguments. It
//! builds for native targets and for `wasm32-unknown-unknown`.
//!
//! ```
//! use samskab_board::{Board, Color, Ctx, Op};
//!
//! let mut anna = Board::new(&[1; 16]);
//! let ctx = Ctx::new("anna", 1_700_000_000_000);
//! anna.apply(&Op::CreateNote { id: "n1".into(), x: 10.0, y: 20.0, color: Color::Yellow, text: "Hej".into() }, &ctx).unwrap();
//!
//! // Bo starts from the same document and types in the same note, concurrently.
//! let mut bo = Board::load(&anna.save(), &[2; 16]).unwrap();
//! anna.apply(&Op::EditText { id: "n1".into(), index: 3, delete: 0, insert: " alle".into() }, &ctx).unwrap();
//! bo.apply(&Op::EditText { id: "n1".into(), index: 0, delete: 0, insert: "Nå, ".into() }, &Ctx::new("bo", 0)).unwrap();
//!
//! anna.doc_mut().merge(bo.doc_mut()).unwrap();
//! assert_eq!(anna.note("n1").unwrap().text, "Nå, Hej alle");
//! samskab_board::validate(&anna, &Default::default()).unwrap();
//! ```
//!
//! ## Conflict rules
//! - **Move or edit vs delete**: delete wins. The note's map is removed from
//!   `notes`; a concurrent move or edit lands in an object nobody can reach.
//! - **Two moves**: Automerge's last-writer-wins per coordinate (by Lamport
//!   order, ties by actor), so all replicas pick the same position.
//! - **Two people typing in one note**: both texts are kept, merged by character.
//! - **Two replicas creating a board**: the containers come from an identical
//!   genesis change, so they are one and the same object everywhere.

mod board;
mod doc;
mod error;
pub mod layout;
mod op;
mod read;
pub mod schema;
mod undo;
mod validate;

pub use automerge;
pub use board::{Board, Limits, MAX_COORD, MIN_SIZE, NOTE_SIZE, check_id};
pub use error::BoardError;
pub use op::{Color, Ctx, NoteId, Op, RoleGroup, order_between, text_splice};
pub use read::{ConnectorView, FrameView, MindMapView, NodeView, NoteView, ParticipantView};
pub use undo::{Entry, History, MAX_HISTORY};
pub use validate::{ValidationError, Violation, validate};
