//! Property tests (`proptest`) of the signer, the encoders and every decoder
//! of untrusted input.
//!
//! - Every signed answer, for random keys, resolvers, expiries, requests and
//!   results, passes the checks `OffchainResolver.resolveWithProof` makes
//!   through OpenZeppelin `ECDSA.recover`: 65 bytes, `v` ∈ {27, 28}, low `s`,
//!   recovering to the signer over `signature_digest`. The shared vectors pass
//!   the same checks.
//! - DNS names built from random valid labels round-trip; `resolve` requests
//!   built from random names and record calls round-trip.
//! - The fuzz targets' properties (`fuzz/src/lib.rs`, included below) hold on
//!   random bytes and on random mutations of valid inputs, so they are checked
//!   on every test run, not only when someone runs `cargo fuzz`.

#[path = "../../fuzz/src/lib.rs"]
#[allow(unreachable_pub, missing_docs, dead_code)]
mod fuzz_properties;
mod shared_vectors;

use alloy::{
    primitives::{Address, Bytes, B256, U256},
    signers::local::PrivateKeySigner,
};
use dm3_gateway::signer::AnswerSigner;
use dm3_protocol::{decode_request, dns_decode, dns_encode, namehash, signature_digest, RecordQuery, ResolveRequest};
use fuzz_properties::{encode_request, reference_labels, reference_namehash};
use proptest::{collection::vec, prelude::*};

/// secp256k1 group order `n`.
const N: U256 = U256::from_be_slice(&[
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc,
    0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
]);

/// What OpenZeppelin `ECDSA.recover(bytes32 hash, bytes signature)` (v5)
/// returns, or `None` where it reverts: a signature that is not 65 bytes, an
/// `s` above `n/2`, or a signature `ecrecover` cannot recover (which includes
/// `v` ∉ {27, 28} and `r`/`s` out of range).
fn solidity_recover(digest: B256, signature: &[u8]) -> Option<Address> {
    if signature.len() != 65 {
        return None;
    }
    let r = U256::from_be_slice(&signature[..32]);
    let s = U256::from_be_slice(&signature[32..64]);
    let v = signature[64];
    if s > N >> 1 || !(v == 27 || v == 28) || r.is_zero() || r >= N || s.is_zero() {
        return None;
    }
    let parity = v == 28;
    let signature = alloy::primitives::Signature::new(r, s, parity);
    signature.recover_address_from_prehash(&digest).ok().filter(|a| !a.is_zero())
}

fn any_key() -> impl Strategy<Value = PrivateKeySigner> {
    any::<[u8; 32]>().prop_filter_map("a valid secp256k1 scalar", |b| PrivateKeySigner::from_bytes(&B256::from(b)).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_signed_answer_verifies_under_the_solidity_rules(
        key in any_key(),
        target in any::<[u8; 20]>(),
        expires in any::<u64>(),
        request in vec(any::<u8>(), 0..600),
        result in vec(any::<u8>(), 0..600),
    ) {
        let signer = AnswerSigner::new(key);
        let target = Address::from(target);
        let answer = signer.sign_answer(target, &request, Bytes::from(result.clone()), expires).unwrap();
        prop_assert_eq!(answer.expires, expires);
        prop_assert_eq!(answer.result.as_ref(), result.as_slice());
        let sig = answer.signature;
        prop_assert!(sig[64] == 27 || sig[64] == 28, "v = {}", sig[64]);
        prop_assert!(U256::from_be_slice(&sig[32..64]) <= N >> 1, "high s");
        let digest = signature_digest(target, expires, &request, &result);
        prop_assert_eq!(solidity_recover(digest, &sig), Some(signer.address()));
        // Bound to the resolver, the expiry, the request and the result.
        let other = Address::from(target.into_array().map(|b| b ^ 1));
        prop_assert_ne!(solidity_recover(signature_digest(other, expires, &request, &result), &sig), Some(signer.address()));
        let later = expires.wrapping_add(1);
        prop_assert_ne!(solidity_recover(signature_digest(target, later, &request, &result), &sig), Some(signer.address()));
        let mut changed = request;
        changed.push(0);
        prop_assert_ne!(solidity_recover(signature_digest(target, expires, &changed, &result), &sig), Some(signer.address()));
        // The high-s twin of the same signature is refused, as the contract does.
        let high_s = N - U256::from_be_slice(&sig[32..64]);
        let mut twin = sig;
        twin[32..64].copy_from_slice(&high_s.to_be_bytes::<32>());
        twin[64] ^= 27 ^ 28;
        prop_assert_eq!(solidity_recover(digest, &twin), None);
        prop_assert_eq!(solidity_recover(digest, &sig[..64]), None);
    }
}

/// The shared vectors (also checked by ethers and by the forge tests) pass the
/// verifier model above; `signature_vectors.rs` checks the signer reproduces them.
#[test]
fn shared_vectors_verify_under_the_solidity_rules() {
    for v in shared_vectors::load() {
        assert_eq!(signature_digest(v.target, v.expires, &v.request, &v.result), v.digest, "{}", v.name);
        assert_eq!(solidity_recover(v.digest, &v.signature), Some(v.signer), "{}", v.name);
    }
}

/// A DNS label: 1–255 bytes of UTF-8 without `.`, short ones most often.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9-]{1,20}",
        2 => "[^.]{1,12}",
        1 => "[a-z]{200,255}",
        1 => "[^.\u{0}-\u{7f}]{60,63}",
    ]
    .prop_filter("at most 255 bytes", |l| l.len() <= 255)
}

fn dotted_name() -> impl Strategy<Value = String> {
    vec(label(), 0..6).prop_map(|labels| labels.join("."))
}

fn query() -> impl Strategy<Value = RecordQuery> {
    prop_oneof![
        Just(RecordQuery::Addr),
        any::<[u8; 32]>().prop_map(|c| RecordQuery::AddrCoin(U256::from_be_bytes(c))),
        any::<u64>().prop_map(|c| RecordQuery::AddrCoin(U256::from(c))),
        "\\PC{0,40}".prop_map(RecordQuery::Text),
        Just(RecordQuery::Contenthash),
    ]
}

fn request() -> impl Strategy<Value = ResolveRequest> {
    (dotted_name(), any::<bool>(), vec(query(), 1..=8)).prop_map(|(name, multicall, mut queries)| {
        if !multicall {
            queries.truncate(1);
        }
        ResolveRequest { node: namehash(&name), name, queries, multicall }
    })
}

/// Random edits of valid bytes: overwrite, insert, remove, truncate.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    vec(
        prop_oneof![
            4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
            1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
            1 => any::<usize>().prop_map(Edit::Remove),
            1 => any::<usize>().prop_map(Edit::Truncate),
        ],
        1..4,
    )
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len();
        match *edit {
            Edit::Set(i, b) if len > 0 => bytes[i % len] = b,
            Edit::Insert(i, b) => bytes.insert(i % (len + 1), b),
            Edit::Remove(i) if len > 0 => {
                bytes.remove(i % len);
            }
            Edit::Truncate(i) => bytes.truncate(i % (len + 1)),
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn dns_names_from_valid_labels_round_trip(name in dotted_name()) {
        let wire = dns_encode(&name).unwrap();
        prop_assert_eq!(dns_decode(&wire), Ok(name.clone()));
        let labels = reference_labels(&wire).expect("the encoder writes valid wire names");
        prop_assert_eq!(namehash(&name), reference_namehash(&labels));
        fuzz_properties::dns_name(&wire);
    }

    #[test]
    fn dns_decoder_properties_hold_on_any_bytes(data in vec(any::<u8>(), 0..64)) {
        fuzz_properties::dns_name(&data);
    }

    #[test]
    fn dns_decoder_properties_hold_on_edited_names(name in dotted_name(), edits in edits()) {
        fuzz_properties::dns_name(&apply(dns_encode(&name).unwrap(), &edits));
    }

    #[test]
    fn resolve_requests_round_trip(request in request()) {
        let calldata = encode_request(&request);
        prop_assert_eq!(decode_request(&calldata).unwrap(), request);
        fuzz_properties::resolve_calldata(&calldata);
    }

    #[test]
    fn calldata_properties_hold_on_edited_requests(request in request(), edits in edits()) {
        fuzz_properties::resolve_calldata(&apply(encode_request(&request), &edits));
    }

    #[test]
    fn calldata_properties_hold_on_any_bytes(data in vec(any::<u8>(), 0..400)) {
        fuzz_properties::resolve_calldata(&data);
    }

    #[test]
    fn profile_properties_hold_on_any_text(text in "data:application/json(;base64)?,\\PC{0,80}") {
        fuzz_properties::dm3_profile(text.as_bytes());
    }
}

/// A names-API body that is mostly valid JSON with random field values.
fn names_body() -> impl Strategy<Value = String> {
    (dotted_name(), "\\PC{0,20}", any::<u64>(), any::<u64>(), vec(any::<u8>(), 0..70)).prop_map(
        |(name, text, nonce, deadline, signature)| {
            serde_json::json!({
                "name": name,
                "owner": Address::repeat_byte(7),
                "records": { "texts": { text.clone(): text }, "addresses": { "60": Address::repeat_byte(7) } },
                "nonce": nonce,
                "deadline": deadline,
                "signature": Bytes::from(signature),
            })
            .to_string()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn names_api_properties_hold_on_random_requests(
        route in any::<u8>(),
        name in dotted_name(),
        body in names_body(),
        edits in edits(),
    ) {
        let mut data = vec![route];
        data.extend(name.as_bytes());
        data.push(0);
        data.extend(apply(body.into_bytes(), &edits));
        fuzz_properties::names_request(&data);
    }

    #[test]
    fn names_api_properties_hold_on_any_bytes(data in vec(any::<u8>(), 0..200)) {
        fuzz_properties::names_request(&data);
    }
}
