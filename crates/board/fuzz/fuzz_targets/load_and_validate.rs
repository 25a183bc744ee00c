//! Loads arbitrary bytes as a board; if they load, validates the board and
//! reads every view of it. Must never panic (errors are fine).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check_load(data);
    if let Some(fixed) = common::fix_checksums(data) {
        common::check_load(&fixed);
    }
});
