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
//! Every rule is a function of the merged document alone, so all replicas
//! that have the same changes show the same board. Deleting sets a tombstone
//! (`deleted`), so nothing a person wrote is ever lost to a merge.
//! - **Move, edit or recolour vs delete**: delete wins; the concurrent edit
//!   is kept inside the tombstone and reappears if the delete is undone.
//! - **Two moves of one thing**: Automerge's last-writer-wins per field (by
//!   Lamport order, ties by actor): one position everywhere.
//! - **Two people typing in one note**: both texts are kept, merged by character.
//! - **Notes in frames**: a framed note's position is stored relative to its
//!   frame, so a note moves with its frame even when it was put in the frame
//!   concurrently with the move. A note in a frame deleted concurrently stays
//!   where it was on the board (the deleted frame still knows its corner).
//! - **Reparent under a deleted node, or a node added under one**: it hangs
//!   under its nearest live ancestor (or the root). Deleting a node deletes
//!   the subtree *it saw*; nodes added below it concurrently survive.
//! - **Two concurrent reparents forming a cycle**: the cycle is cut by
//!   attaching its member with the smallest id to the root.
//! - **Two people reordering the same siblings**: each node's `order` is
//!   last-writer-wins; siblings sort by (order, id), so ties are broken the
//!   same way everywhere.
//! - **A connector whose end is deleted** is not shown; it comes back with
//!   its end.
//! - **Two replicas creating a board**: the containers come from an identical
//!   genesis change, so they are one and the same object everywhere.
//!
//! ## Undo
//! [`History`] is one person's undo and redo. Each step is guarded by what
//! the person's edit left behind; if someone else has changed that since,
//! the step is skipped, so undo never removes another person's work. Text
//! is undone character-exactly through Automerge cursors.

mod apply;
mod board;
mod diff;
mod doc;
mod error;
pub mod facilitation;
pub mod layout;
mod op;
mod read;
pub mod schema;
pub mod sort;
pub mod templates;
mod undo;
mod validate;
pub mod wire;

pub use automerge;
pub use board::{Board, Limits, MAX_COORD, MIN_SIZE, NOTE_SIZE, check_id};
pub use diff::{BoardDiff, ItemChanges};
pub use error::BoardError;
pub use op::{Color, Ctx, NoteId, Op, RoleGroup, order_between, text_splice};
pub use read::{ConnectorView, FrameView, MindMapView, NodeView, NoteView, ParticipantView};
pub use undo::{Entry, History, MAX_HISTORY, TYPING_PAUSE_MS};
pub use validate::{ValidationError, Violation, validate, validate_changes};
