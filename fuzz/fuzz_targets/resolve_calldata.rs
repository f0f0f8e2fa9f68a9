//! `cargo fuzz run resolve_calldata`: see `fuzz/README.md` and `dm3_gateway_fuzz::resolve_calldata`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dm3_gateway_fuzz::resolve_calldata(data));
