//! The default backend: an embedded, durable `redb` database file.

use super::{
    check_write, Health, NameRecord, NameWrite, NameWriter, OwnerIndex, RecordReader, StoreError, WriteOutcome,
};
use alloy::primitives::Address;
use async_trait::async_trait;
use redb::{
    Database, MultimapTableDefinition, ReadableDatabase, ReadableMultimapTable, ReadableTable, TableDefinition,
};
use std::{path::Path, sync::Arc};

/// name → JSON-encoded [`NameRecord`].
const RECORDS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("records");
/// lower-case owner address → names it holds.
const OWNERS: MultimapTableDefinition<'_, &str, &str> = MultimapTableDefinition::new("owners");

fn owner_key(owner: Address) -> String {
    format!("{owner:#x}")
}

/// Records in a `redb` file (`records.redb` under the data directory).
///
/// Every write is one ACID transaction committed with redb's default
/// durability (fsync before `commit` returns). redb takes an exclusive lock on
/// the file, so one process owns a data directory at a time.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore").finish_non_exhaustive()
    }
}

impl EmbeddedStore {
    /// Opens (or creates) `records.redb` under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let db = Database::create(data_dir.join("records.redb")).map_err(redb::Error::from)?;
        // Create the table up front so that reads never meet a missing table.
        let tx = db.begin_write().map_err(redb::Error::from)?;
        tx.open_table(RECORDS).map_err(redb::Error::from)?;
        tx.open_multimap_table(OWNERS).map_err(redb::Error::from)?;
        tx.commit().map_err(redb::Error::from)?;
        Ok(Self { db: Arc::new(db) })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Database) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || job(&db)).await?
    }
}

#[async_trait]
impl RecordReader for EmbeddedStore {
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError> {
        // Read on the calling task, not through `spawn_blocking`: a redb read
        // is an MVCC snapshot that never waits for a writer, and the pages of
        // a record are in redb's cache after the first read, so it costs a few
        // microseconds. Handing it to the blocking pool cost two thread
        // switches per lookup — a third of the server's CPU per uncached
        // answer in `scripts/bench`. Writes (which fsync) stay on the pool.
        let tx = self.db.begin_read().map_err(redb::Error::from)?;
        let table = tx.open_table(RECORDS).map_err(redb::Error::from)?;
        let Some(value) = table.get(name).map_err(redb::Error::from)? else {
            return Ok(None);
        };
        NameRecord::from_json(value.value())
            .map(Some)
            .map_err(|source| StoreError::Corrupt { name: name.to_owned(), source })
    }

    fn backend(&self) -> &'static str {
        "embedded"
    }
}

#[async_trait]
impl NameWriter for EmbeddedStore {
    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError> {
        let (name, json) = (name.to_owned(), record.to_json());
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(redb::Error::from)?;
            tx.open_table(RECORDS)
                .map_err(redb::Error::from)?
                .insert(name.as_str(), json.as_slice())
                .map_err(redb::Error::from)?;
            tx.commit().map_err(redb::Error::from)?;
            Ok(())
        })
        .await
    }

    async fn remove_record(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.blocking(move |db| {
            let tx = db.begin_write().map_err(redb::Error::from)?;
            let existed = tx
                .open_table(RECORDS)
                .map_err(redb::Error::from)?
                .remove(name.as_str())
                .map_err(redb::Error::from)?
                .is_some();
            tx.commit().map_err(redb::Error::from)?;
            Ok(existed)
        })
        .await
    }

    async fn write_name(&self, write: &NameWrite) -> Result<WriteOutcome, StoreError> {
        let write = write.clone();
        self.blocking(move |db| {
            // One write transaction: redb serializes writers, so the checks and
            // the writes below see no interleaving; the commit is durable.
            let tx = db.begin_write().map_err(redb::Error::from)?;
            let outcome = {
                let mut records = tx.open_table(RECORDS).map_err(redb::Error::from)?;
                let mut owners = tx.open_multimap_table(OWNERS).map_err(redb::Error::from)?;
                let current = match records.get(write.name.as_str()).map_err(redb::Error::from)? {
                    Some(value) => Some(
                        NameRecord::from_json(value.value())
                            .map_err(|source| StoreError::Corrupt { name: write.name.clone(), source })?,
                    ),
                    None => None,
                };
                let new_owner_names = match write.record.owner {
                    Some(owner) if write.indexed => {
                        owners.get(owner_key(owner).as_str()).map_err(redb::Error::from)?.len() as usize
                    }
                    _ => 0,
                };
                match check_write(current.as_ref(), &write, new_owner_names) {
                    Some(conflict) => WriteOutcome::Conflict(conflict),
                    None => {
                        let json = write.record.to_json();
                        records.insert(write.name.as_str(), json.as_slice()).map_err(redb::Error::from)?;
                        if let Some(old) = current.and_then(|r| r.owner).filter(|_| write.indexed) {
                            owners.remove(owner_key(old).as_str(), write.name.as_str()).map_err(redb::Error::from)?;
                        }
                        if let Some(new) = write.record.owner.filter(|_| write.indexed) {
                            owners.insert(owner_key(new).as_str(), write.name.as_str()).map_err(redb::Error::from)?;
                        }
                        WriteOutcome::Written
                    }
                }
            };
            if matches!(outcome, WriteOutcome::Written) {
                tx.commit().map_err(redb::Error::from)?;
            } else {
                tx.abort().map_err(redb::Error::from)?;
            }
            Ok(outcome)
        })
        .await
    }
}

#[async_trait]
impl OwnerIndex for EmbeddedStore {
    async fn names_of(&self, owner: Address) -> Result<Vec<String>, StoreError> {
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(redb::Error::from)?;
            let owners = tx.open_multimap_table(OWNERS).map_err(redb::Error::from)?;
            let mut names = Vec::new();
            for name in owners.get(owner_key(owner).as_str()).map_err(redb::Error::from)? {
                names.push(name.map_err(redb::Error::from)?.value().to_owned());
            }
            Ok(names)
        })
        .await
    }
}

#[async_trait]
impl Health for EmbeddedStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.blocking(|db| {
            db.begin_read().map_err(redb::Error::from)?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::WriteConflict;

    #[tokio::test]
    async fn stores_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut record = NameRecord::default();
        record.set_text("eth.dm3.profile", "data:application/json,{}");
        {
            let store = EmbeddedStore::open(dir.path()).unwrap();
            assert_eq!(store.record("alice.dm3.eth").await.unwrap(), None);
            store.put_record("alice.dm3.eth", &record).await.unwrap();
            store.put_record("bob.dm3.eth", &record).await.unwrap();
            assert!(store.remove_record("bob.dm3.eth").await.unwrap());
            assert!(!store.remove_record("bob.dm3.eth").await.unwrap());
        }
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert_eq!(store.record("alice.dm3.eth").await.unwrap(), Some(record));
        assert_eq!(store.record("bob.dm3.eth").await.unwrap(), None);
        store.ping().await.unwrap();
    }

    #[tokio::test]
    async fn name_writes_check_owner_nonce_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let (alice, bob) = (Address::repeat_byte(0xa), Address::repeat_byte(0xb));
        let claim = |name: &str, owner: Address| NameWrite {
            name: name.into(),
            expected_owner: None,
            expected_nonce: 0,
            record: NameRecord { owner: Some(owner), nonce: 1, ..Default::default() },
            max_names_per_owner: 1,
            indexed: true,
        };
        assert_eq!(store.write_name(&claim("a.dm3.eth", alice)).await.unwrap(), WriteOutcome::Written);
        let taken = store.write_name(&claim("a.dm3.eth", bob)).await.unwrap();
        assert_eq!(taken, WriteOutcome::Conflict(WriteConflict::NameTaken));
        let limit = store.write_name(&claim("b.dm3.eth", alice)).await.unwrap();
        assert_eq!(limit, WriteOutcome::Conflict(WriteConflict::OwnerLimit));
        assert_eq!(store.names_of(alice).await.unwrap(), ["a.dm3.eth"]);

        // Transfer to bob needs alice as owner and nonce 1.
        let mut transfer = NameWrite {
            name: "a.dm3.eth".into(),
            expected_owner: Some(alice),
            expected_nonce: 0,
            record: NameRecord { owner: Some(bob), nonce: 2, ..Default::default() },
            max_names_per_owner: 1,
            indexed: true,
        };
        let stale = store.write_name(&transfer).await.unwrap();
        assert_eq!(stale, WriteOutcome::Conflict(WriteConflict::NonceMismatch(1)));
        transfer.expected_nonce = 1;
        assert_eq!(store.write_name(&transfer).await.unwrap(), WriteOutcome::Written);
        assert_eq!(store.write_name(&transfer).await.unwrap(), WriteOutcome::Conflict(WriteConflict::NotOwner(bob)));
        assert!(store.names_of(alice).await.unwrap().is_empty());
        assert_eq!(store.names_of(bob).await.unwrap(), ["a.dm3.eth"]);

        // Release keeps the nonce; the name can be claimed again at that nonce only.
        let release = NameWrite {
            name: "a.dm3.eth".into(),
            expected_owner: Some(bob),
            expected_nonce: 2,
            record: NameRecord { owner: None, nonce: 3, ..Default::default() },
            max_names_per_owner: 1,
            indexed: true,
        };
        assert_eq!(store.write_name(&release).await.unwrap(), WriteOutcome::Written);
        assert!(store.names_of(bob).await.unwrap().is_empty());
        let replayed = store.write_name(&claim("a.dm3.eth", alice)).await.unwrap();
        assert_eq!(replayed, WriteOutcome::Conflict(WriteConflict::NonceMismatch(3)));
        let mut reclaim = claim("a.dm3.eth", alice);
        reclaim.expected_nonce = 3;
        reclaim.record.nonce = 4;
        assert_eq!(store.write_name(&reclaim).await.unwrap(), WriteOutcome::Written);
    }

    #[tokio::test]
    async fn unindexed_names_skip_the_owner_index_and_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let alice = Address::repeat_byte(0xa);
        let write = |name: &str, indexed: bool| NameWrite {
            name: name.into(),
            expected_owner: None,
            expected_nonce: 0,
            record: NameRecord { owner: Some(alice), nonce: 1, ..Default::default() },
            max_names_per_owner: 1,
            indexed,
        };
        assert_eq!(store.write_name(&write("0xaa.addr.dm3.eth", false)).await.unwrap(), WriteOutcome::Written);
        assert!(store.names_of(alice).await.unwrap().is_empty());
        // The unindexed name does not use up alice's one name.
        assert_eq!(store.write_name(&write("alice.dm3.eth", true)).await.unwrap(), WriteOutcome::Written);
        assert_eq!(store.names_of(alice).await.unwrap(), ["alice.dm3.eth"]);
        let mut update = write("0xaa.addr.dm3.eth", false);
        (update.expected_owner, update.expected_nonce, update.record.nonce) = (Some(alice), 1, 2);
        assert_eq!(store.write_name(&update).await.unwrap(), WriteOutcome::Written);
        assert_eq!(store.names_of(alice).await.unwrap(), ["alice.dm3.eth"]);
    }
}
