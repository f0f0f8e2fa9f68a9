//! The cache of signed answers' HTTP responses: keyed by (resolver, callData), fresh for a
//! fraction of the signature lifetime, bounded in bytes, with in-flight
//! de-duplication, and dropped for a name as soon as that name changes.
//!
//! Invalidation uses per-name *generations* instead of scanning the cache:
//! every name hashes to one of [`GENERATION_SLOTS`] counters, an answer
//! remembers the counter's value from before its store read, and a write to
//! the name (in this process through [`InvalidatingWriter`], in another process
//! through the Redis change channel) bumps the counter, so the answer is stale
//! on its next read. Two names sharing a slot only cost an extra miss.

use crate::store::{ChangeSink, NameRecord, NameWrite, NameWriter, StoreError, WriteOutcome};
use alloy::primitives::{Address, Bytes, B256};
use async_trait::async_trait;
use dm3_protocol::namehash;
use std::{
    hash::BuildHasher,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// Number of generation counters names are hashed onto.
pub const GENERATION_SLOTS: usize = 4096;

/// Per-name change counters shared by the cache, the local store wrapper and
/// the Redis change listener.
#[derive(Debug)]
pub struct NameGenerations {
    slots: Box<[AtomicU64]>,
    /// Bumped when changes may have been missed (change channel lost): every answer is stale.
    epoch: AtomicU64,
    /// Whether changes are being heard; while not, the cache is bypassed.
    live: AtomicBool,
    /// Whether a change channel (Redis) is subscribed, so writes can wait for their echo.
    channel: AtomicBool,
    /// Changes heard on the channel so far.
    heard: AtomicU64,
    echo: tokio::sync::Notify,
    hasher: std::collections::hash_map::RandomState,
}

/// The generation an answer was computed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    slot: u32,
    generation: u64,
    epoch: u64,
}

impl Default for NameGenerations {
    fn default() -> Self {
        Self::new(true)
    }
}

impl NameGenerations {
    /// Counters all at zero; `live` says whether changes are heard from the start
    /// (true for a store only this process writes).
    pub fn new(live: bool) -> Self {
        Self {
            slots: (0..GENERATION_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            epoch: AtomicU64::new(0),
            live: AtomicBool::new(live),
            channel: AtomicBool::new(false),
            heard: AtomicU64::new(0),
            echo: tokio::sync::Notify::new(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Names are counted by their node (`namehash(name)`), so that a change
    /// known only by its node (an L2 registry event) reaches the same counter
    /// as a write that knows the name.
    fn slot(&self, node: B256) -> usize {
        (self.hasher.hash_one(node) % GENERATION_SLOTS as u64) as usize
    }

    /// The current stamp of `name`; take it *before* reading the store.
    pub fn stamp(&self, name: &str) -> Stamp {
        self.stamp_node(namehash(name))
    }

    /// The current stamp of the name whose node is `node`; take it *before* reading the store.
    pub fn stamp_node(&self, node: B256) -> Stamp {
        let slot = self.slot(node);
        Stamp {
            slot: slot as u32,
            generation: self.slots[slot].load(Ordering::Acquire),
            epoch: self.epoch.load(Ordering::Acquire),
        }
    }

    /// Whether nothing changed for the stamped name since the stamp was taken.
    pub fn is_current(&self, stamp: Stamp) -> bool {
        self.slots[stamp.slot as usize].load(Ordering::Acquire) == stamp.generation
            && self.epoch.load(Ordering::Acquire) == stamp.epoch
    }

    /// `name` changed: answers about it are stale. Call *after* the write.
    pub fn changed(&self, name: &str) {
        self.changed_node(namehash(name));
    }

    /// The name whose node is `node` changed: answers about it are stale. Call *after* the write.
    pub fn changed_node(&self, node: B256) {
        self.slots[self.slot(node)].fetch_add(1, Ordering::AcqRel);
    }

    /// Anything may have changed: every answer is stale.
    pub fn changed_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether changes are heard (a cached answer may be served).
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// Marks changes as heard or not; going either way makes every answer stale.
    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.changed_all();
    }

    /// A change channel was subscribed (`true`) or lost (`false`): the live
    /// state follows it.
    pub fn set_channel(&self, subscribed: bool) {
        self.channel.store(subscribed, Ordering::Release);
        self.set_live(subscribed);
        self.echo.notify_waiters();
    }

    /// `name` changed, as heard on the change channel.
    pub fn heard(&self, name: &str) {
        self.changed(name);
        self.heard.fetch_add(1, Ordering::AcqRel);
        self.echo.notify_waiters();
    }

    /// After a write of this process: waits (at most `limit`) until the
    /// channel brought a change heard after `before` (see
    /// [`NameGenerations::heard_count`]), then [`PROPAGATION_GRACE`] more.
    /// Redis writes a message to every subscriber in the same delivery, so
    /// when this process has heard its own write the other gateways have it
    /// in their socket; they apply it a few task switches later, which the
    /// grace covers. That makes "a client that got the write's answer and
    /// asks another gateway next gets a fresh answer" hold in practice; it is
    /// not a proof (a gateway stalled for longer can still serve the old
    /// answer, never older than `--cache-ttl`).
    pub async fn await_echo(&self, before: u64, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.channel.load(Ordering::Acquire) && self.heard.load(Ordering::Acquire) <= before {
            let notified = self.echo.notified();
            if self.heard.load(Ordering::Acquire) > before {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
        if self.channel.load(Ordering::Acquire) {
            tokio::time::sleep(PROPAGATION_GRACE).await;
        }
    }

    /// Changes heard on the channel so far (take it before a write).
    pub fn heard_count(&self) -> u64 {
        self.heard.load(Ordering::Acquire)
    }
}

/// The HTTP response of one signed answer, ready to send many times without
/// copying. Only the JSON body is kept (the ABI response is in it as hex): a
/// cached response costs its body, its key and a fixed overhead.
#[derive(Debug)]
pub struct CachedResponse {
    /// The EIP-3668 JSON body `{"data":"0x…"}` around the hex of
    /// `abi.encode(bytes result, uint64 expires, bytes sig)`.
    pub body: Bytes,
    /// A strong `ETag` (quoted), from the signature's first bytes.
    pub etag: Bytes,
    /// The record function asked (`text`, `addr`, `multicall`, …), for metrics.
    pub record_function: &'static str,
    /// When the answer was signed.
    pub signed_at: Instant,
    /// How long after `signed_at` it may be served again (0: not at all):
    /// the cache's freshness, shortened to the remaining life of the store
    /// reads it was built from (see [`crate::store::RecordReader::values_with_expiry`]).
    pub fresh_for: Duration,
    pub(crate) stamp: Option<Stamp>,
}

impl CachedResponse {
    /// Wraps a signed `response` whose signature is `signature`.
    pub fn new(response: Vec<u8>, signature: &[u8; 65], record_function: &'static str, fresh_for: Duration) -> Self {
        let mut body = Vec::with_capacity(14 + 2 * response.len());
        body.extend_from_slice(b"{\"data\":\"0x");
        let start = body.len();
        body.resize(start + 2 * response.len(), 0);
        alloy::hex::encode_to_slice(&response, &mut body[start..]).expect("buffer is twice the input");
        body.extend_from_slice(b"\"}");
        let mut etag = Vec::with_capacity(26);
        etag.push(b'"');
        etag.extend_from_slice(alloy::hex::encode(&signature[..12]).as_bytes());
        etag.push(b'"');
        Self {
            body: Bytes::from(body),
            etag: Bytes::from(etag),
            record_function,
            signed_at: Instant::now(),
            fresh_for,
            stamp: None,
        }
    }

    /// The ABI response: `abi.encode(bytes result, uint64 expires, bytes sig)`.
    pub fn response(&self) -> Vec<u8> {
        let hex = &self.body[b"{\"data\":\"0x".len()..self.body.len() - 2];
        alloy::hex::decode(hex).expect("the body was rendered from bytes")
    }

    /// Whether it may still be served again.
    pub fn is_fresh(&self) -> bool {
        self.signed_at.elapsed() < self.fresh_for
    }

    /// Whole seconds it may still be served from a cache (0: revalidate).
    pub fn max_age(&self) -> u64 {
        self.fresh_for.saturating_sub(self.signed_at.elapsed()).as_secs()
    }

    /// Bytes this answer holds in the cache: key, body, tag, and the
    /// allocations and cache bookkeeping around them (measured, roughly).
    fn weight(&self) -> u32 {
        let bytes = 256 + std::mem::size_of::<CacheKey>() + self.body.len() + self.etag.len();
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }
}

/// (resolver signed for, SHA-256 of the callData). The hash instead of the
/// callData keeps a key at 52 bytes (a multicall's callData is ~1 KiB); a
/// collision is out of reach, and even one could not pass off an answer:
/// the signature covers the callData's keccak256, which the resolver
/// recomputes. SHA-256 rather than keccak256 because CPUs hash it in
/// hardware (SHA extensions, detected at run time): keccak256 of the
/// callData was 8% of a cached multicall answer's CPU time.
pub(crate) type CacheKey = (Address, [u8; 32]);

/// The cache key of `calldata` asked for resolver `origin`.
pub(crate) fn cache_key(origin: Address, calldata: &[u8]) -> CacheKey {
    use sha2::Digest;
    (origin, sha2::Sha256::digest(calldata).into())
}

/// Sizing of the [`ResponseCache`].
#[derive(Debug, Clone, Copy)]
pub struct CacheConfig {
    /// How long an answer is served again; must be shorter than the signature lifetime.
    pub fresh_for: Duration,
    /// Most bytes the cached answers (with their keys) may take.
    pub max_bytes: u64,
}

/// Bounded, time-limited cache of the responses of signed answers, with
/// in-flight de-duplication.
#[derive(Clone)]
pub struct ResponseCache {
    answers: moka::future::Cache<CacheKey, Arc<CachedResponse>>,
    generations: Arc<NameGenerations>,
    config: CacheConfig,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.answers.entry_count())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ResponseCache {
    /// A cache whose entries go stale with `generations`.
    pub fn new(config: CacheConfig, generations: Arc<NameGenerations>) -> Self {
        let answers = moka::future::Cache::builder()
            .max_capacity(config.max_bytes)
            .weigher(|_: &CacheKey, answer: &Arc<CachedResponse>| answer.weight())
            .time_to_live(config.fresh_for)
            .build();
        Self { answers, generations, config }
    }

    /// The sizing in force.
    pub const fn config(&self) -> CacheConfig {
        self.config
    }

    /// The generations entries are checked against.
    pub const fn generations(&self) -> &Arc<NameGenerations> {
        &self.generations
    }

    /// Whether cached answers may be used now (changes are being heard).
    pub fn is_live(&self) -> bool {
        self.generations.is_live()
    }

    /// A current cached answer for `key`, dropping a stale one (its name
    /// changed, or its own freshness ran out before the cache's TTL).
    pub(crate) async fn get(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        let answer = self.answers.get(key).await?;
        if answer.is_fresh() && answer.stamp.is_some_and(|stamp| self.generations.is_current(stamp)) {
            return Some(answer);
        }
        self.answers.invalidate(key).await;
        None
    }

    /// The answer for `key`: computed by `init` once for all concurrent callers.
    /// Returns the answer and whether this caller's `init` ran; a failure is
    /// shared by every caller that waited on it, and is not cached.
    pub(crate) async fn get_with<E: Send + Sync + 'static>(
        &self,
        key: &CacheKey,
        init: impl std::future::Future<Output = Result<Arc<CachedResponse>, E>>,
    ) -> Result<(Arc<CachedResponse>, bool), Arc<E>> {
        let ran = AtomicBool::new(false);
        let answer = self
            .answers
            .try_get_with_by_ref(key, async {
                ran.store(true, Ordering::Relaxed);
                init.await
            })
            .await?;
        Ok((answer, ran.load(Ordering::Relaxed)))
    }

    /// Drops `key` (its answer went stale while being computed).
    pub(crate) async fn invalidate(&self, key: &CacheKey) {
        self.answers.invalidate(key).await;
    }

    /// Number of cached answers (approximate).
    pub fn entry_count(&self) -> u64 {
        self.answers.entry_count()
    }
}

/// Most time a write waits for its echo on the change channel.
const ECHO_WAIT: Duration = Duration::from_millis(100);

/// Time a write waits after its echo, for the other gateways to apply the
/// change they received in the same delivery (see [`NameGenerations::await_echo`]).
pub const PROPAGATION_GRACE: Duration = Duration::from_millis(20);

/// A [`NameWriter`] that marks a name changed after every write through it,
/// so this process's cache drops the name's answers at once — and, on a
/// shared store with a change channel, returns only once the change was
/// heard back (at most [`ECHO_WAIT`]), so other gateways have it too.
#[derive(Debug)]
pub struct InvalidatingWriter {
    inner: Arc<dyn NameWriter>,
    generations: Arc<NameGenerations>,
}

impl InvalidatingWriter {
    /// Wraps `inner` (reads do not change anything, so they go to the
    /// backend directly, not through this).
    pub fn new(inner: Arc<dyn NameWriter>, generations: Arc<NameGenerations>) -> Self {
        Self { inner, generations }
    }

    async fn after_write(&self, name: &str, before: u64, written: bool) {
        self.generations.changed(name);
        if written {
            self.generations.await_echo(before, ECHO_WAIT).await;
        }
    }
}

#[async_trait]
impl NameWriter for InvalidatingWriter {
    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError> {
        let before = self.generations.heard_count();
        let result = self.inner.put_record(name, record).await;
        self.after_write(name, before, result.is_ok()).await;
        result
    }

    async fn remove_record(&self, name: &str) -> Result<bool, StoreError> {
        let before = self.generations.heard_count();
        let result = self.inner.remove_record(name).await;
        self.after_write(name, before, result.is_ok()).await;
        result
    }

    async fn write_name(&self, write: &NameWrite) -> Result<WriteOutcome, StoreError> {
        let before = self.generations.heard_count();
        let result = self.inner.write_name(write).await;
        let written = matches!(result, Ok(WriteOutcome::Written));
        self.after_write(&write.name, before, written).await;
        result
    }
}

/// The generations follow a backend's change feed: a change the feed reports
/// makes the answers about that name stale, a lost or regained subscription
/// makes every answer stale (and the cache is bypassed while it is lost).
impl ChangeSink for NameGenerations {
    fn node_changed(&self, node: B256) {
        self.changed_node(node);
    }

    /// Counted as heard, so that a write of this process can wait for its echo.
    fn name_changed(&self, name: &str) {
        self.heard(name);
    }

    fn all_changed(&self) {
        self.changed_all();
    }

    fn subscribed(&self, subscribed: bool) {
        self.set_channel(subscribed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_makes_only_that_names_stamp_stale() {
        let generations = NameGenerations::default();
        let alice = generations.stamp("alice.dm3.eth");
        let bob = generations.stamp("bob.dm3.eth");
        assert!(generations.is_current(alice) && generations.is_current(bob));
        generations.changed("alice.dm3.eth");
        assert!(!generations.is_current(alice));
        // bob is only stale if he shares alice's slot (1 in 4096).
        assert_eq!(generations.is_current(bob), bob.slot != alice.slot);
        let alice = generations.stamp("alice.dm3.eth");
        assert!(generations.is_current(alice));
        generations.set_live(false);
        assert!(!generations.is_current(alice) && !generations.is_live());
    }

    #[test]
    fn the_change_feed_drives_the_generations() {
        let generations = NameGenerations::new(false);
        let sink: &dyn ChangeSink = &generations;
        assert!(!generations.is_live());
        sink.subscribed(true);
        assert!(generations.is_live());
        let alice = generations.stamp("alice.dm3.eth");
        let before = generations.heard_count();
        // A name from the feed is stale at once, and counts as heard (a write's echo).
        sink.name_changed("alice.dm3.eth");
        assert!(!generations.is_current(alice));
        assert_eq!(generations.heard_count(), before + 1);
        // A node from the feed reaches the same counter as the name.
        let alice = generations.stamp("alice.dm3.eth");
        sink.node_changed(namehash("alice.dm3.eth"));
        assert!(!generations.is_current(alice));
        let alice = generations.stamp("alice.dm3.eth");
        sink.all_changed();
        assert!(!generations.is_current(alice));
        // Losing the feed bypasses the cache and makes every stamp stale.
        let alice = generations.stamp("alice.dm3.eth");
        sink.subscribed(false);
        assert!(!generations.is_live() && !generations.is_current(alice));
    }

    #[test]
    fn answer_body_and_etag() {
        let answer = CachedResponse::new(vec![0xab, 0x01], &[0x11; 65], "text", Duration::from_secs(75));
        assert_eq!(answer.body.as_ref(), br#"{"data":"0xab01"}"#);
        assert_eq!(answer.response(), [0xab, 0x01]);
        assert_eq!(answer.etag.as_ref(), br#""111111111111111111111111""#);
        assert!(answer.max_age() >= 74 && answer.max_age() <= 75);
        let off = CachedResponse::new(vec![], &[0; 65], "text", Duration::ZERO);
        assert_eq!(off.max_age(), 0);
    }
}
