//! `dm3-gateway names …`: claim and manage a dm3 name with a local key.

use alloy::{
    primitives::{Address, Bytes},
    signers::local::PrivateKeySigner,
};
use clap::{Args, Subcommand};
use dm3_gateway::{
    client::{NamesClient, Request},
    names::RecordsInput,
    profile::{SignedUserProfile, UserProfile},
};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub(crate) enum NamesCommand {
    /// Claim a free name, e.g. `alice.dm3.eth`.
    Claim(WriteArgs),
    /// Replace a name's records.
    Update(WriteArgs),
    /// Give a name to another address.
    Transfer(TransferArgs),
    /// Give a name up.
    Release(KeyArgs),
    /// Print a name's owner, nonce and records.
    Get(NameArgs),
    /// Print the names an address holds.
    Owned(OwnedArgs),
}

#[derive(Debug, Args)]
pub(crate) struct NameArgs {
    /// The full name, e.g. `alice.dm3.eth`.
    name: String,
    /// Base URL of the gateway.
    #[arg(long, env = "DM3_GATEWAY_URL", default_value = "http://127.0.0.1:8080")]
    gateway: String,
}

#[derive(Debug, Args)]
pub(crate) struct OwnedArgs {
    /// The owner address.
    owner: Address,
    /// Base URL of the gateway.
    #[arg(long, env = "DM3_GATEWAY_URL", default_value = "http://127.0.0.1:8080")]
    gateway: String,
}

#[derive(Debug, Args)]
pub(crate) struct KeyArgs {
    #[command(flatten)]
    name: NameArgs,
    /// File with the hex private key that signs (the owner, or the owner of a contract wallet).
    #[arg(long, env = "DM3_KEY_FILE")]
    key_file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct WriteArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Claim for this owner instead of the key's address (an ERC-1271 contract wallet).
    #[arg(long)]
    owner: Option<Address>,
    /// dm3 profile: standard base64 of the 32-byte X25519 public encryption key.
    #[arg(long, requires_all = ["signing_key", "delivery_service"])]
    encryption_key: Option<String>,
    /// dm3 profile: standard base64 of the 32-byte Ed25519 public signing key.
    #[arg(long)]
    signing_key: Option<String>,
    /// dm3 profile: delivery-service ENS name (repeatable).
    #[arg(long)]
    delivery_service: Vec<String>,
    /// Other text record `KEY=VALUE` (repeatable).
    #[arg(long = "text", value_name = "KEY=VALUE", value_parser = super::text_record)]
    texts: Vec<(String, String)>,
    /// Address `COIN=0xHEX` (repeatable); coin 60 defaults to the owner.
    #[arg(long = "addr", value_name = "COIN=0xHEX", value_parser = super::address_record)]
    addresses: Vec<(u64, Bytes)>,
    /// EIP-1577 content hash.
    #[arg(long)]
    contenthash: Option<Bytes>,
}

#[derive(Debug, Args)]
pub(crate) struct TransferArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// The new owner.
    #[arg(long)]
    to: Address,
}

fn records(args: &WriteArgs, key: &PrivateKeySigner) -> anyhow::Result<RecordsInput> {
    let mut records = RecordsInput::default();
    if let (Some(encryption), Some(signing)) = (&args.encryption_key, &args.signing_key) {
        let profile = UserProfile {
            delivery_services: args.delivery_service.clone(),
            public_encryption_key: encryption.clone(),
            public_signing_key: signing.clone(),
        };
        profile.validate()?;
        // Signed by the key: for a contract wallet, its ERC-1271 check decides.
        let signed = SignedUserProfile::sign_for(profile, key, args.owner.unwrap_or(key.address()))?;
        records.texts.insert(dm3_protocol::text_keys::PROFILE.into(), signed.to_text_record());
    }
    records.texts.extend(args.texts.iter().cloned());
    records.addresses.extend(args.addresses.iter().map(|(coin, bytes)| (coin.to_string(), bytes.clone())));
    records.contenthash = args.contenthash.clone();
    Ok(records)
}

pub(crate) async fn run(command: NamesCommand) -> anyhow::Result<()> {
    let output = match command {
        NamesCommand::Claim(args) => {
            let key = super::read_key_file(&args.key.key_file)?;
            let request = Request::Claim { owner: args.owner, records: records(&args, &key)? };
            NamesClient::new(&args.key.name.gateway).send(&key, &args.key.name.name, request).await?
        }
        NamesCommand::Update(args) => {
            let key = super::read_key_file(&args.key.key_file)?;
            let request = Request::Update(records(&args, &key)?);
            NamesClient::new(&args.key.name.gateway).send(&key, &args.key.name.name, request).await?
        }
        NamesCommand::Transfer(args) => {
            let key = super::read_key_file(&args.key.key_file)?;
            let request = Request::Transfer { new_owner: args.to, records: None };
            NamesClient::new(&args.key.name.gateway).send(&key, &args.key.name.name, request).await?
        }
        NamesCommand::Release(args) => {
            let key = super::read_key_file(&args.key_file)?;
            NamesClient::new(&args.name.gateway).send(&key, &args.name.name, Request::Release).await?
        }
        NamesCommand::Get(args) => NamesClient::new(&args.gateway).name(&args.name).await?,
        NamesCommand::Owned(args) => {
            serde_json::json!({ "owner": args.owner, "names": NamesClient::new(&args.gateway).names_of(args.owner).await? })
        }
    };
    println!("{}", serde_json::to_string_pretty(&output)?);
    Ok(())
}
