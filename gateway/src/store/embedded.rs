//! The default backend: an embedded, durable `redb` database file.

use super::{NameRecord, RecordStore, StoreError};
use async_trait::async_trait;
use redb::{Database, ReadableDatabase, TableDefinition};
use std::{path::Path, sync::Arc};

/// name → JSON-encoded [`NameRecord`].
const RECORDS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("records");

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
impl RecordStore for EmbeddedStore {
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError> {
        let name = name.to_owned();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(redb::Error::from)?;
            let table = tx.open_table(RECORDS).map_err(redb::Error::from)?;
            let Some(value) = table.get(name.as_str()).map_err(redb::Error::from)? else {
                return Ok(None);
            };
            NameRecord::from_json(value.value()).map(Some).map_err(|source| StoreError::Corrupt { name, source })
        })
        .await
    }

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

    async fn ping(&self) -> Result<(), StoreError> {
        self.blocking(|db| {
            db.begin_read().map_err(redb::Error::from)?;
            Ok(())
        })
        .await
    }

    fn kind(&self) -> &'static str {
        "embedded"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
