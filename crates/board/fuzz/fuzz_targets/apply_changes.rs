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
use samskab_board::{Board, Color, Ctx, Limits, Op, validate};

/// The save of the starting board: notes (one in a frame), a frame, a
/// connector, a mind map with a small tree, a participant.
fn base() -> &'static [u8] {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        let ctx = Ctx::new("anna", 1_700_000_000_000);
        let mut b = Board::create(&[1; 16], "Fuzz", &ctx).expect("create");
        let ops = [
            Op::SetParticipant { name: "Anna".into(), role: Default::default(), color: "#fff".into() },
            Op::CreateFrame { id: "f1".into(), name: "Ramme".into(), x: 0.0, y: 0.0, w: 500.0, h: 400.0, color: Color::Blue },
            Op::CreateNote { id: "n1".into(), x: 10.0, y: 10.0, color: Color::Yellow, text: "Hej".into() },
            Op::CreateNote { id: "n2".into(), x: 900.0, y: 10.0, color: Color::Pink, text: "Nå".into() },
            Op::SetNoteFrame { id: "n1".into(), frame: Some("f1".into()) },
            Op::Connect { id: "c1".into(), from: "n1".into(), to: "n2".into(), label: "fordi".into() },
            Op::CreateMindMap { id: "m1".into(), root: "r".into(), text: "Rod".into() },
            Op::AddNode { map: "m1".into(), id: "a".into(), parent: "r".into(), order: 0.0, text: "A".into() },
            Op::AddNode { map: "m1".into(), id: "b".into(), parent: "a".into(), order: 0.0, text: "B".into() },
            Op::EditText { id: "n2".into(), index: 2, delete: 0, insert: " alle".into() },
        ];
        for op in &ops {
            b.apply(op, &ctx).expect("base op");
        }
        b.save()
    })
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
        if b.doc_mut().sync().receive_sync_message(&mut state, msg).is_ok() {
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
