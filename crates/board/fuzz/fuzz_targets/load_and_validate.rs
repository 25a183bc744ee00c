//! Loads arbitrary bytes as a board; if they load, validates the board and
//! reads every view of it. Must never panic (errors are fine).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use samskab_board::Board;

fn check(data: &[u8]) {
    if let Ok(mut board) = Board::load(data, &[7; 16]) {
        common::read_everything(&board);
        let _ = Board::load(&board.save(), &[8; 16]);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(fixed) = common::fix_checksums(data) {
        check(&fixed);
    }
});
