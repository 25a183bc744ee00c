//! Loads arbitrary bytes as a board; if they load, validates the board and
//! reads every view of it. Must never panic (errors are fine).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // libfuzzer-sys's panic hook aborts on every panic, even one that
    // `Board::load` catches and turns into an error (it contains panics
    // inside Automerge). Back to the default hook: a panic that gets out of
    // the board's API still aborts the run (libfuzzer-sys does that), one
    // the board contains is only printed.
    init: {
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        common::check_load(data);
        if let Some(fixed) = common::fix_checksums(data) {
            common::check_load(&fixed);
        }
    }
);
