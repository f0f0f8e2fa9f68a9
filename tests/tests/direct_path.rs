//! End to end: the ENS UniversalResolver's direct path (ENSIP-22/23), where
//! the client's `sender` is the UniversalResolver and not the resolver.
//!
//! anvil + ENS registry + `OffchainResolver` + a UniversalResolver stand-in
//! (`contracts/test/fixtures/DirectPathUniversalResolver.sol`) + the gateway
//! binary, resolved by alloy's and ethers v6's CCIP-read. Also: the batch path
//! (a client calling the resolver itself, `sender` = resolver) and the URL forms
//! of resolvers deployed before base URLs keep working, and a URL naming a
//! resolver outside `--resolver` is refused.

use alloy::{
    primitives::{Address, Bytes, FixedBytes},
    providers::{Provider, ProviderCcipReadExt},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol,
    sol_types::{SolCall, SolError, SolValue},
};
use dm3_e2e::{free_port, gateway_command, random_profile_keys, repo_root, write_key_file, Backend, Chain, Gateway};
use dm3_gateway::{
    client::NameResolver,
    contracts::IExtendedResolver,
    profile::{SignedUserProfile, UserProfile},
};
use dm3_protocol::{dns_encode, namehash, signature_digest, IResolverService, RecordCalls};
use serde_json::Value;
use std::process::Command;

const NAME: &str = "alice.dm3.eth";
const PROFILE_KEY: &str = "network.dm3.profile";

sol! {
    /// The fixture's ENSIP-23 entry point and its re-raised lookup.
    #[sol(rpc)]
    interface DirectPathUniversalResolver {
        error OffchainLookup(address sender, string[] urls, bytes callData, bytes4 callbackFunction, bytes extraData);
        function resolve(bytes name, bytes data) external view returns (bytes result, address resolver);
        function resolveCallback(bytes response, bytes extraData) external view returns (bytes result, address resolver);
    }

    /// What the UniversalResolver asks the resolver before the direct path.
    #[sol(rpc)]
    interface FeatureDetection {
        function supportsInterface(bytes4 interfaceId) external view returns (bool);
        function supportsFeature(bytes4 featureId) external view returns (bool);
        function resolveWithProof(bytes response, bytes extraData) external view returns (bytes);
    }
}

/// ERC-7996 interface id and the ENSIP-22 multicall feature (REFERENCE: ENSIP-22).
const ERC7996: [u8; 4] = [0x58, 0x2d, 0xe3, 0xe7];
const RESOLVE_MULTICALL: [u8; 4] = [0x96, 0xb6, 0x2d, 0xb8];

struct Setup {
    chain: Chain,
    gateway: Gateway,
    /// The UniversalResolver stand-in.
    universal: Address,
    owner: Address,
    profile: String,
    _dirs: Vec<tempfile::TempDir>,
}

async fn setup() -> Setup {
    let key_dir = tempfile::tempdir().unwrap();
    let signer_key = PrivateKeySigner::random();
    let key_file = write_key_file(key_dir.path(), "signer.key", &signer_key);

    let port = free_port();
    let chain = Chain::start(vec![format!("http://127.0.0.1:{port}")], vec![signer_key.address()]).await.unwrap();
    let universal = chain
        .deploy("DirectPathUniversalResolver.sol", "DirectPathUniversalResolver", chain.registry.abi_encode())
        .await
        .unwrap();

    let user = PrivateKeySigner::random();
    let (public_encryption_key, public_signing_key) = random_profile_keys();
    let profile =
        UserProfile { delivery_services: vec!["ds.dm3.eth".into()], public_encryption_key, public_signing_key };
    let profile = SignedUserProfile::sign(profile, &user).unwrap().to_text_record();
    let data_dir = tempfile::tempdir().unwrap();
    let backend = Backend::Embedded(data_dir.path().to_path_buf());
    let mut args: Vec<String> = vec!["records".into(), "set".into(), NAME.into()];
    args.extend(["--text".into(), format!("{PROFILE_KEY}={profile}")]);
    args.extend(["--addr".into(), format!("60={}", user.address())]);
    args.extend(["--owner".into(), user.address().to_string()]);
    args.extend(backend.args());
    gateway_command(&args).unwrap();

    let mut args = backend.args();
    args.extend(["--resolver".into(), chain.resolver.to_string()]);
    args.extend(["--signer-key-file".into(), key_file.display().to_string()]);
    let gateway = Gateway::start(port, &args).await.unwrap();
    Setup { chain, gateway, universal, owner: user.address(), profile, _dirs: vec![key_dir, data_dir] }
}

/// `multicall([text(node, PROFILE_KEY), addr(node)])` for `NAME`.
fn multicall() -> Vec<u8> {
    let node = namehash(NAME);
    let calls = vec![
        RecordCalls::textCall { node, key: PROFILE_KEY.into() }.abi_encode().into(),
        RecordCalls::addr_0Call { node }.abi_encode().into(),
    ];
    RecordCalls::multicallCall { data: calls }.abi_encode()
}

/// Splits `abi.encode(bytes[])` of the multicall into (text, addr).
fn text_and_addr(result: &[u8]) -> (String, Address) {
    let results = <Vec<Bytes>>::abi_decode(result).unwrap();
    assert_eq!(results.len(), 2);
    (String::abi_decode(&results[0]).unwrap(), Address::abi_decode(&results[1]).unwrap())
}

fn lower(address: Address) -> String {
    address.to_string().to_lowercase()
}

/// The address a gateway answer (`{"data": …}`) is signed for, among `candidates`.
fn signed_for(body: &Value, calldata: &[u8], signer: Address, candidates: &[Address]) -> Vec<Address> {
    let data: Bytes = body["data"].as_str().unwrap().parse().unwrap();
    let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
    let sig = alloy::primitives::Signature::from_raw(&sig).unwrap();
    candidates
        .iter()
        .copied()
        .filter(|&target| {
            let digest = signature_digest(target, expires, calldata, &result);
            sig.recover_address_from_prehash(&digest).is_ok_and(|a| a == signer)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_path_with_sender_the_universal_resolver_is_answered_and_verified() {
    let setup = setup().await;
    let chain = &setup.chain;
    let reader = chain.reader();
    let info: Value = reqwest::get(format!("{}/info", setup.gateway.url)).await.unwrap().json().await.unwrap();
    let signer: Address = info["signers"][0].as_str().unwrap().parse().unwrap();

    // 1. What the UniversalResolver checks before it takes the direct path.
    let detect = FeatureDetection::new(chain.resolver, &reader);
    assert!(detect.supportsInterface(FixedBytes(ERC7996)).call().await.unwrap());
    assert!(detect.supportsFeature(FixedBytes(RESOLVE_MULTICALL)).call().await.unwrap());

    // 2. The fixture re-raises the resolver's lookup as its own: sender ≠ resolver.
    let dns: Bytes = dns_encode(NAME).unwrap().into();
    let data = multicall();
    let call = DirectPathUniversalResolver::resolveCall { name: dns.clone(), data: data.clone().into() };
    let tx = TransactionRequest::default().to(setup.universal).input(call.abi_encode().into());
    let error = reader.call(tx.clone()).await.expect_err("resolve reverts with OffchainLookup");
    let revert = error.as_error_resp().and_then(|e| e.as_revert_data()).expect("revert data");
    let lookup = DirectPathUniversalResolver::OffchainLookup::abi_decode(&revert).unwrap();
    assert_eq!(lookup.sender, setup.universal);
    assert_ne!(lookup.sender, chain.resolver);
    let resolver = lower(chain.resolver);
    assert_eq!(lookup.urls, [format!("{}/{resolver}/{{sender}}/{{data}}.json", setup.gateway.url)]);
    let calldata = IResolverService::resolveCall { name: dns.clone(), data: data.clone().into() }.abi_encode();
    assert_eq!(lookup.callData.as_ref(), calldata.as_slice());

    // 3. The URL a client fetches ({sender} = the fixture) is signed for the resolver.
    let hex = alloy::hex::encode_prefixed(&calldata);
    let url = lookup.urls[0].replace("{sender}", &lower(setup.universal)).replace("{data}", &hex);
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(signed_for(&body, &calldata, signer, &[chain.resolver, setup.universal]), [chain.resolver]);

    // 4. alloy's CCIP-read through the fixture: the resolver verifies, the fixture returns.
    let raw = reader.call_with_ccip_read(tx).await.unwrap();
    let answer = DirectPathUniversalResolver::resolveCall::abi_decode_returns(&raw).unwrap();
    assert_eq!(answer.resolver, chain.resolver);
    assert_eq!(text_and_addr(&answer.result), (setup.profile.clone(), setup.owner));

    // 5. ethers v6, through the fixture, in one multicall.
    let output = Command::new("node")
        .arg(repo_root().join("tests/ethers/direct.mjs"))
        .args([chain.anvil.endpoint(), setup.universal.to_string(), NAME.into(), PROFILE_KEY.into()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let ethers: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(ethers["error"], Value::Null, "{ethers}");
    assert_eq!(ethers["resolver"].as_str().unwrap().parse::<Address>().unwrap(), chain.resolver);
    assert_eq!(ethers["text"], setup.profile.as_str());
    assert_eq!(ethers["address"].as_str().unwrap().parse::<Address>().unwrap(), setup.owner);

    // 6. A tampered URL naming a resolver outside --resolver is refused with a
    // JSON 4xx, and so is the URL an old `{sender}` template gives on the
    // direct path (it names only the UniversalResolver).
    let stranger = lower(Address::repeat_byte(0x5a));
    let ur = lower(setup.universal);
    for tampered in [
        url.replacen(&resolver, &stranger, 1),
        url.replacen(&resolver, &ur, 1),
        format!("{}/{ur}/{hex}.json", setup.gateway.url),
    ] {
        assert_ne!(tampered, url);
        let response = reqwest::get(&tampered).await.unwrap();
        assert_eq!(response.status(), 404, "{tampered}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unknown_resolver", "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_path_and_old_url_forms_keep_working() {
    let setup = setup().await;
    let chain = &setup.chain;
    let reader = chain.reader();

    // The batch path: the client calls the resolver itself, sender = resolver.
    let names = NameResolver::new(reader.clone(), chain.registry);
    assert_eq!(names.text(NAME, PROFILE_KEY).await.unwrap(), setup.profile);
    assert_eq!(names.addr(NAME).await.unwrap(), setup.owner);
    assert_eq!(names.addr("nobody.dm3.eth").await.unwrap(), Address::ZERO);
    // A multicall asked of the plain resolver, without the fixture.
    let dns: Bytes = dns_encode(NAME).unwrap().into();
    let call = IResolverService::resolveCall { name: dns.clone(), data: multicall().into() };
    let tx = TransactionRequest::default().to(chain.resolver).input(call.abi_encode().into());
    let raw = reader.call_with_ccip_read(tx).await.unwrap();
    let result = IExtendedResolver::resolveCall::abi_decode_returns(&raw).unwrap();
    assert_eq!(text_and_addr(&result), (setup.profile.clone(), setup.owner));

    // The URL forms of resolvers deployed before base URLs: `/{sender}/{data}`
    // (sender = resolver) and `POST /{resolver}`, here with a sender that is
    // not the resolver. Each answer verifies in the resolver on chain.
    let calldata = call.abi_encode();
    let hex = alloy::hex::encode_prefixed(&calldata);
    let base = &setup.gateway.url;
    let client = reqwest::Client::new();
    let get = client.get(format!("{base}/{}/{hex}.json", lower(chain.resolver)));
    let post = client
        .post(format!("{base}/{}", lower(chain.resolver)))
        .json(&serde_json::json!({ "sender": lower(setup.universal), "data": hex }));
    let verifier = FeatureDetection::new(chain.resolver, &reader);
    for request in [get, post] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let response: Bytes = body["data"].as_str().unwrap().parse().unwrap();
        let extra = (Bytes::from(calldata.clone()), chain.resolver).abi_encode_params();
        let verified = verifier.resolveWithProof(response, extra.into()).call().await.unwrap();
        assert_eq!(text_and_addr(&verified), (setup.profile.clone(), setup.owner));
    }

    // Every form is counted under its route label.
    let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    for route in ["ccip_get", "ccip_post"] {
        let line = format!("dm3_gateway_requests_total{{route=\"{route}\",record=\"multicall\",status=\"200\"}}");
        assert!(metrics.contains(&line), "{line} missing from:\n{metrics}");
    }
}
