//! `classifier` (paper profile): the MNIST evaluation classifier that the Fréchet distances and
//! the label-preservation scores of the other sections read, trained when its artefact is
//! missing, with its test accuracy against the 99.0% the issue asks for.

use std::fmt::Write as _;

use anyhow::Result;

use super::{check_data, ensure_classifier_with, num};
use crate::experiment::{Experiment, Profile, RunContext, Section};

/// `classifier`: the evaluation classifier of MNIST.
pub struct ClassifierExperiment;

impl Experiment for ClassifierExperiment {
    fn name(&self) -> &'static str {
        "classifier"
    }

    fn profiles(&self) -> &'static [Profile] {
        // The quick profile's digits classifier is reported inside `compare` and `i2i`.
        &[Profile::Paper]
    }

    fn run(&self, ctx: &RunContext) -> Result<Section> {
        check_data("mnist", ctx.profile)?;
        // The default epochs, the Keras example's 12: after 4 the validation accuracy was
        // 98.8% (measured here), short of the 99.0% the Fréchet distances need.
        let (dir, sm) = ensure_classifier_with(ctx, "mnist", None)?;
        let config: toml::Table = std::fs::read_to_string(dir.join("config.toml"))?.parse()?;
        let accuracy = num(&sm, "test_accuracy");
        let images = sm["test_images"].as_u64().unwrap_or(0);
        let mut body = String::new();
        let _ = writeln!(
            body,
            "The evaluation classifier (`gen train classifier --data mnist --seed 1`, the default 12 epochs of the Keras example): the Keras MNIST example's CNN (two 3x3 convolutions of 32 and 64 filters, 2x2 max-pool, dropout 0.25, 128 ReLU units, dropout 0.5, 10 logits), Adam 1e-3, batches of 128, {} epochs on the first 50,000 training images (the last 10,000 are MNIST's validation split, used by the Learner's validation). Artefact: `$GEN_DATA_DIR/{}` (version {}).\n",
            config["epochs"].as_integer().unwrap_or(0),
            dir.strip_prefix(gen_core::data::data_dir())
                .unwrap_or(&dir)
                .display(),
            sm["classifier_version"]
        );
        let _ = writeln!(
            body,
            "| test accuracy | correct / test images | training time (s) |"
        );
        let _ = writeln!(body, "|---:|---:|---:|");
        let _ = writeln!(
            body,
            "| {:.2}% | {:.0} / {images} | {:.1} |\n",
            100.0 * accuracy,
            accuracy * images as f64,
            num(&sm, "train_seconds")
        );
        if ctx.work.get() == 0 {
            // The artefact was trained before this invocation (perhaps resumed across several),
            // so the section's own time is only the redrawing. `train_seconds` is the wall time
            // of the `gen train classifier` call that finished it, not a sum over resumes.
            let _ = writeln!(
                body,
                "This run reused the finished artefact, so the section's own time is only its redrawing. The training time above is the wall time of the last `gen train classifier` call alone (a resumed run counts only its own epochs), on this 2-core machine.\n"
            );
        }
        let curve = validation_curve(&dir.join("learner"));
        if !curve.is_empty() {
            let _ = writeln!(
                body,
                "Validation accuracy (the last 10,000 training images) after each epoch, from the Learner's logs: {}.\n",
                curve
                    .iter()
                    .map(|a| format!("{a:.2}%"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(
            body,
            "Target: at least 99.0% (the Keras example reports 99.25% after 12 epochs on all 60,000 training images): {}.\n",
            if accuracy >= 0.99 {
                "met".to_string()
            } else {
                format!("missed by {:.2} points", 100.0 * (0.99 - accuracy))
            }
        );
        Ok(Section {
            title: "The MNIST evaluation classifier".into(),
            body,
            seeds: vec![1],
            command: format!(
                "cargo xtask reproduce --profile {} --only classifier",
                ctx.profile.as_str()
            ),
        })
    }
}

/// The validation accuracy (%) after each epoch: the `final` line of burn-train's
/// `valid/epoch-N/Accuracy.log`, for the epochs that have one, in order.
fn validation_curve(learner: &std::path::Path) -> Vec<f64> {
    (1..)
        .map(|epoch| learner.join(format!("valid/epoch-{epoch}/Accuracy.log")))
        .take_while(|path| path.is_file())
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let last = text.lines().rev().find(|l| l.ends_with(",final"))?;
            last.split(',').next()?.parse().ok()
        })
        .collect()
}
