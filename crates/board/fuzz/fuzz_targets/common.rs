//! The fuzz targets' work, shared with the examples: what each target does
//! with an input, every read of a board, the starting board of
//! `apply_changes`, and a checksum fix-up so that mutated inputs get past
//! Automerge's chunk checksums.
#![allow(dead_code)]

use automerge::sync::{self, SyncDoc};
use automerge::{Change, ChangeHash};
use samskab_board::{Board, Color, Ctx, Limits, Op, validate, validate_changes};
use samskab_protocol::PeerSync;
use sha2::{Digest, Sha256};

/// The `load_and_validate` target: the input as a whole board.
pub fn check_load(data: &[u8]) {
    if let Ok(mut board) = Board::load(data, &[7; 16]) {
        read_everything(&board);
        let _ = board.save();
    }
}

/// Every read the server and the app make of a board they accepted.
pub fn read_everything(board: &Board) {
    let _ = validate(board, &Limits::default());
    let notes = board.notes();
    if let Some(n) = notes.first() {
        let _ = board.note(&n.id);
    }
    let _ = board.note_count();
    let _ = board.frames();
    let _ = board.connectors();
    for m in board.mindmaps() {
        let _ = board.mindmap(&m.id);
    }
    let _ = board.participants();
    let _ = board.title();
    let _ = board.theme();
    let _ = board.language();
    let _ = board.template();
    let _ = board.created_at();
}

/// The starting board of `apply_changes`: notes (one in a frame), a
/// frame, a connector, a mind map with a small tree, a participant.
pub fn base_board() -> Board {
    let ctx = Ctx::new("anna", 1_700_000_000_000);
    let mut b = Board::create(&[1; 16], "Fuzz", &ctx).expect("create");
    let ops = [
        Op::SetParticipant {
            name: "Anna".into(),
            role: Default::default(),
            color: "#fff".into(),
        },
        Op::CreateFrame {
            id: "f1".into(),
            name: "Ramme".into(),
            x: 0.0,
            y: 0.0,
            w: 500.0,
            h: 400.0,
            color: Color::Blue,
        },
        Op::CreateNote {
            id: "n1".into(),
            x: 10.0,
            y: 10.0,
            color: Color::Yellow,
            text: "Hej".into(),
        },
        Op::CreateNote {
            id: "n2".into(),
            x: 900.0,
            y: 10.0,
            color: Color::Pink,
            text: "Nå".into(),
        },
        Op::SetNoteFrame {
            id: "n1".into(),
            frame: Some("f1".into()),
        },
        Op::Connect {
            id: "c1".into(),
            from: "n1".into(),
            to: "n2".into(),
            label: "fordi".into(),
        },
        Op::CreateMindMap {
            id: "m1".into(),
            root: "r".into(),
            text: "Rod".into(),
        },
        Op::AddNode {
            map: "m1".into(),
            id: "a".into(),
            parent: "r".into(),
            order: 0.0,
            text: "A".into(),
        },
        Op::AddNode {
            map: "m1".into(),
            id: "b".into(),
            parent: "a".into(),
            order: 0.0,
            text: "B".into(),
        },
        Op::EditText {
            id: "n2".into(),
            index: 2,
            delete: 0,
            insert: " alle".into(),
        },
    ];
    for op in &ops {
        b.apply(op, &ctx).expect("base op");
    }
    b
}

/// The save of the starting board of `apply_changes`: [`base_board`] as it
/// was saved once by `examples/make_seeds.rs` and kept, so that seeds and
/// crash inputs (changes that depend on its heads) stay valid when the way
/// ops are written changes.
pub fn base() -> &'static [u8] {
    include_bytes!("../seeds/base.automerge")
}

fn board() -> Board {
    Board::load(base(), &[2; 16]).expect("the base board loads")
}

/// What the server does after a peer's data got in: `validate_changes`
/// (which must give the verdict of a full `validate`, the starting board
/// being valid: a disagreement panics, as it would let the server accept an
/// invalid board or refuse a valid one), and on failure go back to the heads
/// before (and read that); then read everything.
fn after(mut b: Board, before: &[ChangeHash]) {
    let limits = Limits::default();
    let incremental = validate_changes(&mut b, before, &limits);
    let full = validate(&b, &limits);
    assert_eq!(
        incremental.is_ok(),
        full.is_ok(),
        "validate_changes and validate disagree: {incremental:?} / {full:?}"
    );
    if full.is_err()
        && let Ok(doc) = b.doc_mut().fork_at(before)
        && let Ok(reverted) = Board::from_doc(doc)
    {
        read_everything(&reverted);
    }
    read_everything(&b);
    let _ = b.save();
}

/// The `apply_changes` target: the input as a peer's sync message, taken
/// the way the server takes it ([`PeerSync::receive`], then an answer from
/// [`PeerSync::generate`]). A panic inside Automerge is caught there and
/// reported as `Poisoned`/`take_broken`; the server then throws the board
/// away and reloads it from storage, so this does the same (it stops).
/// Whatever gets in is validated and read as the server and the app read it.
pub fn check_apply(data: &[u8]) {
    let mut b = board();
    let before = b.mark();
    let mut peer = PeerSync::new();
    // Refused (not a sync message, an invalid change) or Poisoned (a panic
    // inside Automerge, contained): either way the board is not read again.
    if peer.receive(&mut b, data).is_err() {
        return;
    }
    // One answer per message, as the server sends (a crafted message can
    // make every call answer again: regressions/slow).
    let _ = peer.generate(&mut b);
    if peer.take_broken().is_some() {
        return;
    }
    after(b, &before);
}

/// The raw Automerge entry points the product does not expose to peers
/// (`load_incremental`, `apply_changes`), for replaying the panics found
/// in Automerge itself: see `regressions/`.
pub fn check_apply_raw(data: &[u8]) {
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

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

fn leb128(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in data.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A copy of `data` in which every well-framed Automerge chunk (magic,
/// checksum, type, LEB128 length, data) carries the right checksum, or
/// `None` if there was nothing to fix.
pub fn fix_checksums(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = data.to_vec();
    let mut changed = false;
    let mut pos = 0;
    while pos + 9 < out.len() {
        if out[pos..pos + 4] != MAGIC {
            pos += 1;
            continue;
        }
        let header = pos + 8;
        let Some((len, n)) = leb128(&out[header + 1..]) else {
            pos += 1;
            continue;
        };
        let start = header + 1 + n;
        let Some(end) = usize::try_from(len).ok().and_then(|l| start.checked_add(l)) else {
            pos += 1;
            continue;
        };
        if end > out.len() {
            pos += 1;
            continue;
        }
        let hash = Sha256::digest(&out[header..end]);
        if out[pos + 4..pos + 8] != hash[..4] {
            out[pos + 4..pos + 8].copy_from_slice(&hash[..4]);
            changed = true;
        }
        pos += 4;
    }
    changed.then_some(out)
}
