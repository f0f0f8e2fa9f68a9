//! `cargo fuzz run dm3_calldata`: see `fuzz/README.md` and `dm3_gateway_fuzz::dm3_calldata`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dm3_gateway_fuzz::dm3_calldata(data));
