//! Which way an unpaired translation model maps images: from domain A to B, or back. Named here
//! so that a translation request (`gen translate --direction a2b`) is typed before it reaches the
//! method crate that owns the networks.

use serde::{Deserialize, Serialize};

/// Which way to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Domain A to domain B (`a2b` on the command line).
    AToB,
    /// Domain B to domain A (`b2a`).
    BToA,
}

impl Direction {
    /// The way back.
    pub fn reverse(self) -> Self {
        match self {
            Direction::AToB => Direction::BToA,
            Direction::BToA => Direction::AToB,
        }
    }

    /// The command line's name: `a2b` or `b2a`.
    pub fn flag_name(self) -> &'static str {
        match self {
            Direction::AToB => "a2b",
            Direction::BToA => "b2a",
        }
    }
}

/// The command line's names without per-value help, so `--help` lists them as
/// `[possible values: a2b, b2a]`.
#[cfg(feature = "clap")]
impl clap::ValueEnum for Direction {
    fn value_variants<'a>() -> &'a [Self] {
        &[Direction::AToB, Direction::BToA]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.flag_name()))
    }
}
