//! Free dm3 subnames: claim, update, transfer and release with owner
//! signatures — the domain core of the names API, independent of HTTP.
//!
//! Every write is a signed state change ([`NameChange`]): "after this, `name`
//! is owned by `owner` with records hashing to `recordsHash`", valid once (at
//! the name's current nonce) and until a deadline, in an EIP-712 domain bound
//! to the chain and the resolver. The store applies it atomically.

mod authorization;
pub mod dm3;
mod error;
mod records;
mod rules;

pub use authorization::{names_domain, NameChange, SignatureChecker};
pub use error::{NameRuleError, NamesError, RecordsError, Result};
pub use records::{
    records_hash, RecordsInput, MAX_ADDRESSES, MAX_ADDRESS_BYTES, MAX_CONTENTHASH_BYTES, MAX_RECORDS_JSON_BYTES,
    MAX_TEXTS, MAX_TEXT_KEY_BYTES, MAX_TEXT_VALUE_BYTES,
};
pub use rules::{normalize, ClaimableName, NameRules};

use crate::{
    profile::{registration_message, ProfileError},
    store::{NameRecord, NameStore, NameWrite, WriteConflict, WriteOutcome},
};
use alloy::{
    primitives::{eip191_hash_message, Address, Bytes},
    sol_types::Eip712Domain,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Furthest a signed deadline may lie in the future, in seconds.
pub const MAX_DEADLINE_AHEAD: u64 = 24 * 3600;

/// Policy of the names API.
#[derive(Debug, Clone)]
pub struct NamesConfig {
    /// Which names may be claimed.
    pub rules: NameRules,
    /// Most names one owner may hold (0: no limit).
    pub max_names_per_owner: u32,
    /// Chain id of the EIP-712 domain.
    pub chain_id: u64,
    /// Resolver contract of the EIP-712 domain.
    pub resolver: Address,
}

/// What a signed write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Claim an unclaimed name for `owner` (who signs).
    Claim {
        /// The claimer.
        owner: Address,
    },
    /// Replace the records (the owner signs).
    Update,
    /// Give the name to `new_owner` (the current owner signs).
    Transfer {
        /// The receiver.
        new_owner: Address,
    },
    /// Give the name up; its records are removed (the owner signs).
    Release,
}

/// A signed write as received.
#[derive(Debug, Clone)]
pub struct SignedWrite<'a> {
    /// The full name, e.g. `alice.dm3.eth`.
    pub name: &'a str,
    /// What to do.
    pub change: Change,
    /// The exact JSON text of the records (required for claim and update).
    pub records_json: Option<&'a str>,
    /// The name's current nonce.
    pub nonce: u64,
    /// Unix seconds until which the signature may be used.
    pub deadline: u64,
    /// The signer's signature over [`NameChange::digest`].
    pub signature: &'a [u8],
}

/// A name as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NameView {
    /// The name.
    pub name: String,
    /// Its owner (`null`: free to claim).
    pub owner: Option<Address>,
    /// The nonce the next signed write must carry.
    pub nonce: u64,
    /// Text records.
    pub texts: BTreeMap<String, String>,
    /// Addresses by coin type.
    pub addresses: BTreeMap<u64, Bytes>,
    /// Content hash.
    pub contenthash: Option<Bytes>,
}

impl NameView {
    /// The view of `record` under `name`.
    pub fn new(name: &str, record: NameRecord) -> Self {
        Self {
            name: name.to_owned(),
            owner: record.owner,
            nonce: record.nonce,
            texts: record.texts,
            addresses: record.addresses,
            contenthash: record.contenthash,
        }
    }
}

/// Claims and changes names in a writable store ([`NameStore`]).
#[derive(Debug, Clone)]
pub struct NamesService {
    store: NameStore,
    config: NamesConfig,
    domain: Eip712Domain,
    signatures: SignatureChecker,
}

impl NamesService {
    /// Creates the service; `signatures` decides whether ERC-1271 wallets can sign.
    pub fn new(store: NameStore, config: NamesConfig, signatures: SignatureChecker) -> Self {
        let domain = names_domain(config.chain_id, config.resolver);
        Self { store, config, domain, signatures }
    }

    /// The policy in force.
    pub const fn config(&self) -> &NamesConfig {
        &self.config
    }

    /// The EIP-712 domain writes are signed in.
    pub const fn domain(&self) -> &Eip712Domain {
        &self.domain
    }

    /// A name's owner, nonce and records (an unclaimed name has no owner).
    pub async fn get(&self, name: &str) -> Result<NameView> {
        let record = self.store.records.record(name).await?.unwrap_or_default();
        Ok(NameView::new(name, record))
    }

    /// The names `owner` holds.
    pub async fn names_of(&self, owner: Address) -> Result<Vec<String>> {
        Ok(self.store.owners.names_of(owner).await?)
    }

    /// Checks and applies a signed write; nothing is stored unless every check
    /// passes, and the store re-checks owner and nonce atomically.
    pub async fn apply(&self, write: SignedWrite<'_>) -> Result<NameView> {
        self.config.rules.check(write.name)?;
        check_deadline(write.deadline)?;
        let current = self.store.records.record(write.name).await?.unwrap_or_default();
        let (signer, new_owner) = match write.change {
            Change::Claim { owner } => {
                if current.owner.is_some() {
                    return Err(NamesError::NameTaken);
                }
                (owner, Some(owner))
            }
            Change::Update => {
                let owner = current.owner.ok_or(NamesError::NameNotClaimed)?;
                (owner, Some(owner))
            }
            Change::Transfer { new_owner } => (current.owner.ok_or(NamesError::NameNotClaimed)?, Some(new_owner)),
            Change::Release => (current.owner.ok_or(NamesError::NameNotClaimed)?, None),
        };
        if write.nonce != current.nonce {
            return Err(NamesError::NonceMismatch { signed: write.nonce, current: current.nonce });
        }
        let records = match (write.change, write.records_json) {
            (Change::Release, Some(_)) => {
                return Err(RecordsError::ReleaseWithRecords.into());
            }
            (Change::Claim { .. } | Change::Update, None) => {
                return Err(RecordsError::Missing.into());
            }
            (_, Some(json)) => RecordsInput::parse(json)?,
            (_, None) => RecordsInput::default(),
        };

        let change =
            NameChange::new(write.name, new_owner, records_hash(write.records_json), write.nonce, write.deadline);
        if !self.signatures.is_valid(signer, change.digest(&self.domain), write.signature).await? {
            return Err(NamesError::BadSignature(signer));
        }
        if let (Some(profile), Some(owner)) = (records.dm3_profile()?, new_owner) {
            let message = registration_message(owner, &profile.profile);
            let signature = alloy::hex::decode(&profile.signature).map_err(|_| ProfileError::SignatureNotHex)?;
            if !self.signatures.is_valid(owner, eip191_hash_message(message), &signature).await? {
                return Err(ProfileError::NotSignedByOwner(owner).into());
            }
        }

        let record = records.into_record(new_owner, write.nonce + 1);
        let outcome = self
            .store
            .writer
            .write_name(&NameWrite {
                name: write.name.to_owned(),
                expected_owner: current.owner,
                expected_nonce: write.nonce,
                record: record.clone(),
                max_names_per_owner: self.config.max_names_per_owner,
                indexed: true,
            })
            .await?;
        match outcome {
            WriteOutcome::Written => Ok(NameView::new(write.name, record)),
            WriteOutcome::Conflict(WriteConflict::NameTaken) => Err(NamesError::NameTaken),
            WriteOutcome::Conflict(WriteConflict::NotClaimed) => Err(NamesError::NameNotClaimed),
            WriteOutcome::Conflict(WriteConflict::NotOwner(_)) => Err(NamesError::BadSignature(signer)),
            WriteOutcome::Conflict(WriteConflict::NonceMismatch(current)) => {
                Err(NamesError::NonceMismatch { signed: write.nonce, current })
            }
            WriteOutcome::Conflict(WriteConflict::OwnerLimit) => {
                Err(NamesError::OwnerLimit { max: self.config.max_names_per_owner })
            }
        }
    }
}

fn check_deadline(deadline: u64) -> Result<()> {
    let now = crate::clock::unix_now();
    if deadline < now {
        return Err(NamesError::Expired { deadline, reason: "in the past" });
    }
    if deadline > now + MAX_DEADLINE_AHEAD {
        return Err(NamesError::Expired { deadline, reason: "too far in the future" });
    }
    Ok(())
}
