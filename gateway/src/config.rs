//! Command-line and environment configuration of the server.

use crate::names::{dm3::Dm3Config, NameRules, NamesConfig};
use alloy::{eips::BlockNumberOrTag, primitives::Address};
use clap::Args;
use std::{
    ffi::OsString,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

/// Where records are stored.
#[derive(Debug, Clone, Args)]
pub struct StoreConfig {
    /// Directory of the embedded store (`records.redb`) and of the development signing key.
    #[arg(long, env = "DM3_GATEWAY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Use Redis instead of the embedded store, e.g. `redis://127.0.0.1:6379/0`.
    #[arg(long, env = "DM3_GATEWAY_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Find the Redis primary through this Sentinel, `host:port` (repeat, or
    /// comma-separate in the environment); needs --redis-service. A
    /// --redis-url given as well only supplies database and credentials.
    #[arg(
        long = "redis-sentinel",
        env = "DM3_GATEWAY_REDIS_SENTINELS",
        value_delimiter = ',',
        requires = "redis_service"
    )]
    pub redis_sentinels: Vec<String>,
    /// The Sentinel master name of the Redis primary.
    #[arg(long, env = "DM3_GATEWAY_REDIS_SERVICE", requires = "redis_sentinels")]
    pub redis_service: Option<String>,
    /// Replicas that must confirm a names-API write (Redis `WAIT`) before it is
    /// acknowledged; otherwise 503 `write_not_replicated`. Default: 1 with
    /// --redis-sentinel (a failover must not lose an acknowledged write), else 0.
    #[arg(long, env = "DM3_GATEWAY_REDIS_MIN_REPLICAS_ACK")]
    pub redis_min_replicas_ack: Option<u32>,
    /// Serve records from an L2 name registry through this JSON-RPC endpoint
    /// (with --l2-registry); the names API is then read-only.
    #[arg(long, env = "DM3_GATEWAY_L2_RPC_URL", requires = "l2_registry")]
    pub l2_rpc_url: Option<String>,
    /// Address of the L2NameRegistry on the L2.
    #[arg(long, env = "DM3_GATEWAY_L2_REGISTRY", requires = "l2_rpc_url")]
    pub l2_registry: Option<alloy::primitives::Address>,
    /// Block tag the L2 is read at: latest, safe or finalized.
    #[arg(long, env = "DM3_GATEWAY_L2_BLOCK", value_enum, default_value_t = L2Block::Latest)]
    pub l2_block: L2Block,
    /// Seconds an L2 read is cached (0: no cache); an L2 update shows on L1
    /// after at most this long plus one L2 block, whatever the key or call shape.
    #[arg(long, env = "DM3_GATEWAY_L2_CACHE_TTL", default_value_t = 5)]
    pub l2_cache_ttl: u64,
    /// Milliseconds an L2 read may take before the request fails with a 5xx.
    #[arg(long, env = "DM3_GATEWAY_L2_TIMEOUT_MS", default_value_t = 2000)]
    pub l2_timeout_ms: u64,
    /// Milliseconds between polls of the L2 registry's events (`eth_getLogs`);
    /// a change drops the cached answers about its name at once (0: no
    /// events, the cache TTL alone bounds staleness). About the L2's block
    /// interval is right.
    #[arg(long, env = "DM3_GATEWAY_L2_POLL_MS", default_value_t = 1000)]
    pub l2_poll_ms: u64,
    /// Seconds a store operation may take: a store that has not answered by
    /// then gives `504 store_timeout`; one that refuses or drops the
    /// connection gives `503 store_unavailable`.
    #[arg(long, env = "DM3_GATEWAY_STORE_TIMEOUT", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub store_timeout: u64,
}

/// The block tag L2 reads are made at (`--l2-block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L2Block {
    /// The head of the chain: an update shows after one L2 block.
    Latest,
    /// The newest block the L2 node deems safe from reorgs.
    Safe,
    /// The newest finalized block.
    Finalized,
}

// Written out rather than derived: a derived impl turns the variants' doc
// comments into help, which switches every flag of `--help` to clap's long
// layout.
impl clap::ValueEnum for L2Block {
    fn value_variants<'a>() -> &'a [Self] {
        &[Self::Latest, Self::Safe, Self::Finalized]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            Self::Latest => "latest",
            Self::Safe => "safe",
            Self::Finalized => "finalized",
        }))
    }
}

impl From<L2Block> for BlockNumberOrTag {
    fn from(block: L2Block) -> Self {
        match block {
            L2Block::Latest => Self::Latest,
            L2Block::Safe => Self::Safe,
            L2Block::Finalized => Self::Finalized,
        }
    }
}

impl StoreConfig {
    /// Whether records are in Redis (one server or a Sentinel service).
    pub fn uses_redis(&self) -> bool {
        self.redis_url.is_some() || !self.redis_sentinels.is_empty()
    }

    /// Replicas a write must reach: --redis-min-replicas-ack, or 1 with
    /// Sentinel (which implies replicas) and 0 for a single Redis.
    pub fn min_replicas_ack(&self) -> u32 {
        self.redis_min_replicas_ack.unwrap_or(u32::from(!self.redis_sentinels.is_empty()))
    }
}

/// Options of `dm3-gateway serve` (also the default command).
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// TOML file of options: keys are the long flag names (`listen`,
    /// `redis-url`, `resolver = ["0x…"]`, …). Flags and environment
    /// variables take precedence over it. Keep keys out of it: use
    /// `signer-key-file`.
    #[arg(long, env = "DM3_GATEWAY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Production mode: refuse to start without an explicit signing key,
    /// without --resolver, or with a well-known key (anvil/hardhat test keys).
    #[arg(long, env = "DM3_GATEWAY_PRODUCTION", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub production: bool,
    /// Address to listen on.
    #[arg(long, env = "DM3_GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Threads running the event loop (HTTP, store reads, cached answers).
    /// Default: half the cores, at least one.
    #[arg(long, env = "DM3_GATEWAY_IO_THREADS")]
    pub io_threads: Option<std::num::NonZeroUsize>,
    /// Threads computing answer signatures, off the event loop; 0 signs on
    /// the event loop. Default: one per core.
    #[arg(long, env = "DM3_GATEWAY_SIGNING_THREADS")]
    pub signing_threads: Option<usize>,
    /// Resolver contract this gateway signs for (repeat, or comma-separate in the
    /// environment). Requests for any other resolver get 404. Without any, the
    /// gateway signs for every resolver: for development only.
    #[arg(long = "resolver", env = "DM3_GATEWAY_RESOLVERS", value_delimiter = ',')]
    pub resolvers: Vec<Address>,
    /// dm3 `ERC3668Resolver` contract (dm3-org/Ccip-Resolver) whose lookups
    /// are answered in dm3's scheme: `resolveWithContext` callData, an
    /// EIP-191-prefixed signature, `SignatureCcipVerifier`'s result encodings
    /// (repeat, or comma-separate). Signed for whether or not it is a --resolver.
    #[arg(long = "dm3-resolver", env = "DM3_GATEWAY_DM3_RESOLVERS", value_delimiter = ',')]
    pub dm3_resolvers: Vec<Address>,
    /// Parent name whose subnames are served (repeat, or comma-separate).
    #[arg(long = "parent", env = "DM3_GATEWAY_PARENTS", value_delimiter = ',', default_value = "dm3.eth")]
    pub parents: Vec<String>,
    /// Seconds a signed answer stays valid.
    #[arg(long, env = "DM3_GATEWAY_TTL", default_value_t = 300)]
    pub ttl: u64,
    /// Seconds a signed answer is served again from the cache and may be kept
    /// by HTTP caches (`Cache-Control: max-age`); 0 turns caching off.
    /// Default: a quarter of --ttl. Must be below --ttl.
    #[arg(long, env = "DM3_GATEWAY_CACHE_TTL")]
    pub cache_ttl: Option<u64>,
    /// Most memory the answer cache may take, in MiB.
    #[arg(long, env = "DM3_GATEWAY_CACHE_SIZE_MB", default_value_t = 16)]
    pub cache_size_mb: u64,
    /// File holding the hex private key that signs answers.
    #[arg(long, env = "DM3_GATEWAY_SIGNER_KEY_FILE")]
    pub signer_key_file: Option<PathBuf>,
    /// Hex private key that signs answers (prefer the environment variable or a file).
    #[arg(long, env = "DM3_GATEWAY_SIGNER_KEY", hide_env_values = true, conflicts_with = "signer_key_file")]
    pub signer_key: Option<String>,
    /// File of a standby key (repeat, or comma-separate): loaded and listed in
    /// `/info` but not signing — the next key before a rotation, or the
    /// previous one after it.
    #[arg(long = "standby-signer-key-file", env = "DM3_GATEWAY_STANDBY_SIGNER_KEY_FILES", value_delimiter = ',')]
    pub standby_signer_key_files: Vec<PathBuf>,
    /// Store options.
    #[command(flatten)]
    pub store: StoreConfig,
    /// Names-API options.
    #[command(flatten)]
    pub names: NamesOptions,
    /// Limits of the HTTP edge.
    #[command(flatten)]
    pub edge: EdgeConfig,
    /// Claim-page options.
    #[command(flatten)]
    pub page: PageOptions,
}

/// Limits of the HTTP edge: connections, request heads, closing, shutdown
/// (see `listener` for what each one does).
#[derive(Debug, Clone, Args)]
pub struct EdgeConfig {
    /// Milliseconds a request head may take: from accepting a connection to
    /// its first complete head, and from the first byte of each later request
    /// to its complete head (`408`, then close).
    #[arg(long, env = "DM3_GATEWAY_HEADER_TIMEOUT_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_ms: u64,
    /// Seconds a keep-alive connection may stay silent between requests.
    #[arg(long, env = "DM3_GATEWAY_IDLE_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// Most bytes of a request line and headers together (`431` beyond).
    #[arg(long, env = "DM3_GATEWAY_MAX_HEADER_BYTES", default_value_t = 32 * 1024, value_parser = clap::value_parser!(u64).range(8192..=16 * 1024 * 1024))]
    pub max_header_bytes: u64,
    /// Most header lines of a request (`431` beyond).
    #[arg(long, env = "DM3_GATEWAY_MAX_HEADERS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_headers: u64,
    /// Most connections open at once. At the cap the connection that has
    /// waited longest without a request in flight is closed to make room;
    /// when all are busy, accepting pauses until one ends.
    #[arg(long, env = "DM3_GATEWAY_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Most bytes of a request body: a declared `Content-Length` over it is
    /// `413` before any of the body is read, a streamed (chunked) body `413`
    /// once it grows past it. Records and multicalls fit in the default.
    #[arg(long, env = "DM3_GATEWAY_MAX_BODY_BYTES", default_value_t = crate::http::MAX_BODY_BYTES as u64, value_parser = clap::value_parser!(u64).range(1024..=64 * 1024 * 1024))]
    pub max_body_bytes: u64,
    /// Milliseconds a request may take from its head to its complete answer,
    /// reading the body included (`408` beyond).
    #[arg(long, env = "DM3_GATEWAY_REQUEST_TIMEOUT_MS", default_value_t = crate::http::REQUEST_TIMEOUT.as_millis() as u64, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub request_timeout_ms: u64,
    /// Milliseconds a closing connection keeps reading (and discarding) what
    /// the client still sends, so that it reads an early answer such as `413`.
    #[arg(long, env = "DM3_GATEWAY_LINGER_TIMEOUT_MS", default_value_t = 5000)]
    pub linger_timeout_ms: u64,
    /// Most bytes a closing connection reads and discards.
    #[arg(long, env = "DM3_GATEWAY_LINGER_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub linger_bytes: u64,
    /// Seconds a shutdown (SIGTERM, SIGINT) waits for requests in flight
    /// before it drops what is still open and exits 0.
    #[arg(long, env = "DM3_GATEWAY_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout: u64,
}

impl EdgeConfig {
    /// The limits of the listener.
    pub fn limits(&self) -> crate::listener::EdgeLimits {
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        crate::listener::EdgeLimits {
            header_timeout: Duration::from_millis(self.header_timeout_ms),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_header_bytes: size(self.max_header_bytes),
            max_headers: size(self.max_headers),
            max_connections: size(self.max_connections),
            max_body_bytes: self.max_body_bytes,
            linger_timeout: Duration::from_millis(self.linger_timeout_ms),
            linger_bytes: self.linger_bytes,
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
        }
    }

    /// The limits the router enforces on each request; `max_body_bytes` is
    /// the same flag as the listener's (see [`Self::limits`]).
    pub fn request_limits(&self) -> crate::http::RequestLimits {
        crate::http::RequestLimits {
            max_body_bytes: usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX),
            timeout: Duration::from_millis(self.request_timeout_ms),
        }
    }
}

/// Options of the claim page served at `/`.
#[derive(Debug, Clone, Args)]
pub struct PageOptions {
    /// Serve the claim page at `/` (true or false).
    #[arg(
        long = "page",
        env = "DM3_GATEWAY_PAGE",
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub page: bool,
    /// Delivery services a new dm3 profile lists by default on the page
    /// (repeat, or comma-separate); the user may edit them.
    #[arg(
        long = "page-delivery-service",
        env = "DM3_GATEWAY_PAGE_DELIVERY_SERVICES",
        value_delimiter = ',',
        default_value = "ds.dm3.eth"
    )]
    pub page_delivery_services: Vec<String>,
    /// Chain id the page resolves on. Default: --chain-id.
    #[arg(long = "page-chain-id", env = "DM3_GATEWAY_PAGE_CHAIN_ID")]
    pub page_chain_id: Option<u64>,
    /// JSON-RPC URL the browser reads the chain through (public: it is sent
    /// to every visitor). Default: the visitor's wallet.
    #[arg(long = "page-rpc-url", env = "DM3_GATEWAY_PAGE_RPC_URL")]
    pub page_rpc_url: Option<String>,
    /// ENS registry the page walks from.
    #[arg(
        long = "page-ens-registry",
        env = "DM3_GATEWAY_PAGE_ENS_REGISTRY",
        default_value = "0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e"
    )]
    pub page_ens_registry: Address,
    /// ENS UniversalResolver the page also resolves through (optional).
    #[arg(long = "page-universal-resolver", env = "DM3_GATEWAY_PAGE_UNIVERSAL_RESOLVER")]
    pub page_universal_resolver: Option<Address>,
}

/// Options of the names API (claims of free subnames).
#[derive(Debug, Clone, Args)]
pub struct NamesOptions {
    /// Chain id of the EIP-712 domain that name writes are signed in (the chain
    /// of the resolver; the domain's verifying contract is the first --resolver).
    #[arg(long, env = "DM3_GATEWAY_CHAIN_ID", default_value_t = 1)]
    pub chain_id: u64,
    /// JSON-RPC endpoint of that chain, to check ERC-1271 contract-wallet
    /// signatures. Without it only EOAs can sign.
    #[arg(long, env = "DM3_GATEWAY_RPC_URL", hide_env_values = true)]
    pub rpc_url: Option<String>,
    /// Seconds one JSON-RPC call to --rpc-url may take before the write fails with a 503.
    #[arg(long, env = "DM3_GATEWAY_RPC_TIMEOUT", default_value_t = 5)]
    pub rpc_timeout: u64,
    /// Fewest characters a claimed label may have.
    #[arg(long, env = "DM3_GATEWAY_MIN_LABEL_LENGTH", default_value_t = 3)]
    pub min_label_length: usize,
    /// Labels nobody may claim (repeat, or comma-separate).
    #[arg(
        long = "reserved",
        env = "DM3_GATEWAY_RESERVED",
        value_delimiter = ',',
        default_value = "admin,root,support,help,ds,www,dm3"
    )]
    pub reserved: Vec<String>,
    /// Most names one owner may hold (0: no limit).
    #[arg(long, env = "DM3_GATEWAY_MAX_NAMES_PER_OWNER", default_value_t = 1)]
    pub max_names_per_owner: u32,
    /// Names-API writes one client IP may burst (0 disables the rate limit).
    #[arg(long, env = "DM3_GATEWAY_WRITE_BURST", default_value_t = 10)]
    pub write_burst: u32,
    /// Milliseconds after which a client IP may make one more write.
    #[arg(long, env = "DM3_GATEWAY_WRITE_REPLENISH_MS", default_value_t = 2000)]
    pub write_replenish_ms: u64,
    /// Parent of dm3 address names `<address>.<parent>` written through dm3's
    /// `POST /profile/address` (repeat, or comma-separate). Must not be a --parent.
    #[arg(
        long = "dm3-addr-parent",
        env = "DM3_GATEWAY_DM3_ADDR_PARENTS",
        value_delimiter = ',',
        default_value = "addr.dm3.eth"
    )]
    pub dm3_addr_parents: Vec<String>,
    /// dm3's spam protection: `POST /profile/name` needs a non-zero ETH
    /// balance of the address, read through --rpc-url.
    #[arg(long, env = "DM3_GATEWAY_DM3_SPAM_PROTECTION", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub dm3_spam_protection: bool,
}

impl NamesOptions {
    /// The names-API policy these options set, for single labels under
    /// `parents` and writes signed in the EIP-712 domain of `resolver`: the
    /// one place the policy is built from flags. The reserved labels are
    /// --reserved plus the label of every --dm3-addr-parent directly under one
    /// of `parents` (`addr` for `addr.dm3.eth`), so that nobody claims the
    /// parent of everyone's address names.
    pub fn policy(&self, parents: &[String], resolver: Address) -> NamesConfig {
        let mut reserved = self.reserved.clone();
        for addr_parent in &self.dm3_addr_parents {
            if let Some((label, parent)) = addr_parent.split_once('.') {
                if parents.iter().any(|p| p == parent) && !reserved.iter().any(|r| r == label) {
                    reserved.push(label.to_owned());
                }
            }
        }
        NamesConfig {
            rules: NameRules { parents: parents.to_vec(), min_label_length: self.min_label_length, reserved },
            max_names_per_owner: self.max_names_per_owner,
            chain_id: self.chain_id,
            resolver,
        }
    }

    /// The settings of dm3's profile API: --dm3-addr-parent and
    /// --dm3-spam-protection.
    pub fn dm3_config(&self) -> Dm3Config {
        Dm3Config { addr_parents: self.dm3_addr_parents.clone(), spam_protection: self.dm3_spam_protection }
    }
}

impl ServeConfig {
    /// Event-loop threads: --io-threads, or half the cores (at least one).
    /// Uncached answers are mostly signing, which runs on its own threads;
    /// more event-loop threads than that only contend with them for the
    /// cores (measured: docs/BENCHMARKS.md).
    pub fn io_threads(&self) -> usize {
        self.io_threads.map_or_else(|| (cores() / 2).max(1), std::num::NonZeroUsize::get)
    }

    /// Signing threads: --signing-threads, or one per core.
    pub fn signing_threads(&self) -> usize {
        self.signing_threads.unwrap_or_else(cores)
    }

    /// Seconds answers are cached: --cache-ttl, or a quarter of --ttl.
    pub fn cache_ttl(&self) -> u64 {
        self.cache_ttl.unwrap_or(self.ttl / 4)
    }
}

/// Why a configuration file could not be applied.
/// Why the gateway could not be built from its configuration: a refused
/// combination of options, or a part (store, signing key, threads) that
/// could not be opened. Reported at start-up, before anything is served.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The options are not acceptable together (production-mode refusals,
    /// conflicting or malformed options); the text names the options.
    #[error("configuration: {0}")]
    Refused(String),
    /// dm3's profile API cannot be set up with these options.
    #[error("configuration: {0}")]
    Dm3(#[from] crate::names::dm3::Dm3SetupError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The signing key could not be loaded.
    #[error(transparent)]
    Signing(#[from] crate::signer::SigningError),
    /// A thread or socket could not be set up.
    #[error("cannot start: {0}")]
    Io(#[from] std::io::Error),
}

/// A malformed value in the configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML.
    #[error("{path} is not valid TOML: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: toml::de::Error,
    },
    /// A key is not an option, or its value has the wrong shape.
    #[error("{path}: {message}")]
    Option {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The `--config` file named in `args` (`--config F`, `--config=F`) or by
/// `DM3_GATEWAY_CONFIG`.
pub fn config_file_in(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--" {
            break;
        }
        if text == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("DM3_GATEWAY_CONFIG").map(PathBuf::from)
}

/// Reads a TOML options file into (environment variable, value) pairs, using
/// the environment variable of each option of `command` (whose long flag
/// names, or field names with `_`, are the keys). Arrays become
/// comma-separated lists. The caller sets the variables that are not set
/// already, so flags beat environment variables beat the file.
pub fn config_file_env(path: &Path, command: &clap::Command) -> Result<Vec<(OsString, String)>, ConfigFileError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ConfigFileError::Read { path: path.to_owned(), source })?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|source| ConfigFileError::Parse { path: path.to_owned(), source })?;
    let option_error = |message: String| ConfigFileError::Option { path: path.to_owned(), message };
    let mut pairs = Vec::new();
    for (key, value) in table {
        let flag = key.replace('_', "-");
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(flag.as_str()) || arg.get_id().as_str() == key)
            .ok_or_else(|| option_error(format!("unknown option {key:?}")))?;
        if arg.get_id() == "config" {
            return Err(option_error("a config file cannot name another one".into()));
        }
        let env = arg.get_env().ok_or_else(|| option_error(format!("option {key:?} cannot be set from a file")))?;
        let scalar = |value: &toml::Value| match value {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            _ => Err(option_error(format!("option {key:?} must be a string, number, boolean or a list of them"))),
        };
        let value = match &value {
            toml::Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?.join(","),
            other => scalar(other)?,
        };
        pairs.push((env.to_owned(), value));
    }
    Ok(pairs)
}

/// The cores this process may run on.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeConfig,
    }

    #[test]
    fn config_file_keys_map_to_environment_variables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\nredis-url = \"redis://r:6379/0\"\nresolver = [\"0x1111111111111111111111111111111111111111\", \"0x2222222222222222222222222222222222222222\"]\nttl = 600\nproduction = true\nmin_label_length = 4\n",
        )
        .unwrap();
        let mut pairs = config_file_env(&path, &Cli::command()).unwrap();
        pairs.sort();
        let expected: Vec<(OsString, String)> = [
            ("DM3_GATEWAY_LISTEN", "0.0.0.0:9000"),
            ("DM3_GATEWAY_MIN_LABEL_LENGTH", "4"),
            ("DM3_GATEWAY_PRODUCTION", "true"),
            ("DM3_GATEWAY_REDIS_URL", "redis://r:6379/0"),
            (
                "DM3_GATEWAY_RESOLVERS",
                "0x1111111111111111111111111111111111111111,0x2222222222222222222222222222222222222222",
            ),
            ("DM3_GATEWAY_TTL", "600"),
        ]
        .into_iter()
        .map(|(k, v)| (OsString::from(k), v.to_owned()))
        .collect();
        assert_eq!(pairs, expected);

        std::fs::write(&path, "no-such-option = 1\n").unwrap();
        assert!(config_file_env(&path, &Cli::command()).unwrap_err().to_string().contains("no-such-option"));
        std::fs::write(&path, "listen = {}\n").unwrap();
        assert!(config_file_env(&path, &Cli::command()).is_err());
    }

    #[test]
    fn thread_counts_default_to_the_cores() {
        let defaults = Cli::parse_from(["gw"]).serve;
        assert_eq!(defaults.io_threads(), (cores() / 2).max(1));
        assert_eq!(defaults.signing_threads(), cores());
        let set = Cli::parse_from(["gw", "--io-threads", "3", "--signing-threads", "0"]).serve;
        assert_eq!((set.io_threads(), set.signing_threads()), (3, 0));
        assert!(Cli::try_parse_from(["gw", "--io-threads", "0"]).is_err(), "an event loop needs a thread");
    }

    #[test]
    fn edge_defaults_are_the_listener_defaults() {
        let defaults = Cli::parse_from(["gw"]).serve.edge.limits();
        let documented = crate::listener::EdgeLimits::default();
        assert_eq!(format!("{defaults:?}"), format!("{documented:?}"));
        assert!(Cli::try_parse_from(["gw", "--max-connections", "0"]).is_err());
        assert!(Cli::try_parse_from(["gw", "--max-header-bytes", "100"]).is_err());
        let set = Cli::parse_from(["gw", "--header-timeout-ms", "1500", "--shutdown-timeout", "3"]).serve.edge.limits();
        assert_eq!((set.header_timeout, set.shutdown_timeout), (Duration::from_millis(1500), Duration::from_secs(3)));
    }

    #[test]
    fn body_and_request_time_limits_are_one_flag_each_for_router_and_listener() {
        let defaults = Cli::parse_from(["gw"]).serve.edge;
        assert_eq!(defaults.request_limits(), crate::http::RequestLimits::default());
        assert_eq!(defaults.request_limits().max_body_bytes, 64 * 1024);
        assert_eq!(defaults.request_limits().timeout, Duration::from_secs(10));
        let set = Cli::parse_from(["gw", "--max-body-bytes", "2048", "--request-timeout-ms", "750"]).serve.edge;
        assert_eq!(set.request_limits().max_body_bytes, 2048);
        assert_eq!(set.limits().max_body_bytes, 2048, "the listener's Content-Length check uses the same flag");
        assert_eq!(set.request_limits().timeout, Duration::from_millis(750));
        for (flag, value, ok) in [
            ("--max-body-bytes", "1023", false),
            ("--max-body-bytes", "1024", true),
            ("--max-body-bytes", "67108864", true),
            ("--max-body-bytes", "67108865", false),
            ("--request-timeout-ms", "99", false),
            ("--request-timeout-ms", "100", true),
            ("--request-timeout-ms", "600000", true),
            ("--request-timeout-ms", "600001", false),
        ] {
            assert_eq!(Cli::try_parse_from(["gw", flag, value]).is_ok(), ok, "{flag} {value}");
        }
    }

    #[test]
    fn replica_acks_default_to_one_with_sentinel_only() {
        let single = Cli::parse_from(["gw", "--redis-url", "redis://r:6379/0"]).serve.store;
        assert_eq!((single.uses_redis(), single.min_replicas_ack()), (true, 0));
        let ha = Cli::parse_from([
            "gw",
            "--redis-sentinel",
            "a:26379",
            "--redis-sentinel",
            "b:26379",
            "--redis-service",
            "dm3",
        ])
        .serve
        .store;
        assert_eq!(ha.redis_sentinels, ["a:26379", "b:26379"]);
        assert_eq!((ha.uses_redis(), ha.min_replicas_ack()), (true, 1));
        let none =
            Cli::parse_from(["gw", "--redis-sentinel", "a:1", "--redis-service", "s", "--redis-min-replicas-ack", "0"]);
        assert_eq!(none.serve.store.min_replicas_ack(), 0);
        assert!(Cli::try_parse_from(["gw", "--redis-sentinel", "a:1"]).is_err(), "a sentinel needs a service name");
        assert!(!Cli::parse_from(["gw"]).serve.store.uses_redis());
    }

    #[test]
    fn l2_block_is_one_of_three_tags_defaulting_to_latest() {
        assert_eq!(BlockNumberOrTag::from(Cli::parse_from(["gw"]).serve.store.l2_block), BlockNumberOrTag::Latest);
        for (value, tag) in [
            ("latest", BlockNumberOrTag::Latest),
            ("safe", BlockNumberOrTag::Safe),
            ("finalized", BlockNumberOrTag::Finalized),
        ] {
            let store = Cli::parse_from(["gw", "--l2-block", value]).serve.store;
            assert_eq!(BlockNumberOrTag::from(store.l2_block), tag, "{value}");
        }
        for bad in ["pending", "earliest", "0x10", "Latest", ""] {
            assert!(Cli::try_parse_from(["gw", "--l2-block", bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_policy_reserves_the_label_of_each_address_name_parent_once() {
        let resolver = Address::repeat_byte(7);
        let defaults = Cli::parse_from(["gw"]).serve;
        let policy = defaults.names.policy(&defaults.parents, resolver);
        assert_eq!(policy.rules.parents, ["dm3.eth"]);
        assert_eq!(policy.rules.min_label_length, 3);
        assert_eq!(policy.rules.reserved, ["admin", "root", "support", "help", "ds", "www", "dm3", "addr"]);
        assert_eq!((policy.max_names_per_owner, policy.chain_id, policy.resolver), (1, 1, resolver));
        let dm3 = defaults.names.dm3_config();
        assert_eq!((dm3.addr_parents, dm3.spam_protection), (vec!["addr.dm3.eth".to_owned()], false));

        let set = Cli::parse_from([
            "gw",
            "--parent",
            "dm3.eth,other.eth",
            "--reserved",
            "addr,x",
            "--dm3-addr-parent",
            "addr.dm3.eth,a.other.eth,b.elsewhere.eth",
            "--min-label-length",
            "5",
            "--max-names-per-owner",
            "0",
            "--chain-id",
            "10",
            "--dm3-spam-protection",
        ])
        .serve;
        let policy = set.names.policy(&set.parents, resolver);
        assert_eq!(policy.rules.reserved, ["addr", "x", "a"], "no duplicate, none for a parent not served");
        assert_eq!((policy.rules.min_label_length, policy.max_names_per_owner, policy.chain_id), (5, 0, 10));
        assert!(set.names.dm3_config().spam_protection);
    }

    #[test]
    fn page_options_default_and_parse() {
        let defaults = Cli::parse_from(["gw"]).serve.page;
        assert!(defaults.page);
        assert_eq!(defaults.page_delivery_services, ["ds.dm3.eth"]);
        assert_eq!(defaults.page_chain_id, None);
        let set = Cli::parse_from([
            "gw",
            "--page",
            "false",
            "--page-delivery-service",
            "a.eth,b.eth",
            "--page-chain-id",
            "5",
        ])
        .serve
        .page;
        assert!(!set.page);
        assert_eq!(set.page_delivery_services, ["a.eth", "b.eth"]);
        assert_eq!(set.page_chain_id, Some(5));
    }

    #[test]
    fn finds_the_config_flag() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(config_file_in(&args(&["gw", "--config", "a.toml"])), Some("a.toml".into()));
        assert_eq!(config_file_in(&args(&["gw", "serve", "--config=b.toml"])), Some("b.toml".into()));
    }
}
