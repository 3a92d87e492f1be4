//! The reproducible experiments, one module per method, and the helpers they share.

pub mod classifier;
pub mod compare;
pub mod dae;
pub mod ebm;
pub mod gmmn;
pub mod i2i;
pub mod rbm;

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::Value;

use crate::experiment::{Experiment, Profile, RunContext};

/// Every experiment, in report order.
pub fn all() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(rbm::RbmFigure1),
        Box::new(rbm::RbmFigure2),
        Box::new(classifier::ClassifierExperiment),
        Box::new(gmmn::GmmnExperiment),
        Box::new(dae::DaeExperiment),
        Box::new(ebm::EbmExperiment),
        Box::new(i2i::I2iExperiment),
        Box::new(compare::CompareExperiment),
    ]
}

/// Fails with the download command when a profile's dataset is missing.
pub fn check_data(data: &str, profile: Profile) -> Result<()> {
    let info = gen_core::data::catalogue(&gen_core::data::data_dir());
    if let Some(d) = info.iter().find(|d| d.name == data)
        && !d.is_present()
    {
        // A derived set (restyled MNIST) comes from the set in its source folder.
        let download = match &d.location {
            gen_core::data::registry::Location::DerivedFrom(source) => source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| data.to_string()),
            _ => data.to_string(),
        };
        bail!(
            "the {} profile needs {data}: run `cargo xtask download {download}` first",
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

/// `gen eval RUN --metric M` for each metric whose `key` is not yet in the run's summary (or,
/// with `--fresh`, once per invocation); returns the summary.
pub fn eval_missing(ctx: &RunContext, run: &Path, metrics: &[(&str, &str)]) -> Result<Value> {
    for (metric, key) in metrics {
        let present = summary(run)?.get(*key).is_some();
        if ctx.redo(format!("{} --metric {metric}", run.display()), present) {
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

/// The evaluation classifier of `data` (its versioned artefact in the data folder), trained with
/// `gen train classifier` when it is missing or resumed when a run was interrupted; returns its
/// folder and its summary. `--fresh` does not retrain it: it is an artefact, not a run.
pub fn ensure_classifier(ctx: &RunContext, data: &str) -> Result<(std::path::PathBuf, Value)> {
    ensure_classifier_with(ctx, data, None)
}

/// [`ensure_classifier`] with `--epochs` when the artefact has to be trained.
pub fn ensure_classifier_with(
    ctx: &RunContext,
    data: &str,
    epochs: Option<u64>,
) -> Result<(std::path::PathBuf, Value)> {
    let dir = gen_core::classifier::default_classifier_dir(&gen_core::data::data_dir(), data);
    if !dir.join("classifier.json").is_file() {
        let mut args: Vec<String> = ["train", "classifier", "--data", data]
            .iter()
            .map(|a| a.to_string())
            .collect();
        args.extend(["--out".into(), dir.display().to_string()]);
        // An interrupted training resumes (it takes no seed then: the run's config holds it).
        if dir.join("config.toml").is_file() {
            args.push("--resume".into());
        } else {
            args.extend(["--seed".into(), "1".into()]);
            if let Some(epochs) = epochs {
                args.extend(["--epochs".into(), epochs.to_string()]);
            }
        }
        if ctx.quiet {
            args.push("--quiet".into());
        }
        ctx.work.set(ctx.work.get() + 1);
        ctx.run_gen(&args)?;
    }
    let sm = summary(&dir)?;
    Ok((dir, sm))
}

/// The head of a table of the evaluation classifier's verdicts ([`classifier_row`]).
pub const CLASSIFIER_TABLE_HEAD: &str = "| samples of | Fréchet distance | training images' distance (floor) | classes with at least 5% | predicted-class shares, digits 0-9 (%) |\n|---|---:|---:|---:|---|";

/// A row of the evaluation classifier's verdict on a run's samples, from the run's summary
/// after `gen eval RUN --metric fd`: the Fréchet distance, its floor, and the predicted-class
/// histogram (`class_shares`, `classes_occupied`).
pub fn classifier_row(label: &str, sm: &Value) -> String {
    let shares: Vec<String> = sm["class_shares"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| format!("{:.1}", 100.0 * v.as_f64().unwrap_or(f64::NAN)))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "| {label} | {:.1} | {:.1} | {} | {} |",
        num(sm, "fd"),
        num(sm, "fd_train_to_test"),
        sm["classes_occupied"],
        shares.join(" / ")
    )
}
