//! The domain core: answer one `OffchainLookup` with a signed record.
//!
//! HTTP-free: the handlers in [`crate::http`] parse the request, call
//! [`LookupService::lookup`], and map its [`LookupError`].

use crate::{
    cache::{cache_key, CachedResponse, ResponseCache},
    signer::SigningError,
    signer::{AnswerSigner, SigningPool},
    store::{RecordReader, StoreError},
};
use alloy::{
    primitives::{Address, Bytes},
    sol_types::SolCall,
};
use dm3_protocol::{
    decode_dm3_request, decode_request, dm3_result, encode_response, RecordCalls, RecordQuery, ResolveRequest, Scheme,
    SignedAnswer,
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// Result with [`LookupError`].
pub type Result<T, E = LookupError> = std::result::Result<T, E>;

/// Why a lookup was refused (the request's fault: 4xx) or failed (the
/// store's or the signer's: 5xx, so that clients try their next URL).
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The callData breaks the wire protocol.
    #[error(transparent)]
    Protocol(#[from] dm3_protocol::ProtocolError),
    /// The resolver (origin) is not on this gateway's allow-list.
    #[error("this gateway does not sign for resolver {0}")]
    UnknownResolver(Address),
    /// The name is longer than served names can be.
    #[error("name has {len} bytes, at most {max} are served")]
    NameTooLong {
        /// Bytes in the name.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The name is not a served parent nor below one.
    #[error("name {0:?} is not served by this gateway")]
    NameNotServed(String),
    /// The store failed or did not answer in time.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Signing the answer failed.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// One failure delivered to every request that waited on the same
    /// de-duplicated computation (the answer cache).
    #[error(transparent)]
    Shared(Arc<Self>),
}

impl LookupError {
    /// Takes the error out of `shared` when this is its only holder, else wraps it.
    pub fn shared(shared: Arc<Self>) -> Self {
        Arc::try_unwrap(shared).unwrap_or_else(Self::Shared)
    }

    /// The error itself, through any [`LookupError::Shared`] wrapping.
    pub fn cause(&self) -> &Self {
        match self {
            Self::Shared(inner) => inner.cause(),
            other => other,
        }
    }
}

/// What the gateway signs for and how.
#[derive(Debug, Clone)]
pub struct LookupPolicy {
    /// Resolver contracts the gateway signs for; empty means any (development only).
    pub resolvers: Vec<Address>,
    /// Parent names whose subnames (and themselves) are served, e.g. `dm3.eth`.
    pub parents: Vec<String>,
    /// How long a signed answer stays valid.
    pub ttl: Duration,
    /// How long a store read may take before the request fails with a 5xx.
    pub store_timeout: Duration,
}

/// Longest name (dotted, in bytes) the gateway answers for; longer names get
/// a 400 before any store read. Room for a few labels of the 255 bytes ENS
/// allows each (DNS itself stops at 253 bytes in all).
pub const MAX_NAME_BYTES: usize = 1024;

/// Answers CCIP-read requests from a [`RecordReader`], signing with an
/// [`AnswerSigner`], optionally through an [`ResponseCache`].
#[derive(Debug, Clone)]
pub struct LookupService {
    signing: Signing,
    standby: Vec<Address>,
    store: Arc<dyn RecordReader>,
    policy: LookupPolicy,
    cache: Option<ResponseCache>,
    dm3_resolvers: Vec<Address>,
}

/// Where answers are signed: on the requesting task, or on signing threads.
#[derive(Debug, Clone)]
enum Signing {
    Inline(AnswerSigner),
    Threads(SigningPool),
}

impl LookupService {
    /// Creates the service (without a cache).
    pub fn new(signer: AnswerSigner, store: Arc<dyn RecordReader>, policy: LookupPolicy) -> Self {
        Self {
            signing: Signing::Inline(signer),
            standby: Vec::new(),
            store,
            policy,
            cache: None,
            dm3_resolvers: Vec::new(),
        }
    }

    /// Answers lookups from these dm3 `ERC3668Resolver` contracts in dm3's
    /// scheme ([`Scheme::Dm3`]); they are signed for even when not in
    /// [`LookupPolicy::resolvers`].
    #[must_use]
    pub fn with_dm3_resolvers(mut self, resolvers: Vec<Address>) -> Self {
        self.dm3_resolvers = resolvers;
        self
    }

    /// The dm3 `ERC3668Resolver` contracts answered in dm3's scheme.
    pub fn dm3_resolvers(&self) -> &[Address] {
        &self.dm3_resolvers
    }

    /// The scheme the resolver `origin` verifies: dm3's for a `--dm3-resolver`,
    /// else the ENS offchain-resolver scheme.
    pub fn scheme_for(&self, origin: Address) -> Scheme {
        if self.dm3_resolvers.contains(&origin) {
            Scheme::Dm3
        } else {
            Scheme::Ens
        }
    }

    /// Signs on `threads` signing threads (a [`SigningPool`]) instead of on
    /// the requesting task.
    pub fn with_signing_threads(mut self, threads: usize) -> std::io::Result<Self> {
        self.signing = Signing::Threads(SigningPool::start(self.signer().clone(), threads)?);
        Ok(self)
    }

    /// Serves answers through `cache` (see [`LookupService::lookup`]).
    #[must_use]
    pub fn with_cache(mut self, cache: ResponseCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Lists `standby` signer addresses beside the active one (for `/info`):
    /// keys loaded but not signing, so that a resolver's signer set can be
    /// rotated before or after the switch.
    #[must_use]
    pub fn with_standby_signers(mut self, standby: Vec<Address>) -> Self {
        self.standby = standby;
        self
    }

    /// The signer whose address resolvers must trust.
    pub const fn signer(&self) -> &AnswerSigner {
        match &self.signing {
            Signing::Inline(signer) => signer,
            Signing::Threads(pool) => pool.signer(),
        }
    }

    /// Every signer address: the active one first, then the standby ones.
    pub fn signers(&self) -> Vec<Address> {
        std::iter::once(self.signer().address()).chain(self.standby.iter().copied()).collect()
    }

    /// The store records are read from.
    pub fn store(&self) -> &Arc<dyn RecordReader> {
        &self.store
    }

    /// The policy in force.
    pub const fn policy(&self) -> &LookupPolicy {
        &self.policy
    }

    /// The answer cache, if on.
    pub const fn cache(&self) -> Option<&ResponseCache> {
        self.cache.as_ref()
    }

    /// Answers `calldata` (the `OffchainLookup` callData) for the resolver
    /// `origin` with the HTTP body `abi.encode(bytes result, uint64 expires,
    /// bytes sig)`, through the cache when it is on: a
    /// cached answer is served while fresh and while its name has not changed;
    /// concurrent requests for the same (origin, callData) share one store read
    /// and one signature. Errors are never cached.
    ///
    /// Unknown names and records give signed empty values; only malformed
    /// requests, unknown resolvers and unserved names are refusals, and store
    /// failures are [`LookupError::Store`].
    pub async fn lookup(&self, origin: Address, calldata: &[u8]) -> Result<Arc<CachedResponse>> {
        let Some(cache) = self.cache.as_ref().filter(|cache| cache.is_live()) else {
            let request = self.check(origin, calldata)?;
            return Ok(Arc::new(self.signed_answer(origin, calldata, &request, Duration::ZERO).await?));
        };
        let key = cache_key(origin, calldata);
        if let Some(answer) = cache.get(&key).await {
            crate::telemetry::cache_lookup("hit");
            return Ok(answer);
        }
        let request = self.check(origin, calldata)?;
        let generations = cache.generations();
        let stamp = generations.stamp_node(request.node);
        let fresh_for = cache.config().fresh_for;
        let (answer, ran) = cache
            .get_with(&key, async {
                let mut answer = self.signed_answer(origin, calldata, &request, fresh_for).await?;
                answer.stamp = Some(stamp);
                Ok(Arc::new(answer))
            })
            .await
            .map_err(LookupError::shared)?;
        crate::telemetry::cache_lookup(if ran { "miss" } else { "joined" });
        if answer.stamp.is_some_and(|stamp| generations.is_current(stamp)) {
            return Ok(answer);
        }
        // Joined a computation that read the store before the name changed.
        cache.invalidate(&key).await;
        Ok(Arc::new(self.signed_answer(origin, calldata, &request, Duration::ZERO).await?))
    }

    /// Checks what needs no store: the resolver allow-list, the calldata, the
    /// name's length and whether it is served. Returns the decoded request.
    pub fn check(&self, origin: Address, calldata: &[u8]) -> Result<ResolveRequest> {
        let scheme = self.scheme_for(origin);
        if scheme == Scheme::Ens && !self.policy.resolvers.is_empty() && !self.policy.resolvers.contains(&origin) {
            return Err(LookupError::UnknownResolver(origin));
        }
        let request = match scheme {
            Scheme::Ens => decode_request(calldata)?,
            Scheme::Dm3 => decode_dm3_request(calldata)?,
        };
        if request.name.len() > MAX_NAME_BYTES {
            return Err(LookupError::NameTooLong { len: request.name.len(), max: MAX_NAME_BYTES });
        }
        if !self.serves(&request.name) {
            return Err(LookupError::NameNotServed(request.name));
        }
        Ok(request)
    }

    /// [`LookupService::sign`], rendered as a servable [`CachedResponse`], fresh for
    /// `fresh_for` or until the store's values expire, whichever is sooner.
    async fn signed_answer(
        &self,
        origin: Address,
        calldata: &[u8],
        request: &ResolveRequest,
        fresh_for: Duration,
    ) -> Result<CachedResponse> {
        let (signed, expiry) = self.sign(origin, calldata, request).await?;
        let fresh_for = expiry.map_or(fresh_for, |at| fresh_for.min(at.saturating_duration_since(Instant::now())));
        Ok(CachedResponse::new(encode_response(&signed), &signed.signature, record_function(request), fresh_for))
    }

    /// Reads the records `request` asks for and signs the answer; also
    /// returns when the values read expire (see [`RecordReader::values_with_expiry`]).
    async fn sign(
        &self,
        origin: Address,
        calldata: &[u8],
        request: &ResolveRequest,
    ) -> Result<(SignedAnswer, Option<Instant>)> {
        let timeout = self.policy.store_timeout;
        let started = Instant::now();
        let (mut results, expiry) =
            tokio::time::timeout(timeout, self.store.values_with_expiry(&request.name, request.node, &request.queries))
                .await
                .map_err(|_| StoreError::Timeout(timeout))??;
        metrics::histogram!("dm3_gateway_store_duration_seconds").record(started.elapsed().as_secs_f64());
        let scheme = self.scheme_for(origin);
        let result: Bytes = if request.multicall {
            RecordCalls::multicallCall::abi_encode_returns(&results).into()
        } else {
            match scheme {
                Scheme::Ens => results.swap_remove(0),
                Scheme::Dm3 => dm3_result(&request.queries[0], results.swap_remove(0)),
            }
        };
        let started = Instant::now();
        let expires = crate::clock::unix_now().saturating_add(self.policy.ttl.as_secs());
        let answer = match &self.signing {
            Signing::Inline(signer) => signer.sign_answer_in(scheme, origin, calldata, result, expires)?,
            Signing::Threads(pool) => pool.sign_answer_in(scheme, origin, calldata, result, expires).await?,
        };
        metrics::histogram!("dm3_gateway_sign_duration_seconds").record(started.elapsed().as_secs_f64());
        Ok((answer, expiry))
    }

    /// Whether `name` is a served parent or below one.
    fn serves(&self, name: &str) -> bool {
        self.policy
            .parents
            .iter()
            .any(|parent| name == parent || name.strip_suffix(parent.as_str()).is_some_and(|head| head.ends_with('.')))
    }
}

/// The record function a request asks, as a metrics label.
pub fn record_function(request: &ResolveRequest) -> &'static str {
    if request.multicall {
        return "multicall";
    }
    match request.queries.first() {
        Some(RecordQuery::Text(_)) => "text",
        Some(RecordQuery::Addr) => "addr",
        Some(RecordQuery::AddrCoin(_)) => "addr_coin",
        Some(RecordQuery::Contenthash) => "contenthash",
        None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        cache::{CacheConfig, InvalidatingWriter, NameGenerations},
        store::{NameRecord, NameWriter},
        test_support::TestGateway,
    };
    use alloy::primitives::{address, Signature, U256};
    use alloy::sol_types::SolValue;
    use dm3_protocol::{dns_encode, namehash, signature_digest, IResolverService};

    /// The freshly signed response (never the cache) to `calldata` for `origin`.
    async fn respond(service: &LookupService, origin: Address, calldata: &[u8]) -> Result<Vec<u8>> {
        let request = service.check(origin, calldata)?;
        let (signed, _) = service.sign(origin, calldata, &request).await?;
        Ok(encode_response(&signed))
    }

    fn coin_type(value: u64) -> U256 {
        U256::from(value)
    }

    const RESOLVER: Address = address!("1111111111111111111111111111111111111111");

    /// The lookup over an embedded store holding `alice.dm3.eth`; keep the
    /// builder (which owns the store's directory) alive as long as it.
    async fn make_service(resolvers: Vec<Address>) -> (LookupService, TestGateway) {
        let gateway = TestGateway::new().resolvers(resolvers);
        let mut record = NameRecord::default();
        record.set_text("eth.dm3.profile", "data:application/json,{}");
        record.addresses.insert(60, Bytes::copy_from_slice(&[0xaa; 20]));
        gateway.embedded().put_record("alice.dm3.eth", &record).await.unwrap();
        (gateway.lookup(), gateway)
    }

    fn request(name: &str, data: Vec<u8>) -> Vec<u8> {
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: data.into() }.abi_encode()
    }

    fn open(service: &LookupService, calldata: &[u8], response: &[u8]) -> Bytes {
        let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(response).unwrap();
        assert!(expires > crate::clock::unix_now() + 250 && expires <= crate::clock::unix_now() + 300);
        let digest = signature_digest(RESOLVER, expires, calldata, &result);
        let signer = Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap();
        assert_eq!(signer, service.signer().address());
        result
    }

    #[tokio::test]
    async fn answers_text_addr_and_empty_values() {
        let (service, _dir) = make_service(vec![RESOLVER]).await;
        let node = namehash("alice.dm3.eth");
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (
                RecordCalls::textCall { node, key: "network.dm3.profile".into() }.abi_encode(),
                "data:application/json,{}".to_string().abi_encode(),
            ),
            (RecordCalls::textCall { node, key: "avatar".into() }.abi_encode(), String::new().abi_encode()),
            (RecordCalls::addr_0Call { node }.abi_encode(), Address::repeat_byte(0xaa).abi_encode()),
            (
                RecordCalls::addr_1Call { node, coinType: coin_type(60) }.abi_encode(),
                Bytes::copy_from_slice(&[0xaa; 20]).abi_encode(),
            ),
            (RecordCalls::addr_1Call { node, coinType: coin_type(0) }.abi_encode(), Bytes::new().abi_encode()),
            (RecordCalls::contenthashCall { node }.abi_encode(), Bytes::new().abi_encode()),
        ];
        for (inner, expected) in cases {
            let calldata = request("alice.dm3.eth", inner);
            let response = respond(&service, RESOLVER, &calldata).await.unwrap();
            assert_eq!(open(&service, &calldata, &response).as_ref(), expected.as_slice());
        }
    }

    #[tokio::test]
    async fn unknown_name_gets_signed_empty_answer() {
        let (service, _dir) = make_service(vec![RESOLVER]).await;
        let node = namehash("nobody.dm3.eth");
        let calldata = request("nobody.dm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        let response = respond(&service, RESOLVER, &calldata).await.unwrap();
        assert_eq!(open(&service, &calldata, &response).as_ref(), Address::ZERO.abi_encode().as_slice());
    }

    #[tokio::test]
    async fn multicall_is_one_signed_bytes_array() {
        let (service, _dir) = make_service(vec![RESOLVER]).await;
        let node = namehash("alice.dm3.eth");
        let calls = vec![
            RecordCalls::textCall { node, key: "eth.dm3.profile".into() }.abi_encode().into(),
            RecordCalls::addr_0Call { node }.abi_encode().into(),
        ];
        let calldata = request("alice.dm3.eth", RecordCalls::multicallCall { data: calls }.abi_encode());
        let response = respond(&service, RESOLVER, &calldata).await.unwrap();
        let result = open(&service, &calldata, &response);
        let results = RecordCalls::multicallCall::abi_decode_returns(&result).unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[1].as_ref(), Address::repeat_byte(0xaa).abi_encode().as_slice());
    }

    #[tokio::test]
    async fn refuses_unknown_resolvers_and_unserved_names() {
        let (service, _dir) = make_service(vec![RESOLVER]).await;
        let node = namehash("alice.other.eth");
        let calldata = request("alice.other.eth", RecordCalls::addr_0Call { node }.abi_encode());
        assert!(matches!(respond(&service, RESOLVER, &calldata).await, Err(LookupError::NameNotServed(_))));
        let node = namehash("xdm3.eth");
        let calldata = request("xdm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        assert!(matches!(respond(&service, RESOLVER, &calldata).await, Err(LookupError::NameNotServed(_))));
        let node = namehash("alice.dm3.eth");
        let calldata = request("alice.dm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        let other = Address::repeat_byte(2);
        assert!(
            matches!(respond(&service, other, &calldata).await, Err(LookupError::UnknownResolver(a)) if a == other)
        );
        // Development mode: no allow-list, any resolver.
        let (open_service, _dir) = make_service(vec![]).await;
        assert!(respond(&open_service, other, &calldata).await.is_ok());
    }

    /// A store whose values expire `life` after each read (as the L2 store's do).
    #[derive(Debug)]
    struct ExpiringStore {
        inner: Arc<dyn RecordReader>,
        life: Duration,
    }

    #[async_trait::async_trait]
    impl RecordReader for ExpiringStore {
        async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError> {
            self.inner.record(name).await
        }
        async fn values_with_expiry(
            &self,
            name: &str,
            node: alloy::primitives::B256,
            queries: &[RecordQuery],
        ) -> Result<(Vec<Bytes>, Option<Instant>), StoreError> {
            Ok((self.inner.values(name, node, queries).await?, Some(Instant::now() + self.life)))
        }
        fn backend(&self) -> &'static str {
            "expiring"
        }
    }

    #[tokio::test]
    async fn a_cached_answer_never_outlives_the_store_values_it_was_built_from() {
        let (service, _dir) = make_service(vec![RESOLVER]).await;
        let store: Arc<dyn RecordReader> =
            Arc::new(ExpiringStore { inner: Arc::clone(service.store()), life: Duration::from_secs(1) });
        let config = CacheConfig { fresh_for: Duration::from_secs(60), max_bytes: 1 << 20 };
        let service = LookupService::new(service.signer().clone(), store, service.policy().clone())
            .with_cache(ResponseCache::new(config, Arc::new(NameGenerations::default())));
        let node = namehash("alice.dm3.eth");
        let calldata = request("alice.dm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        let first = service.lookup(RESOLVER, &calldata).await.unwrap();
        assert!(first.fresh_for <= Duration::from_secs(1), "{:?}", first.fresh_for);
        assert_eq!(first.max_age(), 0);
        assert!(Arc::ptr_eq(&first, &service.lookup(RESOLVER, &calldata).await.unwrap()));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        // The cache's own 60 s did not keep it: the store's values had expired.
        assert!(!Arc::ptr_eq(&first, &service.lookup(RESOLVER, &calldata).await.unwrap()));
    }

    #[tokio::test]
    async fn cache_serves_the_same_answer_until_the_name_changes() {
        let (service, gateway) = make_service(vec![RESOLVER]).await;
        let backend = Arc::new(gateway.embedded().clone());
        let generations = Arc::new(NameGenerations::default());
        let store = InvalidatingWriter::new(Arc::clone(&backend) as _, Arc::clone(&generations));
        let config = CacheConfig { fresh_for: Duration::from_secs(60), max_bytes: 1 << 20 };
        let service = LookupService::new(service.signer().clone(), backend.clone(), service.policy().clone())
            .with_cache(ResponseCache::new(config, generations));
        let node = namehash("alice.dm3.eth");
        let calldata: Bytes =
            request("alice.dm3.eth", RecordCalls::textCall { node, key: "url".into() }.abi_encode()).into();

        // Concurrent first requests share one signature; later ones hit.
        let (a, b) = tokio::join!(service.lookup(RESOLVER, &calldata), service.lookup(RESOLVER, &calldata));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(Arc::ptr_eq(&a, &b));
        assert!(Arc::ptr_eq(&a, &service.lookup(RESOLVER, &calldata).await.unwrap()));
        assert_eq!(open(&service, &calldata, &a.response()).as_ref(), String::new().abi_encode().as_slice());
        assert!(a.max_age() > 55);

        // A write through the store drops it at once.
        let mut record = backend.record("alice.dm3.eth").await.unwrap().unwrap();
        record.set_text("url", "https://dm3.chat");
        store.put_record("alice.dm3.eth", &record).await.unwrap();
        let fresh = service.lookup(RESOLVER, &calldata).await.unwrap();
        assert!(!Arc::ptr_eq(&a, &fresh));
        assert_eq!(open(&service, &calldata, &fresh.response()).as_ref(), "https://dm3.chat".to_string().abi_encode());

        // Errors are not cached, and bad requests never reach the cache.
        let other = Address::repeat_byte(2);
        assert!(matches!(service.lookup(other, &calldata).await, Err(LookupError::UnknownResolver(_))));
        let long = format!("{}dm3.eth", format!("{}.", "a".repeat(255)).repeat(4));
        let calldata = request(&long, RecordCalls::addr_0Call { node: namehash(&long) }.abi_encode());
        assert!(matches!(service.lookup(RESOLVER, &calldata).await, Err(LookupError::NameTooLong { .. })));
    }
}
