//! The registry from a run's `method` name (its `config.toml`) to the crate that loads it, for
//! `sample`, `eval`, `export` and `translate`.

use std::path::Path;

use anyhow::{Result, bail};
use burn::tensor::Device;
use gen_core::backend::{BackendName, device_for};
use gen_core::classifier::run::ClassifierMethod;
use gen_core::method::{GenerativeMethod, TrainedRun};
use gen_core::run::RunDir;
use gen_core::run::configuration::run_method;
use gen_dae::run::DaeMethod;
use gen_ebm::run::EbmMethod;
use gen_i2i::run::cyclegan::CycleGanMethod;
use gen_i2i::run::unit::UnitMethod;
use gen_mmd::run::GmmnMethod;
use gen_rbm::run::RbmMethod;

/// Loads a run of some method onto a device (that device, else the run's own backend's).
type LoadFn = fn(&RunDir, Option<&Device>) -> Result<(Box<dyn TrainedRun>, Device)>;

/// One method of `gen`: the names its runs carry and how to load one.
pub struct Registered {
    /// The `method` values of its runs.
    pub names: &'static [&'static str],
    /// Loads a run.
    pub load: LoadFn,
}

fn load_boxed<M: GenerativeMethod>(
    run: &RunDir,
    device: Option<&Device>,
) -> Result<(Box<dyn TrainedRun>, Device)> {
    let (trained, device) = M::load(run, device)?;
    Ok((Box::new(trained), device))
}

const fn registered<M: GenerativeMethod>() -> Registered {
    Registered {
        names: M::NAMES,
        load: load_boxed::<M>,
    }
}

/// Every method `gen` knows.
pub const METHODS: &[Registered] = &[
    registered::<RbmMethod>(),
    registered::<GmmnMethod>(),
    registered::<DaeMethod>(),
    registered::<EbmMethod>(),
    registered::<CycleGanMethod>(),
    registered::<UnitMethod>(),
    registered::<ClassifierMethod>(),
];

/// Opens `path` as a run and loads its model on `backend` (or the run's own backend).
pub fn open(
    path: &Path,
    backend: Option<BackendName>,
) -> Result<(RunDir, Box<dyn TrainedRun>, Device)> {
    let run = RunDir::open(path)?;
    let method = run_method(&run.read_config()?, &run.config_path())?;
    let device = backend.map(device_for).transpose()?;
    let Some(entry) = METHODS.iter().find(|m| m.names.contains(&method.as_str())) else {
        bail!("{}: unknown method '{method}'", run.config_path().display());
    };
    let (trained, device) = (entry.load)(&run, device.as_ref())?;
    Ok((run, trained, device))
}
