//! `dm3-gateway l2 …`: claim a name and publish a dm3 profile on the L2
//! registry directly (in L2 mode the gateway's names API is read-only).

use alloy::{
    network::EthereumWallet,
    primitives::Address,
    providers::{Provider, ProviderBuilder},
};
use anyhow::ensure;
use clap::{Args, Subcommand};
use dm3_gateway::{
    contracts::{IL2NameRegistry, IL2NameRegistry::IL2NameRegistryErrors as RegistryError},
    profile::{SignedUserProfile, UserProfile},
};
use dm3_protocol::namehash;
use std::path::PathBuf;

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
            let node = registry.nodeOf(args.label.clone()).call().await.map_err(refusal)?;
            let pending = registry.register(args.label.clone(), owner).send().await.map_err(refusal)?;
            (node, pending.get_receipt().await?)
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
            let pending = registry
                .setText(node, dm3_protocol::text_keys::PROFILE.into(), record)
                .send()
                .await
                .map_err(refusal)?;
            (node, pending.get_receipt().await?)
        }
        L2Command::SetText(args) => {
            let (key, value) = args.record;
            let node = namehash(&args.name);
            let pending = registry.setText(node, key, value).send().await.map_err(refusal)?;
            (node, pending.get_receipt().await?)
        }
    };
    ensure!(receipt.status(), "transaction {} reverted", receipt.transaction_hash);
    let block = provider.get_block_number().await?;
    println!("{}", serde_json::json!({ "transaction": receipt.transaction_hash, "node": node, "block": block }));
    Ok(())
}

/// A failed call or transaction as a readable error: the registry's custom
/// error by name with its arguments, other revert data as hex, never raw bytes.
fn refusal(error: alloy::contract::Error) -> anyhow::Error {
    if let Some(decoded) = error.as_decoded_interface_error::<RegistryError>() {
        return anyhow::anyhow!("the registry refused: {}", describe(&decoded));
    }
    if let Some(data) = error.as_revert_data() {
        return anyhow::anyhow!("the registry reverted with data {data}");
    }
    anyhow::anyhow!("{}", printable(&error.to_string()))
}

/// `Name(argument: value, …)` of a registry error.
fn describe(error: &RegistryError) -> String {
    match error {
        RegistryError::LabelTaken(e) => format!("LabelTaken(label: {:?})", e.label),
        RegistryError::InvalidLabel(e) => format!("InvalidLabel(label: {:?})", e.label),
        RegistryError::NotOwner(e) => format!("NotOwner(node: {}, caller: {})", e.node, e.caller),
        RegistryError::NameNotRegistered(e) => format!("NameNotRegistered(node: {})", e.node),
        RegistryError::ZeroAddressOwner(_) => "ZeroAddressOwner()".into(),
        RegistryError::LengthMismatch(_) => "LengthMismatch()".into(),
        RegistryError::InvalidEthAddressLength(e) => format!("InvalidEthAddressLength(length: {})", e.length),
        RegistryError::ParentNodeMismatch(e) => {
            format!("ParentNodeMismatch(expected: {}, actual: {})", e.expected, e.actual)
        }
    }
}

/// `text` with control characters escaped (an RPC message may carry any bytes).
fn printable(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{
        primitives::{B256, U256},
        sol_types::SolInterface,
    };

    #[test]
    fn registry_errors_decode_to_names_and_arguments() {
        let node = B256::repeat_byte(1);
        let caller = Address::repeat_byte(2);
        let data = RegistryError::NotOwner(IL2NameRegistry::NotOwner { node, caller }).abi_encode();
        let decoded = RegistryError::abi_decode(&data).unwrap();
        assert_eq!(describe(&decoded), format!("NotOwner(node: {node}, caller: {caller})"));
        let data = RegistryError::LabelTaken(IL2NameRegistry::LabelTaken { label: "bob".into() }).abi_encode();
        assert_eq!(describe(&RegistryError::abi_decode(&data).unwrap()), "LabelTaken(label: \"bob\")");
        let e = IL2NameRegistry::InvalidEthAddressLength { length: U256::from(3) };
        assert_eq!(describe(&RegistryError::InvalidEthAddressLength(e)), "InvalidEthAddressLength(length: 3)");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("custom error 0x8204cdf2: \0\u{1}ok"), "custom error 0x8204cdf2: \\u{0}\\u{1}ok");
    }
}
