//! Resolving names the way a wallet does: ENS registry → ENSIP-10 wildcard
//! resolver → EIP-3668 CCIP-read through alloy → `resolveWithProof` verifies.

use super::{ClientError, Result};
use crate::{contracts::IExtendedResolver, profile::SignedUserProfile};
use alloy::{
    primitives::{Address, Bytes},
    providers::{Provider, ProviderCcipReadExt},
    rpc::types::TransactionRequest,
    sol,
    sol_types::{SolCall, SolValue},
};
use dm3_protocol::{dns_encode, namehash, RecordCalls};

sol! {
    /// The part of the ENS registry a resolving client reads.
    #[sol(rpc)]
    interface IEnsRegistry {
        function resolver(bytes32 node) external view returns (address);
    }
}

/// ENSIP-10 interface id of `resolve(bytes,bytes)`.
const EXTENDED_RESOLVER_ID: [u8; 4] = [0x90, 0x61, 0xb9, 0x23];

/// A resolver found for a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundResolver {
    /// The resolver contract.
    pub address: Address,
    /// Whether it was set on the name itself (not inherited from a parent).
    pub exact: bool,
    /// Whether it implements ENSIP-10 `resolve(bytes,bytes)`.
    pub extended: bool,
}

/// Resolves ENS names through a registry, following CCIP-read.
#[derive(Debug, Clone)]
pub struct NameResolver<P> {
    provider: P,
    registry: Address,
}

impl<P: Provider> NameResolver<P> {
    /// A resolver over `provider` using the ENS registry at `registry`.
    pub const fn new(provider: P, registry: Address) -> Self {
        Self { provider, registry }
    }

    /// ENSIP-10: the resolver of `name` or of its closest ancestor that has one.
    pub async fn find_resolver(&self, name: &str) -> Result<FoundResolver> {
        let registry = IEnsRegistry::new(self.registry, &self.provider);
        let mut current = name;
        loop {
            let address = registry.resolver(namehash(current)).call().await?;
            if address != Address::ZERO {
                let supports = IExtendedResolver::new(address, &self.provider)
                    .supportsInterface(EXTENDED_RESOLVER_ID.into())
                    .call()
                    .await
                    .unwrap_or(false);
                return Ok(FoundResolver { address, exact: current == name, extended: supports });
            }
            match current.split_once('.') {
                Some((_, parent)) => current = parent,
                None if current.is_empty() => return Err(ClientError::NoResolver(name.to_owned())),
                None => current = "",
            }
        }
    }

    /// Calls record function `data` for `name` and returns its ABI-encoded answer.
    ///
    /// Extended resolvers get `resolve(dnsName, data)` through alloy's CCIP-read,
    /// so an offchain answer is only returned after the contract verified its
    /// signature in the callback. A wildcard resolver that is not extended gives
    /// an empty answer, as ENSIP-10 says.
    pub async fn call_record(&self, name: &str, data: Vec<u8>) -> Result<Option<Bytes>> {
        let resolver = self.find_resolver(name).await?;
        if resolver.extended {
            let call = IExtendedResolver::resolveCall { name: dns_encode(name)?.into(), data: data.into() };
            let tx = TransactionRequest::default().to(resolver.address).input(call.abi_encode().into());
            let raw = self.provider.call_with_ccip_read(tx).await?;
            let answer = IExtendedResolver::resolveCall::abi_decode_returns(&raw).map_err(ClientError::BadAnswer)?;
            Ok(Some(answer))
        } else if resolver.exact {
            let tx = TransactionRequest::default().to(resolver.address).input(data.into());
            Ok(Some(self.provider.call(tx).await?))
        } else {
            Ok(None)
        }
    }

    /// The text record `key` of `name` (`""` when unset).
    pub async fn text(&self, name: &str, key: &str) -> Result<String> {
        let data = RecordCalls::textCall { node: namehash(name), key: key.into() }.abi_encode();
        match self.call_record(name, data).await? {
            Some(answer) => String::abi_decode(&answer).map_err(ClientError::BadAnswer),
            None => Ok(String::new()),
        }
    }

    /// The Ether address of `name` (zero when unset).
    pub async fn addr(&self, name: &str) -> Result<Address> {
        let data = RecordCalls::addr_0Call { node: namehash(name) }.abi_encode();
        match self.call_record(name, data).await? {
            Some(answer) => Address::abi_decode(&answer).map_err(ClientError::BadAnswer),
            None => Ok(Address::ZERO),
        }
    }

    /// The dm3 profile of `name`, validated and checked to be signed by the
    /// name's `addr`; `None` when the name has no profile.
    pub async fn dm3_profile(&self, name: &str) -> Result<Option<SignedUserProfile>> {
        let mut value = String::new();
        for key in dm3_protocol::text_keys::PROFILE_LOOKUP_ORDER {
            value = self.text(name, key).await?;
            if !value.is_empty() {
                break;
            }
        }
        if value.is_empty() {
            return Ok(None);
        }
        let profile = SignedUserProfile::from_text_record(&value)?;
        profile.verify(self.addr(name).await?)?;
        Ok(Some(profile))
    }
}
