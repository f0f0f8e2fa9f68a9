//! Harness for the end-to-end tests: real processes (anvil, redis-server, the
//! gateway binary, node with ethers) on loopback ports, killed on drop.

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    node_bindings::{Anvil, AnvilInstance},
    primitives::{keccak256, Address, Bytes, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol,
    sol_types::SolValue,
};
use anyhow::{bail, Context, Result};
use dm3_gateway::client::PreparedWrite;
use dm3_protocol::namehash;
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

sol! {
    /// The ENS registry test fixture (`contracts/test/fixtures/ENSRegistry.sol`).
    #[sol(rpc)]
    interface EnsRegistry {
        function setSubnodeOwner(bytes32 node, bytes32 label, address owner) external returns (bytes32);
        function setResolver(bytes32 node, address resolver) external;
        function resolver(bytes32 node) external view returns (address);
    }

    /// Management side of `OffchainResolver`.
    #[sol(rpc)]
    interface OffchainResolverAdmin {
        function setBaseUrls(string[] newBaseUrls) external;
        function addSigners(address[] newSigners) external;
        function removeSigners(address[] oldSigners) external;
        function baseUrls() external view returns (string[]);
        function urls() external view returns (string[]);
    }
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// A free loopback TCP port (bound and released; good enough for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// The gateway binary: `$DM3_GATEWAY_BIN`, or built once with cargo.
pub fn gateway_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("DM3_GATEWAY_BIN") {
            return bin.into();
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", "dm3-gateway", "--bin", "dm3-gateway"])
            .current_dir(repo_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the gateway failed");
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from);
        target.join("debug/dm3-gateway")
    })
    .clone()
}

/// A Foundry tool installed from npm (`node_modules/@foundry-rs/<tool>-linux-amd64/bin/<tool>`).
pub fn foundry_bin(tool: &str) -> PathBuf {
    repo_root().join(format!("node_modules/@foundry-rs/{tool}-linux-amd64/bin/{tool}"))
}

/// Writes `key` as the hex key file `dir/file` (what `--signer-key-file` and
/// `--key-file` read) and returns its path.
pub fn write_key_file(dir: &Path, file: &str, key: &PrivateKeySigner) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, alloy::hex::encode_prefixed(key.to_bytes())).expect("write key file");
    path
}

/// Random, valid dm3 profile keys: standard base64 of 32 random bytes (the
/// X25519 encryption key) and of an Ed25519 public key (the signing key).
pub fn random_profile_keys() -> (String, String) {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let encryption: [u8; 32] = PrivateKeySigner::random().to_bytes().into();
    let seed: [u8; 32] = PrivateKeySigner::random().to_bytes().into();
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
    (STANDARD.encode(encryption), STANDARD.encode(signing.as_bytes()))
}

/// Bytecode of a contract compiled by `forge build` into `out/`.
pub fn artifact_bytecode(file: &str, contract: &str) -> Result<Bytes> {
    let path = repo_root().join(format!("out/{file}/{contract}.json"));
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} missing: run `forge build` (scripts/test does)", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let hex = json["bytecode"]["object"].as_str().context("artifact has no bytecode.object")?;
    Ok(hex.parse()?)
}

/// A child process killed (and reaped) on drop.
#[derive(Debug)]
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until `url` answers 200, or fails after `timeout`.
pub async fn wait_http_ok(url: &str, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(response) = reqwest::get(url).await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{url} did not answer within {timeout:?}")
}

/// A local chain with an ENS registry whose `dm3.eth` points at an `OffchainResolver`.
#[derive(Debug)]
pub struct Chain {
    /// The anvil process.
    pub anvil: AnvilInstance,
    /// A provider that signs with anvil's first account (the deployer and owner).
    pub provider: DynProvider,
    /// The ENS registry fixture.
    pub registry: Address,
    /// The `OffchainResolver` set on `dm3.eth`.
    pub resolver: Address,
}

impl Chain {
    /// Starts anvil and deploys the registry and a resolver trusting `signers`
    /// that sends clients to the gateways at base URLs `urls` (e.g.
    /// `http://127.0.0.1:PORT`): the resolver emits
    /// `<base>/<its address>/{sender}/{data}.json` for each.
    pub async fn start(urls: Vec<String>, signers: Vec<Address>) -> Result<Self> {
        let anvil = Anvil::new().path(foundry_bin("anvil")).try_spawn().context("start anvil")?;
        let deployer = PrivateKeySigner::from(anvil.keys()[0].clone());
        let owner = deployer.address();
        let provider =
            ProviderBuilder::new().wallet(EthereumWallet::from(deployer)).connect_http(anvil.endpoint_url()).erased();

        let registry = deploy(&provider, artifact_bytecode("ENSRegistry.sol", "ENSRegistry")?, Vec::new()).await?;
        let args = (owner, urls, signers).abi_encode_params();
        let resolver = deploy(&provider, artifact_bytecode("OffchainResolver.sol", "OffchainResolver")?, args).await?;

        let ens = EnsRegistry::new(registry, &provider);
        let eth = ens.setSubnodeOwner(B256::ZERO, keccak256("eth"), owner).send().await?.get_receipt().await?;
        assert!(eth.status());
        let dm3 = ens.setSubnodeOwner(namehash("eth"), keccak256("dm3"), owner).send().await?.get_receipt().await?;
        assert!(dm3.status());
        let set = ens.setResolver(namehash("dm3.eth"), resolver).send().await?.get_receipt().await?;
        assert!(set.status());
        Ok(Self { anvil, provider, registry, resolver })
    }

    /// Points the resolver at other gateway base URLs (`setBaseUrls`).
    pub async fn set_urls(&self, urls: Vec<String>) -> Result<()> {
        let admin = OffchainResolverAdmin::new(self.resolver, &self.provider);
        let receipt = admin.setBaseUrls(urls).send().await?.get_receipt().await?;
        anyhow::ensure!(receipt.status(), "setBaseUrls reverted");
        Ok(())
    }

    /// The lookup URL templates the resolver emits in its `OffchainLookup`.
    pub async fn lookup_urls(&self) -> Result<Vec<String>> {
        Ok(OffchainResolverAdmin::new(self.resolver, &self.provider).urls().call().await?)
    }

    /// Deploys a contract from `out/<file>/<contract>.json` with ABI-encoded constructor `args`.
    pub async fn deploy(&self, file: &str, contract: &str, args: Vec<u8>) -> Result<Address> {
        deploy(&self.provider, artifact_bytecode(file, contract)?, args).await
    }

    /// A read-only provider (what a wallet has).
    pub fn reader(&self) -> DynProvider {
        ProviderBuilder::new().connect_http(self.anvil.endpoint_url()).erased()
    }

    /// The gateway flags every set-up over this chain shares: its
    /// `OffchainResolver` (`--resolver`), the answer signer's `key_file`
    /// (`--signer-key-file`) and anvil's chain id (`--chain-id`). A set-up
    /// whose names API should read the chain adds `--rpc-url` itself.
    pub fn gateway_args(&self, key_file: &Path) -> Vec<String> {
        vec![
            "--resolver".into(),
            self.resolver.to_string(),
            "--signer-key-file".into(),
            key_file.display().to_string(),
            "--chain-id".into(),
            self.anvil.chain_id().to_string(),
        ]
    }
}

async fn deploy(provider: &DynProvider, bytecode: Bytes, args: Vec<u8>) -> Result<Address> {
    let code: Vec<u8> = [bytecode.as_ref(), args.as_slice()].concat();
    let tx = TransactionRequest::default().with_deploy_code(code);
    let receipt = provider.send_transaction(tx).await?.get_receipt().await?;
    anyhow::ensure!(receipt.status(), "deployment reverted");
    receipt.contract_address.context("no contract address in receipt")
}

/// Where a gateway keeps its records.
#[derive(Debug, Clone)]
pub enum Backend {
    /// The embedded store in this directory.
    Embedded(PathBuf),
    /// Redis at this URL.
    Redis(String),
}

impl Backend {
    /// The gateway flags that select this backend.
    pub fn args(&self) -> Vec<String> {
        match self {
            Self::Embedded(dir) => vec!["--data-dir".into(), dir.display().to_string()],
            Self::Redis(url) => vec!["--redis-url".into(), url.clone()],
        }
    }
}

/// Sends `signal` (`TERM`, `STOP`, `CONT`, …) to process `pid` with the
/// shell's `kill` builtin.
pub fn send_signal(pid: u32, signal: &str) -> Result<()> {
    anyhow::ensure!(signal.chars().all(|c| c.is_ascii_alphanumeric()), "bad signal name {signal:?}");
    let status = Command::new("sh").arg("-c").arg(format!("kill -{signal} {pid}")).status()?;
    anyhow::ensure!(status.success(), "kill -{signal} {pid} failed");
    Ok(())
}

/// A running `redis-server` on a free port, without persistence.
#[derive(Debug)]
pub struct RedisServer {
    child: ChildGuard,
    _dir: tempfile::TempDir,
    /// `redis://127.0.0.1:<port>/0`
    pub url: String,
}

impl RedisServer {
    /// Starts `redis-server` from `PATH` and waits until it accepts connections.
    pub async fn start() -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .context("start redis-server (scripts/test installs it)")?;
        let child = ChildGuard(child);
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(10) {
                bail!("redis-server did not start");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Self { child, _dir: dir, url: format!("redis://127.0.0.1:{port}/0") })
    }

    /// The server's process id (for [`send_signal`]: `STOP` hangs it, `CONT` resumes it).
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }
}

/// A `redis-server` that persists every write (`--appendonly yes --appendfsync
/// always`: a write is acknowledged only after it is fsynced) in its own
/// directory, and that can be killed and started again on the same port and
/// data, for fault tests.
#[derive(Debug)]
pub struct PersistentRedis {
    child: Option<ChildGuard>,
    dir: tempfile::TempDir,
    port: u16,
    /// `redis://127.0.0.1:<port>/0`
    pub url: String,
}

impl PersistentRedis {
    /// Starts `redis-server` on a free port in a new temporary directory.
    pub async fn start() -> Result<Self> {
        let port = free_port();
        let mut redis =
            Self { child: None, dir: tempfile::tempdir()?, port, url: format!("redis://127.0.0.1:{port}/0") };
        redis.restart().await?;
        Ok(redis)
    }

    /// Kills the server with SIGKILL (no shutdown, no final save) and reaps it.
    pub fn kill(&mut self) {
        drop(self.child.take());
    }

    /// Starts the server again (after [`Self::kill`]) on the same port and
    /// directory, and waits until it accepts connections and has loaded its data.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
            .arg(self.dir.path())
            .current_dir(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .context("start redis-server (scripts/test installs it)")?;
        self.child = Some(ChildGuard(child));
        let start = Instant::now();
        loop {
            // PING answers PONG only once the append-only file is loaded.
            if redis_ping(self.port).is_ok_and(|reply| reply.starts_with("+PONG")) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(10) {
                bail!("redis-server did not start on port {}", self.port);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Sends a prepared names-API write to the gateway at `base` and reads the
/// whole answer (a `201` counts only once it has fully arrived); the status,
/// or `None` when the connection failed or the answer was cut off.
pub async fn submit(client: &reqwest::Client, base: &str, write: &PreparedWrite) -> Option<reqwest::StatusCode> {
    let response = client
        .request(write.method.clone(), format!("{base}{}", write.path))
        .header("content-type", "application/json")
        .body(write.body.clone())
        .send()
        .await
        .ok()?;
    let status = response.status();
    response.bytes().await.ok()?;
    Some(status)
}

fn redis_ping(port: u16) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(1)))?;
    stream.write_all(b"PING\r\n")?;
    let mut reply = [0u8; 64];
    let n = stream.read(&mut reply)?;
    Ok(String::from_utf8_lossy(&reply[..n]).into_owned())
}

/// Runs `dm3-gateway <args>` to completion and returns its standard output.
pub fn gateway_command(args: &[String]) -> Result<String> {
    let output = Command::new(gateway_bin()).args(args).output()?;
    if !output.status.success() {
        bail!("dm3-gateway {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// A running gateway process.
#[derive(Debug)]
pub struct Gateway {
    child: ChildGuard,
    /// `http://127.0.0.1:<port>`
    pub url: String,
}

impl Gateway {
    /// Kills the gateway process with SIGKILL (no graceful shutdown: requests
    /// in flight are cut off) and reaps it.
    pub fn kill(self) {
        drop(self);
    }

    /// The gateway's process id (for [`send_signal`] and `/proc/<pid>`).
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Waits up to `timeout` for the process to exit; its status, or `None`
    /// if it is still running.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Result<Option<std::process::ExitStatus>> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.0.try_wait()? {
                return Ok(Some(status));
            }
            if start.elapsed() >= timeout {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Starts the gateway binary on `port` with `args` and waits for `/health`.
    pub async fn start(port: u16, args: &[String]) -> Result<Self> {
        let child = Command::new(gateway_bin())
            .args(["--listen".to_string(), format!("127.0.0.1:{port}")])
            .args(args)
            .env("RUST_LOG", "warn")
            .spawn()
            .context("start gateway")?;
        let child = ChildGuard(child);
        let url = format!("http://127.0.0.1:{port}");
        wait_http_ok(&format!("{url}/health"), Duration::from_secs(30)).await?;
        Ok(Self { child, url })
    }
}

/// Output of `tests/ethers/resolve.mjs`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EthersResult {
    /// The resolver ethers found (ENSIP-10 walk).
    pub resolver: Option<String>,
    /// `resolver.getAddress()`.
    pub address: Option<String>,
    /// `resolver.getText(key)` by key.
    pub texts: std::collections::BTreeMap<String, Option<String>>,
    /// The error message when resolution threw.
    pub error: Option<String>,
    /// The error of a raw `resolve(name, text(node, firstKey))` call with CCIP-read.
    pub raw_call_error: Option<String>,
}

/// Resolves `name` with ethers v6 (node) against `chain`.
pub fn ethers_resolve(chain: &Chain, name: &str, keys: &[&str]) -> Result<EthersResult> {
    let script = repo_root().join("tests/ethers/resolve.mjs");
    let mut command = Command::new("node");
    command.arg(script).arg(chain.anvil.endpoint()).arg(chain.registry.to_string()).arg(name).args(keys);
    let output = command.output().context("run node")?;
    if !output.status.success() {
        bail!("ethers script failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}
