//! # gen-cli
//!
//! The `gen` command line as a library, so that `xtask` (reproduction, benchmarks) and tests
//! drive exactly what users run. The binary is a thin `main` around [`run`]. Each method lives
//! in its crate (its `run` module implements `gen_core::method::GenerativeMethod`); this crate
//! parses arguments, maps them onto the methods' requests ([`commands`]), keeps the
//! [`registry`] from a run's method name to its crate, and prints.

pub mod cli;
pub mod commands;
pub mod registry;

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
