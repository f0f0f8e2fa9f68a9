//! Command-line and environment configuration of the server.

use alloy::primitives::Address;
use clap::Args;
use std::{net::SocketAddr, path::PathBuf};

/// Where records are stored.
#[derive(Debug, Clone, Args)]
pub struct StoreConfig {
    /// Directory of the embedded store (`records.redb`) and of the development signing key.
    #[arg(long, env = "DM3_GATEWAY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Use Redis instead of the embedded store, e.g. `redis://127.0.0.1:6379/0`.
    #[arg(long, env = "DM3_GATEWAY_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Seconds a store operation may take before the request fails with a 5xx.
    #[arg(long, env = "DM3_GATEWAY_STORE_TIMEOUT", default_value_t = 2)]
    pub store_timeout: u64,
}

/// Options of `dm3-gateway serve` (also the default command).
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "DM3_GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Resolver contract this gateway signs for (repeat, or comma-separate in the
    /// environment). Requests for any other resolver get 404. Without any, the
    /// gateway signs for every resolver: for development only.
    #[arg(long = "resolver", env = "DM3_GATEWAY_RESOLVERS", value_delimiter = ',')]
    pub resolvers: Vec<Address>,
    /// Parent name whose subnames are served (repeat, or comma-separate).
    #[arg(long = "parent", env = "DM3_GATEWAY_PARENTS", value_delimiter = ',', default_value = "dm3.eth")]
    pub parents: Vec<String>,
    /// Seconds a signed answer stays valid.
    #[arg(long, env = "DM3_GATEWAY_TTL", default_value_t = 300)]
    pub ttl: u64,
    /// File holding the hex private key that signs answers.
    #[arg(long, env = "DM3_GATEWAY_SIGNER_KEY_FILE")]
    pub signer_key_file: Option<PathBuf>,
    /// Hex private key that signs answers (prefer the environment variable or a file).
    #[arg(long, env = "DM3_GATEWAY_SIGNER_KEY", hide_env_values = true, conflicts_with = "signer_key_file")]
    pub signer_key: Option<String>,
    /// Store options.
    #[command(flatten)]
    pub store: StoreConfig,
    /// Names-API options.
    #[command(flatten)]
    pub names: NamesOptions,
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
    #[arg(long, env = "DM3_GATEWAY_RPC_URL")]
    pub rpc_url: Option<String>,
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
}
