//! What every `gen train <method>` does before training: resolve the configuration (or reread
//! it on `--resume`), refuse changes on a resume, create the run directory and write
//! `config.toml`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::RunDir;
use super::configuration::{non_finite_setting, read_run_config, resolve, to_text};
use crate::backend::{BackendName, default_backend, device_or_own};
use crate::method::{Shortcuts, TrainRequest};

/// A method's run configuration, as far as the shared setup needs to know it.
pub trait RunConfig: Serialize + DeserializeOwned {
    /// The backend the run trains on.
    fn backend_mut(&mut self) -> &mut BackendName;
    /// `runs/<method>-<data>-<seed>`.
    fn default_out(&self) -> PathBuf;
}

/// The default run folder of `method` on `data` with `seed`.
pub fn default_out(method: &str, data: &str, seed: u64) -> PathBuf {
    PathBuf::from("runs").join(format!(
        "{method}-{}-{seed}",
        data.replace(['/', '\\'], "_")
    ))
}

/// A resolved configuration and the run folder it will train in; nothing is written yet.
pub struct Prepared<C> {
    /// The resolved configuration.
    pub config: C,
    /// The run folder.
    pub out: PathBuf,
    /// Whether the run continues from its last checkpoint.
    pub resume: bool,
}

impl<C: RunConfig> Prepared<C> {
    /// Creates (or, on `--resume`, reopens) the run folder and writes the configuration of a new
    /// run. Called once the method has checked its data against the configuration and filled in
    /// the widths it takes from the data, so that a refused run leaves nothing behind.
    pub fn create_run(&self) -> Result<RunDir> {
        if self.resume {
            let mut run = RunDir::open(&self.out)?;
            run.lock_for_training()?;
            return Ok(run);
        }
        let mut run = RunDir::create(&self.out)?;
        // Locked before anything is read or written: a second `gen train` on the folder stops
        // here instead of mixing its configuration and checkpoints with the first one's.
        run.lock_for_training()?;
        if run.checkpoints().latest()?.is_some() {
            bail!(
                "{} already holds a trained run; pass --resume to continue it or choose another --out",
                self.out.display()
            );
        }
        run.write_config(&to_text(&self.config)?)?;
        Ok(run)
    }
}

/// Resolves the configuration of a new run (`defaults` for the chosen backend, then `--config`,
/// then the method's own `shortcuts` on the typed configuration, then `--epochs` and `--set`), or
/// rereads it on `--resume`, where no change is accepted. `validate` runs on the result; nothing
/// is written.
pub fn prepare_run<C: RunConfig>(
    common: &TrainRequest,
    defaults: impl FnOnce(BackendName) -> C,
    shortcuts: &dyn Shortcuts<C>,
    optional_fields: &[&str],
    validate: impl FnOnce(&C) -> Result<()>,
) -> Result<Prepared<C>> {
    let resume = common.resume;
    let mut config = if resume {
        let out = common.out.as_ref().context("--resume needs --out RUN")?;
        let run = RunDir::open(out)?;
        if !common.sets.is_empty()
            || common.config.is_some()
            || !shortcuts.is_empty()
            || common.epochs.is_some()
        {
            bail!(
                "--resume continues the run exactly as configured in {}; it takes no configuration changes",
                run.config_path().display()
            );
        }
        read_run_config(
            &run.read_config()?,
            &defaults(BackendName::Flex),
            optional_fields,
        )
        .with_context(|| {
            format!(
                "{}: not a configuration of this method",
                run.config_path().display()
            )
        })?
    } else {
        let backend = match common.backend {
            Some(b) => b,
            None => default_backend()?,
        };
        let mut config = resolve(
            defaults(backend),
            common.config.as_deref(),
            &[],
            optional_fields,
        )?;
        shortcuts.apply(&mut config)?;
        let mut sets = Vec::new();
        if let Some(e) = common.epochs {
            sets.push(format!("epochs={e}"));
        }
        sets.extend(common.sets.iter().cloned());
        resolve(config, None, &sets, optional_fields)?
    };
    if let Some(b) = common.backend.filter(|_| resume) {
        *config.backend_mut() = b;
    }
    // The method's own checks first (their messages say what the setting means); then any
    // NaN or infinity they do not look at.
    validate(&config)?;
    if let Some((name, value)) = non_finite_setting(&config)? {
        return Err(crate::validate::ConfigError::NotFinite { key: name, value }.into());
    }
    let out = common.out.clone().unwrap_or_else(|| config.default_out());
    Ok(Prepared {
        config,
        out,
        resume,
    })
}

/// What loading a trained run starts with: its `config.toml` read as the method's configuration
/// (`what` names the method in the error, "not a GMMN run configuration"), and the device to load
/// it on: `device` when given (`--backend`), else the backend the run was trained on.
pub fn trained_config<C: RunConfig>(
    run: &RunDir,
    what: &str,
    device: Option<&Device>,
) -> Result<(C, Device)> {
    let mut config: C = toml::from_str(&run.read_config()?).with_context(|| {
        format!(
            "{}: not a {what} run configuration",
            run.config_path().display()
        )
    })?;
    let device = device_or_own(device, *config.backend_mut())?;
    Ok((config, device))
}
