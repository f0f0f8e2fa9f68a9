//! Records from a dm3 name registry on an L2 (`contracts/src/L2NameRegistry.sol`),
//! read over JSON-RPC: the trusted "signed L2 read" model.
//!
//! The registry answers the same record functions as a resolver (`text`,
//! `addr`, `addr(bytes32,uint256)`, `contenthash`) keyed by the ENS node, so a
//! record call is forwarded as is and its return data is the answer. All calls
//! of one request go out as one JSON-RPC batch (one round trip), together with
//! the block they were read at, which is logged.

use super::{NameRecord, NameWrite, RecordStore, StoreError, WriteOutcome};
use crate::{
    profile::SignedUserProfile,
    protocol::{RecordCalls, RecordQuery},
    store::{canonical_text_key, text_key_aliases},
};
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, Bytes, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::client::RpcClient,
    rpc::types::{Block, TransactionRequest},
    sol_types::{SolCall, SolValue},
};
use async_trait::async_trait;
use std::time::Duration;

/// Records of an L2 registry, with a short-lived cache.
#[derive(Clone)]
pub struct L2Store {
    client: RpcClient,
    provider: DynProvider,
    registry: Address,
    block: BlockNumberOrTag,
    timeout: Duration,
    /// (node, record call) → answer; entries live for the configured TTL.
    /// `None` when the TTL is zero: every request reads the L2.
    cache: Option<moka::future::Cache<(B256, Bytes), Bytes>>,
}

impl std::fmt::Debug for L2Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L2Store").field("registry", &self.registry).field("block", &self.block).finish_non_exhaustive()
    }
}

impl L2Store {
    /// Reads `registry` through the JSON-RPC endpoint `url` at `block`
    /// (`latest`, `safe`, `finalized`), caching answers for `cache_ttl` (zero:
    /// no cache), and failing a read after `timeout`.
    pub fn new(
        url: reqwest::Url,
        registry: Address,
        block: BlockNumberOrTag,
        cache_ttl: Duration,
        timeout: Duration,
    ) -> Self {
        let cache = (!cache_ttl.is_zero())
            .then(|| moka::future::Cache::builder().max_capacity(100_000).time_to_live(cache_ttl).build());
        let client = RpcClient::new_http(url);
        let provider = ProviderBuilder::new().connect_client(client.clone()).erased();
        Self { client, provider, registry, block, timeout, cache }
    }

    /// One batch: the block header at the tag and every call at that tag.
    async fn read(&self, calls: &[Bytes]) -> Result<(u64, Vec<Bytes>), StoreError> {
        let mut batch = self.client.new_batch();
        let header = batch
            .add_call::<_, Option<Block>>("eth_getBlockByNumber", &(self.block, false))
            .map_err(|e| StoreError::L2(e.to_string()))?;
        let mut waiters = Vec::with_capacity(calls.len());
        for call in calls {
            let tx = TransactionRequest::default().to(self.registry).input(call.clone().into());
            waiters.push(
                batch.add_call::<_, Bytes>("eth_call", &(tx, self.block)).map_err(|e| StoreError::L2(e.to_string()))?,
            );
        }
        let work = async {
            batch.send().await.map_err(|e| StoreError::L2(e.to_string()))?;
            let block = header.await.map_err(|e| StoreError::L2(e.to_string()))?.map_or(0, |b| b.header.number);
            let mut results = Vec::with_capacity(waiters.len());
            for waiter in waiters {
                results.push(waiter.await.map_err(|e| StoreError::L2(e.to_string()))?);
            }
            Ok::<_, StoreError>((block, results))
        };
        tokio::time::timeout(self.timeout, work).await.map_err(|_| StoreError::Timeout(self.timeout))?
    }
}

/// The registry call for a query (the registry's record functions are the resolver's).
fn record_call(node: B256, query: &RecordQuery) -> Bytes {
    match query {
        RecordQuery::Text(key) => RecordCalls::textCall { node, key: key.clone() }.abi_encode(),
        RecordQuery::Addr => RecordCalls::addr_0Call { node }.abi_encode(),
        RecordQuery::AddrCoin(coin) => RecordCalls::addr_1Call { node, coinType: *coin }.abi_encode(),
        RecordQuery::Contenthash => RecordCalls::contenthashCall { node }.abi_encode(),
    }
    .into()
}

/// Checks that the registry's return data has the record function's shape, so
/// the gateway never signs garbage; a bad answer is an L2 failure (5xx).
fn check_answer(query: &RecordQuery, data: &[u8]) -> Result<(), StoreError> {
    let ok = match query {
        RecordQuery::Text(_) => String::abi_decode_validate(data).is_ok(),
        RecordQuery::Addr => Address::abi_decode_validate(data).is_ok(),
        RecordQuery::AddrCoin(_) | RecordQuery::Contenthash => Bytes::abi_decode_validate(data).is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::L2(format!("registry returned malformed data for {query:?}")))
    }
}

/// The dm3 profile on the L2 is the owner's record and is served as is; a
/// malformed one is only flagged.
fn flag_bad_profile(name: &str, query: &RecordQuery, data: &[u8]) {
    let RecordQuery::Text(key) = query else { return };
    if canonical_text_key(key) != "eth.dm3.profile" {
        return;
    }
    let Ok(value) = String::abi_decode(data) else { return };
    if value.is_empty() {
        return;
    }
    let problem = match SignedUserProfile::from_text_record(&value) {
        Ok(profile) => profile.profile.validate().err(),
        Err(e) => Some(e),
    };
    if let Some(problem) = problem {
        metrics::counter!("dm3_gateway_l2_malformed_profiles_total").increment(1);
        tracing::warn!(target: "gateway::store", name, %problem, "malformed dm3 profile on the L2 (served as is)");
    }
}

/// The registry calls that answer `query`: a dm3 profile or delivery-service
/// key is also looked up under its alias keys (the registry stores keys as
/// the owner set them), the first non-empty value wins.
fn record_calls(node: B256, query: &RecordQuery) -> Vec<Bytes> {
    match query {
        RecordQuery::Text(key) => {
            text_key_aliases(key).into_iter().map(|k| record_call(node, &RecordQuery::Text(k.to_owned()))).collect()
        }
        _ => vec![record_call(node, query)],
    }
}

#[async_trait]
impl RecordStore for L2Store {
    async fn answer(&self, name: &str, node: B256, queries: &[RecordQuery]) -> Result<Vec<Bytes>, StoreError> {
        let plan: Vec<Vec<Bytes>> = queries.iter().map(|q| record_calls(node, q)).collect();
        let calls: Vec<&Bytes> = plan.iter().flatten().collect();
        let mut answers: Vec<Option<Bytes>> = Vec::with_capacity(calls.len());
        for call in &calls {
            let cached = match &self.cache {
                Some(cache) => cache.get(&(node, (*call).clone())).await,
                None => None,
            };
            answers.push(cached);
        }
        let missing: Vec<usize> = (0..calls.len()).filter(|&i| answers[i].is_none()).collect();
        if !missing.is_empty() {
            let wanted: Vec<Bytes> = missing.iter().map(|&i| calls[i].clone()).collect();
            let (block, results) = self.read(&wanted).await?;
            tracing::debug!(target: "gateway::store", name, block, calls = wanted.len(), "read from the L2");
            metrics::gauge!("dm3_gateway_l2_block").set(block as f64);
            for (&i, data) in missing.iter().zip(results) {
                if let Some(cache) = &self.cache {
                    cache.insert((node, calls[i].clone()), data.clone()).await;
                }
                answers[i] = Some(data);
            }
        }
        let mut answers = answers.into_iter().map(|a| a.expect("every answer is filled"));
        let mut out = Vec::with_capacity(queries.len());
        for (query, calls) in queries.iter().zip(&plan) {
            let candidates: Vec<Bytes> = answers.by_ref().take(calls.len()).collect();
            for data in &candidates {
                check_answer(query, data)?;
            }
            let empty = String::new().abi_encode();
            let chosen = candidates.iter().find(|d| d.as_ref() != empty.as_slice()).unwrap_or(&candidates[0]).clone();
            flag_bad_profile(name, query, &chosen);
            out.push(chosen);
        }
        Ok(out)
    }

    async fn record(&self, _name: &str) -> Result<Option<NameRecord>, StoreError> {
        Err(StoreError::ReadOnly("the L2 registry is read per record, not as a whole"))
    }

    async fn put_record(&self, _name: &str, _record: &NameRecord) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly("names live on the L2: write them there"))
    }

    async fn remove_record(&self, _name: &str) -> Result<bool, StoreError> {
        Err(StoreError::ReadOnly("names live on the L2: write them there"))
    }

    async fn write_name(&self, _write: &NameWrite) -> Result<WriteOutcome, StoreError> {
        Err(StoreError::ReadOnly("names live on the L2: write them there"))
    }

    async fn names_of(&self, _owner: Address) -> Result<Vec<String>, StoreError> {
        Err(StoreError::ReadOnly("names live on the L2: read them there"))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let work = self.provider.get_block_number();
        tokio::time::timeout(self.timeout, work)
            .await
            .map_err(|_| StoreError::Timeout(self.timeout))?
            .map_err(|e| StoreError::L2(e.to_string()))?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "l2"
    }
}
