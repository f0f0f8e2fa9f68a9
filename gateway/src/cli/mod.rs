//! Command-line interface.

mod dm3;
mod keygen;
#[cfg(feature = "l2")]
mod l2;
mod names;
mod records;
mod resolve;

use alloy::{primitives::Bytes, signers::local::PrivateKeySigner};
use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use dm3_gateway::{
    config::{config_file_env, config_file_in, ServeConfig},
    server,
};
use std::{ffi::OsString, path::Path};

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

impl Cli {
    /// Threads of the runtime: the event loop's when serving, else tokio's default.
    pub(crate) fn runtime_threads(&self) -> Option<usize> {
        match &self.command {
            None => Some(self.serve.io_threads()),
            Some(Command::Serve(config)) => Some(config.io_threads()),
            Some(_) => None,
        }
    }
}

// Parsed once at start-up and moved into `serve`: the size of the options
// struct costs nothing worth a `Box`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway.
    Serve(Box<ServeConfig>),
    /// Read and write records directly in the store (operators, tests).
    #[command(subcommand)]
    Records(records::RecordsCommand),
    /// Claim and manage a dm3 name through a gateway's names API, signing with a local key.
    #[command(subcommand)]
    Names(names::NamesCommand),
    /// Register a name and publish a dm3 profile on the L2 registry (L2 mode).
    #[cfg(feature = "l2")]
    #[command(subcommand)]
    L2(l2::L2Command),
    /// Resolve a name through the chain like a wallet (ENS registry + CCIP-read).
    Resolve(resolve::ResolveArgs),
    /// Create a new signing key file (mode 0600) and print its address.
    Keygen(keygen::KeygenArgs),
    /// Migrate from dm3's own offchain-resolver (import its database export).
    #[command(subcommand)]
    Dm3(dm3::Dm3Command),
}

/// Applies the `--config` file (if any) as environment variables that are
/// not set yet, so that flags beat the environment beats the file. Must run
/// before any other thread exists.
pub(crate) fn apply_config_file(args: &[OsString]) -> anyhow::Result<()> {
    let Some(path) = config_file_in(args) else { return Ok(()) };
    let command = Cli::command();
    for (name, value) in config_file_env(&path, &command)? {
        if std::env::var_os(&name).is_none() {
            std::env::set_var(name, value);
        }
    }
    Ok(())
}

pub(crate) async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(config)) => serve(*config).await,
        Some(Command::Records(command)) => records::run(command).await,
        Some(Command::Resolve(args)) => resolve::run(args).await,
        Some(Command::Names(command)) => names::run(command).await,
        #[cfg(feature = "l2")]
        Some(Command::L2(command)) => l2::run(command).await,
        Some(Command::Keygen(args)) => keygen::run(&args),
        Some(Command::Dm3(command)) => dm3::run(command).await,
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
        standby_signers = ?&lookup.signers()[1..],
        cache_ttl = lookup.cache().map_or(0, |c| c.config().fresh_for.as_secs()),
        io_threads = config.io_threads(),
        signing_threads = config.signing_threads(),
        production = config.production,
        store = lookup.store().backend(),
        parents = ?config.parents,
        resolvers = ?config.resolvers,
        ttl = config.ttl,
        "dm3 gateway ready"
    );
    server::serve(listener, gateway).await?;
    Ok(())
}

/// Reads a `--key-file`: one hex private key.
pub(crate) fn read_key_file(path: &Path) -> anyhow::Result<PrivateKeySigner> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    text.trim().parse().context("the key file must hold a hex private key")
}

/// Parses a text record given as `KEY=VALUE` (the `--text` flags).
pub(crate) fn text_record(arg: &str) -> Result<(String, String), String> {
    let (key, value) = arg.split_once('=').ok_or_else(|| format!("{arg:?} is not KEY=VALUE"))?;
    Ok((key.to_owned(), value.to_owned()))
}

/// Parses an address given as `COIN=0xHEX` (the `--addr` flags).
pub(crate) fn address_record(arg: &str) -> Result<(u64, Bytes), String> {
    let (coin, hex) = arg.split_once('=').ok_or_else(|| format!("{arg:?} is not COIN=0xHEX"))?;
    let coin = coin.parse().map_err(|_| format!("coin type {coin:?} is not a number"))?;
    let bytes = hex.parse().map_err(|_| format!("address {hex:?} is not 0x-hex"))?;
    Ok((coin, bytes))
}
