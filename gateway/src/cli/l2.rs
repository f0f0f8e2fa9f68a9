//! `dm3-gateway l2 …`: claim a name and publish a dm3 profile on the L2
//! registry directly (in L2 mode the gateway's names API is read-only).

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{Provider, ProviderBuilder},
    sol,
};
use anyhow::ensure;
use clap::{Args, Subcommand};
use dm3_gateway::{
    profile::{SignedUserProfile, UserProfile},
    protocol::namehash,
};
use std::path::PathBuf;

sol! {
    /// The writes of `contracts/src/L2NameRegistry.sol` the CLI uses.
    #[sol(rpc)]
    interface IL2NameRegistry {
        function register(string label, address nameOwner) external returns (bytes32 node);
        function setText(bytes32 node, string key, string value) external;
        function owner(bytes32 node) external view returns (address);
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum L2Command {
    /// Register a free label (e.g. `bob`) under the registry's parent for the key's address.
    Register(RegisterArgs),
    /// Sign and publish a dm3 profile for a name you own (`bob.dm3.eth`).
    SetProfile(ProfileArgs),
    /// Set a text record of a name you own.
    SetText(TextArgs),
}

#[derive(Debug, Args)]
pub(crate) struct Connection {
    /// JSON-RPC endpoint of the L2.
    #[arg(long, env = "DM3_L2_RPC_URL")]
    rpc_url: String,
    /// Address of the L2NameRegistry.
    #[arg(long, env = "DM3_L2_REGISTRY")]
    registry: Address,
    /// File with the hex private key that sends the transactions (the owner).
    #[arg(long, env = "DM3_KEY_FILE")]
    key_file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    /// The label, e.g. `bob`.
    label: String,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Args)]
pub(crate) struct ProfileArgs {
    /// The full name, e.g. `bob.dm3.eth`.
    name: String,
    /// Standard base64 of the 32-byte X25519 public encryption key.
    #[arg(long)]
    encryption_key: String,
    /// Standard base64 of the 32-byte Ed25519 public signing key.
    #[arg(long)]
    signing_key: String,
    /// Delivery-service ENS name (repeatable).
    #[arg(long, required = true)]
    delivery_service: Vec<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, Args)]
pub(crate) struct TextArgs {
    /// The full name, e.g. `bob.dm3.eth`.
    name: String,
    /// `KEY=VALUE`.
    #[arg(value_parser = super::text_record)]
    record: (String, String),
    #[command(flatten)]
    connection: Connection,
}

pub(crate) async fn run(command: L2Command) -> anyhow::Result<()> {
    let connection = match &command {
        L2Command::Register(args) => &args.connection,
        L2Command::SetProfile(args) => &args.connection,
        L2Command::SetText(args) => &args.connection,
    };
    let key = super::read_key_file(&connection.key_file)?;
    let owner = key.address();
    let provider =
        ProviderBuilder::new().wallet(EthereumWallet::from(key.clone())).connect_http(connection.rpc_url.parse()?);
    let registry = IL2NameRegistry::new(connection.registry, &provider);
    let (node, receipt) = match command {
        L2Command::Register(args) => {
            let receipt = registry.register(args.label.clone(), owner).send().await?.get_receipt().await?;
            (None, receipt)
        }
        L2Command::SetProfile(args) => {
            let profile = UserProfile {
                delivery_services: args.delivery_service,
                public_encryption_key: args.encryption_key,
                public_signing_key: args.signing_key,
            };
            profile.validate()?;
            let record = SignedUserProfile::sign(profile, &key)?.to_text_record();
            let node = namehash(&args.name);
            let receipt = registry.setText(node, "eth.dm3.profile".into(), record).send().await?.get_receipt().await?;
            (Some(node), receipt)
        }
        L2Command::SetText(args) => {
            let (key, value) = args.record;
            let node = namehash(&args.name);
            let receipt = registry.setText(node, key, value).send().await?.get_receipt().await?;
            (Some(node), receipt)
        }
    };
    ensure!(receipt.status(), "transaction {} reverted", receipt.transaction_hash);
    let block = provider.get_block_number().await?;
    println!("{}", serde_json::json!({ "transaction": receipt.transaction_hash, "node": node, "block": block }));
    Ok(())
}
