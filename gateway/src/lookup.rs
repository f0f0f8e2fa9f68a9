//! The domain core: answer one `OffchainLookup` with a signed record.
//!
//! HTTP-free: the handlers in [`crate::http`] parse the request, call
//! [`LookupService::answer`], and map its [`Error`](crate::Error).

use crate::{
    protocol::{decode_request, encode_response, RecordCalls, RecordQuery, COIN_TYPE_ETH},
    signer::AnswerSigner,
    store::{NameRecord, RecordStore, StoreError},
    Error, Result,
};
use alloy::{
    primitives::{Address, Bytes},
    sol_types::{SolCall, SolValue},
};
use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

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

/// Answers CCIP-read requests from a [`RecordStore`], signing with an [`AnswerSigner`].
#[derive(Debug, Clone)]
pub struct LookupService {
    signer: AnswerSigner,
    store: Arc<dyn RecordStore>,
    policy: LookupPolicy,
}

impl LookupService {
    /// Creates the service.
    pub fn new(signer: AnswerSigner, store: Arc<dyn RecordStore>, policy: LookupPolicy) -> Self {
        Self { signer, store, policy }
    }

    /// The signer whose address resolvers must trust.
    pub const fn signer(&self) -> &AnswerSigner {
        &self.signer
    }

    /// The store records are read from.
    pub fn store(&self) -> &Arc<dyn RecordStore> {
        &self.store
    }

    /// The policy in force.
    pub const fn policy(&self) -> &LookupPolicy {
        &self.policy
    }

    /// Answers `calldata` (the `OffchainLookup` callData) for the resolver `origin`:
    /// returns `abi.encode(bytes result, uint64 expires, bytes sig)`.
    ///
    /// Unknown names and records give signed empty values; only malformed
    /// requests, unknown resolvers and unserved names are errors, and store
    /// failures are [`Error::Store`].
    pub async fn answer(&self, origin: Address, calldata: &[u8]) -> Result<Vec<u8>> {
        if !self.policy.resolvers.is_empty() && !self.policy.resolvers.contains(&origin) {
            return Err(Error::UnknownResolver(origin));
        }
        let request = decode_request(calldata)?;
        if !self.serves(&request.name) {
            return Err(Error::NameNotServed(request.name));
        }
        let timeout = self.policy.store_timeout;
        let record = tokio::time::timeout(timeout, self.store.record(&request.name))
            .await
            .map_err(|_| StoreError::Timeout(timeout))??
            .unwrap_or_default();

        let result: Bytes = if request.multicall {
            let results: Vec<Bytes> = request.queries.iter().map(|q| encode_record(&record, q).into()).collect();
            RecordCalls::multicallCall::abi_encode_returns(&results).into()
        } else {
            encode_record(&record, &request.queries[0]).into()
        };
        let expires = unix_now().saturating_add(self.policy.ttl.as_secs());
        let answer = self.signer.sign_answer(origin, calldata, result, expires)?;
        Ok(encode_response(&answer))
    }

    /// Whether `name` is a served parent or below one.
    fn serves(&self, name: &str) -> bool {
        self.policy
            .parents
            .iter()
            .any(|parent| name == parent || name.strip_suffix(parent.as_str()).is_some_and(|head| head.ends_with('.')))
    }
}

/// The ABI-encoded return value of one record call, with spec-exact empty
/// values: `""`, the zero address, or empty bytes.
fn encode_record(record: &NameRecord, query: &RecordQuery) -> Vec<u8> {
    match query {
        RecordQuery::Text(key) => record.text(key).unwrap_or_default().abi_encode(),
        RecordQuery::Addr => {
            let address = record
                .address(COIN_TYPE_ETH)
                .and_then(|bytes| <[u8; 20]>::try_from(bytes.as_ref()).ok())
                .map(Address::from)
                .unwrap_or_default();
            address.abi_encode()
        }
        RecordQuery::AddrCoin(coin_type) => {
            let bytes = u64::try_from(*coin_type).ok().and_then(|c| record.address(c)).cloned().unwrap_or_default();
            bytes.abi_encode()
        }
        RecordQuery::Contenthash => record.contenthash.clone().unwrap_or_default().abi_encode(),
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        protocol::{dns_encode, namehash, signature_digest, IResolverService},
        store::EmbeddedStore,
    };
    use alloy::primitives::{address, Signature, U256};

    fn coin_type(value: u64) -> U256 {
        U256::from(value)
    }

    const RESOLVER: Address = address!("1111111111111111111111111111111111111111");

    async fn make_service(resolvers: Vec<Address>) -> (LookupService, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let mut record = NameRecord::default();
        record.set_text("eth.dm3.profile", "data:application/json,{}");
        record.addresses.insert(60, Bytes::copy_from_slice(&[0xaa; 20]));
        store.put_record("alice.dm3.eth", &record).await.unwrap();
        let signer =
            AnswerSigner::from_hex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d").unwrap();
        let policy = LookupPolicy {
            resolvers,
            parents: vec!["dm3.eth".into()],
            ttl: Duration::from_secs(300),
            store_timeout: Duration::from_secs(2),
        };
        (LookupService::new(signer, Arc::new(store), policy), dir)
    }

    fn request(name: &str, data: Vec<u8>) -> Vec<u8> {
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: data.into() }.abi_encode()
    }

    fn open(service: &LookupService, calldata: &[u8], response: &[u8]) -> Bytes {
        let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(response).unwrap();
        assert!(expires > unix_now() + 250 && expires <= unix_now() + 300);
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
            let response = service.answer(RESOLVER, &calldata).await.unwrap();
            assert_eq!(open(&service, &calldata, &response).as_ref(), expected.as_slice());
        }
    }

    #[tokio::test]
    async fn unknown_name_gets_signed_empty_answer() {
        let (service, _dir) = make_service(vec![RESOLVER]).await;
        let node = namehash("nobody.dm3.eth");
        let calldata = request("nobody.dm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        let response = service.answer(RESOLVER, &calldata).await.unwrap();
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
        let response = service.answer(RESOLVER, &calldata).await.unwrap();
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
        assert!(matches!(service.answer(RESOLVER, &calldata).await, Err(Error::NameNotServed(_))));
        let node = namehash("xdm3.eth");
        let calldata = request("xdm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        assert!(matches!(service.answer(RESOLVER, &calldata).await, Err(Error::NameNotServed(_))));
        let node = namehash("alice.dm3.eth");
        let calldata = request("alice.dm3.eth", RecordCalls::addr_0Call { node }.abi_encode());
        let other = Address::repeat_byte(2);
        assert!(matches!(service.answer(other, &calldata).await, Err(Error::UnknownResolver(a)) if a == other));
        // Development mode: no allow-list, any resolver.
        let (open_service, _dir) = make_service(vec![]).await;
        assert!(open_service.answer(other, &calldata).await.is_ok());
    }
}
