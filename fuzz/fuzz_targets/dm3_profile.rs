//! `cargo fuzz run dm3_profile`: see `fuzz/README.md` and `dm3_gateway_fuzz::dm3_profile`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dm3_gateway_fuzz::dm3_profile(data));
