//! The vocabulary of `cargo xtask reproduce`: a profile, an experiment, the context it runs in
//! (where it writes, how it trains through `gen`), and the section it reports. The experiments
//! (`experiments/`) and the report writer (`reproduce.rs`) both use it; neither imports the
//! other's module for it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// How big a reproduction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// Offline, on the project's own data, minutes on a 2-core CPU.
    Quick,
    /// The papers' datasets and sizes (downloads needed; hours).
    Paper,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Paper => "paper",
        }
    }
}

/// Where an experiment writes and how it should behave.
#[derive(Debug, Clone)]
pub struct RunContext {
    pub profile: Profile,
    /// `reports/<profile>/`: figures are written under `<name>/` inside it.
    pub report_dir: PathBuf,
    /// `reports/<profile>/runs/`: the training runs.
    pub runs_dir: PathBuf,
    /// Retrain even when a finished run exists (once: a run trained or a metric computed in
    /// this invocation is reused by the experiments after it).
    pub fresh: bool,
    /// The papers' full training lengths where the paper profile shortens them to its budget
    /// of 45 minutes a section on a 2-core CPU (`--full`; hours to days there).
    pub full: bool,
    pub quiet: bool,
    /// Runs trained and `(run, metric)` evaluations made in this invocation.
    pub done_now: std::cell::RefCell<std::collections::HashSet<String>>,
    /// Runs trained and metrics computed so far in this invocation (0: the experiment only
    /// redrew its figures and text from finished runs, and keeps the time it took first).
    pub work: std::cell::Cell<u32>,
    /// Finished runs and metrics of earlier invocations reused so far in this one.
    pub reused: std::cell::Cell<u32>,
}

impl RunContext {
    /// The folder of an experiment's figures (created).
    pub fn figures(&self, experiment: &str) -> Result<PathBuf> {
        let dir = self.report_dir.join(experiment);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }

    /// Runs `gen` with `args` (without the program name).
    pub fn run_gen(&self, args: &[String]) -> Result<()> {
        let mut full = vec!["gen".to_string()];
        full.extend(args.iter().cloned());
        gen_cli::run(full.clone()).with_context(|| format!("`{}` failed", full.join(" ")))
    }

    /// Whether `key` (a run, or a run and a metric) should be redone: never when done in this
    /// invocation, else with `--fresh` or when `finished` is false. Marks it done.
    pub fn redo(&self, key: String, finished: bool) -> bool {
        let mut done = self.done_now.borrow_mut();
        let done_now = done.contains(&key);
        let redo = !done_now && (self.fresh || !finished);
        done.insert(key);
        if redo {
            self.work.set(self.work.get() + 1);
        } else if !done_now {
            self.reused.set(self.reused.get() + 1);
        }
        redo
    }

    /// Trains into `runs/<name>` with `args` unless a finished run is there (or, with
    /// `--fresh`, unless it was trained in this invocation); returns its path. A run that was
    /// interrupted after its first checkpoint is resumed (`gen train METHOD --resume`), not
    /// restarted, unless `--fresh` is given.
    pub fn train(&self, name: &str, args: &[String]) -> Result<PathBuf> {
        let out = self.runs_dir.join(name);
        let finished = out.join("summary.json").is_file();
        if !self.redo(out.display().to_string(), finished) {
            eprintln!("reusing finished run {}", out.display());
            return Ok(out);
        }
        if !self.fresh && has_checkpoint(&out) {
            eprintln!("resuming interrupted run {}", out.display());
            // `train METHOD --data NAME`: a resume takes no other configuration.
            let mut resume: Vec<String> = args.iter().take(4).cloned().collect();
            resume.extend(["--out".into(), out.display().to_string(), "--resume".into()]);
            if self.quiet {
                resume.push("--quiet".into());
            }
            return self.run_gen(&resume).map(|()| out);
        }
        if out.exists() {
            std::fs::remove_dir_all(&out)
                .with_context(|| format!("cannot clear {}", out.display()))?;
        }
        let mut full = args.to_vec();
        full.extend(["--out".to_string(), out.display().to_string()]);
        if self.quiet {
            full.push("--quiet".into());
        }
        self.run_gen(&full)?;
        Ok(out)
    }
}

/// Whether `run` holds a configuration and at least one checkpoint (a run that can resume).
fn has_checkpoint(run: &Path) -> bool {
    run.join("config.toml").is_file()
        && std::fs::read_dir(run.join("checkpoints")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("step-"))
        })
}

/// What an experiment reports.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Section {
    pub title: String,
    /// Markdown: tables and figure links (relative to the report folder).
    pub body: String,
    /// Seeds of the runs.
    pub seeds: Vec<u64>,
    /// The command that reruns just this experiment.
    pub command: String,
}

/// A reproducible experiment.
pub trait Experiment {
    /// Short name used by `--only`.
    fn name(&self) -> &'static str;
    /// The profiles the experiment belongs to.
    fn profiles(&self) -> &'static [Profile] {
        &[Profile::Quick, Profile::Paper]
    }
    /// Runs the experiment for `ctx.profile` and describes the results.
    fn run(&self, ctx: &RunContext) -> Result<Section>;
}
