//! Arbitrary bytes as a store file: opened, its corpus loaded and every table of 2017 computed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys's panic hook aborts at the panic, before any unwinding: the store's guarded
    // reads, which turn a panic of redb on a damaged file into an error, could never catch it. A silent hook lets the guard work; a panic that escapes the library still aborts
    // (libfuzzer-sys catches it at the end of this closure and aborts) and is reported as a crash.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = consolide::fuzzing::open_and_query_store(data);
});
