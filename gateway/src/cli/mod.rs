//! Command-line interface.

mod names;
mod records;
mod resolve;

use clap::{Parser, Subcommand};
use dm3_gateway::{config::ServeConfig, server};

/// dm3 names gateway: EIP-3668 (CCIP-read) offchain resolver for dm3 names.
///
/// Without a command it serves (same as `dm3-gateway serve`).
#[derive(Debug, Parser)]
#[command(name = "dm3-gateway", version, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeConfig,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway.
    Serve(ServeConfig),
    /// Read and write records directly in the store (operators, tests).
    #[command(subcommand)]
    Records(records::RecordsCommand),
    /// Claim and manage a dm3 name through a gateway's names API, signing with a local key.
    #[command(subcommand)]
    Names(names::NamesCommand),
    /// Resolve a name through the chain like a wallet (ENS registry + CCIP-read).
    Resolve(resolve::ResolveArgs),
}

pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(config)) => serve(config).await,
        Some(Command::Records(command)) => records::run(command).await,
        Some(Command::Resolve(args)) => resolve::run(args).await,
        Some(Command::Names(command)) => names::run(command).await,
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let gateway = server::build(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let lookup = &gateway.state.lookup;
    tracing::info!(
        target: "gateway",
        listen = %listener.local_addr()?,
        signer = %lookup.signer().address(),
        store = lookup.store().kind(),
        parents = ?config.parents,
        resolvers = ?config.resolvers,
        ttl = config.ttl,
        "dm3 gateway ready"
    );
    server::serve(listener, gateway).await?;
    Ok(())
}
