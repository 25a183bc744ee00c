//! Starts from a fixed valid board and feeds it the input as a peer's sync
//! message, the way the server takes it (`PeerSync::receive`, then
//! `PeerSync::generate`). Whatever gets in is validated and read; when
//! validation fails the board is reverted the way the server does it.
//! Must never panic out of our API (errors are fine).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // As in `load_and_validate`: libfuzzer-sys's hook aborts even on a
    // panic that `PeerSync` contains. Back to the default hook, so only a
    // panic that gets out of our API stops the run.
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        common::check_apply(data);
        if let Some(fixed) = common::fix_checksums(data) {
            common::check_apply(&fixed);
        }
    }
);
