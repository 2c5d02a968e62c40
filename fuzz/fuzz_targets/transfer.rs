//! Arbitrary bytes as the files of a transfer folder (see `consolide::fuzzing::split_transfer_input`
//! for how one input becomes up to six CSV files), read and checked as `consolide import` does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consolide::fuzzing::transfer_input(data);
});
