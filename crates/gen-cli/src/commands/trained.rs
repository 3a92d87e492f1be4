//! Opening a trained run of any method, for `sample`, `eval` and `export`.

use std::path::Path;

use anyhow::{Result, bail};
use burn::tensor::Device;
use gen_core::run::RunDir;

use crate::backend::{BackendName, device_for};
use crate::methods;
use crate::run_config::run_method;

/// A loaded run of one of the methods (boxed: the methods' models differ a lot in size).
pub enum Trained {
    Rbm(Box<methods::rbm::TrainedRbm>),
    Gmmn(Box<methods::gmmn::TrainedGmmn>),
    Dae(Box<methods::dae::TrainedDae>),
    Ebm(Box<methods::ebm::TrainedEbm>),
    CycleGan(Box<methods::cyclegan::TrainedCycleGan>),
    Unit(Box<methods::unit::TrainedUnit>),
    Classifier(Box<methods::classifier::TrainedClassifier>),
}

impl Trained {
    /// The run as a translation model, if it is one.
    pub fn translation(&self) -> Option<&dyn methods::translation::TrainedTranslation> {
        match self {
            Trained::CycleGan(t) => Some(t.as_ref()),
            Trained::Unit(t) => Some(t.as_ref()),
            _ => None,
        }
    }
}

/// Opens `path` as a run and loads its model on `backend` (or the run's own backend).
pub fn open(path: &Path, backend: Option<BackendName>) -> Result<(RunDir, Trained, Device)> {
    let run = RunDir::open(path)?;
    let method = run_method(&run.read_config()?, &run.config_path())?;
    let device = backend.map(device_for).transpose()?;
    match method.as_str() {
        "rbm" => {
            let (trained, device) = methods::rbm::load_run(&run, device.as_ref())?;
            Ok((run, Trained::Rbm(Box::new(trained)), device))
        }
        "gmmn" | "gmmn-ae" => {
            let (trained, device) = methods::gmmn::load_run(&run, device.as_ref())?;
            Ok((run, Trained::Gmmn(Box::new(trained)), device))
        }
        "dae" => {
            let (trained, device) = methods::dae::load_run(&run, device.as_ref())?;
            Ok((run, Trained::Dae(Box::new(trained)), device))
        }
        "ebm" => {
            let (trained, device) = methods::ebm::load_run(&run, device.as_ref())?;
            Ok((run, Trained::Ebm(Box::new(trained)), device))
        }
        "cyclegan" => {
            let (trained, device) = methods::cyclegan::load_run(&run, device.as_ref())?;
            Ok((run, Trained::CycleGan(Box::new(trained)), device))
        }
        "unit" => {
            let (trained, device) = methods::unit::load_run(&run, device.as_ref())?;
            Ok((run, Trained::Unit(Box::new(trained)), device))
        }
        "classifier" => {
            let (trained, device) = methods::classifier::load_run(&run, device.as_ref())?;
            Ok((run, Trained::Classifier(Box::new(trained)), device))
        }
        other => bail!("{}: unknown method '{other}'", run.config_path().display()),
    }
}
