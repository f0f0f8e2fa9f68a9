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
}
