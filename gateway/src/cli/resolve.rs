//! `dm3-gateway resolve`: resolve a name through the chain like a wallet.

use alloy::{primitives::Address, providers::ProviderBuilder};
use clap::Args;
use dm3_gateway::client::NameResolver;
use serde_json::json;

#[derive(Debug, Args)]
pub(crate) struct ResolveArgs {
    /// The name, e.g. `alice.dm3.eth`.
    name: String,
    /// JSON-RPC endpoint of the chain with the ENS registry.
    #[arg(long, env = "DM3_RPC_URL", default_value = "http://127.0.0.1:8545")]
    rpc_url: String,
    /// ENS registry address.
    #[arg(long, env = "DM3_ENS_REGISTRY", default_value = "0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e")]
    registry: Address,
    /// Text records to read besides the dm3 profile (repeatable).
    #[arg(long = "text", value_name = "KEY")]
    texts: Vec<String>,
}

pub(crate) async fn run(args: ResolveArgs) -> anyhow::Result<()> {
    let provider = ProviderBuilder::new().connect_http(args.rpc_url.parse()?);
    let resolver = NameResolver::new(provider, args.registry);
    let found = resolver.find_resolver(&args.name).await?;
    let addr = resolver.addr(&args.name).await?;
    let profile = resolver.dm3_profile(&args.name).await?;
    let mut texts = serde_json::Map::new();
    for key in &args.texts {
        texts.insert(key.clone(), resolver.text(&args.name, key).await?.into());
    }
    let output = json!({
        "name": args.name,
        "resolver": found.address,
        "addr": addr,
        "dm3Profile": profile,
        "texts": texts,
    });
    println!("{}", serde_json::to_string_pretty(&output)?);
    Ok(())
}
