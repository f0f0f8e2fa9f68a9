//! End to end for names on an L2: two anvil chains — L1 with the ENS registry
//! and `OffchainResolver`, L2 with the `L2NameRegistry` — and two gateways
//! reading the L2: one on the cache TTL alone (events off), one following the
//! registry's events. Users register and publish on the L2 with the CLI and
//! with plain transactions; alloy and ethers resolve on L1 through a gateway.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{keccak256, Address, Bytes, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolValue},
};
use dm3_e2e::{
    artifact_bytecode, ethers_resolve, foundry_bin, free_port, gateway_command, random_profile_keys, wait_http_ok,
    write_key_file, Chain, ChildGuard, Gateway,
};
use dm3_gateway::{
    client::NameResolver,
    contracts::IL2NameRegistry,
    profile::{SignedUserProfile, UserProfile},
};
use dm3_protocol::{dns_encode, namehash, IResolverService, RecordCalls};
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// Anvil's first development key (funded on every anvil chain).
const DEPLOYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// Anvil's fourth development key: bob pays his own L2 gas.
const BOB_KEY: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

/// An L2 node that keeps its state across a stop and start (anvil `--state`).
struct L2Node {
    child: Option<ChildGuard>,
    port: u16,
    state: PathBuf,
}

impl L2Node {
    async fn start(port: u16, state: &Path) -> Self {
        let mut node = Self { child: None, port, state: state.to_path_buf() };
        node.restart().await;
        node
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn restart(&mut self) {
        let child = Command::new(foundry_bin("anvil"))
            .args(["--port", &self.port.to_string(), "--chain-id", "10", "--state"])
            .arg(&self.state)
            .stdout(Stdio::null())
            .spawn()
            .expect("start L2 anvil");
        self.child = Some(ChildGuard(child));
        let provider = ProviderBuilder::new().connect_http(self.url().parse().unwrap());
        let start = Instant::now();
        while provider.get_block_number().await.is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "L2 anvil did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the node with SIGINT, so anvil writes its state file.
    fn stop(&mut self) {
        if let Some(mut guard) = self.child.take() {
            let pid = guard.0.id().to_string();
            let _ = Command::new("kill").args(["-INT", &pid]).status();
            let _ = guard.0.wait();
        }
    }
}

fn l2_cli(args: &[&str], node: &L2Node, registry: Address, key_file: &Path) -> serde_json::Value {
    let mut all: Vec<String> = vec!["l2".into()];
    all.extend(args.iter().map(|s| s.to_string()));
    all.extend(["--rpc-url".into(), node.url(), "--registry".into(), registry.to_string()]);
    all.extend(["--key-file".into(), key_file.display().to_string()]);
    serde_json::from_str(&gateway_command(&all).unwrap()).unwrap()
}

/// A raw CCIP-read request for `text(name, key)`, as a client sends it.
async fn raw_text_lookup(gateway: &Gateway, resolver: Address, name: &str, key: &str) -> reqwest::StatusCode {
    let inner = RecordCalls::textCall { node: namehash(name), key: key.into() }.abi_encode();
    let calldata = IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() };
    let url = format!("{}/{resolver:#x}/{}.json", gateway.url, alloy::hex::encode_prefixed(calldata.abi_encode()));
    reqwest::get(url).await.unwrap().status()
}

/// Sends `calldata` to the registry from `provider`'s wallet and waits until it is mined.
async fn send(provider: &DynProvider, registry: Address, calldata: Vec<u8>) {
    let tx = TransactionRequest::default().to(registry).input(calldata.into());
    let receipt = provider.send_transaction(tx).await.unwrap().get_receipt().await.unwrap();
    assert!(receipt.status(), "L2 transaction reverted");
}

/// `setText(node, key, value)` with `value` as raw bytes (a string's ABI
/// encoding is that of bytes), so that it can hold invalid UTF-8.
fn set_text_raw(node: B256, key: &str, value: &[u8]) -> Vec<u8> {
    let args = (node, key.to_string(), Bytes::copy_from_slice(value)).abi_encode_params();
    [IL2NameRegistry::setTextCall::SELECTOR.as_slice(), &args].concat()
}

/// A fresh dm3 profile of `signer` as its text record, and its encryption key.
fn signed_profile(signer: &PrivateKeySigner) -> (String, String) {
    let (enc, sig) = random_profile_keys();
    let profile = UserProfile {
        delivery_services: vec!["ds.dm3.eth".into()],
        public_encryption_key: enc.clone(),
        public_signing_key: sig,
    };
    (SignedUserProfile::sign(profile, signer).unwrap().to_text_record(), enc)
}

/// The value of the Prometheus sample `series` (name with labels, as printed) on `gateway`, 0 if absent.
async fn metric(gateway: &Gateway, series: &str) -> f64 {
    let text = reqwest::get(format!("{}/metrics", gateway.url)).await.unwrap().text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

/// `text(eth.dm3.profile)` and a `multicall` of it with `addr`, both through L1.
async fn profile_both_shapes(resolver: &NameResolver<DynProvider>, name: &str) -> (String, String) {
    let node = namehash(name);
    let single = resolver.text(name, "eth.dm3.profile").await.unwrap();
    let calls: Vec<Bytes> = vec![
        RecordCalls::textCall { node, key: "eth.dm3.profile".into() }.abi_encode().into(),
        RecordCalls::addr_0Call { node }.abi_encode().into(),
    ];
    let answer = resolver.call_record(name, RecordCalls::multicallCall { data: calls }.abi_encode()).await.unwrap();
    let results = RecordCalls::multicallCall::abi_decode_returns(&answer.unwrap()).unwrap();
    (single, String::abi_decode(&results[0]).unwrap())
}

/// Runs the CLI's `l2` subcommand with `args` and returns (success, stdout, stderr).
fn l2_cli_raw(args: &[&str], node: &L2Node, registry: Address, key_file: &Path) -> (bool, String, Vec<u8>) {
    let output = Command::new(dm3_e2e::gateway_bin())
        .arg("l2")
        .args(args)
        .args(["--rpc-url", &node.url(), "--registry", &registry.to_string(), "--key-file"])
        .arg(key_file)
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned(), output.stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn names_on_the_l2_resolve_on_l1_and_survive_an_l2_outage() {
    let dir = tempfile::tempdir().unwrap();
    // L2 with the registry for dm3.eth.
    let mut l2 = L2Node::start(free_port(), &dir.path().join("l2-state.json")).await;
    let deployer: PrivateKeySigner = DEPLOYER_KEY.parse().unwrap();
    let l2_provider =
        ProviderBuilder::new().wallet(EthereumWallet::from(deployer.clone())).connect_http(l2.url().parse().unwrap());
    let args = ("dm3.eth".to_string(), namehash("dm3.eth")).abi_encode_params();
    let code: Vec<u8> = [artifact_bytecode("L2NameRegistry.sol", "L2NameRegistry").unwrap().as_ref(), &args].concat();
    let receipt = l2_provider
        .send_transaction(TransactionRequest::default().with_deploy_code(code))
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let registry = receipt.contract_address.unwrap();

    // L1 with the resolver, and two gateways reading the L2: "ttl" with a 4 s
    // cache and no events (the TTL alone bounds staleness), "events" with a
    // 30 s cache and the registry's events followed (default poll interval).
    const TTL: Duration = Duration::from_secs(4);
    let signer = PrivateKeySigner::random();
    let signer_file = write_key_file(dir.path(), "signer.key", &signer);
    let (port, events_port) = (free_port(), free_port());
    let url_of = |port: u16| format!("http://127.0.0.1:{port}");
    let chain = Chain::start(vec![url_of(port)], vec![signer.address()]).await.unwrap();
    let gateway_args = |cache_ttl: &str, extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "--resolver",
            &chain.resolver.to_string(),
            "--signer-key-file",
            &signer_file.display().to_string(),
            "--l2-rpc-url",
            &l2.url(),
            "--l2-registry",
            &registry.to_string(),
            "--l2-cache-ttl",
            cache_ttl,
            "--l2-timeout-ms",
            "1000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let gateway = Gateway::start(port, &gateway_args("4", &["--l2-poll-ms", "0"])).await.unwrap();
    let events = Gateway::start(events_port, &gateway_args("30", &[])).await.unwrap();

    // Bob registers on the L2 and publishes a dm3 profile.
    let bob: PrivateKeySigner = BOB_KEY.parse().unwrap();
    let bob_file = write_key_file(dir.path(), "bob.key", &bob);
    let bob_l2 = ProviderBuilder::new()
        .wallet(EthereumWallet::from(bob.clone()))
        .connect_http(l2.url().parse().unwrap())
        .erased();
    let name = "bob.dm3.eth";
    let node = namehash(name);
    let registered = l2_cli(&["register", "bob"], &l2, registry, &bob_file);
    assert_eq!(registered["node"].as_str(), Some(node.to_string().as_str()), "{registered}");
    let (enc, sig) = random_profile_keys();
    l2_cli(
        &["set-profile", name, "--encryption-key", &enc, "--signing-key", &sig, "--delivery-service", "ds.dm3.eth"],
        &l2,
        registry,
        &bob_file,
    );

    // alloy and ethers resolve it on L1, verified by the resolver.
    let resolver = NameResolver::new(chain.reader(), chain.registry);
    assert_eq!(resolver.addr(name).await.unwrap(), bob.address());
    let profile = resolver.dm3_profile(name).await.unwrap().expect("bob's profile");
    assert_eq!(profile.profile.public_encryption_key, enc);
    let ethers = ethers_resolve(&chain, name, &["eth.dm3.profile", "network.dm3.profile"]).unwrap();
    assert_eq!(ethers.address.unwrap().parse::<Address>().unwrap(), bob.address());
    assert_eq!(ethers.texts["network.dm3.profile"].as_deref(), Some(profile.to_text_record().as_str()));
    // A name nobody registered resolves empty.
    assert_eq!(resolver.addr("nobody.dm3.eth").await.unwrap(), Address::ZERO);

    // The freshness bound in its worst case (events off): a read under an
    // alias key fills the L2 read cache, the profile changes right after, and
    // shortly before those reads expire the profile is asked under another
    // key and as a multicall — new signed answers built from the old reads.
    // They may be stale, but only until the reads expire: the change is
    // visible within the TTL plus one block (anvil mines at once) of the update.
    let old = profile.to_text_record();
    tokio::time::sleep(TTL).await; // the reads above expire: the next one fills the L2 read cache
    let read_at = Instant::now();
    assert_eq!(resolver.text(name, "network.dm3.profile").await.unwrap(), old);
    let (new, _) = signed_profile(&bob);
    send(
        &bob_l2,
        registry,
        IL2NameRegistry::setTextCall { node, key: "eth.dm3.profile".into(), value: new.clone() }.abi_encode(),
    )
    .await;
    let updated = Instant::now();
    tokio::time::sleep_until((read_at + TTL - Duration::from_millis(1500)).into()).await;
    assert_eq!(profile_both_shapes(&resolver, name).await, (old.clone(), old.clone()), "the worst case was not set up");
    loop {
        let (single, multi) = profile_both_shapes(&resolver, name).await;
        if single == new && multi == new {
            break;
        }
        assert!(
            updated.elapsed() < TTL + Duration::from_millis(1000),
            "update not visible within the TTL and one block"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("TTL bound: visible {:?} after the update (TTL {TTL:?}, events off)", updated.elapsed());

    // With the registry's events followed, an update shows long before the 30 s TTL.
    chain.set_urls(vec![url_of(events_port)]).await.unwrap();
    assert_eq!(resolver.text(name, "eth.dm3.profile").await.unwrap(), new);
    let mut delays = Vec::new();
    for phase in 0..4 {
        // Updates at different phases of the follower's 1 s poll interval.
        tokio::time::sleep(Duration::from_millis(250 * phase)).await;
        let (next, _) = signed_profile(&bob);
        let call = IL2NameRegistry::setTextCall { node, key: "eth.dm3.profile".into(), value: next.clone() };
        send(&bob_l2, registry, call.abi_encode()).await;
        let updated = Instant::now();
        while resolver.text(name, "eth.dm3.profile").await.unwrap() != next {
            assert!(updated.elapsed() < Duration::from_secs(5), "update not picked up from the registry's events");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        delays.push(updated.elapsed());
    }
    eprintln!("event-driven invalidation: visible after {delays:?} (poll interval 1 s, TTL 30 s)");
    let current = resolver.text(name, "eth.dm3.profile").await.unwrap();

    // Invalid UTF-8 is the owner's data, not an outage: under the alias
    // `dm3.profile` it is served as unset, so that alias answers with the valid
    // main key, and under a key of its own it answers "" — counted as malformed.
    let junk = [0xff, 0xfe, b'x'];
    let counter = "dm3_gateway_l2_malformed_records_total{problem=\"text_not_utf8\"}";
    let (records_before, profiles_before) =
        (metric(&events, counter).await, metric(&events, "dm3_gateway_l2_malformed_profiles_total").await);
    send(&bob_l2, registry, set_text_raw(node, "dm3.profile", &junk)).await;
    send(&bob_l2, registry, set_text_raw(node, "url", &junk)).await;
    let start = Instant::now();
    while metric(&events, counter).await <= records_before {
        assert_eq!(resolver.text(name, "dm3.profile").await.unwrap(), current);
        assert!(start.elapsed() < Duration::from_secs(5), "junk under dm3.profile never read");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(resolver.text(name, "dm3.profile").await.unwrap(), current);
    assert_eq!(resolver.text(name, "eth.dm3.profile").await.unwrap(), current);
    assert_eq!(resolver.dm3_profile(name).await.unwrap().unwrap().to_text_record(), current);
    assert_eq!(raw_text_lookup(&events, chain.resolver, name, "url").await, 200);
    assert_eq!(resolver.text(name, "url").await.unwrap(), "");
    assert!(metric(&events, counter).await >= records_before + 2.0, "both junk reads counted");
    assert!(metric(&events, "dm3_gateway_l2_malformed_profiles_total").await > profiles_before);

    // ENSIP-19: an EVM chain without an address of its own gets the default EVM address.
    let default = Address::repeat_byte(0xd1);
    let set_addr = [
        &keccak256("setAddr(bytes32,uint256,bytes)")[..4],
        &(node, U256::from(0x8000_0000u64), Bytes::copy_from_slice(default.as_slice())).abi_encode_params(),
    ]
    .concat();
    send(&bob_l2, registry, set_addr).await;
    let optimism = RecordCalls::addr_1Call { node, coinType: U256::from(0x8000_000au64) }.abi_encode();
    let start = Instant::now();
    loop {
        let answer = resolver.call_record(name, optimism.clone()).await.unwrap().unwrap();
        if Bytes::abi_decode(&answer).unwrap().as_ref() == default.as_slice() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "no ENSIP-19 fallback");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(resolver.addr(name).await.unwrap(), bob.address()); // its own coin-60 address wins
    let bitcoin = RecordCalls::addr_1Call { node, coinType: U256::ZERO }.abi_encode();
    let answer = resolver.call_record(name, bitcoin).await.unwrap().unwrap();
    assert!(Bytes::abi_decode(&answer).unwrap().is_empty(), "no fallback for a non-EVM coin");

    // The read API answers from the registry; names by owner are not indexed there.
    let client = reqwest::Client::new();
    let view: serde_json::Value =
        client.get(format!("{}/names/{name}", events.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(view["owner"].as_str().unwrap().parse::<Address>().unwrap(), bob.address(), "{view}");
    assert_eq!(view["nonce"], 0, "{view}");
    assert_eq!(view["texts"]["eth.dm3.profile"].as_str(), Some(current.as_str()), "{view}");
    assert!(view["texts"].get("dm3.profile").is_none(), "junk is not listed: {view}");
    let default_hex = alloy::hex::encode_prefixed(default.as_slice());
    assert_eq!(view["addresses"]["2147483648"].as_str(), Some(default_hex.as_str()), "{view}");
    let owners = client.get(format!("{}/owners/{}/names", events.url, bob.address())).send().await.unwrap();
    assert_eq!(owners.status(), 501);
    let owners: serde_json::Value = owners.json().await.unwrap();
    assert_eq!(owners["code"], "not_available", "{owners}");
    assert!(owners["message"].as_str().unwrap().contains("no index of names by owner"), "{owners}");

    // The CLI names the registry's refusals, arguments included, in plain text.
    let deployer_file = write_key_file(dir.path(), "deployer.key", &deployer);
    let (ok, _, stderr) = l2_cli_raw(&["set-text", name, "url=https://x"], &l2, registry, &deployer_file);
    let message = String::from_utf8(stderr).unwrap();
    assert!(!ok);
    let expected = format!("NotOwner(node: {node}, caller: {})", deployer.address());
    assert!(message.contains(&expected), "{message}");
    assert!(!message.chars().any(|c| c.is_control() && c != '\n'), "{message:?}");
    let (ok, _, stderr) = l2_cli_raw(&["register", "bob"], &l2, registry, &deployer_file);
    assert!(!ok);
    assert!(String::from_utf8_lossy(&stderr).contains("LabelTaken(label: \"bob\")"));

    // A malformed dm3 profile is the owner's record: served as is, but flagged.
    let flagged = metric(&events, "dm3_gateway_l2_malformed_profiles_total").await;
    l2_cli(
        &["set-text", name, "network.dm3.profile=data:application/json,{\"broken\":true}"],
        &l2,
        registry,
        &bob_file,
    );
    let start = Instant::now();
    loop {
        let served = resolver.text(name, "network.dm3.profile").await.unwrap();
        if served == "data:application/json,{\"broken\":true}" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "malformed profile not served: {served}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(metric(&events, "dm3_gateway_l2_malformed_profiles_total").await > flagged);

    // The names API is read-only in L2 mode.
    let claim = client.post(format!("{}/names", gateway.url)).body("{}").send().await.unwrap();
    assert_eq!(claim.status(), 405);

    // The L2 goes away: the gateway answers 5xx (clients fail over), never an empty 200.
    chain.set_urls(vec![url_of(port)]).await.unwrap();
    l2.stop();
    tokio::time::sleep(TTL + Duration::from_millis(100)).await; // let the cached answers expire
    let status = raw_text_lookup(&gateway, chain.resolver, name, "eth.dm3.profile").await;
    assert!(status.is_server_error(), "got {status} while the L2 is down");
    assert!(resolver.text(name, "eth.dm3.profile").await.is_err());

    // It comes back: the gateway heals without a restart.
    l2.restart().await;
    wait_http_ok(&format!("{}/health", gateway.url), Duration::from_secs(5)).await.unwrap();
    let status = raw_text_lookup(&gateway, chain.resolver, name, "eth.dm3.profile").await;
    assert_eq!(status, 200);
    let record = resolver.text(name, "eth.dm3.profile").await.unwrap();
    assert_eq!(record, current);
    // The client refuses the malformed profile that now shadows it under network.dm3.profile.
    assert!(resolver.dm3_profile(name).await.is_err());
}
