//! One module per `gen` subcommand.

pub mod datasets;
pub mod eval;
pub mod export;
pub mod sample;
pub mod train;
pub mod translate;

use crate::cli::{Cli, Command};

/// Runs a parsed command line.
pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Datasets => datasets::run(),
        Command::Train(cmd) => train::run(cmd),
        Command::Sample(args) => sample::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Export(args) => export::run(args),
        Command::Translate(args) => translate::run(args),
    }
}
