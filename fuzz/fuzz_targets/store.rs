//! Arbitrary bytes as a store file: opened, its corpus loaded and every table of 2017 computed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = consolide::fuzzing::open_and_query_store(data);
});
