//! Building the service from configuration and serving it until a signal.

use crate::{
    config::{ServeConfig, StoreConfig},
    http::{app, AppState},
    lookup::{LookupPolicy, LookupService},
    signer::AnswerSigner,
    store::{EmbeddedStore, RecordStore, RedisStore},
    Result,
};
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

/// Builds the domain core from configuration.
pub fn build_service(config: &ServeConfig) -> Result<LookupService> {
    let signer = load_signer(config)?;
    let store = open_store(&config.store)?;
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
pub async fn serve(listener: tokio::net::TcpListener, service: LookupService) -> std::io::Result<()> {
    let state = AppState { lookup: Arc::new(service) };
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await
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
