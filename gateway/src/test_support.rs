//! Set-up shared by the in-process tests, the benches and the fuzz targets:
//! a gateway over an embedded store in a temporary directory, signing with a
//! published test key.
//!
//! Built for this crate's unit tests and with the `test-support` cargo
//! feature (which the integration tests, the benches and the fuzz crate turn
//! on); never part of the binary. Everything here panics instead of
//! returning errors: a set-up that fails is a broken test.
//!
//! ```
//! use dm3_gateway::test_support::{TestGateway, RESOLVER};
//!
//! let gateway = TestGateway::new().resolvers(vec![RESOLVER]);
//! let router = gateway.router(); // keep `gateway` alive: it owns the store's directory
//! # drop(router);
//! ```

use crate::{
    cache::{CacheConfig, InvalidatingWriter, NameGenerations, ResponseCache},
    http::{app, AppState, RequestLimits},
    lookup::{LookupPolicy, LookupService},
    names::{NameRules, NamesConfig, NamesService, SignatureChecker},
    signer::AnswerSigner,
    store::{EmbeddedStore, NameStore, RecordReader},
};
use alloy::primitives::{address, Address};
use axum::Router;
use std::{path::Path, sync::Arc, time::Duration};

/// The test signing key: anvil's account #1, publicly known (never use it
/// outside tests; production mode refuses it). Its address is [`SIGNER`].
pub const SIGNER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/// The address of [`SIGNER_KEY`].
pub const SIGNER: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
/// The resolver contract a [`TestGateway`] signs for unless told otherwise.
pub const RESOLVER: Address = address!("1111111111111111111111111111111111111111");
/// The parent a [`TestGateway`] serves.
pub const PARENT: &str = "dm3.eth";

/// A names policy for tests: single labels of at least 3 characters under
/// [`PARENT`], `admin` reserved, one name per owner, signed in the EIP-712
/// domain of chain 1 and [`RESOLVER`].
pub fn names_policy() -> NamesConfig {
    let rules = NameRules { parents: vec![PARENT.into()], min_label_length: 3, reserved: vec!["admin".into()] };
    NamesConfig { rules, max_names_per_owner: 1, chain_id: 1, resolver: RESOLVER }
}

/// Builder of a gateway for in-process tests. Defaults: an embedded store in
/// a fresh temporary directory, [`SIGNER_KEY`], signing for [`RESOLVER`]
/// only, serving [`PARENT`], 300 s answers, a 2 s store timeout, no answer
/// cache, no names API, the default request limits.
///
/// The builder owns the temporary directory: keep it alive as long as what
/// it built.
#[derive(Debug)]
pub struct TestGateway {
    dir: tempfile::TempDir,
    embedded: Arc<EmbeddedStore>,
    records: Option<Arc<dyn RecordReader>>,
    signer: AnswerSigner,
    policy: LookupPolicy,
    cache: Option<CacheConfig>,
    names: Option<NamesConfig>,
    limits: RequestLimits,
}

impl Default for TestGateway {
    fn default() -> Self {
        Self::new()
    }
}

impl TestGateway {
    /// The defaults above, over a new embedded store.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let embedded = Arc::new(EmbeddedStore::open(dir.path()).expect("an embedded store"));
        Self {
            dir,
            embedded,
            records: None,
            signer: AnswerSigner::from_hex(SIGNER_KEY).expect("the test key"),
            policy: LookupPolicy {
                resolvers: vec![RESOLVER],
                parents: vec![PARENT.into()],
                ttl: Duration::from_secs(300),
                store_timeout: Duration::from_secs(2),
            },
            cache: None,
            names: None,
            limits: RequestLimits::default(),
        }
    }

    /// Reads records from `store` instead of the embedded one (a failing or
    /// slow store, a wrapper around [`Self::embedded`]); writes, the owner
    /// index and `/ready` stay on the embedded store.
    pub fn store(mut self, store: Arc<dyn RecordReader>) -> Self {
        self.records = Some(store);
        self
    }

    /// Signs with `signer` instead of [`SIGNER_KEY`].
    pub fn signer(mut self, signer: AnswerSigner) -> Self {
        self.signer = signer;
        self
    }

    /// Signs for these resolvers only (none: for any resolver).
    pub fn resolvers(mut self, resolvers: Vec<Address>) -> Self {
        self.policy.resolvers = resolvers;
        self
    }

    /// How long a store read may take before the lookup fails.
    pub const fn store_timeout(mut self, timeout: Duration) -> Self {
        self.policy.store_timeout = timeout;
        self
    }

    /// Turns the answer cache on; writes through the built services drop
    /// the cached answers about their name.
    pub const fn cache(mut self, config: CacheConfig) -> Self {
        self.cache = Some(config);
        self
    }

    /// Turns the names API on, with `policy` (see [`names_policy`]).
    pub fn names(mut self, policy: NamesConfig) -> Self {
        self.names = Some(policy);
        self
    }

    /// Body size and time limits of every request.
    pub const fn limits(mut self, limits: RequestLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The embedded store, to put records in before the test; it is what is
    /// served unless [`Self::store`] replaced it.
    pub fn embedded(&self) -> &EmbeddedStore {
        &self.embedded
    }

    /// The temporary directory of the embedded store.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The store the services read, and the names API's parts of the
    /// embedded store (reading the same records), with its writes dropping
    /// cached answers when the cache is on.
    fn served_store(&self, generations: &Arc<NameGenerations>) -> (Arc<dyn RecordReader>, NameStore) {
        let records = self.records.clone().unwrap_or_else(|| Arc::clone(&self.embedded) as Arc<dyn RecordReader>);
        let mut names = NameStore::new(Arc::clone(&self.embedded));
        names.records = Arc::clone(&records);
        if self.cache.is_some() {
            names.writer = Arc::new(InvalidatingWriter::new(names.writer, Arc::clone(generations)));
        }
        (records, names)
    }

    fn lookup_over(&self, records: Arc<dyn RecordReader>, generations: Arc<NameGenerations>) -> LookupService {
        let lookup = LookupService::new(self.signer.clone(), records, self.policy.clone());
        match self.cache {
            Some(config) => lookup.with_cache(ResponseCache::new(config, generations)),
            None => lookup,
        }
    }

    /// The CCIP-read core, signing inline (no signing threads).
    pub fn lookup(&self) -> LookupService {
        let generations = Arc::new(NameGenerations::default());
        self.lookup_over(self.served_store(&generations).0, generations)
    }

    /// The handlers' shared state: the lookup and, when turned on, the names
    /// API over the same store; no dm3 profile API, no claim page.
    pub fn state(&self) -> AppState {
        let generations = Arc::new(NameGenerations::default());
        let (records, store) = self.served_store(&generations);
        let names =
            self.names.clone().map(|policy| Arc::new(NamesService::new(store, policy, SignatureChecker::default())));
        AppState {
            lookup: Arc::new(self.lookup_over(records, generations)),
            health: Arc::clone(&self.embedded) as _,
            names,
            dm3: None,
            page: None,
            limits: self.limits,
        }
    }

    /// The whole application's router over [`Self::state`], without a write
    /// rate limit.
    pub fn router(&self) -> Router {
        app(self.state(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NameRecord;
    use alloy::sol_types::SolCall;
    use dm3_protocol::{dns_encode, namehash, IResolverService, RecordCalls};

    fn text_request(name: &str) -> Vec<u8> {
        let inner = RecordCalls::textCall { node: namehash(name), key: "url".into() }.abi_encode();
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }.abi_encode()
    }

    #[tokio::test]
    async fn the_defaults_sign_for_the_test_resolver_with_the_test_key() {
        let gateway = TestGateway::new();
        let lookup = gateway.lookup();
        assert_eq!(lookup.signer().address(), SIGNER);
        assert_eq!(lookup.policy().resolvers, [RESOLVER]);
        assert!(lookup.cache().is_none());
        assert!(lookup.lookup(RESOLVER, &text_request("alice.dm3.eth")).await.is_ok());
        assert!(lookup.lookup(Address::repeat_byte(2), &text_request("alice.dm3.eth")).await.is_err());
        assert!(gateway.state().names.is_none());
        assert!(gateway.names(names_policy()).state().names.is_some());
    }

    #[tokio::test]
    async fn with_the_cache_on_a_write_drops_the_cached_answer() {
        let config = CacheConfig { fresh_for: Duration::from_secs(60), max_bytes: 1 << 20 };
        let gateway = TestGateway::new().cache(config);
        let generations = Arc::new(NameGenerations::default());
        let (records, store) = gateway.served_store(&generations);
        let lookup = gateway.lookup_over(records, generations);
        let request = text_request("alice.dm3.eth");
        let first = lookup.lookup(RESOLVER, &request).await.unwrap();
        assert!(Arc::ptr_eq(&first, &lookup.lookup(RESOLVER, &request).await.unwrap()), "served from the cache");
        let mut record = NameRecord::default();
        record.set_text("url", "https://dm3.chat");
        store.writer.put_record("alice.dm3.eth", &record).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &lookup.lookup(RESOLVER, &request).await.unwrap()), "dropped by the write");
    }
}
