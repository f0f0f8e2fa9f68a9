//! Records from a dm3 name registry on an L2 (`contracts/src/L2NameRegistry.sol`),
//! read over JSON-RPC: the trusted "signed L2 read" model.
//!
//! The registry answers the same record functions as a resolver (`text`,
//! `addr`, `addr(bytes32,uint256)`, `contenthash`) keyed by the ENS node, so a
//! record call is forwarded as is. All calls of one request go out as one
//! JSON-RPC batch (one round trip), together with the block they were read
//! at, which is logged.
//!
//! What is served:
//! - dm3 profile and delivery-service keys are also read under their alias
//!   keys; the first non-empty value wins (the asked key first);
//! - an EVM coin type without an address of its own (and `addr(bytes32)`)
//!   falls back to the ENSIP-19 default EVM address (coin `0x80000000`);
//! - a record whose bytes do not decode as its type expects is the owner's
//!   data, not an outage: a text record that is not UTF-8 is served as unset
//!   (`""`, so an alias key can answer instead), a default EVM address that is
//!   not 20 bytes is not used as a fallback; both are logged as a warning and
//!   counted in `dm3_gateway_l2_malformed_records_total`. Only return data
//!   that is not ABI-encoded at all (a wrong registry address, a broken node)
//!   is an L2 failure (5xx).
//!
//! Freshness: every read is cached per (node, call) for the TTL, counted from
//! when the read was sent, and [`RecordReader::values_with_expiry`] returns the
//! expiry of the oldest read a value used, so the signed-answer cache above
//! never serves a value longer than the TTL after it was read. Registry
//! events (`super::l2_events`) drop a node's reads at once through
//! [`L2Store::forget_node`].

use super::{Health, L2Error, NameRecord, RecordReader, StoreError};
use crate::{contracts::IL2NameRegistry, store::text_key_aliases};
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, Bytes, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::client::RpcClient,
    rpc::types::{Block, TransactionRequest},
    sol_types::{SolCall, SolValue},
};
use async_trait::async_trait;
use dm3_protocol::{
    is_evm_coin_type,
    text_keys::{is_profile_key, DELIVERY_SERVICE_KEYS, PROFILE_KEYS},
    RecordCalls, RecordQuery, COIN_TYPE_DEFAULT_EVM, COIN_TYPE_ETH,
};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// Text keys `GET /names/{name}` lists for an L2 name: the registry keeps no
/// list of the keys a name has, so only these are read (dm3's keys and the
/// most used ENSIP-5 global keys).
const LISTED_TEXT_KEYS: [&str; 9] = [
    PROFILE_KEYS[0],
    PROFILE_KEYS[1],
    PROFILE_KEYS[2],
    DELIVERY_SERVICE_KEYS[0],
    DELIVERY_SERVICE_KEYS[1],
    "avatar",
    "url",
    "description",
    "email",
];

/// Checks the value of a name's dm3 profile record (`eth.dm3.profile` and
/// its aliases) as the L2 serves it; an `Err` is the problem found. The L2
/// store serves the owner's profile as is and only flags a bad one, so it
/// takes the check from the layer that knows the profile format
/// ([`L2Store::with_profile_check`]).
pub type ProfileCheck = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Records of an L2 registry, with a short-lived read cache.
///
/// Read-only: it implements [`RecordReader`] and [`Health`] only (names are
/// written on the L2, and the registry keeps no index of names by owner).
#[derive(Clone)]
pub struct L2Store {
    client: RpcClient,
    provider: DynProvider,
    registry: Address,
    block: BlockNumberOrTag,
    timeout: Duration,
    /// `None` when the TTL is zero: every request reads the L2.
    cache: Option<Arc<ReadCache>>,
    /// Flags malformed dm3 profiles (`None`: none are flagged).
    profile_check: Option<ProfileCheck>,
}

/// The L2 read cache: (node, record call) → (return data, when the read was sent).
struct ReadCache {
    entries: moka::future::Cache<(B256, Bytes), (Bytes, Instant)>,
    ttl: Duration,
    /// Bumped by every invalidation: a read during which it moved is not
    /// cached, as it may have been answered from before the change.
    changes: AtomicU64,
}

impl std::fmt::Debug for L2Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L2Store").field("registry", &self.registry).field("block", &self.block).finish_non_exhaustive()
    }
}

impl L2Store {
    /// Reads `registry` through the JSON-RPC endpoint `url` at `block`
    /// (`latest`, `safe`, `finalized`), caching reads for `cache_ttl` (zero:
    /// no cache), and failing a read after `timeout`.
    pub fn new(
        url: reqwest::Url,
        registry: Address,
        block: BlockNumberOrTag,
        cache_ttl: Duration,
        timeout: Duration,
    ) -> Self {
        let cache = (!cache_ttl.is_zero()).then(|| {
            Arc::new(ReadCache {
                entries: moka::future::Cache::builder()
                    .max_capacity(100_000)
                    .time_to_live(cache_ttl)
                    .support_invalidation_closures()
                    .build(),
                ttl: cache_ttl,
                changes: AtomicU64::new(0),
            })
        });
        let client = RpcClient::new_http(url);
        let provider = ProviderBuilder::new().connect_client(client.clone()).erased();
        Self { client, provider, registry, block, timeout, cache, profile_check: None }
    }

    /// Flags the dm3 profiles that `check` refuses: each one served is
    /// logged as a warning and counted in
    /// `dm3_gateway_l2_malformed_profiles_total`, and still served as is.
    #[must_use]
    pub fn with_profile_check(mut self, check: ProfileCheck) -> Self {
        self.profile_check = Some(check);
        self
    }

    /// The JSON-RPC client the store reads with (shared with the event follower).
    pub fn client(&self) -> &RpcClient {
        &self.client
    }

    /// The registry read.
    pub const fn registry(&self) -> Address {
        self.registry
    }

    /// The block tag read at.
    pub const fn block(&self) -> BlockNumberOrTag {
        self.block
    }

    /// Drops every cached read about `node` (a registry event named it).
    pub fn forget_node(&self, node: B256) {
        if let Some(cache) = &self.cache {
            cache.changes.fetch_add(1, Ordering::AcqRel);
            // Only fails when invalidation closures are off; they are on (see `new`).
            let _ = cache.entries.invalidate_entries_if(move |key, _| key.0 == node);
        }
    }

    /// Drops every cached read (events may have been missed, or a reorg).
    pub fn forget_all(&self) {
        if let Some(cache) = &self.cache {
            cache.changes.fetch_add(1, Ordering::AcqRel);
            cache.entries.invalidate_all();
        }
    }

    /// One batch: the block header at the tag and every call at that tag.
    async fn read(&self, calls: &[Bytes]) -> Result<(u64, Vec<Bytes>), StoreError> {
        let mut batch = self.client.new_batch();
        let header =
            batch.add_call::<_, Option<Block>>("eth_getBlockByNumber", &(self.block, false)).map_err(L2Error::Rpc)?;
        let mut waiters = Vec::with_capacity(calls.len());
        for call in calls {
            let tx = TransactionRequest::default().to(self.registry).input(call.clone().into());
            waiters.push(batch.add_call::<_, Bytes>("eth_call", &(tx, self.block)).map_err(L2Error::Rpc)?);
        }
        let work = async {
            batch.send().await.map_err(L2Error::Rpc)?;
            let block = header.await.map_err(L2Error::Rpc)?.map_or(0, |b| b.header.number);
            let mut results = Vec::with_capacity(waiters.len());
            for waiter in waiters {
                results.push(waiter.await.map_err(L2Error::Rpc)?);
            }
            Ok::<_, StoreError>((block, results))
        };
        tokio::time::timeout(self.timeout, work).await.map_err(|_| StoreError::Timeout(self.timeout))?
    }
}

/// What one registry call is read as, which decides when its value counts as
/// set and how it is decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// `text(node, key)`: a string.
    Text(String),
    /// `addr(node)`: an address.
    EthAddr,
    /// `addr(node, coinType)` or `contenthash(node)`: bytes.
    Bytes,
    /// `addr(node, 0x80000000)`, the ENSIP-19 default EVM address, as a fallback.
    DefaultEvm,
}

/// Why a record's bytes were not served as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Malformed {
    /// A text record that is not UTF-8: served as unset.
    TextNotUtf8,
    /// A default EVM address that is not 20 bytes: not used as a fallback.
    DefaultEvmLength,
}

impl Malformed {
    const fn label(self) -> &'static str {
        match self {
            Self::TextNotUtf8 => "text_not_utf8",
            Self::DefaultEvmLength => "default_evm_address_length",
        }
    }
}

/// The registry calls that answer `query`, in order of preference: a dm3
/// profile or delivery-service key also under its alias keys (the registry
/// stores keys as the owner set them), an EVM address also as the ENSIP-19
/// default EVM address.
fn plan(node: B256, query: &RecordQuery) -> Vec<(Source, Bytes)> {
    let default_evm = || {
        let call = RecordCalls::addr_1Call { node, coinType: U256::from(COIN_TYPE_DEFAULT_EVM) };
        (Source::DefaultEvm, Bytes::from(call.abi_encode()))
    };
    match query {
        RecordQuery::Text(key) => text_key_aliases(key)
            .into_iter()
            .map(|k| {
                let call = RecordCalls::textCall { node, key: k.to_owned() };
                (Source::Text(k.to_owned()), call.abi_encode().into())
            })
            .collect(),
        RecordQuery::Addr => {
            vec![(Source::EthAddr, RecordCalls::addr_0Call { node }.abi_encode().into()), default_evm()]
        }
        RecordQuery::AddrCoin(coin) => {
            let own = (Source::Bytes, RecordCalls::addr_1Call { node, coinType: *coin }.abi_encode().into());
            match u64::try_from(*coin) {
                Ok(c) if is_evm_coin_type(c) => vec![own, default_evm()],
                _ => vec![own],
            }
        }
        RecordQuery::Contenthash => vec![(Source::Bytes, RecordCalls::contenthashCall { node }.abi_encode().into())],
    }
}

/// The value of `query` from the return data of its [`plan`]: the first
/// candidate that is set, else the spec-exact empty value. Also returns the
/// candidates (by index) whose bytes were the owner's junk. Return data that
/// is not ABI-encoded as its function returns is an L2 failure.
fn choose(query: &RecordQuery, candidates: &[(Source, Bytes)]) -> Result<(Bytes, Vec<(usize, Malformed)>), StoreError> {
    let mut malformed = Vec::new();
    for (i, (source, data)) in candidates.iter().enumerate() {
        let nonsense = || StoreError::from(L2Error::NotAbi(format!("{source:?}")));
        match source {
            Source::Text(_) => {
                let raw = Bytes::abi_decode_validate(data).map_err(|_| nonsense())?;
                match std::str::from_utf8(&raw) {
                    Ok("") => {}
                    Ok(text) => return Ok((text.abi_encode().into(), malformed)),
                    Err(_) => malformed.push((i, Malformed::TextNotUtf8)),
                }
            }
            Source::EthAddr => {
                let address = Address::abi_decode_validate(data).map_err(|_| nonsense())?;
                if !address.is_zero() {
                    return Ok((address.abi_encode().into(), malformed));
                }
            }
            Source::Bytes => {
                let bytes = Bytes::abi_decode_validate(data).map_err(|_| nonsense())?;
                if !bytes.is_empty() {
                    return Ok((bytes.abi_encode().into(), malformed));
                }
            }
            Source::DefaultEvm => {
                let bytes = Bytes::abi_decode_validate(data).map_err(|_| nonsense())?;
                match bytes.len() {
                    0 => {}
                    20 if matches!(query, RecordQuery::Addr) => {
                        return Ok((Address::from_slice(&bytes).abi_encode().into(), malformed));
                    }
                    20 => return Ok((bytes.abi_encode().into(), malformed)),
                    _ => malformed.push((i, Malformed::DefaultEvmLength)),
                }
            }
        }
    }
    Ok((NameRecord::default().value(query).into(), malformed))
}

/// Logs and counts the owner's junk met while reading values.
fn report_malformed(name: &str, source: &Source, problem: Malformed) {
    metrics::counter!("dm3_gateway_l2_malformed_records_total", "problem" => problem.label()).increment(1);
    let key = match source {
        Source::Text(key) => key.as_str(),
        Source::DefaultEvm => "addr(0x80000000)",
        Source::EthAddr | Source::Bytes => "",
    };
    if is_profile_key(key) {
        metrics::counter!("dm3_gateway_l2_malformed_profiles_total").increment(1);
    }
    tracing::warn!(target: "gateway::store", name, key, problem = problem.label(), "malformed record on the L2 (not served as stored)");
}

/// The dm3 profile on the L2 is the owner's record and is served as is; one
/// that `check` refuses is only flagged.
fn flag_bad_profile(check: &ProfileCheck, name: &str, query: &RecordQuery, data: &[u8]) {
    let RecordQuery::Text(key) = query else { return };
    if !is_profile_key(key) {
        return;
    }
    let Ok(value) = String::abi_decode(data) else { return };
    if value.is_empty() {
        return;
    }
    if let Err(problem) = check(&value) {
        metrics::counter!("dm3_gateway_l2_malformed_profiles_total").increment(1);
        tracing::warn!(target: "gateway::store", name, %problem, "malformed dm3 profile on the L2 (served as is)");
    }
}

#[async_trait]
impl RecordReader for L2Store {
    async fn values(&self, name: &str, node: B256, queries: &[RecordQuery]) -> Result<Vec<Bytes>, StoreError> {
        Ok(self.values_with_expiry(name, node, queries).await?.0)
    }

    async fn values_with_expiry(
        &self,
        name: &str,
        node: B256,
        queries: &[RecordQuery],
    ) -> Result<(Vec<Bytes>, Option<Instant>), StoreError> {
        let plans: Vec<Vec<(Source, Bytes)>> = queries.iter().map(|q| plan(node, q)).collect();
        let calls: Vec<&Bytes> = plans.iter().flatten().map(|(_, call)| call).collect();
        // (return data, when it was read) per call.
        let mut reads: Vec<Option<(Bytes, Instant)>> = Vec::with_capacity(calls.len());
        let changes = self.cache.as_ref().map(|cache| cache.changes.load(Ordering::Acquire));
        for call in &calls {
            let cached = match &self.cache {
                Some(cache) => cache.entries.get(&(node, (*call).clone())).await,
                None => None,
            };
            reads.push(cached);
        }
        let missing: Vec<usize> = (0..calls.len()).filter(|&i| reads[i].is_none()).collect();
        if !missing.is_empty() {
            let wanted: Vec<Bytes> = missing.iter().map(|&i| calls[i].clone()).collect();
            let sent = Instant::now();
            let (block, results) = self.read(&wanted).await?;
            tracing::debug!(target: "gateway::store", name, block, calls = wanted.len(), "read from the L2");
            metrics::gauge!("dm3_gateway_l2_block").set(block as f64);
            let cacheable = self.cache.as_ref().filter(|cache| Some(cache.changes.load(Ordering::Acquire)) == changes);
            for (&i, data) in missing.iter().zip(results) {
                if let Some(cache) = cacheable {
                    cache.entries.insert((node, calls[i].clone()), (data.clone(), sent)).await;
                }
                reads[i] = Some((data, sent));
            }
        }
        let oldest = reads.iter().flatten().map(|(_, at)| *at).min().unwrap_or_else(Instant::now);
        let expiry = oldest + self.cache.as_ref().map_or(Duration::ZERO, |cache| cache.ttl);
        let mut reads = reads.into_iter().map(|r| r.expect("every read is filled").0);
        let mut out = Vec::with_capacity(queries.len());
        for (query, plan) in queries.iter().zip(plans) {
            let candidates: Vec<(Source, Bytes)> =
                plan.into_iter().map(|(source, _)| source).zip(reads.by_ref()).collect();
            let (chosen, malformed) = choose(query, &candidates)?;
            for (i, problem) in malformed {
                report_malformed(name, &candidates[i].0, problem);
            }
            if let Some(check) = &self.profile_check {
                flag_bad_profile(check, name, query, &chosen);
            }
            out.push(chosen);
        }
        Ok((out, Some(expiry)))
    }

    /// What the registry holds for `name`, read at the block tag (uncached):
    /// its owner, its record version as `nonce`, the addresses of coin types
    /// 60 and `0x80000000`, the contenthash, and the texts under
    /// [`LISTED_TEXT_KEYS`] that are set and UTF-8. The registry keeps no list
    /// of a name's keys, so other text keys and coin types are not listed.
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError> {
        let node = dm3_protocol::namehash(name);
        let coin = |c: u64| Bytes::from(RecordCalls::addr_1Call { node, coinType: U256::from(c) }.abi_encode());
        let mut calls: Vec<Bytes> = vec![
            IL2NameRegistry::ownerCall { node }.abi_encode().into(),
            IL2NameRegistry::recordVersionCall { node }.abi_encode().into(),
            coin(COIN_TYPE_ETH),
            coin(COIN_TYPE_DEFAULT_EVM),
            RecordCalls::contenthashCall { node }.abi_encode().into(),
        ];
        calls.extend(
            LISTED_TEXT_KEYS.iter().map(|k| Bytes::from(RecordCalls::textCall { node, key: (*k).into() }.abi_encode())),
        );
        let (_, results) = self.read(&calls).await?;
        let nonsense = |what: &str| StoreError::from(L2Error::NotAbi(what.to_owned()));
        let owner = Address::abi_decode_validate(&results[0]).map_err(|_| nonsense("owner"))?;
        let version = u64::abi_decode_validate(&results[1]).map_err(|_| nonsense("recordVersion"))?;
        let mut record =
            NameRecord { owner: (!owner.is_zero()).then_some(owner), nonce: version, ..Default::default() };
        for (coin_type, data) in [(COIN_TYPE_ETH, &results[2]), (COIN_TYPE_DEFAULT_EVM, &results[3])] {
            let bytes = Bytes::abi_decode_validate(data).map_err(|_| nonsense("addr"))?;
            if !bytes.is_empty() {
                record.addresses.insert(coin_type, bytes);
            }
        }
        let contenthash = Bytes::abi_decode_validate(&results[4]).map_err(|_| nonsense("contenthash"))?;
        record.contenthash = (!contenthash.is_empty()).then_some(contenthash);
        for (key, data) in LISTED_TEXT_KEYS.iter().zip(&results[5..]) {
            let raw = Bytes::abi_decode_validate(data).map_err(|_| nonsense("text"))?;
            match String::from_utf8(raw.to_vec()) {
                Ok(text) if text.is_empty() => {}
                // Stored under the key as set: the aliases may hold different values on the L2.
                Ok(text) => {
                    record.texts.insert((*key).to_owned(), text);
                }
                Err(_) => report_malformed(name, &Source::Text((*key).to_owned()), Malformed::TextNotUtf8),
            }
        }
        Ok(Some(record))
    }

    fn backend(&self) -> &'static str {
        "l2"
    }
}

#[async_trait]
impl Health for L2Store {
    async fn ping(&self) -> Result<(), StoreError> {
        let work = self.provider.get_block_number();
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| StoreError::Timeout(self.timeout))?
            .map_err(L2Error::Rpc)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE: B256 = B256::repeat_byte(7);

    fn text(value: &[u8]) -> Bytes {
        Bytes::copy_from_slice(value).abi_encode().into()
    }

    /// `plan` for `query` with the given return data per candidate.
    fn value_of(query: &RecordQuery, data: Vec<Bytes>) -> Result<(Bytes, Vec<(usize, Malformed)>), StoreError> {
        let plan = plan(NODE, query);
        assert_eq!(plan.len(), data.len(), "{query:?}");
        let candidates: Vec<(Source, Bytes)> = plan.into_iter().map(|(s, _)| s).zip(data).collect();
        choose(query, &candidates)
    }

    #[test]
    fn profile_aliases_are_read_asked_key_first() {
        let plan = plan(NODE, &RecordQuery::Text("dm3.profile".into()));
        let keys: Vec<Source> = plan.into_iter().map(|(s, _)| s).collect();
        let expected = ["dm3.profile", "eth.dm3.profile", "network.dm3.profile"].map(|k| Source::Text(k.into()));
        assert_eq!(keys, expected);
    }

    #[test]
    fn junk_under_an_alias_never_fails_a_valid_key() {
        let query = RecordQuery::Text("eth.dm3.profile".into());
        let junk = text(&[0xff, 0xfe, b'x']);
        // Junk behind the valid asked key: the valid value, junk not even looked at.
        let (chosen, malformed) = value_of(&query, vec![text(b"ok"), text(b""), junk.clone()]).unwrap();
        assert_eq!(chosen, text(b"ok"));
        assert!(malformed.is_empty());
        // Junk under the asked alias: served as unset, the next alias answers.
        let query = RecordQuery::Text("dm3.profile".into());
        let (chosen, malformed) = value_of(&query, vec![junk.clone(), text(b"ok"), text(b"")]).unwrap();
        assert_eq!(chosen, text(b"ok"));
        assert_eq!(malformed, [(0, Malformed::TextNotUtf8)]);
        // Junk and nothing else: the empty string, never an error.
        let query = RecordQuery::Text("url".into());
        let (chosen, malformed) = value_of(&query, vec![junk]).unwrap();
        assert_eq!(chosen, String::new().abi_encode());
        assert_eq!(malformed, [(0, Malformed::TextNotUtf8)]);
    }

    #[test]
    fn data_that_is_not_abi_is_an_l2_failure() {
        for (query, data) in [
            (RecordQuery::Text("url".into()), Bytes::new()), // no code at the registry address
            (RecordQuery::Text("url".into()), Bytes::from_static(&[1, 2, 3])),
            (RecordQuery::Contenthash, Bytes::from(vec![0xff; 64])),
        ] {
            assert!(matches!(value_of(&query, vec![data]), Err(StoreError::L2(L2Error::NotAbi(_)))), "{query:?}");
        }
        let dirty_address = Bytes::from([[0xff; 12].as_slice(), &[1; 20]].concat());
        assert!(matches!(
            value_of(&RecordQuery::Addr, vec![dirty_address, Bytes::new()]),
            Err(StoreError::L2(L2Error::NotAbi(_)))
        ));
    }

    #[test]
    fn evm_coin_types_fall_back_to_the_default_evm_address() {
        let default = Address::repeat_byte(0xdd);
        let default_bytes: Bytes = Bytes::copy_from_slice(default.as_slice()).abi_encode().into();
        let unset: Bytes = Bytes::new().abi_encode().into();
        let optimism = RecordQuery::AddrCoin(U256::from(0x8000_000a_u64));
        // Own address unset: the default.
        let (chosen, _) = value_of(&optimism, vec![unset, default_bytes.clone()]).unwrap();
        assert_eq!(chosen, default_bytes);
        // Own address set: it wins.
        let own: Bytes = Bytes::copy_from_slice(&[1; 20]).abi_encode().into();
        assert_eq!(value_of(&optimism, vec![own.clone(), default_bytes.clone()]).unwrap().0, own);
        // addr(bytes32) falls back too, as an address.
        let zero: Bytes = Address::ZERO.abi_encode().into();
        let (chosen, _) = value_of(&RecordQuery::Addr, vec![zero.clone(), default_bytes]).unwrap();
        assert_eq!(chosen.as_ref(), default.abi_encode().as_slice());
        // Not for non-EVM coins, nor for the default coin type itself.
        assert_eq!(plan(NODE, &RecordQuery::AddrCoin(U256::from(0))).len(), 1);
        assert_eq!(plan(NODE, &RecordQuery::AddrCoin(U256::from(COIN_TYPE_DEFAULT_EVM))).len(), 1);
        assert_eq!(plan(NODE, &RecordQuery::AddrCoin(U256::from(1u64 << 40))).len(), 1);
        // A default that is not 20 bytes is junk: not used, flagged.
        let short: Bytes = Bytes::copy_from_slice(&[1; 5]).abi_encode().into();
        let (chosen, malformed) = value_of(&RecordQuery::Addr, vec![zero.clone(), short]).unwrap();
        assert_eq!(chosen, zero);
        assert_eq!(malformed, [(1, Malformed::DefaultEvmLength)]);
    }

    #[tokio::test]
    async fn values_expire_with_their_oldest_read_and_forget_drops_a_node() {
        // Nothing listens on port 9 (discard): a read that is not cached fails.
        let store = L2Store::new(
            "http://127.0.0.1:9".parse().unwrap(),
            Address::ZERO,
            BlockNumberOrTag::Latest,
            Duration::from_secs(10),
            Duration::from_millis(200),
        );
        let query = RecordQuery::Contenthash;
        let cache = store.cache.as_ref().unwrap();
        let call = plan(NODE, &query).remove(0).1;
        let read_at = Instant::now() - Duration::from_secs(4);
        let value: Bytes = Bytes::from_static(&[0xe3]).abi_encode().into();
        cache.entries.insert((NODE, call), (value.clone(), read_at)).await;
        let (values, expiry) = store.values_with_expiry("a.dm3.eth", NODE, std::slice::from_ref(&query)).await.unwrap();
        assert_eq!(values, [value]);
        assert_eq!(expiry, Some(read_at + Duration::from_secs(10)));
        store.forget_node(B256::repeat_byte(8)); // another node: still cached
        assert!(store.values("a.dm3.eth", NODE, std::slice::from_ref(&query)).await.is_ok());
        store.forget_node(NODE);
        assert!(store.values("a.dm3.eth", NODE, &[query]).await.is_err());
    }
}
