//! End to end: dm3's own client libraries (`tests/dm3/app.mjs`: dm3-lib-profile,
//! dm3-lib-crypto 1.7.1 on ethers 5) against dm3's `/profile` API of the real
//! gateway binary, then resolved through anvil (ENS registry → this project's
//! OffchainResolver, and dm3's own ERC3668Resolver + SignatureCcipVerifier from
//! npm `ccip-resolver@0.2.8` → CCIP-read), on the embedded store and on Redis
//! with two gateways.

use alloy::{
    network::TransactionBuilder,
    primitives::{keccak256, Address, Bytes},
    providers::Provider,
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol,
    sol_types::{SolCall, SolError, SolValue},
};
use dm3_e2e::{
    free_port, gateway_command, random_profile_keys, repo_root, write_key_file, Chain, Gateway, RedisServer,
};
use dm3_gateway::{
    client::{prepare, NamesClient, Request},
    contracts::IOffchainResolver,
    names::RecordsInput,
    signer::AnswerSigner,
};
use dm3_protocol::{dns_encode, namehash, RecordCalls};
use serde_json::{json, Value};
use std::{path::PathBuf, process::Command, sync::OnceLock};

sol! {
    /// dm3's `ERC3668Resolver` (dm3-org/Ccip-Resolver), the parts the test calls.
    #[sol(rpc)]
    interface Dm3Resolver {
        function setVerifierForDomain(bytes32 node, address verifierAddress, string[] urls) external;
        function resolve(bytes name, bytes data) external view returns (bytes);
        function resolveWithProof(bytes response, bytes extraData) external view returns (bytes);
    }

    /// The ENS registry fixture's `setResolver`.
    #[sol(rpc)]
    interface Registry {
        function setResolver(bytes32 node, address resolver) external;
    }
}

/// dm3's contracts come from their npm package. `ccip-resolver@0.2.8` cannot be
/// `npm install`ed here (its dependency `@ensdomains/ens-contracts` is not in
/// the registry this project uses), so the test fetches the package tarball
/// with `npm pack`, checks it against this pinned integrity and unpacks it
/// under `target/` (never committed).
const CCIP_RESOLVER: &str = "ccip-resolver@0.2.8";
const CCIP_RESOLVER_INTEGRITY: &str =
    "sha512-M4gfw9ITB6wtdWPsg+K1r5ghSAN4MN5CHUeQI4Kgo2G/NTavtUVLZL1eSEyj/ygnLftU9r37jDhqgqHGOINcrg==";

fn ccip_resolver_package() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = repo_root().join("target/npm/ccip-resolver-0.2.8");
        let package = root.join("package");
        if package.join("package.json").exists() {
            return package;
        }
        let staging = root.with_extension(format!("tmp{}", std::process::id()));
        std::fs::create_dir_all(&staging).unwrap();
        let output = Command::new("npm")
            .args(["pack", CCIP_RESOLVER, "--json", "--pack-destination"])
            .arg(&staging)
            .output()
            .expect("run npm pack");
        assert!(output.status.success(), "npm pack {CCIP_RESOLVER}: {}", String::from_utf8_lossy(&output.stderr));
        let packed: Value = serde_json::from_slice(&output.stdout).expect("npm pack --json");
        assert_eq!(packed[0]["integrity"], CCIP_RESOLVER_INTEGRITY, "{CCIP_RESOLVER} is not the pinned tarball");
        let tarball = staging.join(packed[0]["filename"].as_str().unwrap());
        let status = Command::new("tar").arg("xzf").arg(&tarball).arg("-C").arg(&staging).status().unwrap();
        assert!(status.success(), "unpack {CCIP_RESOLVER}");
        std::fs::remove_file(tarball).unwrap();
        // Another test process may have won the race: either copy is the same package.
        let _ = std::fs::rename(&staging, &root);
        let _ = std::fs::remove_dir_all(&staging);
        package
    })
    .clone()
}

/// Bytecode of a hardhat artifact of the ccip-resolver package.
fn ccip_artifact(path: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(ccip_resolver_package().join("artifacts/contracts").join(path)).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    alloy::hex::decode(json["bytecode"].as_str().unwrap()).unwrap()
}

async fn deploy(chain: &Chain, code: Vec<u8>, args: Vec<u8>) -> Address {
    let tx = TransactionRequest::default().with_deploy_code([code, args].concat());
    let receipt = chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status(), "deployment reverted");
    receipt.contract_address.unwrap()
}

/// dm3's `ERC3668Resolver` with a `SignatureCcipVerifier` trusting `signer`
/// for `dm3.eth`, whose gateway URL is `url` — deployed as dm3 deploys them.
async fn deploy_dm3_resolver(chain: &Chain, signer: Address, url: &str) -> Address {
    let resolver_args = (chain.registry, Address::ZERO, Address::ZERO, Vec::<String>::new()).abi_encode_params();
    let resolver = deploy(chain, ccip_artifact("ERC3668Resolver.sol/ERC3668Resolver.json"), resolver_args).await;
    let owner = chain.anvil.addresses()[0];
    let chain_id = alloy::primitives::U256::from(1);
    let verifier_args = (owner, String::new(), "dm3".to_string(), chain_id, resolver, vec![signer]).abi_encode_params();
    let verifier = deploy(
        chain,
        ccip_artifact("verifier/signature/SignatureCcipVerifier.sol/SignatureCcipVerifier.json"),
        verifier_args,
    )
    .await;
    let set = Dm3Resolver::new(resolver, &chain.provider)
        .setVerifierForDomain(namehash("dm3.eth"), verifier, vec![url.to_owned()])
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(set.status(), "setVerifierForDomain reverted");
    resolver
}

/// Points `dm3.eth` in the ENS registry at `resolver`.
async fn use_resolver(setup: &Setup, resolver: Address) {
    let registry = Registry::new(setup.chain.registry, &setup.chain.provider);
    let receipt =
        registry.setResolver(namehash("dm3.eth"), resolver).send().await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status());
}

const SUBDOMAIN: &str = "addr.dm3.eth";

/// Runs `tests/dm3/app.mjs <command> <args>` and returns its JSON output.
fn app(command: &str, args: &Value) -> Value {
    let script = repo_root().join("tests/dm3/app.mjs");
    let output = Command::new("node").arg(script).arg(command).arg(args.to_string()).output().expect("run node");
    assert!(output.status.success(), "app.mjs {command} failed: {}", String::from_utf8_lossy(&output.stderr));
    // dm3's libraries log to stdout too: the answer is the last line.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("app.mjs {command}: {e}: {stdout}"))
}

fn hex_key(key: &PrivateKeySigner) -> String {
    alloy::hex::encode_prefixed(key.to_bytes())
}

struct Setup {
    chain: Chain,
    /// dm3's `ERC3668Resolver` (the registry points at the project's `OffchainResolver` at first).
    dm3_resolver: Address,
    signer: AnswerSigner,
    /// The first gateway takes the app's writes; the chain's CCIP-read URL
    /// points at the last (another process over the same Redis, or the same).
    gateways: Vec<Gateway>,
    dir: tempfile::TempDir,
    _redis: Option<RedisServer>,
}

impl Setup {
    fn writer(&self) -> &str {
        &self.gateways[0].url
    }
}

/// Anvil with the ENS registry and this project's `OffchainResolver` on
/// `dm3.eth`; one gateway on the embedded store, or two over one Redis.
async fn setup(use_redis: bool) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let signer = PrivateKeySigner::random();
    let key_file = write_key_file(dir.path(), "signer.key", &signer);
    let ports: Vec<u16> = (0..if use_redis { 2 } else { 1 }).map(|_| free_port()).collect();
    let base = format!("http://127.0.0.1:{}", ports[ports.len() - 1]);
    let chain = Chain::start(vec![base.clone()], vec![signer.address()]).await.unwrap();
    // dm3's ERC3668Resolver takes an EIP-3668 URL template, not a base URL.
    let dm3_resolver = deploy_dm3_resolver(&chain, signer.address(), &format!("{base}/{{sender}}/{{data}}.json")).await;
    let redis = if use_redis { Some(RedisServer::start().await.unwrap()) } else { None };
    let mut args = chain.gateway_args(&key_file);
    args.extend([
        "--rpc-url".into(),
        chain.anvil.endpoint(),
        "--write-burst".into(),
        "100".into(),
        "--dm3-resolver".into(),
        dm3_resolver.to_string(),
    ]);
    match &redis {
        Some(redis) => args.extend(["--redis-url".into(), redis.url.clone()]),
        None => args.extend(["--data-dir".into(), dir.path().join("data").display().to_string()]),
    }
    let mut gateways = Vec::new();
    for port in ports {
        gateways.push(Gateway::start(port, &args).await.unwrap());
    }
    Setup { chain, dm3_resolver, signer: AnswerSigner::new(signer), gateways, dir, _redis: redis }
}

fn resolve(setup: &Setup, names: &[&str]) -> Value {
    let args =
        json!({ "rpc": setup.chain.anvil.endpoint(), "registry": setup.chain.registry.to_string(), "names": names });
    app("resolve", &args)
}

fn assert_refused(outcome: &Value, what: &str) {
    assert_eq!(outcome["status"], 400, "{what}: {outcome}");
    assert!(outcome["body"]["error"].is_string(), "{what}: {outcome}");
}

async fn the_dm3_app_registers_resolves_and_removes(use_redis: bool) {
    let setup = setup(use_redis).await;
    let names = NamesClient::new(setup.writer());
    let (alice, mallory) = (PrivateKeySigner::random(), PrivateKeySigner::random());
    let alias = "alice.dm3.eth";
    let addr_name = format!("{:#x}.{SUBDOMAIN}", alice.address());

    // Before: nothing resolves (and the reading gateway caches that).
    let before = resolve(&setup, &[alias, &addr_name]);
    for name in [alias, addr_name.as_str()] {
        assert!(before[name]["profile"].is_null() && before[name]["address"].is_null(), "{name}: {before}");
    }
    // A names-API claim of the alias signed now, at nonce 0, for later.
    let domain = names.domain().await.unwrap();
    let deadline = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 600;
    let stale_claim = prepare(
        &domain,
        &mallory,
        alias,
        Request::Claim { owner: None, records: RecordsInput::default() },
        None,
        0,
        deadline,
    )
    .unwrap();

    // The app: createProfile, POST /profile/address, GET, POST /profile/name, GET.
    let args = json!({ "gateway": setup.writer(), "key": hex_key(&alice), "subdomain": SUBDOMAIN, "alias": alias });
    let registered = app("register", &args);
    let profile = &registered["signedProfile"];
    assert_eq!(registered["address"], alice.address().to_checksum(None));
    assert_eq!(registered["setAddress"]["status"], 200, "{registered}");
    assert_eq!(registered["getProfile"], json!({ "status": 200, "body": profile }));
    assert_eq!(registered["claim"]["status"], 200, "{registered}");
    assert_eq!(registered["getName"], json!({ "status": 200, "body": { "name": alias } }));

    // The names API sees both names, owned by alice, nonces bumped.
    let view = names.name(alias).await.unwrap();
    assert_eq!((view["owner"].clone(), view["nonce"].clone()), (json!(alice.address()), json!(1)));
    let view = names.name(&addr_name).await.unwrap();
    assert_eq!((view["owner"].clone(), view["nonce"].clone()), (json!(alice.address()), json!(1)));
    assert_eq!(names.names_of(alice.address()).await.unwrap(), [alias], "the address name is not in the owner index");

    // Through the chain, at once (on Redis: through the other gateway), with
    // dm3's getUserProfile: via this project's OffchainResolver, then via dm3's
    // ERC3668Resolver + SignatureCcipVerifier.
    for resolver in [setup.chain.resolver, setup.dm3_resolver] {
        use_resolver(&setup, resolver).await;
        let resolved = resolve(&setup, &[alias, &addr_name]);
        for name in [alias, addr_name.as_str()] {
            let entry = &resolved[name];
            assert_eq!(entry["profile"], *profile, "{name} via {resolver}: {resolved}");
            assert_eq!(entry["checked"], true, "{name} via {resolver}: {resolved}");
            assert_eq!(entry["address"], alice.address().to_checksum(None), "{name} via {resolver}: {resolved}");
        }
    }
    tampered_answers_fail_dm3s_verifier(&setup, alias, profile).await;
    use_resolver(&setup, setup.chain.resolver).await;

    // Refusals, each dm3's 400, and nothing stored.
    let args = json!({
        "gateway": setup.writer(), "key": hex_key(&alice), "otherKey": hex_key(&mallory),
        "subdomain": SUBDOMAIN, "alias": "mallory.dm3.eth",
    });
    let refused = app("refusals", &args);
    for case in [
        "otherWalletsProfile",
        "unsupportedSubdomain",
        "invalidSchema",
        "extraField",
        "badAddress",
        "aliasOtherKey",
        "aliasNoProfile",
        "aliasUnsupportedParent",
    ] {
        assert_refused(&refused[case], case);
    }
    assert_eq!(refused["aliasNoProfile"]["body"]["error"], "Could not find profile");
    assert_eq!(refused["aliasOtherKey"]["body"]["error"], "signature invalid");
    assert_eq!(refused["invalidSchema"]["body"]["error"], "invalid schema");
    assert_eq!(refused["otherProfile"]["status"], 404);
    assert_eq!(refused["otherName"]["status"], 404);
    assert_eq!(refused["badPath"]["status"], 400);
    for name in ["mallory.dm3.eth", "alice.evil.eth", &format!("{:#x}.{SUBDOMAIN}", mallory.address())] {
        let view = names.name(name).await.unwrap();
        assert_eq!((view["owner"].clone(), view["nonce"].clone()), (Value::Null, json!(0)), "{name}");
    }
    assert_eq!(names.name(&addr_name).await.unwrap()["nonce"], 1, "alice's profile is unchanged");
    assert!(names.names_of(mallory.address()).await.unwrap().is_empty());

    // A name claimed through the names API shows through /profile.
    let bob = PrivateKeySigner::random();
    let bob_key = write_key_file(setup.dir.path(), "bob.key", &bob);
    let (encryption, signing) = random_profile_keys();
    let claim: Vec<String> = [
        "names",
        "claim",
        "bob.dm3.eth",
        "--gateway",
        setup.writer(),
        "--key-file",
        &bob_key.display().to_string(),
        "--encryption-key",
        &encryption,
        "--signing-key",
        &signing,
        "--delivery-service",
        "ds.dm3.eth",
    ]
    .map(String::from)
    .to_vec();
    gateway_command(&claim).unwrap();
    let writer = setup.writer().to_owned();
    let get_json = |path: String| {
        let url = format!("{writer}{path}");
        async move { reqwest::get(url).await.unwrap().json::<Value>().await.unwrap() }
    };
    let name = get_json(format!("/profile/name/{}", bob.address())).await;
    assert_eq!(name, json!({ "name": "bob.dm3.eth" }));
    let bob_profile = get_json(format!("/profile/{:#x}", bob.address())).await;
    assert_eq!(bob_profile["profile"]["publicSigningKey"], signing);

    // deleteName: wrong key and wrong message refused, then removed; the alias resolves empty.
    let args =
        json!({ "gateway": setup.writer(), "key": hex_key(&alice), "otherKey": hex_key(&mallory), "alias": alias });
    let removed = app("delete", &args);
    assert_refused(&removed["otherKey"], "delete signed by another key");
    assert_refused(&removed["aliasMessage"], "delete signed over the alias message");
    assert_eq!(removed["remove"]["status"], 200, "{removed}");
    assert_eq!(removed["getName"]["status"], 404, "{removed}");
    for resolver in [setup.chain.resolver, setup.dm3_resolver] {
        use_resolver(&setup, resolver).await;
        let resolved = resolve(&setup, &[alias, &addr_name]);
        assert!(resolved[alias]["profile"].is_null() && resolved[alias]["address"].is_null(), "{resolved}");
        assert_eq!(resolved[addr_name.as_str()]["profile"], *profile, "the address name stays: {resolved}");
    }
    let view = names.name(alias).await.unwrap();
    assert_eq!((view["owner"].clone(), view["nonce"].clone()), (Value::Null, json!(2)));
    // The names-API signature made before the dm3 writes is stale now.
    match names.submit(&stale_claim).await {
        Err(dm3_gateway::client::ClientError::Api { status: 409, code, .. }) => assert_eq!(code, "nonce_mismatch"),
        other => panic!("a stale names-API claim went through: {other:?}"),
    }
}

/// The answer of the last gateway to dm3's resolver for `text(name, network.dm3.profile)`
/// passes `resolveWithProof`; with one byte of the result changed, or signed in
/// the ENS scheme instead of dm3's, dm3's verifier refuses it.
async fn tampered_answers_fail_dm3s_verifier(setup: &Setup, name: &str, profile: &Value) {
    let resolver = Dm3Resolver::new(setup.dm3_resolver, setup.chain.reader());
    let data = RecordCalls::textCall { node: namehash(name), key: "network.dm3.profile".into() }.abi_encode();
    let revert = resolver.resolve(dns_encode(name).unwrap().into(), data.into()).call().await.unwrap_err();
    let revert_data = revert.as_revert_data().expect("resolve reverts with OffchainLookup");
    let lookup = IOffchainResolver::OffchainLookup::abi_decode(&revert_data).unwrap();
    assert_eq!(lookup.sender, setup.dm3_resolver);
    assert_eq!(lookup.callData[..4], keccak256("resolveWithContext(bytes,bytes,bytes)")[..4]);

    let url = format!("{}/{}/{}.json", setup.gateways.last().unwrap().url, lookup.sender, lookup.callData);
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let response: Bytes = body["data"].as_str().unwrap().parse().unwrap();
    let answer = resolver.resolveWithProof(response.clone(), lookup.extraData.clone()).call().await.unwrap();
    let record = String::abi_decode(&answer).unwrap();
    let expected = format!("data:application/json,{}", serde_json::to_string(profile).unwrap());
    assert_eq!(
        serde_json::from_str::<Value>(record.strip_prefix("data:application/json,").unwrap()).unwrap(),
        *profile
    );
    assert_eq!(record.len(), expected.len());

    let (result, expires, signature) = <(Bytes, u64, Bytes)>::abi_decode_params(&response).unwrap();
    let mut tampered = result.to_vec();
    let last = tampered.len() - 40;
    tampered[last] ^= 1;
    let forged = (Bytes::from(tampered), expires, signature).abi_encode_params();
    let refused = resolver.resolveWithProof(forged.into(), lookup.extraData.clone()).call().await;
    assert!(refused.is_err(), "a tampered result passed dm3's verifier");
    let ens_scheme = setup.signer.sign_answer(setup.dm3_resolver, &lookup.callData, result, expires).unwrap();
    let ens_response = dm3_protocol::encode_response(&ens_scheme);
    let refused = resolver.resolveWithProof(ens_response.into(), lookup.extraData).call().await;
    assert!(refused.is_err(), "an ENS-scheme signature passed dm3's verifier");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dm3_app_on_the_embedded_store() {
    the_dm3_app_registers_resolves_and_removes(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dm3_app_on_redis_across_two_gateways() {
    the_dm3_app_registers_resolves_and_removes(true).await;
}

/// `dm3-gateway dm3 import` of `tests/dm3/sample-export.jsonl` (made by
/// `tests/dm3/make-sample.mjs` with dm3's libraries): the two valid rows are
/// imported, each other row is refused with its reason, a second run changes
/// nothing, and the gateway then serves the imported names through `/profile`.
#[tokio::test(flavor = "multi_thread")]
async fn importing_a_sample_export_of_dm3s_database() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data").display().to_string();
    let sample = repo_root().join("tests/dm3/sample-export.jsonl").display().to_string();
    let import = || -> Value {
        let args = ["dm3", "import", &sample, "--data-dir", &data_dir].map(String::from).to_vec();
        serde_json::from_str(&gateway_command(&args).unwrap()).unwrap()
    };
    let first = import();
    assert_eq!((first["rows"].clone(), first["imported"].clone()), (json!(7), json!(2)), "{first}");
    let refused: Vec<(u64, String)> = first["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        (3, "invalid profile: not signed by"),
        (4, "is not ENSIP-15 normalized"),
        (5, "duplicate: alias carol.dm3.eth"),
        (6, "nameHash is not namehash"),
        (7, "is not ENSIP-15 normalized"),
    ];
    assert_eq!(refused.len(), expected.len(), "{first}");
    for ((line, reason), (want_line, want)) in refused.iter().zip(expected) {
        assert_eq!(*line, want_line, "{first}");
        assert!(reason.contains(want), "line {line}: {reason}");
    }
    assert_eq!(import(), first, "a second import reports the same");

    let gateway = Gateway::start(free_port(), &["--data-dir".into(), data_dir.clone()]).await.unwrap();
    let get = |path: String| {
        let url = format!("{}{path}", gateway.url);
        async move {
            let response = reqwest::get(url).await.unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let carol = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"; // anvil #3
    let (status, name) = get(format!("/profile/name/{carol}")).await;
    assert_eq!((status, name), (200, json!({ "name": "carol.dm3.eth" })));
    let (status, view) = get("/names/carol.dm3.eth".into()).await;
    assert_eq!(status, 200);
    assert_eq!(
        (view["owner"].as_str().map(str::to_lowercase), view["nonce"].clone()),
        (Some(carol.to_lowercase()), json!(1))
    );
    let (status, profile) = get("/profile/0x15d34aaf54267db7d7c367839aaf71a00a2c6a65".into()).await; // anvil #4
    assert_eq!(status, 200);
    assert!(profile["profile"]["publicSigningKey"].is_string(), "{profile}");
    let (status, _) = get("/profile/0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc".into()).await; // refused row
    assert_eq!(status, 404);
    let (status, _) = get("/profile/name/0x15d34aaf54267db7d7c367839aaf71a00a2c6a65".into()).await;
    assert_eq!(status, 404, "a row without an alias has no name");
}

/// With `--dm3-spam-protection`, an alias needs ETH at the address (read
/// through `--rpc-url`, as dm3's server does): refused at zero balance with
/// nothing stored, accepted once the address is funded.
#[tokio::test(flavor = "multi_thread")]
async fn spam_protection_needs_an_eth_balance() {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::start(vec!["http://127.0.0.1:9".into()], vec![]).await.unwrap();
    let args: Vec<String> = ["--data-dir", &dir.path().display().to_string(), "--rpc-url", &chain.anvil.endpoint()]
        .into_iter()
        .map(String::from)
        .chain(["--dm3-spam-protection".into()])
        .collect();
    let gateway = Gateway::start(free_port(), &args).await.unwrap();
    let alice = PrivateKeySigner::random();
    let register = || {
        let args = json!({
            "gateway": gateway.url, "key": hex_key(&alice), "subdomain": SUBDOMAIN, "alias": "alice.dm3.eth",
        });
        app("register", &args)
    };
    let poor = register();
    assert_eq!(poor["setAddress"]["status"], 200, "an address name needs no ETH: {poor}");
    assert_eq!(poor["claim"]["status"], 400, "{poor}");
    assert_eq!(poor["claim"]["body"]["error"], "Insuficient ETH balance");
    assert_eq!(poor["getName"]["status"], 404, "nothing stored: {poor}");

    let tx = TransactionRequest::default().with_to(alice.address()).with_value(alloy::primitives::U256::from(1));
    assert!(chain.provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap().status());
    let funded = register();
    assert_eq!(funded["claim"]["status"], 200, "{funded}");
    assert_eq!(funded["getName"]["body"], json!({ "name": "alice.dm3.eth" }));
}
