//! Checkpoints that survive a kill at any instant.
//!
//! A checkpoint is a folder `checkpoints/step-NNNNNNNNNN/` holding `state.json` (counters and
//! trainer state) and one binary blob per named part (model record, optimiser record,
//! persistent chains, ...). It is written under a temporary name, every file fsynced, then
//! renamed into place in one atomic `rename`, and the parent folder fsynced. A folder named
//! `step-*` is therefore always complete; a kill leaves at most a `.partial-STEP-PID` folder,
//! which is ignored. Replacing a checkpoint of the same step first renames the old folder aside
//! (`.partial-old-STEP-PID`), so a kill never leaves a half-deleted `step-*` folder; loading
//! falls back from the newest checkpoint to older ones when the newest cannot be read (a kill
//! mid-deletion by an older version, a disk error), saying so. A writer removes only its own
//! partial folders (another process's may be in the middle of a write); the stale ones of dead
//! writers go when a process takes the run's lock ([`super::RunDir::lock_for_training`]), since
//! no other writer can exist then.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use serde_json::Value;

use super::CheckpointError;
use super::RunError;
use super::atomic::sync_dir;
use crate::module_bytes::{load_module_bytes, load_optimizer_bytes};

/// How many complete checkpoints a store keeps (the newest ones).
pub const KEEP_CHECKPOINTS: usize = 2;

/// A checkpoint step that could not be read, and why.
pub type Unreadable = (u64, RunError);

/// The contents of one checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Training steps (updates) done when it was taken.
    pub step: u64,
    /// Epochs completed.
    pub epoch: u64,
    /// Trainer state as JSON (e.g. batch position, step counters of samplers).
    pub state: Value,
    /// Named binary parts, e.g. `("model", burnpack bytes)`.
    pub blobs: Vec<(String, Vec<u8>)>,
}

impl Checkpoint {
    /// The blob called `name`.
    pub fn blob(&self, name: &str) -> Option<&[u8]> {
        self.blobs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// The blob called `name`, which the method always saves: its absence is an error.
    pub fn required(&self, name: &str) -> Result<&[u8], CheckpointError> {
        self.blob(name)
            .ok_or_else(|| CheckpointError::Missing(name.to_string()))
    }

    /// `fresh` with the parameters saved as blob `name` (written by
    /// [`module_bytes`](crate::module_bytes::module_bytes)).
    pub fn module<M: Module>(&self, name: &str, fresh: M) -> Result<M, CheckpointError> {
        load_module_bytes(fresh, self.required(name)?).map_err(|e| CheckpointError::part(name, e))
    }

    /// `fresh` with the optimiser state saved as blob `name` (written by
    /// [`optimizer_bytes`](crate::module_bytes::optimizer_bytes)).
    pub fn optimizer(
        &self,
        name: &str,
        fresh: ModuleOptimizer,
    ) -> Result<ModuleOptimizer, CheckpointError> {
        load_optimizer_bytes(fresh, self.required(name)?)
            .map_err(|e| CheckpointError::part(name, e))
    }
}

/// The `checkpoints/` folder of a run.
#[derive(Debug, Clone)]
pub struct CheckpointStore {
    dir: PathBuf,
}

fn step_dir_name(step: u64) -> String {
    format!("step-{step:010}")
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

impl CheckpointStore {
    /// The store of the checkpoint folder `dir` (not created until the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Writes `ckpt` atomically, then removes all but the newest [`KEEP_CHECKPOINTS`].
    pub fn save(&self, ckpt: &Checkpoint) -> Result<PathBuf, RunError> {
        fs::create_dir_all(&self.dir).map_err(|e| RunError::io(&self.dir, e))?;
        self.remove_partials();
        let partial = self
            .dir
            .join(format!(".partial-{}-{}", ckpt.step, std::process::id()));
        let _ = fs::remove_dir_all(&partial);
        fs::create_dir_all(&partial).map_err(|e| RunError::io(&partial, e))?;
        let state = serde_json::json!({
            "step": ckpt.step,
            "epoch": ckpt.epoch,
            "state": ckpt.state,
            "blobs": ckpt.blobs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        });
        for (name, bytes) in &ckpt.blobs {
            let path = partial.join(format!("{name}.bin"));
            write_synced(&path, bytes).map_err(|e| RunError::io(&path, e))?;
        }
        // state.json last: its presence marks a folder whose blobs are all written.
        let state_path = partial.join("state.json");
        write_synced(&state_path, state.to_string().as_bytes())
            .map_err(|e| RunError::io(&state_path, e))?;
        sync_dir(&partial).map_err(|e| RunError::io(&partial, e))?;
        let target = self.dir.join(step_dir_name(ckpt.step));
        // An existing checkpoint of this step is moved aside in one rename, never deleted in
        // place: a kill then leaves either the old complete folder or the new one (and the
        // older steps), not a `step-*` folder with half its files.
        let replaced = self
            .dir
            .join(format!(".partial-old-{}-{}", ckpt.step, std::process::id()));
        let had_target = target.exists();
        if had_target {
            let _ = fs::remove_dir_all(&replaced);
            fs::rename(&target, &replaced).map_err(|e| RunError::io(&target, e))?;
        }
        fs::rename(&partial, &target).map_err(|e| RunError::io(&target, e))?;
        sync_dir(&self.dir).map_err(|e| RunError::io(&self.dir, e))?;
        if had_target {
            let _ = fs::remove_dir_all(&replaced);
        }
        self.prune();
        Ok(target)
    }

    /// Steps of the complete checkpoints, oldest first.
    pub fn steps(&self) -> Vec<u64> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut steps: Vec<u64> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_prefix("step-")?.parse().ok())
            .collect();
        steps.sort_unstable();
        steps
    }

    /// Loads the checkpoint of `step`.
    pub fn load(&self, step: u64) -> Result<Checkpoint, RunError> {
        let dir = self.dir.join(step_dir_name(step));
        let state_path = dir.join("state.json");
        let text = fs::read_to_string(&state_path).map_err(|e| RunError::io(&state_path, e))?;
        let state: Value = serde_json::from_str(&text).map_err(|e| RunError::Invalid {
            path: state_path.clone(),
            problem: format!("unreadable checkpoint state: {e}"),
        })?;
        let invalid = |problem: &str| RunError::Invalid {
            path: state_path.clone(),
            problem: problem.to_string(),
        };
        let names = state["blobs"]
            .as_array()
            .ok_or_else(|| invalid("no blob list"))?;
        let mut blobs = Vec::with_capacity(names.len());
        for name in names {
            let name = name
                .as_str()
                .ok_or_else(|| invalid("blob name is not a string"))?;
            // A name is a file inside this folder, never a path out of it.
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(invalid(&format!("blob name '{name}' is not a plain name")));
            }
            let path = dir.join(format!("{name}.bin"));
            let bytes = fs::read(&path).map_err(|e| RunError::io(&path, e))?;
            blobs.push((name.to_string(), bytes));
        }
        Ok(Checkpoint {
            step: state["step"].as_u64().ok_or_else(|| invalid("no step"))?,
            epoch: state["epoch"].as_u64().ok_or_else(|| invalid("no epoch"))?,
            state: state["state"].clone(),
            blobs,
        })
    }

    /// The newest checkpoint that can be read, if any: when the newest cannot (its
    /// `state.json` or a blob missing or corrupt), the older ones are tried in turn and each
    /// one skipped is reported on standard error. When none can be read, the newest's error.
    pub fn latest(&self) -> Result<Option<Checkpoint>, RunError> {
        let (found, skipped) = self.latest_readable();
        if matches!(found, Ok(Some(_))) {
            for (step, error) in &skipped {
                eprintln!("warning: skipping unreadable checkpoint step {step}: {error}");
            }
        }
        found
    }

    /// The newest readable checkpoint (or, when none is, the newest's error), and the newer
    /// steps skipped on the way with why.
    pub fn latest_readable(&self) -> (Result<Option<Checkpoint>, RunError>, Vec<Unreadable>) {
        let mut skipped = Vec::new();
        for &step in self.steps().iter().rev() {
            match self.load(step) {
                Ok(ckpt) => return (Ok(Some(ckpt)), skipped),
                Err(e) => skipped.push((step, e)),
            }
        }
        if skipped.is_empty() {
            (Ok(None), skipped)
        } else {
            let (_, newest_error) = skipped.remove(0);
            (Err(newest_error), skipped)
        }
    }

    /// Removes this process's partial folders (left by a save that failed).
    fn remove_partials(&self) {
        let own = format!("-{}", std::process::id());
        self.remove_partials_where(|name| name.ends_with(&own));
    }

    /// Removes every partial folder: only for the holder of the run's lock, when no other
    /// writer can be in the middle of a save.
    pub fn remove_stale_partials(&self) {
        self.remove_partials_where(|_| true);
    }

    fn remove_partials_where(&self, pick: impl Fn(&str) -> bool) {
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for e in entries.filter_map(|e| e.ok()) {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(".partial-") && pick(&name) {
                    let _ = fs::remove_dir_all(e.path());
                }
            }
        }
    }

    fn prune(&self) {
        let steps = self.steps();
        if steps.len() > KEEP_CHECKPOINTS {
            for step in &steps[..steps.len() - KEEP_CHECKPOINTS] {
                let _ = fs::remove_dir_all(self.dir.join(step_dir_name(*step)));
            }
        }
    }
}
