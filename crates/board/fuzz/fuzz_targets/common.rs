//! Shared by the fuzz targets: every read of a board, and a checksum fix-up
//! so that mutated inputs get past Automerge's chunk checksums.
#![allow(dead_code)]

use samskab_board::{Board, Color, Ctx, Limits, Op, validate};
use sha2::{Digest, Sha256};

/// Every read the server and the app make of a board they accepted.
pub fn read_everything(board: &Board) {
    let _ = validate(board, &Limits::default());
    let _ = validate(
        board,
        &Limits {
            max_note_chars: 3,
            max_title_chars: 2,
            max_items: 2,
            max_doc_bytes: 10,
            ..Default::default()
        },
    );
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
