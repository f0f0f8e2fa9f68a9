//! Command-line interface.

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
    /// Resolve a name through the chain like a wallet (ENS registry + CCIP-read).
    Resolve(resolve::ResolveArgs),
}

pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(config)) => serve(config).await,
        Some(Command::Records(command)) => records::run(command).await,
        Some(Command::Resolve(args)) => resolve::run(args).await,
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let service = server::build_service(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(
        target: "gateway",
        listen = %listener.local_addr()?,
        signer = %service.signer().address(),
        store = service.store().kind(),
        parents = ?config.parents,
        resolvers = ?config.resolvers,
        ttl = config.ttl,
        "dm3 gateway ready"
    );
    server::serve(listener, service).await?;
    Ok(())
}
