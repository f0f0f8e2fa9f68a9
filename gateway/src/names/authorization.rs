//! Who may change a name: EIP-712 signatures by the owner, checked by
//! recovery for EOAs and by ERC-1271 `isValidSignature` for contract wallets.

use super::error::Result;
use alloy::{
    primitives::{Address, Signature, B256, U256},
    providers::DynProvider,
    sol,
    sol_types::{eip712_domain, Eip712Domain, SolStruct},
};

sol! {
    /// The state a signed write leads to: `name` owned by `owner` (zero
    /// address: released) with records hashing to `recordsHash`, applicable
    /// only while the name's nonce is `nonce` and until `deadline`.
    #[derive(Debug, PartialEq, Eq)]
    struct NameChange {
        string name;
        address owner;
        bytes32 recordsHash;
        uint256 nonce;
        uint256 deadline;
    }

    /// ERC-1271 contract-wallet signature check.
    #[sol(rpc)]
    interface IERC1271 {
        function isValidSignature(bytes32 hash, bytes signature) external view returns (bytes4);
    }
}

/// ERC-1271 magic value meaning "valid".
const ERC1271_MAGIC: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];

/// The EIP-712 domain of name writes: bound to the chain and the resolver
/// contract whose names they change.
pub fn names_domain(chain_id: u64, resolver: Address) -> Eip712Domain {
    eip712_domain! {
        name: "dm3 names",
        version: "1",
        chain_id: chain_id,
        verifying_contract: resolver,
    }
}

impl NameChange {
    /// Builds the typed message.
    pub fn new(name: &str, owner: Option<Address>, records_hash: B256, nonce: u64, deadline: u64) -> Self {
        Self {
            name: name.to_owned(),
            owner: owner.unwrap_or_default(),
            recordsHash: records_hash,
            nonce: U256::from(nonce),
            deadline: U256::from(deadline),
        }
    }

    /// The EIP-712 digest the owner signs.
    pub fn digest(&self, domain: &Eip712Domain) -> B256 {
        self.eip712_signing_hash(domain)
    }
}

/// Checks signatures of EOAs and, with an RPC endpoint, of contract wallets.
#[derive(Debug, Clone, Default)]
pub struct SignatureChecker {
    rpc: Option<DynProvider>,
}

impl SignatureChecker {
    /// A checker; without `rpc` only EOA signatures can be valid.
    pub const fn new(rpc: Option<DynProvider>) -> Self {
        Self { rpc }
    }

    /// Whether `signature` is `signer`'s over `hash`: 65-byte ECDSA recovering
    /// to `signer`, or else `signer.isValidSignature(hash, signature)` returning
    /// the ERC-1271 magic value. RPC failures are errors (5xx), not "invalid".
    pub async fn is_valid(&self, signer: Address, hash: B256, signature: &[u8]) -> Result<bool> {
        if let Ok(sig) = Signature::try_from(signature) {
            if sig.recover_address_from_prehash(&hash).is_ok_and(|a| a == signer) {
                return Ok(true);
            }
        }
        let Some(rpc) = &self.rpc else { return Ok(false) };
        let code = alloy::providers::Provider::get_code_at(rpc, signer).await?;
        if code.is_empty() {
            return Ok(false);
        }
        match IERC1271::new(signer, rpc).isValidSignature(hash, signature.to_vec().into()).call().await {
            Ok(magic) => Ok(magic.0 == ERC1271_MAGIC),
            // A revert is a "no" from the wallet; a transport failure is ours.
            Err(alloy::contract::Error::TransportError(e)) if e.as_error_resp().is_none() => Err(e.into()),
            Err(_) => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::signers::{local::PrivateKeySigner, SignerSync};

    #[tokio::test]
    async fn eoa_signatures_bind_every_field() {
        let owner = PrivateKeySigner::random();
        let domain = names_domain(1, Address::repeat_byte(1));
        let change = NameChange::new("alice.dm3.eth", Some(owner.address()), B256::repeat_byte(2), 0, 100);
        let digest = change.digest(&domain);
        let signature = owner.sign_hash_sync(&digest).unwrap().as_bytes();
        let checker = SignatureChecker::default();
        assert!(checker.is_valid(owner.address(), digest, &signature).await.unwrap());

        let variants = [
            NameChange::new("bob.dm3.eth", Some(owner.address()), B256::repeat_byte(2), 0, 100),
            NameChange::new("alice.dm3.eth", Some(Address::repeat_byte(9)), B256::repeat_byte(2), 0, 100),
            NameChange::new("alice.dm3.eth", Some(owner.address()), B256::repeat_byte(3), 0, 100),
            NameChange::new("alice.dm3.eth", Some(owner.address()), B256::repeat_byte(2), 1, 100),
            NameChange::new("alice.dm3.eth", Some(owner.address()), B256::repeat_byte(2), 0, 101),
        ];
        for other in variants {
            let digest = other.digest(&domain);
            assert!(!checker.is_valid(owner.address(), digest, &signature).await.unwrap(), "{other:?}");
        }
        for other_domain in [names_domain(2, Address::repeat_byte(1)), names_domain(1, Address::repeat_byte(2))] {
            let digest = change.digest(&other_domain);
            assert!(!checker.is_valid(owner.address(), digest, &signature).await.unwrap());
        }
        assert!(!checker.is_valid(owner.address(), digest, &signature[..64]).await.unwrap());
    }
}
