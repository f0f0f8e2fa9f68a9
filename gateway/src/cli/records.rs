//! `dm3-gateway records …`: operator access to the store.

use alloy::primitives::{Address, Bytes};
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use dm3_gateway::{config::StoreConfig, profile::DeliveryServiceProfile, server::open_store, store::NameRecord};

#[derive(Debug, Subcommand)]
pub(crate) enum RecordsCommand {
    /// Add or replace records of a name (keeps the ones not mentioned).
    Set(SetArgs),
    /// Print a name's records as JSON.
    Get(NameArgs),
    /// Delete a name and all its records.
    Remove(NameArgs),
    /// Store many names at once from JSON lines `{"name": …, "record": {"texts": …, "addresses": …}}`
    /// (replacing their records); prints how many were stored.
    Import(ImportArgs),
    /// Publish a delivery-service profile (`eth.dm3.deliveryService`) for a name such as `ds.dm3.eth`.
    DeliveryService(DeliveryServiceArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DeliveryServiceArgs {
    /// The delivery service's name, e.g. `ds.dm3.eth`.
    name: String,
    /// Standard base64 of its 32-byte X25519 public encryption key.
    #[arg(long)]
    encryption_key: String,
    /// Standard base64 of its 32-byte Ed25519 public signing key.
    #[arg(long)]
    signing_key: String,
    /// Its URL.
    #[arg(long)]
    url: String,
    #[command(flatten)]
    store: StoreConfig,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The JSON-lines file (`-` for standard input).
    file: std::path::PathBuf,
    #[command(flatten)]
    store: StoreConfig,
}

/// One line of `records import`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine {
    name: String,
    record: NameRecord,
}

#[derive(Debug, Args)]
pub(crate) struct NameArgs {
    /// The full name, e.g. `alice.dm3.eth`.
    name: String,
    #[command(flatten)]
    store: StoreConfig,
}

#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    /// The full name, e.g. `alice.dm3.eth`.
    name: String,
    /// Text record `KEY=VALUE` (repeatable); dm3 profile aliases share one value.
    #[arg(long = "text", value_name = "KEY=VALUE", value_parser = super::text_record)]
    texts: Vec<(String, String)>,
    /// Address `COIN_TYPE=0xHEX` (repeatable): 60 for Ether, 2147483648 for the default EVM address.
    #[arg(long = "addr", value_name = "COIN=0xHEX", value_parser = super::address_record)]
    addresses: Vec<(u64, Bytes)>,
    /// EIP-1577 content hash as 0x-hex.
    #[arg(long)]
    contenthash: Option<Bytes>,
    /// The owning account.
    #[arg(long)]
    owner: Option<Address>,
    #[command(flatten)]
    store: StoreConfig,
}

pub(crate) async fn run(command: RecordsCommand) -> anyhow::Result<()> {
    match command {
        RecordsCommand::Set(args) => {
            let store = open_store(&args.store)?;
            let mut record = store.records.record(&args.name).await?.unwrap_or_default();
            apply(&mut record, &args);
            store.names()?.writer.put_record(&args.name, &record).await?;
            println!("{}", serde_json::to_string_pretty(&record)?);
        }
        RecordsCommand::Get(args) => {
            let store = open_store(&args.store)?;
            match store.records.record(&args.name).await? {
                Some(record) => println!("{}", serde_json::to_string_pretty(&record)?),
                None => bail!("no records for {}", args.name),
            }
        }
        RecordsCommand::DeliveryService(args) => {
            let profile = DeliveryServiceProfile {
                public_encryption_key: args.encryption_key,
                public_signing_key: args.signing_key,
                url: args.url,
            };
            profile.validate()?;
            let store = open_store(&args.store)?;
            let mut record = store.records.record(&args.name).await?.unwrap_or_default();
            record.set_text(dm3_protocol::text_keys::DELIVERY_SERVICE, profile.to_text_record());
            store.names()?.writer.put_record(&args.name, &record).await?;
            println!("{}", serde_json::to_string_pretty(&record)?);
        }
        RecordsCommand::Import(args) => {
            let text = if args.file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&args.file).with_context(|| format!("read {}", args.file.display()))?
            };
            let store = open_store(&args.store)?;
            let mut count = 0usize;
            for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let line: ImportLine =
                    serde_json::from_str(line).with_context(|| format!("line {}: not a name record", number + 1))?;
                store.names()?.writer.put_record(&line.name, &line.record).await?;
                count += 1;
            }
            println!("{count}");
        }
        RecordsCommand::Remove(args) => {
            let store = open_store(&args.store)?;
            if !store.names()?.writer.remove_record(&args.name).await? {
                bail!("no records for {}", args.name);
            }
        }
    }
    Ok(())
}

fn apply(record: &mut NameRecord, args: &SetArgs) {
    for (key, value) in &args.texts {
        record.set_text(key, value.clone());
    }
    record.addresses.extend(args.addresses.iter().cloned());
    if let Some(contenthash) = &args.contenthash {
        record.contenthash = Some(contenthash.clone());
    }
    if args.owner.is_some() {
        record.owner = args.owner;
    }
}
