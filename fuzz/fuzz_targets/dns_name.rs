//! `cargo fuzz run dns_name`: see `fuzz/README.md` and `dm3_gateway_fuzz::dns_name`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| dm3_gateway_fuzz::dns_name(data));
