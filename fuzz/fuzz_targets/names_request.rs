//! `cargo fuzz run names_request`: see `fuzz/README.md` and `dm3_gateway_fuzz::names_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dm3_gateway_fuzz::names_request(data));
