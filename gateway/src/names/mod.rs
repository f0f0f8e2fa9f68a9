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
        let (signer, new_owner) = authority(write.change, current.owner)?;
        if write.nonce != current.nonce {
            return Err(NamesError::NonceMismatch { signed: write.nonce, current: current.nonce });
        }
        let records = parse_records(write.change, write.records_json)?;
        self.check_signature(&write, signer, new_owner).await?;
        if let Some(owner) = new_owner {
            self.check_profile(&records, owner).await?;
        }
        let record = records.into_record(new_owner, write.nonce + 1);
        let name_write = NameWrite {
            name: write.name.to_owned(),
            expected_owner: current.owner,
            expected_nonce: write.nonce,
            record: record.clone(),
            max_names_per_owner: self.config.max_names_per_owner,
            indexed: true,
        };
        match self.store.writer.write_name(&name_write).await? {
            WriteOutcome::Written => Ok(NameView::new(write.name, record)),
            WriteOutcome::Conflict(conflict) => Err(self.conflict_error(conflict, write.nonce, signer)),
        }
    }

    /// That `signer` signed the state `write` leads to (`new_owner`, the
    /// records' hash, nonce and deadline) in this service's domain.
    async fn check_signature(
        &self,
        write: &SignedWrite<'_>,
        signer: Address,
        new_owner: Option<Address>,
    ) -> Result<()> {
        let change =
            NameChange::new(write.name, new_owner, records_hash(write.records_json), write.nonce, write.deadline);
        if !self.signatures.is_valid(signer, change.digest(&self.domain), write.signature).await? {
            return Err(NamesError::BadSignature(signer));
        }
        Ok(())
    }

    /// That a dm3 profile among the records, if any, is signed by `owner`
    /// (dm3's registration message, EIP-191).
    async fn check_profile(&self, records: &RecordsInput, owner: Address) -> Result<()> {
        let Some(profile) = records.dm3_profile()? else { return Ok(()) };
        let message = registration_message(owner, &profile.profile);
        let signature = alloy::hex::decode(&profile.signature).map_err(|_| ProfileError::SignatureNotHex)?;
        if !self.signatures.is_valid(owner, eip191_hash_message(message), &signature).await? {
            return Err(ProfileError::NotSignedByOwner(owner).into());
        }
        Ok(())
    }

    /// The error of a write the store refused (another write got in between
    /// the checks and the store's atomic re-check).
    const fn conflict_error(&self, conflict: WriteConflict, signed_nonce: u64, signer: Address) -> NamesError {
        match conflict {
            WriteConflict::NameTaken => NamesError::NameTaken,
            WriteConflict::NotClaimed => NamesError::NameNotClaimed,
            WriteConflict::NotOwner(_) => NamesError::BadSignature(signer),
            WriteConflict::NonceMismatch(current) => NamesError::NonceMismatch { signed: signed_nonce, current },
            WriteConflict::OwnerLimit => NamesError::OwnerLimit { max: self.config.max_names_per_owner },
        }
    }
}

/// Who must sign `change` of a name owned by `owner`, and who owns it after
/// (`None`: released): the claimer for a claim of a free name, else the owner.
fn authority(change: Change, owner: Option<Address>) -> Result<(Address, Option<Address>)> {
    match change {
        Change::Claim { owner: claimer } => match owner {
            Some(_) => Err(NamesError::NameTaken),
            None => Ok((claimer, Some(claimer))),
        },
        Change::Update => owner.map(|owner| (owner, Some(owner))).ok_or(NamesError::NameNotClaimed),
        Change::Transfer { new_owner } => owner.map(|owner| (owner, Some(new_owner))).ok_or(NamesError::NameNotClaimed),
        Change::Release => owner.map(|owner| (owner, None)).ok_or(NamesError::NameNotClaimed),
    }
}

/// The records of `change`: required for a claim and an update, refused for
/// a release, optional for a transfer (none: only the new owner's address).
fn parse_records(change: Change, records_json: Option<&str>) -> Result<RecordsInput> {
    match (change, records_json) {
        (Change::Release, Some(_)) => Err(RecordsError::ReleaseWithRecords.into()),
        (Change::Claim { .. } | Change::Update, None) => Err(RecordsError::Missing.into()),
        (_, Some(json)) => RecordsInput::parse(json),
        (_, None) => Ok(RecordsInput::default()),
    }
}

/// That a signed `deadline` has not passed and lies at most
/// [`MAX_DEADLINE_AHEAD`] seconds ahead.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        profile::{SignedUserProfile, UserProfile},
        store::{EmbeddedStore, NameStore},
        test_support::{names_policy, RESOLVER},
    };
    use alloy::signers::{local::PrivateKeySigner, SignerSync};
    use base64::{engine::general_purpose::STANDARD as BASE64, Engine};

    const RECORDS: &str = r#"{"texts":{"url":"https://alice.example"}}"#;
    const OTHER_RECORDS: &str = r#"{"texts":{"url":"https://other.example"}}"#;

    /// A names service over an embedded store in a temporary directory.
    struct Fixture {
        _dir: tempfile::TempDir,
        names: NamesService,
    }

    fn fixture(max_names_per_owner: u32) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = NameStore::new(std::sync::Arc::new(EmbeddedStore::open(dir.path()).unwrap()));
        let config = NamesConfig { max_names_per_owner, ..names_policy() };
        Fixture { _dir: dir, names: NamesService::new(store, config, SignatureChecker::default()) }
    }

    fn key(seed: u8) -> PrivateKeySigner {
        PrivateKeySigner::from_bytes(&[seed; 32].into()).unwrap()
    }

    fn in_ten_minutes() -> u64 {
        crate::clock::unix_now() + 600
    }

    /// One write as a client sends it: `change` of `name`, at `nonce`, signed
    /// by `key` over the state it leads to.
    struct Write<'a> {
        key: &'a PrivateKeySigner,
        name: &'a str,
        change: Change,
        records: Option<&'a str>,
        nonce: u64,
        deadline: u64,
    }

    impl<'a> Write<'a> {
        fn new(key: &'a PrivateKeySigner, name: &'a str, change: Change, records: Option<&'a str>, nonce: u64) -> Self {
            Self { key, name, change, records, nonce, deadline: in_ten_minutes() }
        }

        /// `key`'s signature over the change, the name's owner being `owner`
        /// before it (kept by an update).
        fn signature(&self, owner: Option<Address>) -> Vec<u8> {
            let new_owner = match self.change {
                Change::Claim { owner } => Some(owner),
                Change::Update => owner,
                Change::Transfer { new_owner } => Some(new_owner),
                Change::Release => None,
            };
            let change = NameChange::new(self.name, new_owner, records_hash(self.records), self.nonce, self.deadline);
            self.key.sign_hash_sync(&change.digest(&names_domain(1, RESOLVER))).unwrap().as_bytes().to_vec()
        }

        async fn apply_signed(&self, names: &NamesService, signature: &[u8]) -> Result<NameView> {
            let write = SignedWrite {
                name: self.name,
                change: self.change,
                records_json: self.records,
                nonce: self.nonce,
                deadline: self.deadline,
                signature,
            };
            names.apply(write).await
        }

        async fn apply(&self, names: &NamesService) -> Result<NameView> {
            let owner = names.get(self.name).await.unwrap().owner;
            self.apply_signed(names, &self.signature(owner)).await
        }
    }

    /// Claims `name` for `key` with [`RECORDS`].
    async fn claim(names: &NamesService, key: &PrivateKeySigner, name: &str) -> NameView {
        let change = Change::Claim { owner: key.address() };
        Write::new(key, name, change, Some(RECORDS), names.get(name).await.unwrap().nonce).apply(names).await.unwrap()
    }

    #[tokio::test]
    async fn claim_update_transfer_release_and_claim_again() {
        let Fixture { names, .. } = fixture(1);
        let (alice, bob) = (key(1), key(2));
        let name = "alice.dm3.eth";

        let claimed = claim(&names, &alice, name).await;
        assert_eq!((claimed.owner, claimed.nonce), (Some(alice.address()), 1));
        assert_eq!(claimed.texts["url"], "https://alice.example");
        assert_eq!(claimed.addresses[&60].as_ref(), alice.address().as_slice(), "the owner is the Ether address");
        assert_eq!(names.get(name).await.unwrap(), claimed, "what apply returns is what is stored");
        assert_eq!(names.names_of(alice.address()).await.unwrap(), [name]);

        let updated = Write::new(&alice, name, Change::Update, Some(OTHER_RECORDS), 1).apply(&names).await.unwrap();
        assert_eq!((updated.owner, updated.nonce), (Some(alice.address()), 2));
        assert_eq!(updated.texts["url"], "https://other.example");
        assert_eq!(names.get(name).await.unwrap(), updated);

        let transfer = Change::Transfer { new_owner: bob.address() };
        let transferred = Write::new(&alice, name, transfer, None, 2).apply(&names).await.unwrap();
        assert_eq!((transferred.owner, transferred.nonce), (Some(bob.address()), 3));
        assert!(transferred.texts.is_empty(), "a transfer without records leaves only the new owner's address");
        assert_eq!(transferred.addresses[&60].as_ref(), bob.address().as_slice());
        assert!(names.names_of(alice.address()).await.unwrap().is_empty());
        assert_eq!(names.names_of(bob.address()).await.unwrap(), [name]);

        let released = Write::new(&bob, name, Change::Release, None, 3).apply(&names).await.unwrap();
        assert_eq!((released.owner, released.nonce), (None, 4));
        assert!(released.texts.is_empty() && released.addresses.is_empty() && released.contenthash.is_none());
        assert_eq!(names.get(name).await.unwrap(), released);
        assert!(names.names_of(bob.address()).await.unwrap().is_empty());

        let again = claim(&names, &alice, name).await;
        assert_eq!((again.owner, again.nonce), (Some(alice.address()), 5), "the nonce keeps counting");
    }

    #[tokio::test]
    async fn a_claim_may_name_another_owner_who_signs() {
        let Fixture { names, .. } = fixture(1);
        let (alice, bob) = (key(1), key(2));
        let change = Change::Claim { owner: bob.address() };
        let view = Write::new(&bob, "bob.dm3.eth", change, Some("{}"), 0).apply(&names).await.unwrap();
        assert_eq!(view.owner, Some(bob.address()));
        let change = Change::Claim { owner: bob.address() };
        let err = Write::new(&alice, "carol.dm3.eth", change, Some("{}"), 0).apply(&names).await.unwrap_err();
        assert!(matches!(err, NamesError::BadSignature(signer) if signer == bob.address()), "{err:?}");
    }

    #[tokio::test]
    async fn conflicts_are_refused_and_change_nothing() {
        let Fixture { names, .. } = fixture(1);
        let (alice, bob) = (key(1), key(2));
        let name = "alice.dm3.eth";
        let free = "free.dm3.eth";
        let before = claim(&names, &alice, name).await;

        // Taken: a claim of a claimed name.
        let err = Write::new(&bob, name, Change::Claim { owner: bob.address() }, Some(RECORDS), 1)
            .apply(&names)
            .await
            .unwrap_err();
        assert!(matches!(err, NamesError::NameTaken), "{err:?}");

        // Not claimed: update, transfer and release of a free name.
        for change in [Change::Update, Change::Transfer { new_owner: bob.address() }, Change::Release] {
            let records = (change == Change::Update).then_some(RECORDS);
            let err = Write::new(&alice, free, change, records, 0).apply(&names).await.unwrap_err();
            assert!(matches!(err, NamesError::NameNotClaimed), "{change:?}: {err:?}");
        }

        // Not the owner: someone else signs an update, a transfer or a release.
        for change in [Change::Update, Change::Transfer { new_owner: bob.address() }, Change::Release] {
            let records = (change == Change::Update).then_some(OTHER_RECORDS);
            let err = Write::new(&bob, name, change, records, 1).apply(&names).await.unwrap_err();
            assert!(matches!(err, NamesError::BadSignature(owner) if owner == alice.address()), "{change:?}: {err:?}");
        }

        // Nonce mismatch: a replayed (older) or a future nonce.
        for nonce in [0, 2] {
            let err =
                Write::new(&alice, name, Change::Update, Some(OTHER_RECORDS), nonce).apply(&names).await.unwrap_err();
            assert!(
                matches!(err, NamesError::NonceMismatch { signed, current: 1 } if signed == nonce),
                "{nonce}: {err:?}"
            );
        }

        // Owner limit: a second name, by claim or by transfer.
        let err = Write::new(&alice, free, Change::Claim { owner: alice.address() }, Some(RECORDS), 0)
            .apply(&names)
            .await
            .unwrap_err();
        assert!(matches!(err, NamesError::OwnerLimit { max: 1 }), "{err:?}");
        claim(&names, &bob, "bob.dm3.eth").await;
        let err = Write::new(&bob, "bob.dm3.eth", Change::Transfer { new_owner: alice.address() }, None, 1)
            .apply(&names)
            .await
            .unwrap_err();
        assert!(matches!(err, NamesError::OwnerLimit { max: 1 }), "{err:?}");

        assert_eq!(names.get(name).await.unwrap(), before);
        assert_eq!(names.get(free).await.unwrap().owner, None);
        assert_eq!(names.names_of(alice.address()).await.unwrap(), [name]);
        assert_eq!(names.names_of(bob.address()).await.unwrap(), ["bob.dm3.eth"]);
    }

    #[tokio::test]
    async fn without_an_owner_limit_one_owner_holds_many_names() {
        let Fixture { names, .. } = fixture(0);
        let alice = key(1);
        for name in ["one.dm3.eth", "two.dm3.eth", "three.dm3.eth"] {
            claim(&names, &alice, name).await;
        }
        assert_eq!(names.names_of(alice.address()).await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn racing_writes_at_one_nonce_apply_once() {
        let Fixture { names, .. } = fixture(1);
        let (alice, bob) = (key(1), key(2));
        let (a, b) = (Change::Claim { owner: alice.address() }, Change::Claim { owner: bob.address() });
        let (a, b) = (
            Write::new(&alice, "race.dm3.eth", a, Some(RECORDS), 0),
            Write::new(&bob, "race.dm3.eth", b, Some(RECORDS), 0),
        );
        let (sig_a, sig_b) = (a.signature(None), b.signature(None));
        let (ra, rb) = tokio::join!(a.apply_signed(&names, &sig_a), b.apply_signed(&names, &sig_b));
        let winner = match (&ra, &rb) {
            (Ok(view), Err(NamesError::NameTaken)) | (Err(NamesError::NameTaken), Ok(view)) => view.owner,
            other => panic!("one claim wins, the other is taken: {other:?}"),
        };
        assert_eq!(names.get("race.dm3.eth").await.unwrap().owner, winner);

        let owner = if winner == Some(alice.address()) { &alice } else { &bob };
        let first = Write::new(owner, "race.dm3.eth", Change::Update, Some(OTHER_RECORDS), 1);
        let second = Write::new(owner, "race.dm3.eth", Change::Update, Some(RECORDS), 1);
        let (sig_1, sig_2) = (first.signature(winner), second.signature(winner));
        let (r1, r2) = tokio::join!(first.apply_signed(&names, &sig_1), second.apply_signed(&names, &sig_2));
        match (&r1, &r2) {
            (Ok(_), Err(NamesError::NonceMismatch { signed: 1, current: 2 }))
            | (Err(NamesError::NonceMismatch { signed: 1, current: 2 }), Ok(_)) => {}
            other => panic!("one update wins, the other's nonce is stale: {other:?}"),
        }
        assert_eq!(names.get("race.dm3.eth").await.unwrap().nonce, 2);
    }

    #[tokio::test]
    async fn deadlines_in_the_past_or_too_far_ahead_are_refused() {
        let Fixture { names, .. } = fixture(1);
        let alice = key(1);
        let now = crate::clock::unix_now();
        for (deadline, why) in [(now - 1, "in the past"), (now + MAX_DEADLINE_AHEAD + 60, "too far in the future")] {
            let mut write =
                Write::new(&alice, "alice.dm3.eth", Change::Claim { owner: alice.address() }, Some(RECORDS), 0);
            write.deadline = deadline;
            let err = write.apply(&names).await.unwrap_err();
            assert!(
                matches!(err, NamesError::Expired { deadline: d, reason } if d == deadline && reason == why),
                "{err:?}"
            );
        }
        let mut write = Write::new(&alice, "alice.dm3.eth", Change::Claim { owner: alice.address() }, Some(RECORDS), 0);
        write.deadline = now + MAX_DEADLINE_AHEAD - 60;
        write.apply(&names).await.unwrap();
    }

    #[tokio::test]
    async fn signatures_over_anything_else_are_refused() {
        let Fixture { names, .. } = fixture(1);
        let alice = key(1);
        let claim = Write::new(&alice, "alice.dm3.eth", Change::Claim { owner: alice.address() }, Some(RECORDS), 0);
        let signature = claim.signature(None);
        let tampered = [
            Write { records: Some(OTHER_RECORDS), ..Write::new(&alice, claim.name, claim.change, None, 0) },
            Write { name: "other.dm3.eth", ..Write::new(&alice, claim.name, claim.change, Some(RECORDS), 0) },
            Write { deadline: claim.deadline + 1, ..Write::new(&alice, claim.name, claim.change, Some(RECORDS), 0) },
        ];
        for write in &tampered {
            let err = write.apply_signed(&names, &signature).await.unwrap_err();
            assert!(matches!(err, NamesError::BadSignature(signer) if signer == alice.address()), "{err:?}");
        }
        for bad in [&signature[..64], &[0u8; 65][..], &[][..]] {
            let err = claim.apply_signed(&names, bad).await.unwrap_err();
            assert!(matches!(err, NamesError::BadSignature(_)), "{err:?}");
        }
        assert_eq!(names.get("alice.dm3.eth").await.unwrap().owner, None);
        claim.apply_signed(&names, &signature).await.unwrap();
    }

    #[tokio::test]
    async fn records_and_names_are_checked_before_anything_is_stored() {
        let Fixture { names, .. } = fixture(1);
        let (alice, bob) = (key(1), key(2));
        let claim_with =
            |records| Write::new(&alice, "alice.dm3.eth", Change::Claim { owner: alice.address() }, records, 0);
        for records in [None, Some("not json"), Some(r#"{"unknown":1}"#), Some(r#"{"addresses":{"60":"0x1234"}}"#)] {
            let err = claim_with(records).apply(&names).await.unwrap_err();
            assert!(matches!(err, NamesError::InvalidRecords(_)), "{records:?}: {err:?}");
        }
        let too_long = format!(r#"{{"texts":{{"k":"{}"}}}}"#, "x".repeat(MAX_RECORDS_JSON_BYTES));
        let err = claim_with(Some(&too_long)).apply(&names).await.unwrap_err();
        assert!(matches!(err, NamesError::InvalidRecords(_)), "{err:?}");

        // A dm3 profile must be signed by the name's (new) owner.
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let profile = UserProfile {
            delivery_services: vec!["ds.dm3.eth".into()],
            public_encryption_key: BASE64.encode([8; 32]),
            public_signing_key: BASE64.encode(signing_key.verifying_key().as_bytes()),
        };
        let by_bob = SignedUserProfile::sign(profile.clone(), &bob).unwrap();
        let records = serde_json::json!({ "texts": { "eth.dm3.profile": by_bob.to_text_record() } }).to_string();
        let err = claim_with(Some(&records)).apply(&names).await.unwrap_err();
        assert!(
            matches!(err, NamesError::InvalidProfile(ProfileError::NotSignedByOwner(owner)) if owner == alice.address()),
            "{err:?}"
        );

        let err = Write::new(&alice, "alice.dm3.eth", Change::Update, None, 0).apply(&names).await.unwrap_err();
        assert!(matches!(err, NamesError::NameNotClaimed), "the owner is checked before the records: {err:?}");

        type Expected = fn(&NamesError) -> bool;
        let name_refusals: [(&str, Expected); 4] = [
            ("admin.dm3.eth", |e| matches!(e, NamesError::NameReserved(label) if label == "admin")),
            ("ab.dm3.eth", |e| matches!(e, NamesError::NameTooShort { min: 3 })),
            ("alice.other.eth", |e| matches!(e, NamesError::InvalidNameForClaim(_))),
            ("Alice.dm3.eth", |e| matches!(e, NamesError::NameNotNormalized { .. })),
        ];
        for (name, expected) in name_refusals {
            let err = Write::new(&alice, name, Change::Claim { owner: alice.address() }, Some(RECORDS), 0)
                .apply(&names)
                .await
                .unwrap_err();
            assert!(expected(&err), "{name}: {err:?}");
        }
        assert_eq!(names.get("alice.dm3.eth").await.unwrap(), NameView::new("alice.dm3.eth", NameRecord::default()));

        let by_alice = SignedUserProfile::sign(profile, &alice).unwrap();
        let records = serde_json::json!({ "texts": { "eth.dm3.profile": by_alice.to_text_record() } }).to_string();
        let view = claim_with(Some(&records)).apply(&names).await.unwrap();
        assert_eq!(view.texts.values().next(), Some(&by_alice.to_text_record()));

        // Records where none belong, or none where they must be.
        let err = Write::new(&alice, "alice.dm3.eth", Change::Release, Some("{}"), 1).apply(&names).await.unwrap_err();
        assert!(matches!(err, NamesError::InvalidRecords(RecordsError::ReleaseWithRecords)), "{err:?}");
        let err = Write::new(&alice, "alice.dm3.eth", Change::Update, None, 1).apply(&names).await.unwrap_err();
        assert!(matches!(err, NamesError::InvalidRecords(RecordsError::Missing)), "{err:?}");
        assert_eq!(names.get("alice.dm3.eth").await.unwrap(), view);
    }
}
