//! Starts from a fixed valid board and feeds it the input as Automerge
//! changes or a save (`load_incremental`), as one change (`apply_changes`)
//! and as a sync message (as the server receives them). Whatever gets in is
//! validated and read; when validation fails the board is reverted the way
//! the server does it. Must never panic (errors are fine).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check_apply(data);
    if let Some(fixed) = common::fix_checksums(data) {
        common::check_apply(&fixed);
    }
});
