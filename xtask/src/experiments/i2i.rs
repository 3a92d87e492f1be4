//! `i2i`: unpaired image-to-image translation, CycleGAN and UNIT. On the generated two-domain
//! shapes, whose test images come in known pairs: the mean absolute error of each translation
//! against its true counterpart beside the identity map's, the cycle errors, and grids of
//! `input | translation | reconstruction`. On a reference dataset (paper profile): the grids.
//!
//! Quick profile: the shapes (32x32), networks of 16 filters, one epoch of 1,000 single-image
//! steps each. Paper profile: horse2zebra with the reference settings (`gen` defaults).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use super::{check_data, ensure_classifier, eval_missing, num};
use crate::experiment::{Experiment, Profile, RunContext, Section};

struct Settings {
    data: &'static str,
    epochs: Option<u64>,
    /// `--set` overrides beyond the defaults, per model.
    cyclegan: Vec<&'static str>,
    unit: Vec<&'static str>,
    /// Whether the test images have known counterparts (the translation metric).
    paired: bool,
    describe: &'static str,
}

/// The labelled digits task: both models on `digits2restyled`, scored by label preservation.
struct DigitsTask {
    epochs: u64,
    cyclegan: Vec<&'static str>,
    unit: Vec<&'static str>,
    describe: &'static str,
}

/// Both profiles run it on the shipped digits (no restyled MNIST is generated).
fn digits_task() -> DigitsTask {
    DigitsTask {
        epochs: 2,
        cyclegan: vec![
            "model.generator.filters=16",
            "model.generator.blocks=2",
            "model.discriminator.filters=16",
            // The identity loss asks F to leave B's images alone; for an inversion it pulls
            // against the translation (with 0.5 the CycleGAN kept no labels; docs/i2i.md).
            "train.identity_weight=0",
        ],
        unit: vec![
            "model.filters=16",
            "model.private_blocks=1",
            "model.discriminator.filters=16",
            // CycleGAN's reference rate. At UNIT's own 1e-4 two epochs end before its learning
            // takes off: labels kept 0.24 / 0.33 after 2 epochs, 0.91 after 4, 0.94 / 0.93
            // after 8; at 2e-4, 0.93 after 2 (docs/i2i.md).
            "train.learning_rate=0.0002",
        ],
        describe: "`digits2restyled`: the 8x8 digits (A) against the same digits with inverted grey levels (B), 719 training images a domain from disjoint halves of the training split, the 360 test digits paired with their restyled counterparts; two epochs of single-image steps; the quick profile's 16-filter networks without downsampling (the preset below 16 pixels) and a one-layer PatchGAN; CycleGAN without the identity loss; both at Adam 2e-4 (CycleGAN's reference rate; UNIT's own 1e-4 needs about four times the steps, docs/i2i.md)",
    }
}

fn settings(profile: Profile) -> Settings {
    match profile {
        // Quarter-width networks for a 2-core CPU: about two minutes a model.
        Profile::Quick => Settings {
            data: "shapes",
            epochs: Some(1),
            cyclegan: vec![
                "model.generator.filters=16",
                "model.generator.blocks=2",
                "model.discriminator.filters=16",
            ],
            unit: vec![
                "model.filters=16",
                "model.private_blocks=1",
                "model.discriminator.filters=16",
            ],
            paired: true,
            describe: "the generated shapes (1,000 unpaired 32x32 images a domain; 200 test pairs); one epoch of 1,000 steps of one image; CycleGAN: ResNet generator of 16 filters with 2 residual blocks, PatchGAN of 2 layers and 16 filters, least squares, cycle weight 10, identity 0.5, pool of 50, Adam 2e-4 constant for half the run then decaying; UNIT: encoders and generators of 16 filters with one private and one shared residual block each side, the same PatchGAN, weights GAN 1, reconstruction 10, KL 0.01, cycle 10, cycle KL 0.01, Adam 1e-4 with weight decay 1e-4",
        },
        Profile::Paper => Settings {
            data: "horse2zebra",
            epochs: None,
            cyclegan: Vec::new(),
            unit: Vec::new(),
            paired: false,
            describe: "horse2zebra (256x256) with the reference settings: CycleGAN 9 residual blocks, 70x70 PatchGAN, 200 epochs; UNIT 64 filters, 3 private and 1 shared block, 1,000,000 steps",
        },
    }
}

fn train(ctx: &RunContext, s: &Settings, method: &str) -> Result<std::path::PathBuf> {
    let sets = if method == "cyclegan" {
        &s.cyclegan
    } else {
        &s.unit
    };
    train_on(ctx, s.data, s.epochs, sets, method)
}

/// `gen train METHOD --data DATA --seed 1 [--epochs E] --set ...` into `runs/METHOD-DATA`.
fn train_on(
    ctx: &RunContext,
    data: &str,
    epochs: Option<u64>,
    sets: &[&str],
    method: &str,
) -> Result<std::path::PathBuf> {
    let mut args: Vec<String> = ["train", method, "--data", data, "--seed", "1"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    if let Some(epochs) = epochs {
        args.extend(["--epochs".into(), epochs.to_string()]);
    }
    for set in sets {
        args.extend(["--set".into(), set.to_string()]);
    }
    ctx.train(&format!("{method}-{data}"), &args)
}

/// The digits task's table and grids (see [`DigitsTask`]).
fn digits_part(ctx: &RunContext, figures: &Path, folder: &str) -> Result<String> {
    let task = digits_task();
    let (_, classifier_a) = ensure_classifier(ctx, "digits")?;
    let (_, classifier_b) = ensure_classifier(ctx, "digits-restyled")?;
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| model | labels kept A→B | labels kept B→A | untranslated A scored as B | untranslated B scored as A | L1 A→B | L1 B→A | identity map's L1 | training time (s) |"
    );
    let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut grids = String::new();
    for (method, label) in [("cyclegan", "CycleGAN"), ("unit", "UNIT")] {
        let sets = if method == "cyclegan" {
            &task.cyclegan
        } else {
            &task.unit
        };
        let run = train_on(ctx, "digits2restyled", Some(task.epochs), sets, method)?;
        let file = format!("{method}-digits.png");
        triplet_grid(ctx, &run, &figures.join(&file))?;
        let _ = write!(grids, "{label}: ![{label} on digits]({folder}/{file}) ");
        let sm = eval_missing(
            ctx,
            &run,
            &[("labels", "labels_a_to_b"), ("translation", "l1_a_to_b")],
        )?;
        let _ = writeln!(
            table,
            "| {label} (`{method}-digits2restyled`) | {:.3} | {:.3} | {:.3} | {:.3} | {:.4} | {:.4} | {:.4} | {:.1} |",
            num(&sm, "labels_a_to_b"),
            num(&sm, "labels_b_to_a"),
            num(&sm, "labels_untranslated_a"),
            num(&sm, "labels_untranslated_b"),
            num(&sm, "l1_a_to_b"),
            num(&sm, "l1_b_to_a"),
            num(&sm, "identity_l1"),
            num(&sm, "train_seconds")
        );
    }
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Digits with labels: {}; seed 1. Label preservation (`gen eval RUN --metric labels`): the fraction of the 360 translated test digits that the target domain's evaluation classifier (`gen train classifier`, burn-train Learner) gives their source digit's label, as the domain-adaptation papers measure it; 0.1 is chance. The classifiers score {:.3} (digits) and {:.3} (restyled digits) on their own test images; the untranslated columns feed each domain's images to the other domain's classifier.
",
        task.describe,
        num(&classifier_a, "test_accuracy"),
        num(&classifier_b, "test_accuracy")
    );
    let _ = writeln!(text, "{table}");
    let _ = writeln!(
        text,
        "Grids (`input | translation | reconstruction`): {grids}
"
    );
    Ok(text)
}

/// `gen sample RUN -n 36 --out OUT`: six triplets of each domain.
fn triplet_grid(ctx: &RunContext, run: &Path, out: &Path) -> Result<()> {
    ctx.run_gen(&[
        "sample".into(),
        run.display().to_string(),
        "-n".into(),
        "36".into(),
        "--out".into(),
        out.display().to_string(),
    ])
}

/// `i2i`: CycleGAN and UNIT on the same data.
pub struct I2iExperiment;

impl Experiment for I2iExperiment {
    fn name(&self) -> &'static str {
        "i2i"
    }

    fn run(&self, ctx: &RunContext) -> Result<Section> {
        let s = settings(ctx.profile);
        check_data(s.data, ctx.profile)?;
        let figures = ctx.figures(self.name())?;
        let mut table = String::new();
        let _ = writeln!(
            table,
            "| model | L1 A→B to the true counterpart | L1 B→A | identity map's L1 | cycle L1 A→B→A | cycle L1 B→A→B | training time (s) |"
        );
        let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|---:|");
        let mut grids = String::new();
        for (method, label) in [("cyclegan", "CycleGAN"), ("unit", "UNIT")] {
            let run = train(ctx, &s, method)?;
            let file = format!("{method}.png");
            triplet_grid(ctx, &run, &figures.join(&file))?;
            let _ = write!(grids, "{label}: ![{label}]({}/{file}) ", self.name());
            if s.paired {
                let sm = eval_missing(ctx, &run, &[("translation", "l1_a_to_b")])?;
                let _ = writeln!(
                    table,
                    "| {label} (`{method}-{}`) | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.1} |",
                    s.data,
                    num(&sm, "l1_a_to_b"),
                    num(&sm, "l1_b_to_a"),
                    num(&sm, "identity_l1"),
                    num(&sm, "cycle_l1_a"),
                    num(&sm, "cycle_l1_b"),
                    num(&sm, "train_seconds")
                );
            }
        }
        let mut body = String::new();
        let _ = writeln!(body, "Data and settings: {}; seed 1.\n", s.describe);
        if s.paired {
            let _ = writeln!(
                body,
                "Mean absolute error per value (images in [0, 1]) over the test pairs, `gen eval RUN --metric translation`; the identity map's error is what no translation at all scores. The papers report no numbers on this set.\n"
            );
            let _ = writeln!(body, "{table}");
        }
        let _ = writeln!(
            body,
            "Each grid shows `input | translation | reconstruction`, two triplets a row: six test images of A, then six of B. {grids}\n"
        );
        let _ = write!(body, "{}", digits_part(ctx, &figures, self.name())?);
        Ok(Section {
            title: "Unpaired image-to-image translation: CycleGAN and UNIT (lecture's 'Image-to-Image')"
                .into(),
            body,
            seeds: vec![1],
            command: format!(
                "cargo xtask reproduce --profile {} --only i2i",
                ctx.profile.as_str()
            ),
        })
    }
}
