//! `dm3-gateway`: run the gateway, manage records, resolve names.

mod cli;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of the system allocator: per-thread free lists make the
/// request path's many small allocations cheaper, and it returns freed
/// memory to the system. `no_thp`: on a kernel with transparent huge pages
/// in `madvise` mode, its huge-page advice added ~8 MiB of resident memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Before the runtime starts threads: the file's options become environment variables.
    cli::apply_config_file(&args)?;
    let cli = cli::Cli::parse_from(args);
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = cli.runtime_threads() {
        runtime.worker_threads(threads);
    }
    // The blocking pool runs embedded-store writes, which redb serializes
    // anyway: more threads than this only wait on its lock, each with its own
    // stack and allocator pages (tokio's default is 512).
    runtime.max_blocking_threads(8).enable_all().build()?.block_on(cli::run(cli))
}
