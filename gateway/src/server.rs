//! Building the service from configuration and serving it until a signal.

use crate::{
    config::{ServeConfig, StoreConfig},
    http::{app, AppState, WriteRateLimit},
    lookup::{LookupPolicy, LookupService},
    names::{NameRules, NamesConfig, NamesService, SignatureChecker},
    signer::AnswerSigner,
    store::{EmbeddedStore, RecordStore, RedisStore},
    Error, Result,
};
use alloy::providers::Provider;
use std::{sync::Arc, time::Duration};

/// File name of the development key kept in the data directory.
pub const DEV_KEY_FILE: &str = "dev-signer.key";

/// Opens the configured store: Redis when a URL is given, else the embedded one.
pub fn open_store(config: &StoreConfig) -> Result<Arc<dyn RecordStore>> {
    let timeout = Duration::from_secs(config.store_timeout);
    Ok(match &config.redis_url {
        Some(url) => Arc::new(RedisStore::connect_lazy(url, timeout)?),
        None => Arc::new(EmbeddedStore::open(&config.data_dir)?),
    })
}

/// Loads the signing key from the environment, a file, or (development) the
/// data directory, generating it there on first start.
pub fn load_signer(config: &ServeConfig) -> Result<AnswerSigner> {
    if let Some(key) = &config.signer_key {
        return AnswerSigner::from_hex(key);
    }
    if let Some(path) = &config.signer_key_file {
        return AnswerSigner::from_file(path);
    }
    let path = config.store.data_dir.join(DEV_KEY_FILE);
    let (signer, created) = AnswerSigner::load_or_generate(&path)?;
    tracing::warn!(
        target: "gateway",
        signer = %signer.address(),
        path = %path.display(),
        created,
        "USING A DEVELOPMENT SIGNING KEY kept in the data directory; in production pass \
         --signer-key-file or DM3_GATEWAY_SIGNER_KEY"
    );
    Ok(signer)
}

/// The running gateway's parts, built from configuration.
#[derive(Debug)]
pub struct Gateway {
    /// Shared handler state.
    pub state: AppState,
    /// The names-API write limit, if any.
    pub rate_limit: Option<WriteRateLimit>,
}

/// Builds the gateway (CCIP-read core and names API over one store).
pub fn build(config: &ServeConfig) -> Result<Gateway> {
    let store = open_store(&config.store)?;
    let lookup = build_lookup(config, Arc::clone(&store))?;
    let options = &config.names;
    let rpc = match &options.rpc_url {
        Some(url) => {
            let url = url.parse().map_err(|e| Error::Rpc(format!("bad --rpc-url: {e}")))?;
            Some(alloy::providers::ProviderBuilder::new().connect_http(url).erased())
        }
        None => None,
    };
    let names = NamesService::new(
        store,
        NamesConfig {
            rules: NameRules {
                parents: config.parents.clone(),
                min_label_length: options.min_label_length,
                reserved: options.reserved.clone(),
            },
            max_names_per_owner: options.max_names_per_owner,
            chain_id: options.chain_id,
            resolver: config.resolvers.first().copied().unwrap_or_default(),
        },
        SignatureChecker::new(rpc),
    );
    let rate_limit = (options.write_burst > 0)
        .then_some(WriteRateLimit { burst: options.write_burst, replenish_ms: options.write_replenish_ms });
    Ok(Gateway { state: AppState { lookup: Arc::new(lookup), names: Some(Arc::new(names)) }, rate_limit })
}

/// Builds the CCIP-read core from configuration.
pub fn build_lookup(config: &ServeConfig, store: Arc<dyn RecordStore>) -> Result<LookupService> {
    let signer = load_signer(config)?;
    let policy = LookupPolicy {
        resolvers: config.resolvers.clone(),
        parents: config.parents.clone(),
        ttl: Duration::from_secs(config.ttl),
        store_timeout: Duration::from_secs(config.store.store_timeout),
    };
    if policy.resolvers.is_empty() {
        tracing::warn!(target: "gateway", "no --resolver given: signing answers for ANY resolver contract (development mode)");
    }
    Ok(LookupService::new(signer, store, policy))
}

/// Serves on `listener` until SIGINT or SIGTERM, then drains in-flight requests.
pub async fn serve(listener: tokio::net::TcpListener, gateway: Gateway) -> std::io::Result<()> {
    let app = app(gateway.state, gateway.rate_limit);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!(target: "gateway", "shutting down: finishing in-flight requests");
}
