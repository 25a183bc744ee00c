//! Replays inputs outside libFuzzer (no sanitizer), the way a target does,
//! and says for each file whether it panicked and where.
//!
//! `cargo run --example replay -- load|apply|raw|sync|server|wire FILE...` (in `crates/board/fuzz`);
//! `RUST_BACKTRACE=1` adds the stack. `sync` wraps the (checksum-fixed) input
//! in a sync message, as a peer would send it, and gives that to the
//! starting board of `apply_changes` the way the server does
//! (`sync::Message::decode` + `receive_sync_message`).
#[path = "../fuzz_targets/common.rs"]
mod common;

use automerge::sync::{self, SyncDoc};

fn main() {
    let mut args = std::env::args().skip(1);
    let check: fn(&[u8]) = match args.next().as_deref() {
        Some("load") => common::check_load,
        Some("apply") => common::check_apply,
        Some("raw") => common::check_apply_raw,
        Some("sync") => as_sync_message,
        Some("server") => through_server_path,
        Some("wire") => print_declared,
        _ => {
            eprintln!("usage: replay load|apply|raw|sync|server|wire FILE...");
            std::process::exit(2)
        }
    };
    let mut panics = 0;
    for path in args {
        let data = std::fs::read(&path).expect("input file");
        let fixed = common::fix_checksums(&data);
        let run = std::panic::catch_unwind(|| {
            check(&data);
            if let Some(f) = &fixed {
                check(f);
            }
        });
        let fix = if fixed.is_some() {
            " (checksums fixed)"
        } else {
            ""
        };
        match run {
            Ok(()) => println!("{path}: {} bytes{fix}: no panic", data.len()),
            Err(_) => {
                panics += 1;
                println!("{path}: {} bytes{fix}: PANIC (message above)", data.len());
            }
        }
    }
    std::process::exit(if panics > 0 { 1 } else { 0 });
}

/// What `wire` finds the input declares, as a file and as a sync message.
fn print_declared(data: &[u8]) {
    let limits = samskab_board::Limits::default();
    println!("  as chunks: {:?}", samskab_board::wire::check_chunks(data, &limits));
    println!("  as a sync message: {:?}", samskab_board::wire::check_sync_message(data, &limits));
}

/// The input (changes) wrapped in a sync message and given to the server's
/// entry point, `PeerSync::receive` (which contains Automerge's panics).
fn through_server_path(data: &[u8]) {
    common::check_apply(&wrap(data));
}

fn wrap(data: &[u8]) -> Vec<u8> {
    sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![data.to_vec()].into(),
        flags: None,
        version: sync::MessageVersion::V2,
    }
    .encode()
}

/// The input (changes) wrapped in a sync message and given straight to
/// Automerge: shows that a peer can reach a panic found with `raw`.
fn as_sync_message(data: &[u8]) {
    let msg = sync::Message {
        heads: Vec::new(),
        need: Vec::new(),
        have: Vec::new(),
        changes: vec![data.to_vec()].into(),
        flags: None,
        version: sync::MessageVersion::V2,
    };
    let bytes = msg.encode();
    let mut board = samskab_board::Board::load(common::base(), &[2; 16]).expect("the base loads");
    let mut state = sync::State::new();
    let decoded = sync::Message::decode(&bytes).expect("our own message decodes");
    let result = board
        .doc_mut()
        .sync()
        .receive_sync_message(&mut state, decoded);
    println!(
        "  receive_sync_message: {:?}",
        result.map_err(|e| e.to_string())
    );
}
