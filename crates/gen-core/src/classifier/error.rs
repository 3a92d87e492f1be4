//! Why the evaluation classifier could not be trained, saved or loaded.

use std::path::{Path, PathBuf};

use super::artefact::CLASSIFIER_VERSION;
use crate::validate::ConfigError;

/// The classifier's errors; each message names the file or setting and, where one exists, the
/// command that mends it.
#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    /// Settings it cannot train with.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Data it cannot learn from (no labels, a label past the classes).
    #[error("{0}")]
    Data(String),
    /// burn-train's Learner stopped with an error.
    #[error("classifier training failed: {0}")]
    Training(String),
    /// No artefact in the folder.
    #[error(
        "no trained classifier in {}: train one with `gen train classifier --data DATASET --out {}` (or `cargo xtask reproduce`, which trains it when missing)",
        .dir.display(),
        .dir.display()
    )]
    Missing {
        /// The folder looked in.
        dir: PathBuf,
    },
    /// A file of the artefact could not be created, written or read.
    #[error("cannot {action} {}: {error}", .path.display())]
    Io {
        /// "create", "write" or "read".
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The system's reason.
        error: std::io::Error,
    },
    /// A file of the artefact that is not what it should hold.
    #[error("{}: {problem}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// An artefact of another version of the network or its training.
    #[error(
        "{} holds a version {found} classifier; this build needs version {CLASSIFIER_VERSION}: retrain it",
        .dir.display()
    )]
    Version {
        /// The artefact's folder.
        dir: PathBuf,
        /// The version it records.
        found: u32,
    },
}

impl ClassifierError {
    /// The [`ClassifierError::Io`] of `action` ("create", "write", "read") on `path`, for
    /// `map_err`.
    pub fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |error| ClassifierError::Io {
            action,
            path,
            error,
        }
    }
}
