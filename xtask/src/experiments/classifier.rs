//! `classifier` (paper profile): the MNIST evaluation classifier that the Fréchet distances and
//! the label-preservation scores of the other sections read, trained when its artefact is
//! missing, with its test accuracy against the 99.0% the issue asks for.

use std::fmt::Write as _;

use anyhow::Result;

use super::{check_data, ensure_classifier_with, num};
use crate::reproduce::{Experiment, Profile, RunContext, Section};

/// Epochs of the paper profile's classifier: 4 instead of the Keras example's 12 (the
/// default of `gen train classifier`), for time: one epoch of 50,000 images takes about four
/// minutes on this 2-core CPU.
const PAPER_EPOCHS: u64 = 4;

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
        let (dir, sm) = ensure_classifier_with(ctx, "mnist", Some(PAPER_EPOCHS))?;
        let config: toml::Table = std::fs::read_to_string(dir.join("config.toml"))?.parse()?;
        let accuracy = num(&sm, "test_accuracy");
        let images = sm["test_images"].as_u64().unwrap_or(0);
        let mut body = String::new();
        let _ = writeln!(
            body,
            "The evaluation classifier (`gen train classifier --data mnist --seed 1 --epochs {PAPER_EPOCHS}`; the default is the Keras example's 12 epochs, cut to {PAPER_EPOCHS} for time on this CPU): the Keras MNIST example's CNN (two 3x3 convolutions of 32 and 64 filters, 2x2 max-pool, dropout 0.25, 128 ReLU units, dropout 0.5, 10 logits), Adam 1e-3, batches of 128, {} epochs on the first 50,000 training images (the last 10,000 are MNIST's validation split, used by the Learner's validation). Artefact: `{}` (version {}).\n",
            config["epochs"].as_integer().unwrap_or(0),
            dir.display(),
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
