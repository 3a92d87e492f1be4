//! # gen-cli
//!
//! The `gen` command line as a library, so that `xtask` (reproduction, benchmarks) and tests
//! drive exactly what users run. The binary is a thin `main` around [`run`].

pub mod backend;
pub mod cli;
pub mod commands;
pub mod methods;
pub mod run_config;

use clap::Parser;

/// Parses `args` (including the program name) and runs the command.
pub fn run<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = cli::Cli::try_parse_from(args)?;
    commands::dispatch(&cli)
}
