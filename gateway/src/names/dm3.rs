//! dm3's own profile API (`/profile/…` of dm3's offchain-resolver,
//! `packages/offchain-resolver/src/http/profile.ts` in dm3-org/dm3), on the
//! same store and through the same atomic write as the names API.
//!
//! Two kinds of names:
//! - an **address name** `<address>.<addr parent>` (`0x….addr.dm3.eth`), whose
//!   profile is signed by the address (EIP-191 `personal_sign` of dm3's
//!   profile-creation message, or ERC-1271 with an RPC). It is derived from
//!   its owner, so it stays out of the owner → names index and does not count
//!   toward the per-owner limit; one per parent and address by construction.
//! - an **alias** `<label>.<parent>` (`alice.dm3.eth`), a names-API name owned
//!   by the address, claimed with an Ed25519 signature (dm3-lib-crypto `sign`)
//!   over `"alias: " + name` by the address name's `publicSigningKey`. An
//!   address holds one alias (the store checks it atomically).
//!
//! Every write carries the name's current nonce and bumps it, so a names-API
//! EIP-712 signature made before it is stale. dm3's messages have no nonce or
//! expiry: see docs/SECURITY.md for the replays that allows.

use super::{normalize, NameRules, NamesError, NamesService};
use crate::{
    profile::{registration_message, SignedUserProfile},
    store::{NameRecord, NameWrite, WriteConflict, WriteOutcome},
};
use alloy::{
    primitives::{eip191_hash_message, Address, Bytes},
    providers::{DynProvider, Provider},
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use dm3_protocol::COIN_TYPE_ETH;
use std::sync::Arc;

/// The prefix of the message an alias claim signs (dm3's `claimSubdomain`).
pub const ALIAS_MESSAGE_PREFIX: &str = "alias: ";
/// The prefix of the message an alias removal signs (dm3's `removeAlias`).
pub const REMOVE_MESSAGE_PREFIX: &str = "remove: ";
/// The text key the profile is stored under (served under its dm3 aliases too).
use dm3_protocol::text_keys::PROFILE as PROFILE_KEY;

/// Why a dm3 profile-API request was refused (`400 {"error": …}` as dm3's
/// server answers) or failed (store, RPC: 5xx).
#[derive(Debug, thiserror::Error)]
pub enum Dm3Error {
    /// The body does not match dm3's schema (`SignedUserProfile`, an address, a subdomain).
    #[error("invalid schema")]
    InvalidSchema,
    /// The profile's keys are malformed or it is not signed by the address.
    #[error("invalid profile: {0}")]
    InvalidProfile(String),
    /// `subdomain` is not one of the address-name parents.
    #[error("subdomain {0} is not supported")]
    UnsupportedSubdomain(String),
    /// The address name of an alias claim has no profile.
    #[error("Could not find profile")]
    NoProfile,
    /// The Ed25519 signature is not the profile's signing key's.
    #[error("signature invalid")]
    SignatureInvalid,
    /// Spam protection: the address holds no ETH.
    #[error("Insuficient ETH balance")]
    InsufficientBalance,
    /// The alias is not one claimable label under a served parent.
    #[error("dm3 name {name} is not supported. Invalid subdomain: {reason}")]
    UnsupportedName {
        /// The name as sent.
        name: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The alias could not be stored (taken, or the address already has one).
    #[error("Could not create alias: {0}")]
    CouldNotCreateAlias(&'static str),
    /// The name to remove has no owner with a profile.
    #[error("Couldn't get address")]
    NoAddress,
    /// The alias changed between reading and removing it.
    #[error("Couldn't remove profile")]
    CouldNotRemove,
    /// An imported name is not ENSIP-15 normalized.
    #[error("name {name:?} is not ENSIP-15 normalized{}", .normalized.as_ref().map(|n| format!(" (normalized: {n:?})")).unwrap_or_default())]
    NotNormalized {
        /// The name as exported.
        name: String,
        /// Its normalized form, if it has one.
        normalized: Option<String>,
    },
    /// An imported row's `nameHash` is not `namehash(ensName)`.
    #[error("nameHash is not namehash({0:?})")]
    NameHashMismatch(String),
    /// An imported name or alias is held by another address, or the address
    /// already holds another alias.
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The store or the RPC endpoint failed (or a names rule refused).
    #[error(transparent)]
    Names(#[from] NamesError),
}

impl From<crate::store::StoreError> for Dm3Error {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Names(error.into())
    }
}

/// Why the dm3 profile API cannot be set up with the options given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Dm3SetupError {
    /// A parent is both a names-API parent and an address-name parent: anyone
    /// could claim `0x….addr.dm3.eth` through the names API.
    #[error("{0} is both a --parent and a --dm3-addr-parent")]
    SharedParent(String),
    /// Spam protection reads balances, which needs an RPC endpoint.
    #[error("--dm3-spam-protection needs --rpc-url")]
    SpamProtectionWithoutRpc,
}

/// Result of the dm3 profile API.
pub type Dm3Result<T> = std::result::Result<T, Dm3Error>;

/// Policy of the dm3 profile API.
#[derive(Debug, Clone)]
pub struct Dm3Config {
    /// Parents of address names, e.g. `addr.dm3.eth`.
    pub addr_parents: Vec<String>,
    /// Refuse aliases for addresses without ETH (needs `balances`).
    pub spam_protection: bool,
}

/// dm3's profile API over a [`NamesService`]'s store, rules and signature checks.
#[derive(Debug, Clone)]
pub struct Dm3Profiles {
    names: Arc<NamesService>,
    config: Dm3Config,
    addr_rules: NameRules,
    balances: Option<DynProvider>,
}

/// Parses an address as ethers' `isAddress` accepts it: 40 hex digits after an
/// optional `0x`, all one case or with a valid EIP-55 checksum.
pub fn parse_address(text: &str) -> Option<Address> {
    let hex = text.strip_prefix("0x").unwrap_or(text);
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mixed = hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if mixed {
        Address::parse_checksummed(format!("0x{hex}"), None).ok()
    } else {
        hex.parse().ok()
    }
}

/// Checks a dm3-lib-crypto `sign` signature: standard base64 of a 64-byte
/// Ed25519 signature over the UTF-8 `message` by the base64 `public_key`
/// (strict verification, as libsodium's `crypto_sign_verify_detached`).
pub fn check_ed25519(public_key: &str, message: &str, signature: &str) -> bool {
    let key = BASE64.decode(public_key).ok().and_then(|k| <[u8; 32]>::try_from(k).ok());
    let signature = BASE64.decode(signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok());
    let (Some(key), Some(signature)) = (key, signature) else { return false };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else { return false };
    key.verify_strict(message.as_bytes(), &ed25519_dalek::Signature::from_bytes(&signature)).is_ok()
}

/// One row of dm3's offchain-resolver Postgres database, as the README's
/// `psql` command exports it: a `ProfileContainer` and its `Alias`, if any.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dm3Row {
    /// `ProfileContainer.nameHash`: `namehash(ensName)`.
    pub name_hash: String,
    /// `ProfileContainer.profile`: the signed profile, as JSON or as a string of JSON
    /// (dm3 stores `JSON.stringify(profile)`).
    pub profile: serde_json::Value,
    /// `ProfileContainer.ensName`: the address name, e.g. `0x….addr.dm3.eth`.
    pub ens_name: String,
    /// `ProfileContainer.address`.
    pub address: String,
    /// `Alias.alias`, e.g. `alice.dm3.eth`.
    #[serde(default)]
    pub alias: Option<String>,
}

fn check_normalized(name: &str) -> Dm3Result<()> {
    match normalize(name) {
        Ok(normalized) if normalized == name => Ok(()),
        Ok(normalized) => Err(Dm3Error::NotNormalized { name: name.to_owned(), normalized: Some(normalized) }),
        Err(_) => Err(Dm3Error::NotNormalized { name: name.to_owned(), normalized: None }),
    }
}

/// The stored profile of `record`, if it has one that parses.
fn profile_of(record: &NameRecord) -> Option<SignedUserProfile> {
    record.text(PROFILE_KEY).and_then(|text| SignedUserProfile::from_text_record(text).ok())
}

impl Dm3Profiles {
    /// The API over `names`; `balances` reads ETH balances for the spam protection.
    ///
    /// Address-name parents must not be names-API parents too: otherwise
    /// anyone could claim `0x….addr.dm3.eth` through the names API.
    pub fn new(
        names: Arc<NamesService>,
        config: Dm3Config,
        balances: Option<DynProvider>,
    ) -> Result<Self, Dm3SetupError> {
        let rules = &names.config().rules;
        if let Some(both) = config.addr_parents.iter().find(|p| rules.parents.contains(p)) {
            return Err(Dm3SetupError::SharedParent(both.clone()));
        }
        if config.spam_protection && balances.is_none() {
            return Err(Dm3SetupError::SpamProtectionWithoutRpc);
        }
        let addr_rules = NameRules {
            parents: config.addr_parents.clone(),
            min_label_length: rules.min_label_length,
            reserved: rules.reserved.clone(),
        };
        Ok(Self { names, config, addr_rules, balances })
    }

    /// The policy in force.
    pub const fn config(&self) -> &Dm3Config {
        &self.config
    }

    /// `POST /profile/address`: stores `profile` as the record of the address
    /// name `<address>.<subdomain>` (lower-case hex), after checking its shape
    /// and that `address` signed it. An alias the address holds gets the new
    /// profile too. Returns the address name.
    pub async fn set_address_profile(
        &self,
        profile: SignedUserProfile,
        address: Address,
        subdomain: &str,
    ) -> Dm3Result<String> {
        profile.profile.validate().map_err(|e| Dm3Error::InvalidProfile(e.to_string()))?;
        let signature = alloy::hex::decode(&profile.signature)
            .map_err(|_| Dm3Error::InvalidProfile("signature is not hex".into()))?;
        let digest = eip191_hash_message(registration_message(address, &profile.profile));
        if !self.names.signatures.is_valid(address, digest, &signature).await? {
            return Err(Dm3Error::InvalidProfile(format!("not signed by {address}")));
        }
        let name = format!("{address:#x}.{subdomain}");
        if !self.config.addr_parents.iter().any(|p| p == subdomain) {
            return Err(Dm3Error::UnsupportedSubdomain(subdomain.to_owned()));
        }
        self.addr_rules.check(&name).map_err(|e| Dm3Error::UnsupportedSubdomain(format!("{subdomain} ({e})")))?;

        self.write_profile(&name, address, &profile, false).await?;
        for alias in self.names.store.owners.names_of(address).await? {
            // An alias serves the address's current profile; names without a
            // profile are left alone, and a concurrent change of the alias
            // wins (it re-reads the profile itself).
            let has_profile = self.names.store.records.record(&alias).await?.as_ref().and_then(profile_of).is_some();
            if !has_profile {
                continue;
            }
            match self.write_profile(&alias, address, &profile, true).await {
                Ok(()) | Err(Dm3Error::CouldNotCreateAlias(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(name)
    }

    /// Writes `profile` (and `addr` = `owner`) into `name` owned by `owner`,
    /// keeping its other records, at its current nonce; no write (and no
    /// nonce bump) when the record already is so.
    async fn write_profile(
        &self,
        name: &str,
        owner: Address,
        profile: &SignedUserProfile,
        indexed: bool,
    ) -> Dm3Result<()> {
        let current = self.names.store.records.record(name).await?.unwrap_or_default();
        if current.owner.is_some_and(|o| o != owner) || (indexed && current.owner.is_none()) {
            return Err(Dm3Error::CouldNotCreateAlias("the name has another owner"));
        }
        let mut record = NameRecord { owner: Some(owner), nonce: current.nonce + 1, ..current.clone() };
        record.set_text(PROFILE_KEY, profile.to_text_record());
        record.addresses.insert(COIN_TYPE_ETH, Bytes::copy_from_slice(owner.as_slice()));
        if record == (NameRecord { nonce: current.nonce + 1, ..current.clone() }) {
            // Nothing changes: a replayed (public) profile does not bump the
            // nonce, so it cannot invalidate the owner's pending names-API signatures.
            return Ok(());
        }
        self.write(NameWrite {
            name: name.to_owned(),
            expected_owner: current.owner,
            expected_nonce: current.nonce,
            record,
            max_names_per_owner: 0,
            indexed,
        })
        .await
    }

    async fn write(&self, write: NameWrite) -> Dm3Result<()> {
        match self.names.store.writer.write_name(&write).await? {
            WriteOutcome::Written => Ok(()),
            WriteOutcome::Conflict(WriteConflict::OwnerLimit) => {
                Err(Dm3Error::CouldNotCreateAlias("the address already has a name"))
            }
            WriteOutcome::Conflict(WriteConflict::NameTaken | WriteConflict::NotOwner(_)) => {
                Err(Dm3Error::CouldNotCreateAlias("the name is taken"))
            }
            WriteOutcome::Conflict(WriteConflict::NotClaimed | WriteConflict::NonceMismatch(_)) => {
                Err(Dm3Error::CouldNotCreateAlias("the name changed meanwhile; try again"))
            }
        }
    }

    /// The owner and profile of the name an alias is claimed for (dm3's
    /// `getProfileContainer`: an address name, or any name with an owner and a
    /// profile).
    async fn owner_and_profile(&self, name: &str) -> Dm3Result<Option<(Address, SignedUserProfile)>> {
        let Ok(name) = normalize(name) else { return Ok(None) };
        let Some(record) = self.names.store.records.record(&name).await? else { return Ok(None) };
        Ok(record.owner.zip(profile_of(&record)))
    }

    /// The profile of `address`'s address name under the first parent that
    /// has one, else of the first name it holds with a profile.
    pub async fn profile_of_address(&self, address: Address) -> Dm3Result<Option<SignedUserProfile>> {
        for parent in &self.config.addr_parents {
            let name = format!("{address:#x}.{parent}");
            if let Some(found) = self.owner_and_profile(&name).await?.filter(|(o, _)| *o == address) {
                return Ok(Some(found.1));
            }
        }
        for name in self.names.store.owners.names_of(address).await? {
            if let Some(found) = self.owner_and_profile(&name).await?.filter(|(o, _)| *o == address) {
                return Ok(Some(found.1));
            }
        }
        Ok(None)
    }

    /// `GET /profile/name/{address}`: the alias `address` holds (the first
    /// name of the owner index under a served parent).
    pub async fn alias_of(&self, address: Address) -> Dm3Result<Option<String>> {
        let names = self.names.store.owners.names_of(address).await?;
        let rules = &self.names.config().rules;
        Ok(names.into_iter().find(|n| rules.check(n).is_ok()))
    }

    /// `POST /profile/name`: claims `dm3_name` for the owner of `address_name`,
    /// with its profile, if `signature` is the profile's Ed25519 signature of
    /// `"alias: " + dm3_name`. The alias must be a claimable names-API name
    /// and the owner may hold no other name. Claiming the alias one already
    /// holds refreshes its profile.
    pub async fn claim_alias(&self, dm3_name: &str, address_name: &str, signature: &str) -> Dm3Result<()> {
        let (owner, _) = self.owner_and_profile(address_name).await?.ok_or(Dm3Error::NoProfile)?;
        // The key that signs is the owner's current profile's (also when the
        // name given is an alias with an older copy).
        let profile = self.profile_of_address(owner).await?.ok_or(Dm3Error::NoProfile)?;
        let message = format!("{ALIAS_MESSAGE_PREFIX}{dm3_name}");
        if !check_ed25519(&profile.profile.public_signing_key, &message, signature) {
            return Err(Dm3Error::SignatureInvalid);
        }
        if self.config.spam_protection {
            let rpc = self.balances.as_ref().expect("checked in new");
            let balance = rpc.get_balance(owner).await.map_err(NamesError::Rpc)?;
            if balance.is_zero() {
                return Err(Dm3Error::InsufficientBalance);
            }
        }
        let unsupported =
            |e: NamesError| Dm3Error::UnsupportedName { name: dm3_name.to_owned(), reason: e.to_string() };
        self.names.config().rules.check(dm3_name).map_err(unsupported)?;

        self.store_alias(dm3_name, owner, &profile).await
    }

    /// Stores the checked alias `name` for `owner` with `profile`: refreshes
    /// it when `owner` holds it already; refuses it when someone else does or
    /// `owner` holds another name (atomically, in the store).
    async fn store_alias(&self, dm3_name: &str, owner: Address, profile: &SignedUserProfile) -> Dm3Result<()> {
        let current = self.names.store.records.record(dm3_name).await?.unwrap_or_default();
        if current.owner == Some(owner) {
            return self.write_profile(dm3_name, owner, profile, true).await;
        }
        if current.owner.is_some() {
            return Err(Dm3Error::CouldNotCreateAlias("the name is taken"));
        }
        let mut record = NameRecord { owner: Some(owner), nonce: current.nonce + 1, ..Default::default() };
        record.set_text(PROFILE_KEY, profile.to_text_record());
        record.addresses.insert(COIN_TYPE_ETH, Bytes::copy_from_slice(owner.as_slice()));
        self.write(NameWrite {
            name: dm3_name.to_owned(),
            expected_owner: None,
            expected_nonce: current.nonce,
            record,
            // dm3 allows one alias per address, whatever the names-API limit.
            max_names_per_owner: 1,
            indexed: true,
        })
        .await
    }

    /// Imports one row of dm3's offchain-resolver database (a
    /// `ProfileContainer` with its `Alias`, see [`Dm3Row`]) through the same
    /// checks as the API, except the alias's Ed25519 signature, which dm3 does
    /// not keep: the address name must be normalized, `<address>.<addr
    /// parent>` and match `nameHash`; the profile valid and signed by the
    /// address; the alias normalized and claimable. Importing a row again
    /// changes nothing. The alias is checked before anything is written, but a
    /// duplicate alias is found only when writing it, after the address name.
    pub async fn import_row(&self, row: &Dm3Row) -> Dm3Result<()> {
        let address = parse_address(&row.address).ok_or(Dm3Error::InvalidSchema)?;
        let profile: SignedUserProfile = match &row.profile {
            serde_json::Value::String(text) => serde_json::from_str(text),
            other => serde_json::from_value(other.clone()),
        }
        .map_err(|e| Dm3Error::InvalidProfile(format!("not dm3's SignedUserProfile: {e}")))?;
        check_normalized(&row.ens_name)?;
        let hash: Option<alloy::primitives::B256> = row.name_hash.parse().ok();
        if hash != Some(dm3_protocol::namehash(&row.ens_name)) {
            return Err(Dm3Error::NameHashMismatch(row.ens_name.clone()));
        }
        let (label, parent) = row.ens_name.split_once('.').ok_or(Dm3Error::InvalidSchema)?;
        if label != format!("{address:#x}") {
            return Err(Dm3Error::InvalidProfile(format!("{} is not the address name of {address}", row.ens_name)));
        }
        if let Some(alias) = &row.alias {
            check_normalized(alias)?;
            let unsupported = |e: NamesError| Dm3Error::UnsupportedName { name: alias.clone(), reason: e.to_string() };
            self.names.config().rules.check(alias).map_err(unsupported)?;
        }
        self.set_address_profile(profile.clone(), address, parent).await?;
        if let Some(alias) = &row.alias {
            self.store_alias(alias, address, &profile).await.map_err(|e| match e {
                Dm3Error::CouldNotCreateAlias(why) => Dm3Error::Duplicate(format!("alias {alias}: {why}")),
                other => other,
            })?;
        }
        Ok(())
    }

    /// `POST /profile/deleteName`: releases `dm3_name` if `signature` is its
    /// owner's profile's Ed25519 signature of `"remove: " + dm3_name`. The
    /// name then resolves empty; its nonce is kept.
    pub async fn delete_alias(&self, dm3_name: &str, signature: &str) -> Dm3Result<()> {
        let name = normalize(dm3_name).map_err(|_| Dm3Error::NoAddress)?;
        let current = self.names.store.records.record(&name).await?.unwrap_or_default();
        let owner = current.owner.ok_or(Dm3Error::NoAddress)?;
        let is_alias = self.names.config().rules.parents.iter().any(|parent| {
            name.strip_suffix(parent.as_str())
                .and_then(|label| label.strip_suffix('.'))
                .is_some_and(|l| !l.contains('.'))
        });
        if !is_alias {
            // Address names hold the owner's profile; they are not aliases.
            return Err(Dm3Error::NoAddress);
        }
        let profile = match self.profile_of_address(owner).await? {
            Some(profile) => profile,
            None => profile_of(&current).ok_or(Dm3Error::NoAddress)?,
        };
        let message = format!("{REMOVE_MESSAGE_PREFIX}{dm3_name}");
        if !check_ed25519(&profile.profile.public_signing_key, &message, signature) {
            return Err(Dm3Error::SignatureInvalid);
        }
        let write = NameWrite {
            name,
            expected_owner: Some(owner),
            expected_nonce: current.nonce,
            record: NameRecord { owner: None, nonce: current.nonce + 1, ..Default::default() },
            max_names_per_owner: 0,
            indexed: true,
        };
        self.write(write).await.map_err(|e| match e {
            Dm3Error::CouldNotCreateAlias(_) => Dm3Error::CouldNotRemove,
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        names::{NamesConfig, SignatureChecker},
        profile::UserProfile,
        store::{EmbeddedStore, NameStore, OwnerIndex, RecordReader},
        test_support::names_policy,
    };
    use alloy::signers::local::PrivateKeySigner;
    use ed25519_dalek::{Signer, SigningKey};

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Arc<EmbeddedStore>,
        dm3: Dm3Profiles,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
        // The test policy, with the label of the address-name parent reserved
        // as `NamesOptions::policy` reserves it.
        let policy = names_policy();
        let rules = NameRules { reserved: vec!["addr".into()], ..policy.rules.clone() };
        let config = NamesConfig { rules, ..policy };
        let names =
            Arc::new(NamesService::new(NameStore::new(Arc::clone(&store)), config, SignatureChecker::default()));
        let dm3_config = Dm3Config { addr_parents: vec!["addr.dm3.eth".into()], spam_protection: false };
        Fixture { _dir: dir, store, dm3: Dm3Profiles::new(names, dm3_config, None).unwrap() }
    }

    /// A wallet and its dm3 signing key, with the profile signed by the wallet.
    fn user(seed: u8) -> (PrivateKeySigner, SigningKey, SignedUserProfile) {
        let wallet = PrivateKeySigner::from_bytes(&[seed; 32].into()).unwrap();
        let signing = SigningKey::from_bytes(&[seed.wrapping_add(100); 32]);
        let profile = UserProfile {
            delivery_services: vec!["ds.dm3.eth".into()],
            public_encryption_key: BASE64.encode([seed; 32]),
            public_signing_key: BASE64.encode(signing.verifying_key().as_bytes()),
        };
        let signed = SignedUserProfile::sign(profile, &wallet).unwrap();
        (wallet, signing, signed)
    }

    fn sign(key: &SigningKey, message: &str) -> String {
        BASE64.encode(key.sign(message.as_bytes()).to_bytes())
    }

    #[test]
    fn addresses_parse_as_ethers_is_address_does() {
        let lower = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
        let checksummed = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
        for ok in [lower, checksummed, "0x70997970C51812DC3A010C7D01B50E0D17DC79C8", &lower[2..]] {
            assert_eq!(parse_address(ok), Some(lower.parse().unwrap()), "{ok}");
        }
        for bad in
            ["0x70997970c51812dc3A010C7d01b50e0d17dc79C8", "0x1234", "", "0xzz997970c51812dc3a010c7d01b50e0d17dc79c8"]
        {
            assert_eq!(parse_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn ed25519_signatures_bind_key_and_message() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let public = BASE64.encode(key.verifying_key().as_bytes());
        let signature = sign(&key, "alias: alice.dm3.eth");
        assert!(check_ed25519(&public, "alias: alice.dm3.eth", &signature));
        assert!(!check_ed25519(&public, "alias: bob.dm3.eth", &signature));
        assert!(!check_ed25519(&public, "remove: alice.dm3.eth", &signature));
        let other = BASE64.encode(SigningKey::from_bytes(&[4; 32]).verifying_key().as_bytes());
        assert!(!check_ed25519(&other, "alias: alice.dm3.eth", &signature));
        assert!(!check_ed25519(&public, "alias: alice.dm3.eth", "not base64"));
        assert!(!check_ed25519(&public, "alias: alice.dm3.eth", &signature[..40]));
    }

    #[tokio::test]
    async fn address_name_holds_the_profile_outside_the_owner_index() {
        let f = fixture();
        let (wallet, _, profile) = user(1);
        let address = wallet.address();
        let name = f.dm3.set_address_profile(profile.clone(), address, "addr.dm3.eth").await.unwrap();
        assert_eq!(name, format!("{address:#x}.addr.dm3.eth"));
        let record = f.store.record(&name).await.unwrap().unwrap();
        assert_eq!(record.owner, Some(address));
        assert_eq!(record.nonce, 1);
        assert_eq!(record.text("network.dm3.profile"), Some(profile.to_text_record().as_str()));
        assert_eq!(record.addresses[&COIN_TYPE_ETH].as_ref(), address.as_slice());
        assert!(f.store.names_of(address).await.unwrap().is_empty());
        assert_eq!(f.dm3.profile_of_address(address).await.unwrap(), Some(profile.clone()));
        // The same profile again changes nothing; a new one bumps the nonce.
        f.dm3.set_address_profile(profile, address, "addr.dm3.eth").await.unwrap();
        assert_eq!(f.store.record(&name).await.unwrap().unwrap().nonce, 1);
        let (_, _, newer) = user(2);
        let newer = SignedUserProfile::sign(newer.profile, &wallet).unwrap();
        f.dm3.set_address_profile(newer, address, "addr.dm3.eth").await.unwrap();
        assert_eq!(f.store.record(&name).await.unwrap().unwrap().nonce, 2);
    }

    #[tokio::test]
    async fn address_name_refusals_store_nothing() {
        let f = fixture();
        let (wallet, _, profile) = user(1);
        let (other, _, _) = user(2);
        let err = f.dm3.set_address_profile(profile.clone(), other.address(), "addr.dm3.eth").await.unwrap_err();
        assert!(matches!(err, Dm3Error::InvalidProfile(_)), "{err}");
        let err = f.dm3.set_address_profile(profile.clone(), wallet.address(), "dm3.eth").await.unwrap_err();
        assert!(matches!(err, Dm3Error::UnsupportedSubdomain(_)), "{err}");
        let mut broken = profile;
        broken.profile.public_signing_key = "AAAA".into();
        let err = f.dm3.set_address_profile(broken, wallet.address(), "addr.dm3.eth").await.unwrap_err();
        assert!(matches!(err, Dm3Error::InvalidProfile(_)), "{err}");
        for address in [wallet.address(), other.address()] {
            assert_eq!(f.store.record(&format!("{address:#x}.addr.dm3.eth")).await.unwrap(), None);
            assert_eq!(f.store.record(&format!("{address:#x}.dm3.eth")).await.unwrap(), None);
        }
    }

    #[tokio::test]
    async fn alias_claim_and_removal() {
        let f = fixture();
        let (wallet, key, profile) = user(1);
        let address = wallet.address();
        let addr_name = f.dm3.set_address_profile(profile.clone(), address, "addr.dm3.eth").await.unwrap();
        let checksummed_name = format!("{}.addr.dm3.eth", address.to_checksum(None));

        // Refusals first: nothing is stored by any of them.
        let err = f.dm3.claim_alias("alice.dm3.eth", &checksummed_name, &sign(&key, "alias: bob.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::SignatureInvalid)), "{err:?}");
        let (_, stranger_key, _) = user(2);
        let err = f.dm3.claim_alias("alice.dm3.eth", &addr_name, &sign(&stranger_key, "alias: alice.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::SignatureInvalid)), "{err:?}");
        let nobody = format!("{:#x}.addr.dm3.eth", Address::repeat_byte(9));
        let err = f.dm3.claim_alias("alice.dm3.eth", &nobody, &sign(&key, "alias: alice.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::NoProfile)), "{err:?}");
        for bad in ["alice.other.eth", "Alice.dm3.eth", "al.dm3.eth", "addr.dm3.eth"] {
            let err = f.dm3.claim_alias(bad, &addr_name, &sign(&key, &format!("alias: {bad}"))).await;
            assert!(matches!(err, Err(Dm3Error::UnsupportedName { .. })), "{bad}: {err:?}");
        }
        assert_eq!(f.store.record("alice.dm3.eth").await.unwrap(), None);

        // The app sends the checksummed address name.
        f.dm3.claim_alias("alice.dm3.eth", &checksummed_name, &sign(&key, "alias: alice.dm3.eth")).await.unwrap();
        let record = f.store.record("alice.dm3.eth").await.unwrap().unwrap();
        assert_eq!((record.owner, record.nonce), (Some(address), 1));
        assert_eq!(record.text("eth.dm3.profile"), Some(profile.to_text_record().as_str()));
        assert_eq!(f.dm3.alias_of(address).await.unwrap().as_deref(), Some("alice.dm3.eth"));
        // Claiming it again is harmless; a second alias is refused.
        f.dm3.claim_alias("alice.dm3.eth", &addr_name, &sign(&key, "alias: alice.dm3.eth")).await.unwrap();
        let err = f.dm3.claim_alias("alice2.dm3.eth", &addr_name, &sign(&key, "alias: alice2.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::CouldNotCreateAlias(_))), "{err:?}");
        assert_eq!(f.store.record("alice2.dm3.eth").await.unwrap(), None);

        // A new profile reaches the alias too.
        let (_, _, newer) = user(3);
        let newer = SignedUserProfile::sign(newer.profile, &wallet).unwrap();
        f.dm3.set_address_profile(newer.clone(), address, "addr.dm3.eth").await.unwrap();
        let record = f.store.record("alice.dm3.eth").await.unwrap().unwrap();
        assert_eq!(record.text("eth.dm3.profile"), Some(newer.to_text_record().as_str()));

        // Removal needs the current signing key and "remove: ".
        let err = f.dm3.delete_alias("alice.dm3.eth", &sign(&key, "remove: alice.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::SignatureInvalid)), "{err:?}");
        let new_key = SigningKey::from_bytes(&[103; 32]);
        let err = f.dm3.delete_alias("alice.dm3.eth", &sign(&new_key, "alias: alice.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::SignatureInvalid)), "{err:?}");
        let err = f.dm3.delete_alias(&addr_name, &sign(&new_key, &format!("remove: {addr_name}"))).await;
        assert!(matches!(err, Err(Dm3Error::NoAddress)), "{err:?}");
        let before = f.store.record("alice.dm3.eth").await.unwrap().unwrap().nonce;
        f.dm3.delete_alias("alice.dm3.eth", &sign(&new_key, "remove: alice.dm3.eth")).await.unwrap();
        let record = f.store.record("alice.dm3.eth").await.unwrap().unwrap();
        assert_eq!((record.owner, record.nonce, record.texts.len()), (None, before + 1, 0));
        assert_eq!(f.dm3.alias_of(address).await.unwrap(), None);
        let err = f.dm3.delete_alias("alice.dm3.eth", &sign(&new_key, "remove: alice.dm3.eth")).await;
        assert!(matches!(err, Err(Dm3Error::NoAddress)), "{err:?}");
        // The address name is untouched.
        assert_eq!(f.dm3.profile_of_address(address).await.unwrap(), Some(newer));
    }

    #[test]
    fn an_address_parent_may_not_be_a_names_parent() {
        let f = fixture();
        let config = Dm3Config { addr_parents: vec!["dm3.eth".into()], spam_protection: false };
        let refused = Dm3Profiles::new(Arc::clone(&f.dm3.names), config, None);
        assert!(matches!(refused, Err(Dm3SetupError::SharedParent(ref p)) if p == "dm3.eth"), "{refused:?}");
        let config = Dm3Config { addr_parents: vec!["addr.dm3.eth".into()], spam_protection: true };
        let refused = Dm3Profiles::new(Arc::clone(&f.dm3.names), config, None);
        assert!(matches!(refused, Err(Dm3SetupError::SpamProtectionWithoutRpc)), "{refused:?}");
    }
}
