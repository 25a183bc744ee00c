//! The inputs in `crates/board/fuzz/regressions/` make Automerge 0.12 panic
//! (upstream bugs, found by fuzzing). A peer can send them as a sync
//! message; the server's entry point, `PeerSync`, must contain every one:
//! an error comes back, no panic gets out, and a fresh copy of the board
//! loaded again from its save (what the server does) is whole.
use std::path::PathBuf;

use automerge::sync;
use samskab_board::{Board, Limits, validate};
use samskab_protocol::{PeerSync, SyncError};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../board/fuzz")
}

fn regressions() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for target in ["apply_changes", "load_and_validate"] {
        let dir = fuzz_dir().join("regressions").join(target);
        for entry in std::fs::read_dir(&dir).expect("the regressions folder") {
            let path = entry.unwrap().path();
            out.push((
                format!("{target}/{}", path.file_name().unwrap().to_string_lossy()),
                std::fs::read(&path).unwrap(),
            ));
        }
    }
    out.sort();
    assert!(out.len() >= 9, "the known crash inputs are all there");
    out
}

/// The input as a peer would send it: changes in a sync message.
fn as_sync_message(changes: &[u8]) -> Vec<u8> {
    sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![changes.to_vec()].into(),
        flags: None,
        version: sync::MessageVersion::V2,
    }
    .encode()
}

#[test]
fn automerge_panics_from_a_peer_are_contained() {
    let base = std::fs::read(fuzz_dir().join("seeds/base.automerge")).unwrap();
    let reference = Board::load(&base, &[1; 16]).unwrap();
    let notes = reference.notes();
    let mut poisoned = 0;
    for (name, data) in regressions() {
        for payload in [as_sync_message(&data), data.clone()] {
            let mut board = Board::load_stored(&base, &[2; 16]).unwrap();
            let mut peer = PeerSync::new();
            match peer.receive(&mut board, &payload) {
                Err(SyncError::Poisoned(why)) => {
                    poisoned += 1;
                    assert!(!why.is_empty(), "{name}: the panic is reported");
                    // The server drops this copy and loads the board again.
                    let again = Board::load_stored(&base, &[2; 16]).unwrap();
                    assert_eq!(again.notes(), notes, "{name}");
                }
                Err(_) => {}
                Ok(()) => {
                    while peer.generate(&mut board).is_some() {}
                    if peer.take_broken().is_none() {
                        // Whatever got in without breaking anything is read
                        // and judged like any other change.
                        let _ = validate(&board, &Limits::default());
                        let _ = board.notes();
                    }
                }
            }
        }
    }
    assert!(
        poisoned > 0,
        "at least one known input still makes Automerge panic (if none does, \
         Automerge fixed them: update crates/board/fuzz/README.md)"
    );
}

#[test]
fn damaged_saves_are_refused_not_panicked_on() {
    for (name, data) in regressions() {
        // `Board::load` contains panics while loading an imported file.
        if let Ok(b) = Board::load(&data, &[3; 16]) {
            let _ = b.notes();
        }
        if let Ok(b) = Board::load_stored(&data, &[3; 16]) {
            let _ = b.notes();
        }
        eprintln!("{name}: no panic got out");
    }
}
