//! The reproducible experiments, one module per method, and the helpers they share.

pub mod dae;
pub mod ebm;
pub mod gmmn;
pub mod i2i;
pub mod rbm;

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::reproduce::{Experiment, Profile, RunContext};

/// Every experiment, in report order.
pub fn all() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(rbm::RbmFigure1),
        Box::new(rbm::RbmFigure2),
        Box::new(gmmn::GmmnExperiment),
        Box::new(dae::DaeExperiment),
        Box::new(ebm::EbmExperiment),
        Box::new(i2i::I2iExperiment),
    ]
}

/// Fails with the download command when a profile's dataset is missing.
pub fn check_data(data: &str, profile: Profile) -> Result<()> {
    let info = gen_core::data::catalogue(&gen_core::data::data_dir());
    if let Some(d) = info.iter().find(|d| d.name == data)
        && !d.is_present()
    {
        bail!(
            "the {} profile needs {data}: run `cargo xtask download {data}` first",
            profile.as_str()
        );
    }
    Ok(())
}

/// A run's `summary.json`.
pub fn summary(run: &Path) -> Result<Value> {
    Ok(serde_json::from_str(&std::fs::read_to_string(
        run.join("summary.json"),
    )?)?)
}

/// A number of a summary (NaN when absent).
pub fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or(f64::NAN)
}

/// `gen sample RUN -n 64 --out OUT`.
pub fn sample_grid(ctx: &RunContext, run: &Path, out: &Path) -> Result<()> {
    ctx.run_gen(&[
        "sample".into(),
        run.display().to_string(),
        "-n".into(),
        "64".into(),
        "--out".into(),
        out.display().to_string(),
    ])
}

/// `gen eval RUN --metric M` for each metric whose `key` is not yet in the run's summary (or
/// always with `--fresh`); returns the summary.
pub fn eval_missing(ctx: &RunContext, run: &Path, metrics: &[(&str, &str)]) -> Result<Value> {
    for (metric, key) in metrics {
        if summary(run)?.get(*key).is_none() || ctx.fresh {
            ctx.run_gen(&[
                "eval".into(),
                run.display().to_string(),
                "--metric".into(),
                metric.to_string(),
            ])?;
        }
    }
    summary(run)
}
