//! Building the service from configuration and serving it until a signal.

use crate::{
    cache::{AnswerCache, CacheConfig, InvalidatingStore, NameGenerations},
    config::{ConfigError, ServeConfig, StoreConfig},
    http::{app, AppState, PageConfig, WriteRateLimit},
    listener::EdgeLimits,
    lookup::{LookupPolicy, LookupService},
    names::{dm3::Dm3Profiles, NamesService, SignatureChecker},
    signer::AnswerSigner,
    store::{ChangeSink, EmbeddedStore, EventFollower, L2Store, RecordStore, RedisStore, SentinelConfig},
};
use alloy::{
    primitives::{address, Address, B256},
    providers::Provider,
};
use std::{sync::Arc, time::Duration};

/// Result with [`ConfigError`]: what can go wrong building the gateway.
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// File name of the development key kept in the data directory.
pub const DEV_KEY_FILE: &str = "dev-signer.key";

/// Opens the configured store: the L2 registry when configured, else Redis
/// when a URL is given, else the embedded one.
pub fn open_store(config: &StoreConfig) -> Result<Arc<dyn RecordStore>> {
    if let Some(store) = open_l2_store(config)? {
        return Ok(Arc::new(store));
    }
    Ok(match open_redis(config)? {
        Some(redis) => Arc::new(redis),
        None => Arc::new(EmbeddedStore::open(&config.data_dir)?),
    })
}

/// The Redis store the configuration names (Sentinel service or one URL), if any.
pub fn open_redis(config: &StoreConfig) -> Result<Option<RedisStore>> {
    let timeout = Duration::from_secs(config.store_timeout);
    let redis = if config.redis_sentinels.is_empty() {
        match &config.redis_url {
            Some(url) => RedisStore::connect_lazy(url, timeout)?,
            None => return Ok(None),
        }
    } else {
        let sentinel = SentinelConfig {
            sentinels: config.redis_sentinels.clone(),
            service: config.redis_service.clone().unwrap_or_default(),
            node_url: config.redis_url.clone(),
        };
        RedisStore::connect_sentinel(&sentinel, timeout)?
    };
    Ok(Some(redis.with_min_replicas_ack(config.min_replicas_ack())))
}

/// The L2 registry store, when `--l2-rpc-url` and `--l2-registry` are given.
pub fn open_l2_store(config: &StoreConfig) -> Result<Option<L2Store>> {
    let (Some(url), Some(registry)) = (&config.l2_rpc_url, config.l2_registry) else { return Ok(None) };
    let url = url.parse().map_err(|e| ConfigError::Refused(format!("bad --l2-rpc-url: {e}")))?;
    Ok(Some(L2Store::new(
        url,
        registry,
        config.l2_block.into(),
        Duration::from_secs(config.l2_cache_ttl),
        Duration::from_millis(config.l2_timeout_ms),
    )))
}

/// Registry events drop the L2 read cache's entries of the node, then the
/// signed answers about it (in that order: an answer built after the bump
/// reads past the dropped entries).
struct L2Invalidation {
    store: L2Store,
    generations: Arc<NameGenerations>,
}

impl ChangeSink for L2Invalidation {
    fn node_changed(&self, node: B256) {
        self.store.forget_node(node);
        self.generations.changed_node(node);
    }

    fn all_changed(&self) {
        self.store.forget_all();
        self.generations.changed_all();
    }
}

/// Addresses of keys everybody knows: the anvil/hardhat/foundry default
/// mnemonic (`test test … junk`) accounts 0–9. Keys 1–16 are refused as well.
pub const WELL_KNOWN_SIGNERS: [Address; 10] = [
    address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    address!("3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    address!("90F79bf6EB2c4f870365E785982E1f101E93b906"),
    address!("15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
    address!("9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
    address!("976EA74026E726554dB657fA54763abd0C3a0aa9"),
    address!("14dC79964da2C08b23698B3D3cc7Ca32193d9955"),
    address!("23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"),
    address!("a0Ee7A142d267C1f36714E4a8F75612F20a79720"),
];

/// Whether `address` belongs to a publicly known private key.
pub fn is_well_known_signer(address: Address) -> bool {
    WELL_KNOWN_SIGNERS.contains(&address)
        || (1u8..=16).any(|k| {
            let mut key = [0u8; 32];
            key[31] = k;
            AnswerSigner::from_hex(&alloy::hex::encode(key)).is_ok_and(|s| s.address() == address)
        })
}

/// The refusals of production mode: an explicit key (not the development key
/// in the data directory), at least one --resolver, and no publicly known key.
pub fn check_production(config: &ServeConfig, signers: &[Address]) -> Result<()> {
    let refuse = |why: String| Err(ConfigError::Refused(format!("--production: {why}")));
    if config.signer_key.is_none() && config.signer_key_file.is_none() {
        return refuse("no signing key: pass --signer-key-file or DM3_GATEWAY_SIGNER_KEY".into());
    }
    if config.resolvers.is_empty() {
        return refuse("no --resolver: the gateway would sign for any contract".into());
    }
    if let Some(known) = signers.iter().find(|a| is_well_known_signer(**a)) {
        return refuse(format!("signer {known} is a publicly known test key"));
    }
    Ok(())
}

/// Loads the signing key from the environment, a file, or (development) the
/// data directory, generating it there on first start.
pub fn load_signer(config: &ServeConfig) -> Result<AnswerSigner> {
    if let Some(key) = &config.signer_key {
        return Ok(AnswerSigner::from_hex(key)?);
    }
    if let Some(path) = &config.signer_key_file {
        return Ok(AnswerSigner::from_file(path)?);
    }
    if config.production {
        return Err(ConfigError::Refused(
            "--production: no signing key: pass --signer-key-file or DM3_GATEWAY_SIGNER_KEY".into(),
        ));
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
    /// The limits of the HTTP edge; [`serve`] replaces its `max_body_bytes`
    /// with `state.limits.max_body_bytes`, so the up-front `Content-Length`
    /// check and the router's streamed-body limit are always the same.
    pub edge: EdgeLimits,
}

/// Builds the gateway (CCIP-read core and names API over one store). Must
/// run inside a Tokio runtime: with Redis and the cache on, it starts the
/// listener of the change channel.
pub fn build(config: &ServeConfig) -> Result<Gateway> {
    crate::telemetry::prometheus();
    let mut cache_ttl = config.cache_ttl();
    if config.store.l2_rpc_url.is_some() {
        // L2 writes bypass this process: signed answers may not outlive the L2 read cache.
        cache_ttl = cache_ttl.min(config.store.l2_cache_ttl);
    }
    if cache_ttl > 0 && cache_ttl >= config.ttl {
        return Err(ConfigError::Refused(format!(
            "--cache-ttl ({cache_ttl}) must be below --ttl ({}): a cached answer must not outlive its signature",
            config.ttl
        )));
    }
    let caching = cache_ttl > 0 && config.cache_size_mb > 0;
    let generations = Arc::new(NameGenerations::new(!config.store.uses_redis()));
    let store: Arc<dyn RecordStore> = match open_l2_store(&config.store)? {
        Some(l2) => {
            if config.store.l2_poll_ms > 0 {
                let follower = EventFollower::new(
                    l2.client().clone(),
                    l2.registry(),
                    l2.block(),
                    Duration::from_millis(config.store.l2_poll_ms),
                    Duration::from_millis(config.store.l2_timeout_ms),
                );
                let sink = L2Invalidation { store: l2.clone(), generations: Arc::clone(&generations) };
                drop(follower.spawn(Arc::new(sink)));
            }
            Arc::new(l2)
        }
        None => open_store(&config.store)?,
    };
    if caching {
        // Writes by other gateway processes arrive on the change channel.
        if let Some(redis) = open_redis(&config.store)? {
            redis.spawn_change_listener(Arc::clone(&generations));
        }
    }
    // Writes through this process drop its cached answers at once.
    let store: Arc<dyn RecordStore> = Arc::new(InvalidatingStore::new(store, Arc::clone(&generations)));
    let mut lookup = build_lookup(config, Arc::clone(&store))?;
    if caching {
        let cache_config =
            CacheConfig { fresh_for: Duration::from_secs(cache_ttl), max_bytes: config.cache_size_mb * 1024 * 1024 };
        lookup = lookup.with_cache(AnswerCache::new(cache_config, generations));
    }
    let options = &config.names;
    let rpc = match &options.rpc_url {
        Some(url) => {
            let url = url.parse().map_err(|e| ConfigError::Refused(format!("bad --rpc-url: {e}")))?;
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(options.rpc_timeout))
                .connect_timeout(Duration::from_secs(options.rpc_timeout))
                .build()
                .map_err(|e| ConfigError::Refused(format!("http client: {e}")))?;
            let transport = alloy::transports::http::Http::with_client(http, url);
            let client = alloy::rpc::client::RpcClient::new(transport, false);
            Some(alloy::providers::ProviderBuilder::new().connect_client(client).erased())
        }
        None => None,
    };
    let policy = options.policy(&config.parents, config.resolvers.first().copied().unwrap_or_default());
    let names = NamesService::new(store, policy, SignatureChecker::new(rpc.clone()));
    let rate_limit = (options.write_burst > 0)
        .then_some(WriteRateLimit { burst: options.write_burst, replenish_ms: options.write_replenish_ms });
    // With an L2 registry, names are claimed on the L2: the names API is read-only.
    let names = (config.store.l2_rpc_url.is_none()).then(|| Arc::new(names));
    let dm3_config = options.dm3_config();
    let dm3 =
        names.as_ref().map(|names| Dm3Profiles::new(Arc::clone(names), dm3_config, rpc)).transpose()?.map(Arc::new);
    Ok(Gateway {
        state: AppState {
            lookup: Arc::new(lookup),
            names,
            dm3,
            page: page_config(config)?.map(Arc::new),
            limits: config.edge.request_limits(),
        },
        rate_limit,
        edge: config.edge.limits(),
    })
}

/// The claim page's options, or `None` when the page is off.
pub fn page_config(config: &ServeConfig) -> Result<Option<PageConfig>> {
    let page = &config.page;
    if !page.page {
        return Ok(None);
    }
    if let Some(url) = &page.page_rpc_url {
        let parsed = reqwest::Url::parse(url).map_err(|e| ConfigError::Refused(format!("bad --page-rpc-url: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConfigError::Refused("--page-rpc-url must be an http or https URL".into()));
        }
    }
    Ok(Some(PageConfig {
        delivery_services: page.page_delivery_services.clone(),
        chain_id: page.page_chain_id.unwrap_or(config.names.chain_id),
        rpc_url: page.page_rpc_url.clone(),
        ens_registry: page.page_ens_registry,
        universal_resolver: page.page_universal_resolver,
    }))
}

/// Builds the CCIP-read core from configuration (without the cache), with
/// the production-mode checks.
pub fn build_lookup(config: &ServeConfig, store: Arc<dyn RecordStore>) -> Result<LookupService> {
    let signer = load_signer(config)?;
    let standby = config
        .standby_signer_key_files
        .iter()
        .map(|path| AnswerSigner::from_file(path).map(|s| s.address()))
        .collect::<Result<Vec<_>, _>>()?;
    if standby.contains(&signer.address()) {
        return Err(ConfigError::Refused(format!("standby key {} is the active key", signer.address())));
    }
    if config.production {
        let all: Vec<Address> = std::iter::once(signer.address()).chain(standby.iter().copied()).collect();
        check_production(config, &all)?;
    }
    let policy = LookupPolicy {
        resolvers: config.resolvers.clone(),
        // dm3 address names are served wherever their parent is.
        parents: config.parents.iter().chain(&config.names.dm3_addr_parents).cloned().collect(),
        ttl: Duration::from_secs(config.ttl),
        store_timeout: Duration::from_secs(config.store.store_timeout),
    };
    if policy.resolvers.is_empty() {
        tracing::warn!(target: "gateway", "no --resolver given: signing answers for ANY resolver contract (development mode)");
    }
    let lookup = LookupService::new(signer, store, policy)
        .with_standby_signers(standby)
        .with_dm3_resolvers(config.dm3_resolvers.clone());
    match config.signing_threads() {
        0 => Ok(lookup),
        threads => lookup
            .with_signing_threads(threads)
            .map_err(|e| ConfigError::Refused(format!("cannot start the signing threads: {e}"))),
    }
}

/// Serves on `listener` until SIGINT or SIGTERM, then stops accepting,
/// closes idle connections, finishes in-flight requests and returns — after
/// at most the shutdown timeout, whatever clients do (see [`crate::listener`]).
pub async fn serve(listener: tokio::net::TcpListener, gateway: Gateway) -> std::io::Result<()> {
    let upkeep = tokio::spawn(async {
        // Folds histogram samples into buckets between scrapes (bounded memory).
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            crate::telemetry::prometheus().run_upkeep();
        }
    });
    // One body limit: the listener's up-front `Content-Length` check uses the router's.
    let edge = EdgeLimits { max_body_bytes: gateway.state.limits.max_body_bytes as u64, ..gateway.edge };
    let app = app(gateway.state, gateway.rate_limit);
    crate::listener::serve(listener, app, edge, shutdown_signal()).await?;
    upkeep.abort();
    tracing::info!(target: "gateway", "stopped");
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeConfig,
    }

    const RESOLVER: &str = "0x1111111111111111111111111111111111111111";
    /// A key nobody publishes (not a test mnemonic account, not 1–16).
    const KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    fn serve(args: &[&str]) -> ServeConfig {
        Cli::parse_from(std::iter::once("gw").chain(args.iter().copied())).serve
    }

    fn refusal(config: &ServeConfig, signers: &[Address]) -> String {
        let err = check_production(config, signers).unwrap_err();
        assert!(matches!(err, ConfigError::Refused(_)), "{err:?}");
        err.to_string()
    }

    #[test]
    fn production_accepts_an_explicit_unknown_key_and_a_resolver() {
        let signer = AnswerSigner::from_hex(KEY).unwrap().address();
        assert!(!is_well_known_signer(signer));
        let by_key = serve(&["--production", "--signer-key", KEY, "--resolver", RESOLVER]);
        check_production(&by_key, &[signer]).unwrap();
        let by_file = serve(&["--production", "--signer-key-file", "signer.key", "--resolver", RESOLVER]);
        check_production(&by_file, &[signer]).unwrap();
    }

    #[test]
    fn production_refuses_without_an_explicit_key() {
        let signer = AnswerSigner::from_hex(KEY).unwrap().address();
        let config = serve(&["--production", "--resolver", RESOLVER]);
        assert!(refusal(&config, &[signer]).contains("no signing key"));
        let neither = serve(&["--production"]);
        assert!(refusal(&neither, &[signer]).contains("no signing key"), "the key is checked first");
    }

    #[test]
    fn production_refuses_without_a_resolver() {
        let signer = AnswerSigner::from_hex(KEY).unwrap().address();
        let config = serve(&["--production", "--signer-key", KEY]);
        assert!(refusal(&config, &[signer]).contains("no --resolver"));
    }

    #[test]
    fn production_refuses_publicly_known_keys_active_or_standby() {
        let ours = AnswerSigner::from_hex(KEY).unwrap().address();
        let config = serve(&["--production", "--signer-key", KEY, "--resolver", RESOLVER]);
        let small_keys = (1u8..=16).map(|k| {
            let mut key = [0u8; 32];
            key[31] = k;
            AnswerSigner::from_hex(&alloy::hex::encode(key)).unwrap().address()
        });
        let known: Vec<Address> = WELL_KNOWN_SIGNERS.into_iter().chain(small_keys).collect();
        assert_eq!(known.len(), 26);
        for address in known {
            for signers in [vec![address], vec![ours, address]] {
                let why = refusal(&config, &signers);
                assert!(why.contains("publicly known test key") && why.contains(&address.to_string()), "{why}");
            }
        }
        // Key 17 is nobody's published key: accepted.
        let mut key = [0u8; 32];
        key[31] = 17;
        let seventeen = AnswerSigner::from_hex(&alloy::hex::encode(key)).unwrap().address();
        check_production(&config, &[ours, seventeen]).unwrap();
    }

    #[test]
    fn the_first_anvil_account_is_a_well_known_signer() {
        let anvil0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        assert_eq!(AnswerSigner::from_hex(anvil0).unwrap().address(), WELL_KNOWN_SIGNERS[0]);
    }
}
