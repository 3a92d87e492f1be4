//! Run directories. Every training run writes one folder:
//!
//! ```text
//! RUN/config.toml        the full resolved configuration, enough to rerun
//! RUN/metrics.jsonl      one JSON object per logged step: step, epoch, wall_s, losses, metrics
//! RUN/summary.json       final metrics and train_seconds
//! RUN/checkpoints/       model + optimiser + sampler state, written atomically
//! RUN/samples/*.png      sample grids over training
//! RUN/plots/*.png        learning curves
//! ```

pub mod atomic;
pub mod checkpoint;
pub mod checkpoint_error;
pub mod configuration;
pub mod finite_blobs;
pub mod lock;
pub mod metrics;
pub mod setup;
pub mod summary;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use checkpoint::{Checkpoint, CheckpointStore};
pub use checkpoint_error::CheckpointError;
pub use lock::RunLock;
pub use metrics::MetricsLog;

/// Why a run directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{path}: {error}")]
    /// A file or folder of the run could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Shown in the message, not as a separate cause: a chain printed with `{:#}` would
        /// repeat it ("No such file...: No such file...").
        error: std::io::Error,
    },
    #[error("{path}: {problem}")]
    /// A folder or file that is not what a run holds there.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
}

impl RunError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        RunError::Io {
            path: path.to_path_buf(),
            error: source,
        }
    }
}

/// A run folder and the paths inside it. A training process holds its lock
/// ([`RunDir::lock_for_training`]) for as long as any clone of it lives.
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
    lock: Option<Arc<RunLock>>,
}

impl RunDir {
    /// Creates the folder layout (idempotent) under `root`. A folder that already holds files
    /// but is not a run ([`RunDir::looks_like_run`]; `--out .` in a project, say) is refused, so
    /// that nothing of the user's is overwritten.
    pub fn create(root: impl Into<PathBuf>) -> Result<Self, RunError> {
        let run = Self {
            root: root.into(),
            lock: None,
        };
        if let Ok(mut entries) = std::fs::read_dir(&run.root) {
            if !run.looks_like_run() && entries.next().is_some() {
                return Err(RunError::Invalid {
                    path: run.root.clone(),
                    problem: "this folder holds files but is not a gen run folder; choose a new or empty folder for --out".to_string(),
                });
            }
        } else if run.root.exists() {
            return Err(RunError::Invalid {
                path: run.root.clone(),
                problem: "not a folder".to_string(),
            });
        }
        for dir in [
            run.root.clone(),
            run.checkpoints_dir(),
            run.samples_dir(),
            run.plots_dir(),
        ] {
            std::fs::create_dir_all(&dir).map_err(|e| RunError::io(&dir, e))?;
        }
        Ok(run)
    }

    /// Whether the folder holds what `gen` writes into a run: a `checkpoints/` folder, the lock
    /// file, or a `config.toml` naming a method (a project's own `config.toml` does not).
    pub fn looks_like_run(&self) -> bool {
        let names_a_method = || {
            std::fs::read_to_string(self.config_path())
                .ok()
                .and_then(|text| text.parse::<toml::Table>().ok())
                .is_some_and(|t| t.get("method").is_some_and(toml::Value::is_str))
        };
        self.checkpoints_dir().is_dir()
            || self.root.join(lock::LOCK_FILE).exists()
            || names_a_method()
    }

    /// Opens an existing run (for sampling, evaluation, export or resume).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, RunError> {
        let run = Self {
            root: root.into(),
            lock: None,
        };
        if !run.config_path().is_file() {
            return Err(RunError::Invalid {
                path: run.root.clone(),
                problem: "not a run directory (no config.toml)".to_string(),
            });
        }
        Ok(run)
    }

    /// Takes the run folder's exclusive lock for training or resuming: a second process
    /// training into the same folder is refused with the holder's pid (see [`RunLock`]).
    pub fn lock_for_training(&mut self) -> Result<(), RunError> {
        if self.lock.is_none() {
            self.lock = Some(Arc::new(RunLock::acquire(&self.root)?));
            // No other writer can exist now: partial checkpoints left are a dead one's.
            self.checkpoints().remove_stale_partials();
        }
        Ok(())
    }

    /// Whether this handle (or a clone it came from) holds the run's lock.
    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    /// The run folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `config.toml`: the resolved configuration.
    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    /// `metrics.jsonl`: one JSON record per logged step.
    pub fn metrics_path(&self) -> PathBuf {
        self.root.join("metrics.jsonl")
    }
    /// `summary.json`: final and evaluation metrics.
    pub fn summary_path(&self) -> PathBuf {
        self.root.join("summary.json")
    }
    /// `checkpoints/`: one folder per kept checkpoint.
    pub fn checkpoints_dir(&self) -> PathBuf {
        self.root.join("checkpoints")
    }
    /// `samples/`: sample grids written during training.
    pub fn samples_dir(&self) -> PathBuf {
        self.root.join("samples")
    }
    /// `plots/`: learning curves.
    pub fn plots_dir(&self) -> PathBuf {
        self.root.join("plots")
    }

    /// Writes the resolved configuration (TOML text) atomically.
    pub fn write_config(&self, toml_text: &str) -> Result<(), RunError> {
        let path = self.config_path();
        atomic::write_atomic(&path, toml_text.as_bytes()).map_err(|e| RunError::io(&path, e))
    }

    /// The configuration text.
    pub fn read_config(&self) -> Result<String, RunError> {
        let path = self.config_path();
        std::fs::read_to_string(&path).map_err(|e| RunError::io(&path, e))
    }

    /// The checkpoint store of this run.
    pub fn checkpoints(&self) -> CheckpointStore {
        CheckpointStore::new(self.checkpoints_dir())
    }

    /// The newest readable checkpoint, for sampling, evaluating or exporting a trained run; a
    /// run without one is an error that says to train it first.
    pub fn trained_checkpoint(&self) -> Result<Checkpoint, RunError> {
        self.checkpoints()
            .latest()?
            .ok_or_else(|| RunError::Invalid {
                path: self.root.clone(),
                problem: "no checkpoint yet: train it first".into(),
            })
    }
}
