//! Building the service from configuration and serving it until a signal.

#[cfg(feature = "l2")]
use crate::store::{ChangeSink, EventFollower, L2Store};
#[cfg(feature = "redis")]
use crate::store::{RedisChangeListener, RedisStore, SentinelConfig};
use crate::{
    cache::{CacheConfig, InvalidatingWriter, NameGenerations, ResponseCache},
    config::{ConfigError, ServeConfig, StoreConfig},
    http::{app, AppState, PageConfig, WriteRateLimit},
    listener::EdgeLimits,
    lookup::{LookupPolicy, LookupService},
    names::{dm3::Dm3Profiles, NamesService, SignatureChecker},
    signer::AnswerSigner,
    store::{Backend, EmbeddedStore, NameStore, RecordReader},
};
use alloy::{
    primitives::{address, Address},
    providers::{DynProvider, Provider},
};
use std::{sync::Arc, time::Duration};

/// Result with [`ConfigError`]: what can go wrong building the gateway.
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// File name of the development key kept in the data directory.
pub const DEV_KEY_FILE: &str = "dev-signer.key";

/// Opens the configured store: the L2 registry when configured, else Redis
/// when a URL is given, else the embedded one. A backend left out of this
/// build (cargo features `l2`, `redis`) is a configuration error.
pub fn open_store(config: &StoreConfig) -> Result<Backend> {
    Ok(open_backend(config)?.backend)
}

/// An opened backend: its trait objects, and the change feed its concrete
/// type offers, taken from it before it was erased.
struct OpenedBackend {
    backend: Backend,
    feed: ChangeFeed,
}

/// Where changes made by others than this process are heard.
enum ChangeFeed {
    /// Only this process writes (the embedded store).
    None,
    /// The channel every gateway sharing the Redis publishes its writes to.
    #[cfg(feature = "redis")]
    Redis(RedisChangeListener),
    /// The L2 registry's events, followed with the store's client; the store
    /// is kept to drop its read cache's entries of a changed node.
    #[cfg(feature = "l2")]
    L2(L2Store),
}

/// [`open_store`], keeping the change feed.
fn open_backend(config: &StoreConfig) -> Result<OpenedBackend> {
    if config.l2_rpc_url.is_some() && config.l2_registry.is_some() {
        return open_l2(config);
    }
    if config.uses_redis() {
        return open_redis(config);
    }
    let backend = Backend::writable(EmbeddedStore::open(&config.data_dir)?);
    Ok(OpenedBackend { backend, feed: ChangeFeed::None })
}

/// The configuration error of a flag whose backend this build left out.
#[cfg(not(all(feature = "redis", feature = "l2")))]
fn left_out(flag: &str, feature: &str) -> ConfigError {
    ConfigError::Refused(format!(
        "{flag} needs the `{feature}` backend, which this build of dm3-gateway leaves out \
         (rebuild with `--features {feature}`)"
    ))
}

/// The Redis store the configuration names (Sentinel service or one URL).
#[cfg(feature = "redis")]
fn open_redis(config: &StoreConfig) -> Result<OpenedBackend> {
    let timeout = Duration::from_secs(config.store_timeout);
    let redis = match &config.redis_url {
        Some(url) if config.redis_sentinels.is_empty() => RedisStore::connect_lazy(url, timeout)?,
        _ => {
            let sentinel = SentinelConfig {
                sentinels: config.redis_sentinels.clone(),
                service: config.redis_service.clone().unwrap_or_default(),
                node_url: config.redis_url.clone(),
            };
            RedisStore::connect_sentinel(&sentinel, timeout)?
        }
    };
    let redis = redis.with_min_replicas_ack(config.min_replicas_ack());
    let feed = ChangeFeed::Redis(redis.change_listener());
    Ok(OpenedBackend { backend: Backend::writable(redis), feed })
}

#[cfg(not(feature = "redis"))]
fn open_redis(config: &StoreConfig) -> Result<OpenedBackend> {
    let flag = if config.redis_sentinels.is_empty() { "--redis-url" } else { "--redis-sentinel" };
    Err(left_out(flag, "redis"))
}

/// The L2 registry store (`--l2-rpc-url` and `--l2-registry`), flagging the
/// malformed dm3 profiles it serves.
#[cfg(feature = "l2")]
fn open_l2(config: &StoreConfig) -> Result<OpenedBackend> {
    let (Some(url), Some(registry)) = (&config.l2_rpc_url, config.l2_registry) else {
        unreachable!("open_backend checks both flags")
    };
    let url = url.parse().map_err(|e| ConfigError::Refused(format!("bad --l2-rpc-url: {e}")))?;
    let l2 = L2Store::new(
        url,
        registry,
        config.l2_block.into(),
        Duration::from_secs(config.l2_cache_ttl),
        Duration::from_millis(config.l2_timeout_ms),
    )
    .with_profile_check(Arc::new(|value| {
        crate::profile::SignedUserProfile::check_text_record(value).map_err(|e| e.to_string())
    }));
    let feed = ChangeFeed::L2(l2.clone());
    Ok(OpenedBackend { backend: Backend::read_only(l2, "names live on the L2: write them there"), feed })
}

#[cfg(not(feature = "l2"))]
fn open_l2(_config: &StoreConfig) -> Result<OpenedBackend> {
    Err(left_out("--l2-rpc-url", "l2"))
}

/// Registry events drop the L2 read cache's entries of the node, then the
/// signed answers about it (in that order: an answer built after the bump
/// reads past the dropped entries).
#[cfg(feature = "l2")]
struct L2Invalidation {
    store: L2Store,
    generations: Arc<NameGenerations>,
}

#[cfg(feature = "l2")]
impl ChangeSink for L2Invalidation {
    fn node_changed(&self, node: alloy::primitives::B256) {
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
/// listener of the change channel (with an L2 registry, its event follower).
pub fn build(config: &ServeConfig) -> Result<Gateway> {
    crate::telemetry::prometheus();
    let cache = cache_config(config)?;
    let opened = open_backend(&config.store)?;
    let generations = follow_changes(config, &opened, cache.is_some());
    let Backend { records, health, names, .. } = opened.backend;
    let lookup = cached_lookup(config, records, cache, &generations)?;
    let (names, dm3) = names_api(config, names, &generations)?.unzip();
    let page = page_config(config)?.map(Arc::new);
    Ok(Gateway {
        state: AppState { lookup: Arc::new(lookup), health, names, dm3, page, limits: config.edge.request_limits() },
        rate_limit: write_rate_limit(config),
        edge: config.edge.limits(),
    })
}

/// The signed-answer cache's sizing, or `None` when it is off. Its
/// freshness must be below the signature lifetime and, with an L2 registry
/// (whose writes bypass this process), at most the L2 read cache's TTL.
fn cache_config(config: &ServeConfig) -> Result<Option<CacheConfig>> {
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
    Ok(caching.then(|| CacheConfig {
        fresh_for: Duration::from_secs(cache_ttl),
        max_bytes: config.cache_size_mb * 1024 * 1024,
    }))
}

/// The per-name generations the cache checks its entries against, kept
/// current by the backend's change feed: the Redis change channel when the
/// cache is on (until it is subscribed, the cache is bypassed), the L2
/// registry's events when `--l2-poll-ms` is set (they also drop the L2 read
/// cache's entries, so they run with the cache off too).
#[cfg_attr(not(all(feature = "redis", feature = "l2")), allow(unused_variables))]
fn follow_changes(config: &ServeConfig, opened: &OpenedBackend, caching: bool) -> Arc<NameGenerations> {
    match &opened.feed {
        ChangeFeed::None => Arc::new(NameGenerations::new(true)),
        #[cfg(feature = "redis")]
        ChangeFeed::Redis(listener) => {
            let generations = Arc::new(NameGenerations::new(false));
            if caching {
                // Writes by other gateway processes arrive on the change channel.
                drop(listener.clone().spawn(Arc::clone(&generations) as _));
            }
            generations
        }
        #[cfg(feature = "l2")]
        ChangeFeed::L2(l2) => {
            let generations = Arc::new(NameGenerations::new(true));
            let store = &config.store;
            if store.l2_poll_ms > 0 {
                let follower = EventFollower::new(
                    l2.client().clone(),
                    l2.registry(),
                    l2.block(),
                    Duration::from_millis(store.l2_poll_ms),
                    Duration::from_millis(store.l2_timeout_ms),
                );
                let sink = L2Invalidation { store: l2.clone(), generations: Arc::clone(&generations) };
                drop(follower.spawn(Arc::new(sink)));
            }
            generations
        }
    }
}

/// The CCIP-read core over `records`, serving through the cache when it is on.
fn cached_lookup(
    config: &ServeConfig,
    records: Arc<dyn RecordReader>,
    cache: Option<CacheConfig>,
    generations: &Arc<NameGenerations>,
) -> Result<LookupService> {
    let lookup = build_lookup(config, records)?;
    Ok(match cache {
        Some(cache) => lookup.with_cache(ResponseCache::new(cache, Arc::clone(generations))),
        None => lookup,
    })
}

/// The names API and dm3's profile API over a writable backend (`None`
/// with a read-only one: with an L2 registry, names are claimed on
/// the L2). Writes go through an [`InvalidatingWriter`], so that they drop
/// this process's cached answers at once.
fn names_api(
    config: &ServeConfig,
    store: Option<NameStore>,
    generations: &Arc<NameGenerations>,
) -> Result<Option<(Arc<NamesService>, Arc<Dm3Profiles>)>> {
    let rpc = names_rpc(config)?;
    let Some(store) = store else { return Ok(None) };
    let writer = Arc::new(InvalidatingWriter::new(store.writer, Arc::clone(generations)));
    let names = Arc::new(names_service(config, NameStore { writer, ..store }, rpc.clone()));
    let dm3 = dm3_profiles(config, &names, rpc)?;
    Ok(Some((names, Arc::new(dm3))))
}

/// The per-client-IP limit on names-API writes, if any.
fn write_rate_limit(config: &ServeConfig) -> Option<WriteRateLimit> {
    let options = &config.names;
    (options.write_burst > 0)
        .then_some(WriteRateLimit { burst: options.write_burst, replenish_ms: options.write_replenish_ms })
}

/// The chain client the names API checks ERC-1271 signatures with (and dm3
/// its ENS names), when `--rpc-url` is set.
fn names_rpc(config: &ServeConfig) -> Result<Option<DynProvider>> {
    let options = &config.names;
    let Some(url) = &options.rpc_url else { return Ok(None) };
    let url = url.parse().map_err(|e| ConfigError::Refused(format!("bad --rpc-url: {e}")))?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(options.rpc_timeout))
        .connect_timeout(Duration::from_secs(options.rpc_timeout))
        .build()
        .map_err(|e| ConfigError::Refused(format!("http client: {e}")))?;
    let transport = alloy::transports::http::Http::with_client(http, url);
    let client = alloy::rpc::client::RpcClient::new(transport, false);
    Ok(Some(alloy::providers::ProviderBuilder::new().connect_client(client).erased()))
}

/// The names API core over `store`.
fn names_service(config: &ServeConfig, store: NameStore, rpc: Option<DynProvider>) -> NamesService {
    let policy = config.names.policy(&config.parents, config.resolvers.first().copied().unwrap_or_default());
    NamesService::new(store, policy, SignatureChecker::new(rpc))
}

/// dm3's profile API over the names API.
fn dm3_profiles(config: &ServeConfig, names: &Arc<NamesService>, rpc: Option<DynProvider>) -> Result<Dm3Profiles> {
    Ok(Dm3Profiles::new(Arc::clone(names), config.names.dm3_config(), rpc)?)
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
pub fn build_lookup(config: &ServeConfig, store: Arc<dyn RecordReader>) -> Result<LookupService> {
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

    /// The store flags parsed as the command line gives them, over `data_dir`.
    fn store_config(data_dir: &std::path::Path, args: &[&str]) -> StoreConfig {
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            store: StoreConfig,
        }
        let data_dir = format!("--data-dir={}", data_dir.display());
        let args = ["test", data_dir.as_str()].into_iter().chain(args.iter().copied());
        <Flags as clap::Parser>::try_parse_from(args).unwrap().store
    }

    /// Opening connects to nothing (Redis and the L2 connect lazily), so the
    /// unreachable addresses below are never dialled.
    #[tokio::test]
    async fn each_backend_opens_from_its_flags_or_is_a_config_error_when_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let embedded = open_store(&store_config(dir.path(), &[])).unwrap();
        assert_eq!(embedded.records.backend(), "embedded");
        assert!(embedded.names().is_ok());
        drop(embedded);

        let redis = store_config(dir.path(), &["--redis-url", "redis://127.0.0.1:9"]);
        #[cfg(feature = "redis")]
        {
            let backend = open_store(&redis).unwrap();
            assert_eq!(backend.records.backend(), "redis");
            assert!(backend.names().is_ok());
        }
        #[cfg(not(feature = "redis"))]
        {
            let error = open_store(&redis).unwrap_err();
            assert!(
                matches!(&error, ConfigError::Refused(m) if m.contains("--redis-url") && m.contains("`redis`")),
                "{error}"
            );
        }

        let registry = "0x0000000000000000000000000000000000000001";
        let l2 = store_config(dir.path(), &["--l2-rpc-url", "http://127.0.0.1:9", "--l2-registry", registry]);
        #[cfg(feature = "l2")]
        {
            let backend = open_store(&l2).unwrap();
            assert_eq!(backend.records.backend(), "l2");
            let error = backend.names().unwrap_err();
            assert_eq!(error.to_string(), "read-only store: names live on the L2: write them there");
        }
        #[cfg(not(feature = "l2"))]
        {
            let error = open_store(&l2).unwrap_err();
            assert!(
                matches!(&error, ConfigError::Refused(m) if m.contains("--l2-rpc-url") && m.contains("`l2`")),
                "{error}"
            );
        }
    }
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
