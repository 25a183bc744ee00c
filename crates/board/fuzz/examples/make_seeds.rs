//! Writes the seed inputs of both fuzz targets to `seeds/<target>/`:
//! saves, changes and sync messages made from real ops, plus a few that
//! break the schema (so the fuzzer starts next to the validation paths).
//!
//! `cargo run --example make_seeds [-- --new-base]` (in `crates/board/fuzz`).
#[path = "../fuzz_targets/common.rs"]
mod common;

use std::path::Path;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use samskab_board::{Board, Color, Ctx, Op};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    std::fs::create_dir_all(&dir).expect("seeds dir");
    std::fs::write(dir.join(name), bytes).expect("seed file");
}

fn ops(board: &mut Board, ctx: &Ctx, ops: &[Op]) {
    for op in ops {
        board
            .apply(op, ctx)
            .unwrap_or_else(|e| panic!("{op:?}: {e}"));
    }
}

fn main() {
    let ctx = Ctx::new("bo", 1_700_000_000_000);
    // The starting board is made with ops once and then kept (see
    // `common::base`); `--new-base` makes it again from the ops of today.
    let base_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/base.automerge");
    if std::env::args().any(|a| a == "--new-base") || !base_path.exists() {
        std::fs::write(&base_path, common::base_board().save()).expect("base file");
    }
    let base_bytes = std::fs::read(&base_path).expect("base file");
    let mut base = Board::load(&base_bytes, &[1; 16]).expect("base loads");
    let before = base.heads();

    // Real edits on a second replica.
    let mut peer = Board::load(&base_bytes, &[3; 16]).expect("base loads");
    ops(
        &mut peer,
        &ctx,
        &[
            Op::SetParticipant {
                name: "Bo".into(),
                role: samskab_board::RoleGroup::Citizen,
                color: "#00f".into(),
            },
            Op::MoveNote {
                id: "n2".into(),
                x: 50.0,
                y: 60.0,
            },
            Op::EditText {
                id: "n1".into(),
                index: 3,
                delete: 0,
                insert: " verden".into(),
            },
            Op::CreateNote {
                id: "n3".into(),
                x: 1.0,
                y: 2.0,
                color: Color::Green,
                text: "ny".into(),
            },
            Op::Connect {
                id: "c2".into(),
                from: "n3".into(),
                to: "a".into(),
                label: String::new(),
            },
            Op::AddNode {
                map: "m1".into(),
                id: "c".into(),
                parent: "b".into(),
                order: 1.0,
                text: "C".into(),
            },
            Op::Reparent {
                map: "m1".into(),
                id: "b".into(),
                parent: "r".into(),
                order: 2.0,
            },
            Op::Reparent {
                map: "m1".into(),
                id: "a".into(),
                parent: "b".into(),
                order: 0.0,
            },
            Op::NodeToNote {
                map: "m1".into(),
                node: "c".into(),
                note: "n4".into(),
                x: 5.0,
                y: 5.0,
            },
            Op::DeleteFrame { id: "f1".into() },
            Op::DeleteNote { id: "n2".into() },
        ],
    );
    for (i, change) in peer.doc_mut().get_changes(&before).iter().enumerate() {
        write(
            "apply_changes",
            &format!("change-{i:02}"),
            change.raw_bytes(),
        );
    }
    let after_peer = peer.doc_mut().save_after(&before);
    write("apply_changes", "save-after", &after_peer);

    // A concurrent edit that, merged with the peer's, makes a mind-map cycle.
    let mut rival = Board::load(&base_bytes, &[9; 16]).expect("base loads");
    ops(
        &mut rival,
        &ctx,
        &[Op::Reparent {
            map: "m1".into(),
            id: "b".into(),
            parent: "a".into(),
            order: 3.0,
        }],
    );
    let mut both = after_peer.clone();
    both.extend(rival.doc_mut().save_after(&before));
    write("apply_changes", "cycle", &both);

    // The sync messages a peer sends to bring the base up to date.
    let (mut ours, mut theirs) = (sync::State::new(), sync::State::new());
    let mut receiver = Board::load(&base_bytes, &[4; 16]).expect("base loads");
    for round in 0..4 {
        if let Some(m) = receiver.doc_mut().sync().generate_sync_message(&mut ours) {
            peer.doc_mut()
                .sync()
                .receive_sync_message(&mut theirs, m)
                .expect("sync");
        }
        if let Some(m) = peer.doc_mut().sync().generate_sync_message(&mut theirs) {
            write(
                "apply_changes",
                &format!("sync-{round}"),
                &m.clone().encode(),
            );
            receiver
                .doc_mut()
                .sync()
                .receive_sync_message(&mut ours, m)
                .expect("sync");
        }
    }

    // Changes that break the schema, made below the ops.
    let mut bad = Board::load(&base_bytes, &[5; 16]).expect("base loads");
    let doc = bad.doc_mut();
    doc.put(ROOT, "extra", 1).expect("put");
    let notes = doc.get(ROOT, "notes").expect("get").expect("notes").1;
    let n1 = doc.get(&notes, "n1").expect("get").expect("n1").1;
    doc.put(&n1, "x", f64::NAN).expect("put");
    doc.put(&n1, "color", "plaid").expect("put");
    doc.put_object(&n1, "frame", ObjType::List).expect("put");
    doc.put_object(&notes, "bad id!", ObjType::Map)
        .expect("put");
    let t = doc.get(&n1, "text").expect("get").expect("text").1;
    doc.splice_text(&t, 0, 0, &"x".repeat(2_100))
        .expect("splice");
    doc.commit();
    write(
        "apply_changes",
        "invalid",
        &bad.doc_mut().save_after(&before),
    );
    write("load_and_validate", "invalid-board", &bad.save());

    // Whole documents for loading.
    let mut merged = Board::load(&base_bytes, &[6; 16]).expect("base loads");
    merged.doc_mut().load_incremental(&both).expect("merge");
    write("load_and_validate", "base", &base_bytes);
    write(
        "load_and_validate",
        "base-nocompress",
        &base.doc_mut().save_nocompress(),
    );
    write("load_and_validate", "edited", &peer.save());
    write("load_and_validate", "cycle", &merged.save());
    let changes: Vec<u8> = merged
        .doc_mut()
        .get_changes(&[])
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    write("load_and_validate", "changes", &changes);
    write(
        "load_and_validate",
        "empty-board",
        &Board::new(&[1; 16]).save(),
    );
    let mut big = Board::load(&base_bytes, &[7; 16]).expect("base loads");
    for i in 0..20 {
        let op = Op::CreateNote {
            id: format!("m{i}"),
            x: i as f64,
            y: 0.0,
            color: Color::Orange,
            text: "lang tekst ".repeat(5),
        };
        big.apply(&op, &ctx).expect("note");
    }
    write("load_and_validate", "compressed", &big.save());
    let mut other = AutoCommit::new();
    other.put(ROOT, "schema_version", 1_u64).expect("put");
    other.put_object(ROOT, "notes", ObjType::Text).expect("put");
    write("load_and_validate", "not-a-board", &other.save());
    println!("seeds written to {}/seeds", env!("CARGO_MANIFEST_DIR"));
}
