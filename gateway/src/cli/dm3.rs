//! `dm3-gateway dm3 …`: migration from dm3's own offchain-resolver.

use anyhow::Context;
use clap::{Args, Subcommand};
use dm3_gateway::{
    config::{NamesOptions, StoreConfig},
    names::{
        dm3::{Dm3Config, Dm3Profiles, Dm3Row},
        NamesService, SignatureChecker,
    },
    server::open_store,
};
use serde_json::json;
use std::{io::BufRead, sync::Arc};

#[derive(Debug, Subcommand)]
pub(crate) enum Dm3Command {
    /// Import dm3's offchain-resolver database from the JSON lines the README's
    /// `psql` command exports (`{nameHash, profile, ensName, address, alias}`),
    /// through the same checks as the `/profile` API. Idempotent; prints a JSON
    /// report with every refused row and why.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The JSON-lines file (`-` for standard input).
    file: std::path::PathBuf,
    /// Parent names aliases are claimed under (as the gateway's --parent).
    #[arg(long = "parent", env = "DM3_GATEWAY_PARENTS", value_delimiter = ',', default_value = "dm3.eth")]
    parents: Vec<String>,
    #[command(flatten)]
    names: NamesOptions,
    #[command(flatten)]
    store: StoreConfig,
}

pub(crate) async fn run(command: Dm3Command) -> anyhow::Result<()> {
    match command {
        Dm3Command::Import(args) => import(args).await,
    }
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let store = open_store(&args.store)?.names()?.clone();
    let config = args.names.policy(&args.parents, alloy::primitives::Address::ZERO);
    let names = Arc::new(NamesService::new(store, config, SignatureChecker::default()));
    // No balance reader here: the import does not apply --dm3-spam-protection.
    let dm3_config = Dm3Config { spam_protection: false, ..args.names.dm3_config() };
    let dm3 = Dm3Profiles::new(names, dm3_config, None)?;

    let reader: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.file).with_context(|| format!("open {}", args.file.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let (mut rows, mut imported, mut refused) = (0usize, 0usize, Vec::new());
    for (index, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let row: Dm3Row = match serde_json::from_str(&line) {
            Ok(row) => row,
            Err(e) => {
                refused.push(json!({ "line": index + 1, "reason": format!("not a dm3 row: {e}") }));
                continue;
            }
        };
        match dm3.import_row(&row).await {
            Ok(()) => imported += 1,
            Err(dm3_gateway::names::dm3::Dm3Error::Names(e)) => {
                return Err(anyhow::Error::new(e).context(format!("line {}: the store failed", index + 1)))
            }
            Err(e) => refused.push(json!({
                "line": index + 1, "ensName": row.ens_name, "alias": row.alias, "reason": e.to_string(),
            })),
        }
    }
    println!("{}", json!({ "rows": rows, "imported": imported, "refused": refused }));
    Ok(())
}
