//! End to end: anvil + ENS registry + OffchainResolver + the gateway binary,
//! resolved by alloy (Rust) and ethers v6 (node), on both store backends.

use alloy::{
    primitives::{Address, Bytes},
    signers::local::PrivateKeySigner,
    sol_types::SolValue,
};
use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
use dm3_e2e::{
    ethers_resolve, free_port, gateway_command, random_profile_keys, write_key_file, Backend, Chain, Gateway,
    RedisServer,
};
use dm3_gateway::{
    client::NameResolver,
    profile::{SignedUserProfile, UserProfile},
    signer::AnswerSigner,
};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const NAME: &str = "alice.dm3.eth";

/// A user with a signed dm3 profile.
struct User {
    key: PrivateKeySigner,
    profile: SignedUserProfile,
}

fn user() -> User {
    let key = PrivateKeySigner::random();
    let (public_encryption_key, public_signing_key) = random_profile_keys();
    let profile =
        UserProfile { delivery_services: vec!["ds.dm3.eth".into()], public_encryption_key, public_signing_key };
    let profile = SignedUserProfile::sign(profile, &key).expect("sign profile");
    User { key, profile }
}

/// `dm3-gateway records set` for the user, through the real binary.
fn seed(backend: &Backend, user: &User) {
    let mut args: Vec<String> = vec!["records".into(), "set".into(), NAME.into()];
    args.extend(["--text".into(), format!("eth.dm3.profile={}", user.profile.to_text_record())]);
    args.extend(["--text".into(), "url=https://dm3.chat".into()]);
    args.extend(["--addr".into(), format!("60={}", user.key.address())]);
    args.extend(["--owner".into(), user.key.address().to_string()]);
    args.extend(backend.args());
    gateway_command(&args).expect("records set");
    // The operator publishes the delivery service's profile.
    let mut args: Vec<String> = vec!["records".into(), "delivery-service".into(), "ds.dm3.eth".into()];
    args.extend(["--encryption-key".into(), user.profile.profile.public_encryption_key.clone()]);
    args.extend(["--signing-key".into(), user.profile.profile.public_signing_key.clone()]);
    args.extend(["--url".into(), "https://ds.dm3.example".into()]);
    args.extend(backend.args());
    gateway_command(&args).expect("records delivery-service");
    let mut bad = args.clone();
    bad[4] = "not base64".into();
    assert!(gateway_command(&bad).is_err(), "an invalid delivery-service key is refused");
}

struct Setup {
    chain: Chain,
    gateway: Gateway,
    signer: AnswerSigner,
    user: User,
    _dirs: Vec<tempfile::TempDir>,
    _redis: Option<RedisServer>,
}

/// Starts everything for one backend; the resolver's base URL is the gateway's.
async fn setup(use_redis: bool) -> Setup {
    let key_dir = tempfile::tempdir().unwrap();
    let signer_key = PrivateKeySigner::random();
    let key_file = write_key_file(key_dir.path(), "signer.key", &signer_key);
    let signer = AnswerSigner::new(signer_key);

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let chain = Chain::start(vec![base.clone()], vec![signer.address()]).await.expect("chain");
    let resolver = chain.resolver.to_string().to_lowercase();
    assert_eq!(chain.lookup_urls().await.unwrap(), [format!("{base}/{resolver}/{{sender}}/{{data}}.json")]);

    let data_dir = tempfile::tempdir().unwrap();
    let redis = if use_redis { Some(RedisServer::start().await.expect("redis")) } else { None };
    let backend = match &redis {
        Some(redis) => Backend::Redis(redis.url.clone()),
        None => Backend::Embedded(data_dir.path().to_path_buf()),
    };
    let user = user();
    // The embedded store is locked by a running gateway: seed it first.
    seed(&backend, &user);
    let mut args = backend.args();
    args.extend([
        "--resolver".into(),
        chain.resolver.to_string(),
        "--signer-key-file".into(),
        key_file.display().to_string(),
    ]);
    let gateway = Gateway::start(port, &args).await.expect("gateway");
    Setup { chain, gateway, signer, user, _dirs: vec![key_dir, data_dir], _redis: redis }
}

async fn check_resolution(setup: &Setup) {
    let resolver = NameResolver::new(setup.chain.reader(), setup.chain.registry);
    // alloy, through the registry, CCIP-read and resolveWithProof.
    let found = resolver.find_resolver(NAME).await.unwrap();
    assert_eq!(found.address, setup.chain.resolver);
    assert!(!found.exact && found.extended);
    let profile = resolver.dm3_profile(NAME).await.unwrap().expect("alice has a profile");
    assert_eq!(profile, setup.user.profile);
    let record = setup.user.profile.to_text_record();
    for key in ["eth.dm3.profile", "network.dm3.profile", "dm3.profile"] {
        assert_eq!(resolver.text(NAME, key).await.unwrap(), record, "{key}");
    }
    assert_eq!(resolver.text(NAME, "url").await.unwrap(), "https://dm3.chat");
    let ds = format!(
        "data:application/json,{{\"publicEncryptionKey\":\"{}\",\"publicSigningKey\":\"{}\",\"url\":\"https://ds.dm3.example\"}}",
        setup.user.profile.profile.public_encryption_key, setup.user.profile.profile.public_signing_key
    );
    for key in ["eth.dm3.deliveryService", "network.dm3.deliveryService"] {
        assert_eq!(resolver.text("ds.dm3.eth", key).await.unwrap(), ds, "{key}");
    }
    assert_eq!(resolver.text(NAME, "avatar").await.unwrap(), "");
    assert_eq!(resolver.addr(NAME).await.unwrap(), setup.user.key.address());
    // Unknown names resolve to empty values, signed and verified.
    assert_eq!(resolver.addr("nobody.dm3.eth").await.unwrap(), Address::ZERO);
    assert_eq!(resolver.dm3_profile("nobody.dm3.eth").await.unwrap(), None);

    // ethers v6, the dm3 web app's library, against the same chain.
    let chain = &setup.chain;
    let ethers = ethers_resolve(chain, NAME, &["eth.dm3.profile", "network.dm3.profile", "avatar"]).unwrap();
    assert_eq!(ethers.error, None);
    assert_eq!(ethers.raw_call_error, None);
    assert_eq!(ethers.resolver.unwrap().parse::<Address>().unwrap(), chain.resolver);
    assert_eq!(ethers.address.unwrap().parse::<Address>().unwrap(), setup.user.key.address());
    assert_eq!(ethers.texts["eth.dm3.profile"].as_deref(), Some(record.as_str()));
    assert_eq!(ethers.texts["network.dm3.profile"].as_deref(), Some(record.as_str()));
    assert_eq!(ethers.texts["avatar"].as_deref(), Some(""));
    let nobody = ethers_resolve(chain, "nobody.dm3.eth", &["eth.dm3.profile"]).unwrap();
    assert_eq!(nobody.error, None);
    assert_eq!(nobody.address, None); // ethers maps the zero address to null
    assert_eq!(nobody.texts["eth.dm3.profile"].as_deref(), Some(""));
}

#[tokio::test(flavor = "multi_thread")]
async fn resolves_on_the_embedded_store() {
    let setup = setup(false).await;
    check_resolution(&setup).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn resolves_on_redis() {
    let setup = setup(true).await;
    check_resolution(&setup).await;
}

/// How the man-in-the-middle changes the gateway's answer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tamper {
    None,
    FlipResultByte,
    Expired,
    WrongSigner,
    OtherRequest,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    mode: Arc<Mutex<Tamper>>,
    signer: AnswerSigner,
    resolver: Address,
}

/// Forwards `GET /{resolver}/{sender}/{data}` to the gateway and rewrites the
/// answer according to the mode.
async fn proxy(
    State(proxy): State<Proxy>,
    Path((resolver, sender, data)): Path<(String, String, String)>,
) -> Json<Value> {
    let upstream: Value =
        reqwest::get(format!("{}/{resolver}/{sender}/{data}", proxy.upstream)).await.unwrap().json().await.unwrap();
    let response: Bytes = upstream["data"].as_str().unwrap().parse().unwrap();
    let (mut result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&response).unwrap();
    let request: Bytes = data.strip_suffix(".json").unwrap_or(&data).parse().unwrap();
    let mode = *proxy.mode.lock().unwrap();
    let forged = match mode {
        Tamper::None => (result, expires, sig),
        Tamper::FlipResultByte => {
            let mut bytes = result.to_vec();
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            result = bytes.into();
            (result, expires, sig)
        }
        Tamper::Expired => {
            let past = expires - 3600;
            let a = proxy.signer.sign_answer(proxy.resolver, &request, result, past).unwrap();
            (a.result, a.expires, Bytes::copy_from_slice(&a.signature))
        }
        Tamper::WrongSigner => {
            let other = AnswerSigner::new(PrivateKeySigner::random());
            let a = other.sign_answer(proxy.resolver, &request, result, expires).unwrap();
            (a.result, a.expires, Bytes::copy_from_slice(&a.signature))
        }
        Tamper::OtherRequest => {
            // A valid signature, but over a different request.
            let a = proxy.signer.sign_answer(proxy.resolver, b"another request", result, expires).unwrap();
            (a.result, a.expires, Bytes::copy_from_slice(&a.signature))
        }
    };
    Json(json!({ "data": alloy::hex::encode_prefixed(forged.abi_encode_params()) }))
}

#[tokio::test(flavor = "multi_thread")]
async fn tampered_expired_or_wrongly_signed_answers_fail() {
    let setup = setup(false).await;
    let mode = Arc::new(Mutex::new(Tamper::None));
    let state = Proxy {
        upstream: setup.gateway.url.clone(),
        mode: Arc::clone(&mode),
        signer: setup.signer.clone(),
        resolver: setup.chain.resolver,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/{resolver}/{sender}/{data}", get(proxy)).with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    setup.chain.set_urls(vec![proxy_url]).await.unwrap();

    let resolver = NameResolver::new(setup.chain.reader(), setup.chain.registry);
    let record = setup.user.profile.to_text_record();
    // Control: the untouched answer passes through the proxy and verifies.
    assert_eq!(resolver.text(NAME, "eth.dm3.profile").await.unwrap(), record);

    for tamper in [Tamper::FlipResultByte, Tamper::Expired, Tamper::WrongSigner, Tamper::OtherRequest] {
        *mode.lock().unwrap() = tamper;
        let outcome = resolver.text(NAME, "eth.dm3.profile").await;
        assert!(outcome.is_err(), "{tamper:?} was accepted: {outcome:?}");
        // ethers turns a reverting resolver call into `null`; its raw CCIP-read
        // call shows the revert from resolveWithProof.
        let ethers = ethers_resolve(&setup.chain, NAME, &["eth.dm3.profile"]).unwrap();
        assert_eq!(ethers.texts["eth.dm3.profile"], None, "ethers accepted {tamper:?}");
        assert_eq!(ethers.address, None, "ethers accepted {tamper:?}");
        let raw_error = ethers.raw_call_error.unwrap_or_default();
        assert!(raw_error.contains("revert"), "ethers raw call for {tamper:?}: {raw_error:?}");
    }
    *mode.lock().unwrap() = Tamper::None;
    assert_eq!(resolver.text(NAME, "eth.dm3.profile").await.unwrap(), record);
}

#[tokio::test(flavor = "multi_thread")]
async fn development_start_signs_empty_answer_for_unknown_name() {
    // What the README's first command does: no key, no resolver allow-list.
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let gateway = Gateway::start(port, &["--data-dir".into(), data_dir.path().display().to_string()]).await.unwrap();
    let info: Value = reqwest::get(format!("{}/info", gateway.url)).await.unwrap().json().await.unwrap();
    assert_eq!(info["signsForAnyResolver"], true);
    // Served parents: the names-API parent and the default dm3 address-name parent.
    assert_eq!(info["parents"], json!(["dm3.eth", "addr.dm3.eth"]));
    assert_eq!(info["ttl"], 300);
    let signer: Address = info["signers"][0].as_str().unwrap().parse().unwrap();
    assert!(data_dir.path().join("dev-signer.key").exists());

    let name = "nobody.dm3.eth";
    let inner =
        dm3_protocol::RecordCalls::textCall { node: dm3_protocol::namehash(name), key: "eth.dm3.profile".into() };
    let calldata = alloy::sol_types::SolCall::abi_encode(&dm3_protocol::IResolverService::resolveCall {
        name: dm3_protocol::dns_encode(name).unwrap().into(),
        data: alloy::sol_types::SolCall::abi_encode(&inner).into(),
    });
    let sender = Address::repeat_byte(0x42);
    let url = format!(
        "{}/{}/{}.json",
        gateway.url,
        sender.to_string().to_lowercase(),
        alloy::hex::encode_prefixed(&calldata)
    );
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let data: Bytes = body["data"].as_str().unwrap().parse().unwrap();
    let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
    assert_eq!(result.as_ref(), String::new().abi_encode().as_slice());
    assert_eq!(sig.len(), 65);
    let digest = dm3_protocol::signature_digest(sender, expires, &calldata, &result);
    let recovered =
        alloy::primitives::Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap();
    assert_eq!(recovered, signer);
}
