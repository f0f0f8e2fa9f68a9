//! End to end for names on an L2: two anvil chains — L1 with the ENS registry
//! and `OffchainResolver`, L2 with the `L2NameRegistry` — and the gateway
//! reading the L2. Users register and publish on the L2 with the CLI; alloy
//! and ethers resolve on L1 through the gateway.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::Address,
    providers::{Provider, ProviderBuilder},
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
    protocol::{dns_encode, namehash, IResolverService, RecordCalls},
};
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

#[tokio::test(flavor = "multi_thread")]
async fn names_on_the_l2_resolve_on_l1_and_survive_an_l2_outage() {
    let dir = tempfile::tempdir().unwrap();
    // L2 with the registry for dm3.eth.
    let mut l2 = L2Node::start(free_port(), &dir.path().join("l2-state.json")).await;
    let deployer: PrivateKeySigner = DEPLOYER_KEY.parse().unwrap();
    let l2_provider =
        ProviderBuilder::new().wallet(EthereumWallet::from(deployer)).connect_http(l2.url().parse().unwrap());
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

    // L1 with the resolver, and the gateway reading the L2.
    let signer = PrivateKeySigner::random();
    let signer_file = write_key_file(dir.path(), "signer.key", &signer);
    let port = free_port();
    let chain = Chain::start(vec![format!("http://127.0.0.1:{port}")], vec![signer.address()]).await.unwrap();
    let gateway = Gateway::start(
        port,
        &[
            "--resolver".into(),
            chain.resolver.to_string(),
            "--signer-key-file".into(),
            signer_file.display().to_string(),
            "--l2-rpc-url".into(),
            l2.url(),
            "--l2-registry".into(),
            registry.to_string(),
            "--l2-cache-ttl".into(),
            "1".into(),
            "--l2-timeout-ms".into(),
            "1000".into(),
        ],
    )
    .await
    .unwrap();

    // Bob registers on the L2 and publishes a dm3 profile.
    let bob: PrivateKeySigner = BOB_KEY.parse().unwrap();
    let bob_file = write_key_file(dir.path(), "bob.key", &bob);
    let name = "bob.dm3.eth";
    l2_cli(&["register", "bob"], &l2, registry, &bob_file);
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

    // An update on the L2 is visible on L1 within the cache TTL (1 s).
    let (enc2, sig2) = random_profile_keys();
    l2_cli(
        &["set-profile", name, "--encryption-key", &enc2, "--signing-key", &sig2, "--delivery-service", "ds.dm3.eth"],
        &l2,
        registry,
        &bob_file,
    );
    let start = Instant::now();
    loop {
        let seen = resolver.dm3_profile(name).await.unwrap().unwrap().profile.public_encryption_key;
        if seen == enc2 {
            break;
        }
        assert!(start.elapsed() < Duration::from_millis(2500), "update not visible after the cache TTL");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A malformed dm3 profile is the owner's record: served as is, but flagged.
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
        assert!(start.elapsed() < Duration::from_millis(2500), "malformed profile not served: {served}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let metrics = reqwest::get(format!("{}/metrics", gateway.url)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("dm3_gateway_l2_malformed_profiles_total"), "{metrics}");

    // The names API is read-only in L2 mode.
    let client = reqwest::Client::new();
    let claim = client.post(format!("{}/names", gateway.url)).body("{}").send().await.unwrap();
    assert_eq!(claim.status(), 405);

    // The L2 goes away: the gateway answers 5xx (clients fail over), never an empty 200.
    l2.stop();
    tokio::time::sleep(Duration::from_millis(1100)).await; // let the cached answers expire
    let status = raw_text_lookup(&gateway, chain.resolver, name, "eth.dm3.profile").await;
    assert!(status.is_server_error(), "got {status} while the L2 is down");
    assert!(resolver.text(name, "eth.dm3.profile").await.is_err());

    // It comes back: the gateway heals without a restart.
    l2.restart().await;
    wait_http_ok(&format!("{}/health", gateway.url), Duration::from_secs(5)).await.unwrap();
    let status = raw_text_lookup(&gateway, chain.resolver, name, "eth.dm3.profile").await;
    assert_eq!(status, 200);
    let record = resolver.text(name, "eth.dm3.profile").await.unwrap();
    let seen = dm3_gateway::profile::SignedUserProfile::from_text_record(&record).unwrap();
    assert_eq!(seen.profile.public_encryption_key, enc2);
    // The client refuses the malformed profile that now shadows it under network.dm3.profile.
    assert!(resolver.dm3_profile(name).await.is_err());
}
