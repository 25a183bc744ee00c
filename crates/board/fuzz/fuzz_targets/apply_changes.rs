//! Starts from a fixed valid board and feeds it the input as Automerge
//! changes or a save (`load_incremental`), as one change (`apply_changes`)
//! and as a sync message (as the server receives them). Whatever gets in is
//! validated and read; when validation fails the board is reverted the way
//! the server does it. Must never panic (errors are fine).
#![no_main]

mod common;

use std::sync::OnceLock;

use automerge::sync::{self, SyncDoc};
use automerge::{Change, ChangeHash};
use libfuzzer_sys::fuzz_target;
use samskab_board::{Board, Limits, validate};

/// The save of the starting board ([`common::base_board`]).
fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| common::base_board().save())
}

fn board() -> Board {
    Board::load(base(), &[2; 16]).expect("the base board loads")
}

/// What the server does after a peer's data got in: validate, and on
/// failure go back to the heads before; otherwise read everything.
fn after(mut b: Board, before: &[ChangeHash]) {
    if validate(&b, &Limits::default()).is_err() {
        if let Ok(doc) = b.doc_mut().fork_at(before) {
            if let Ok(reverted) = Board::from_doc(doc) {
                common::read_everything(&reverted);
            }
        }
    }
    common::read_everything(&b);
    let _ = b.save();
}

fn check(data: &[u8]) {
    let mut b = board();
    let before = b.heads();
    if b.doc_mut().load_incremental(data).is_ok() {
        after(b, &before);
    }
    if let Ok(change) = Change::from_bytes(data.to_vec()) {
        let mut b = board();
        if b.doc_mut().apply_changes([change]).is_ok() {
            after(b, &before);
        }
    }
    if let Ok(msg) = sync::Message::decode(data) {
        let mut b = board();
        let mut state = sync::State::new();
        if b.doc_mut()
            .sync()
            .receive_sync_message(&mut state, msg)
            .is_ok()
        {
            let _ = b.doc_mut().sync().generate_sync_message(&mut state);
            after(b, &before);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(fixed) = common::fix_checksums(data) {
        check(&fixed);
    }
});
