//! `dm3-gateway`: run the gateway, manage records, resolve names.

mod cli;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Before the runtime starts threads: the file's options become environment variables.
    cli::apply_config_file(&args)?;
    let cli = cli::Cli::parse_from(args);
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(cli::run(cli))
}
