//! `dm3-gateway keygen`: a new signing key in a file only its owner can read.

use clap::Args;
use dm3_gateway::signer::AnswerSigner;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// File to create (mode 0600); an existing file is never overwritten.
    #[arg(long, short, value_name = "FILE")]
    out: PathBuf,
}

/// Writes the key and prints only its address (what the resolver's signer set needs).
pub(crate) fn run(args: &KeygenArgs) -> anyhow::Result<()> {
    let signer = AnswerSigner::create(&args.out)?;
    println!("{}", signer.address());
    Ok(())
}
