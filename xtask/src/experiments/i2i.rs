//! `i2i`: unpaired image-to-image translation, CycleGAN and UNIT. On the generated two-domain
//! shapes, whose test images come in known pairs: the mean absolute error of each translation
//! against its true counterpart beside the identity map's, the cycle errors, and grids of
//! `input | translation | reconstruction`. On a reference dataset (paper profile): the grids.
//!
//! Both profiles: the labelled 8x8 digits against their inversion (`digits2restyled`), scored
//! by label preservation. Quick profile: also the shapes (32x32), networks of 16 filters, one
//! epoch of 1,000 single-image steps each. Paper profile: also MNIST against its inversion
//! (`mnist2restyled`), scored by the MNIST classifier; with `--full` the whole training halves,
//! and horse2zebra with the reference settings (`gen` defaults).

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

/// A labelled translation task: both models on a two-domain set whose test images carry
/// labels, scored by label preservation.
struct LabelTask {
    /// The two-domain set.
    data: &'static str,
    /// The one-domain sets whose evaluation classifiers score each domain (the xtask trains
    /// them when missing; `gen eval --metric labels` picks them by the same names).
    classifiers: [&'static str; 2],
    epochs: u64,
    cyclegan: Vec<&'static str>,
    unit: Vec<&'static str>,
    /// Appended to the run folders' and figures' names (`-full` for `--full`).
    run_suffix: &'static str,
    /// The figures' name after the method's (`cyclegan-digits.png`).
    figure: &'static str,
    /// The task's paragraph heading in the report.
    title: &'static str,
    /// What the papers or the issue expect, for the report.
    targets: &'static str,
    describe: &'static str,
}

/// Both profiles run it on the shipped digits.
fn digits_task() -> LabelTask {
    LabelTask {
        data: "digits2restyled",
        classifiers: ["digits", "digits-restyled"],
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
        run_suffix: "",
        figure: "digits",
        title: "Digits with labels",
        targets: "No paper reports this set; the classifiers' own accuracies are the ceiling.",
        describe: "`digits2restyled`: the 8x8 digits (A) against the same digits with inverted grey levels (B), 719 training images a domain from disjoint halves of the training split, the 360 test digits paired with their restyled counterparts; two epochs of single-image steps; the quick profile's 16-filter networks without downsampling (the preset below 16 pixels) and a one-layer PatchGAN; CycleGAN without the identity loss; both at Adam 2e-4 (CycleGAN's reference rate; UNIT's own 1e-4 needs about four times the steps, docs/i2i.md)",
    }
}

/// The paper profile's MNIST task: `mnist2restyled`, restyled MNIST scored by the MNIST
/// classifier behind the exact inverse of the restyling.
fn mnist_task(full: bool) -> LabelTask {
    let mut cyclegan = vec![
        // As on the digits: the identity loss pulls against an inversion.
        "train.identity_weight=0",
    ];
    // UNIT at its reference rate 1e-4: on MNIST it keeps 97% of the labels after 500 steps
    // (docs/i2i.md), where the 8x8 digits' two epochs needed CycleGAN's 2e-4.
    let mut unit = Vec::new();
    if !full {
        // Ours, for the 45-minute budget: the first 2,500 images of each domain, two epochs
        // (the second at half the rate), 5,000 single-image steps.
        cyclegan.push("max_dataset_size=2500");
        unit.push("max_dataset_size=2500");
    }
    LabelTask {
        data: "mnist2restyled",
        classifiers: ["mnist", "mnist"],
        epochs: 2,
        cyclegan,
        unit,
        run_suffix: if full { "-full" } else { "" },
        figure: "mnist",
        title: "MNIST with labels",
        // The targets; the UNIT paper's digit pairs (SVHN→MNIST, MNIST↔USPS).
        targets: "Targets: CycleGAN keeps at least 95% of the labels both ways, UNIT at least 90% (the UNIT paper keeps 90.5-96.0% on its digit pairs, SVHN→MNIST and MNIST↔USPS, a harder shift than an inversion). No paper reports this pair.",
        describe: if full {
            "`mnist2restyled`: MNIST (A) against MNIST with inverted grey levels (B), the 60,000 training images split into disjoint halves of 30,000 (even positions to A, odd ones restyled to B), the 10,000 test images paired with their restyled counterparts; two epochs of single-image steps (60,000 steps), the second at half the rate; the presets for 28-pixel images (generators of 32 filters, two downsamplings to 7x7, CycleGAN 3 residual blocks, UNIT 3 private and 1 shared, PatchGAN of 2 layers and 32 filters); CycleGAN without the identity loss; each at its reference rate (Adam 2e-4 CycleGAN, 1e-4 UNIT)"
        } else {
            "`mnist2restyled`: MNIST (A) against MNIST with inverted grey levels (B), disjoint halves of the training images (even positions to A, odd ones restyled to B), of which the first 2,500 of each domain train (`max_dataset_size=2500`, for the 45-minute budget), the 10,000 test images paired with their restyled counterparts; two epochs of single-image steps (5,000 steps), the second at half the rate; the presets for 28-pixel images (generators of 32 filters, two downsamplings to 7x7, CycleGAN 3 residual blocks, UNIT 3 private and 1 shared, PatchGAN of 2 layers and 32 filters); CycleGAN without the identity loss; each at its reference rate (Adam 2e-4 CycleGAN, 1e-4 UNIT)"
        },
    }
}

/// The unlabelled part's data and settings: the generated shapes (quick), a reference dataset
/// with the reference settings (paper with `--full`), or none (paper: no reference data here,
/// and 200 epochs of horse2zebra take about 110 days on this CPU).
fn settings(profile: Profile, full: bool) -> Option<Settings> {
    match (profile, full) {
        // Quarter-width networks for a 2-core CPU: about two minutes a model.
        (Profile::Quick, _) => Some(Settings {
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
        }),
        (Profile::Paper, true) => Some(Settings {
            data: "horse2zebra",
            epochs: None,
            cyclegan: Vec::new(),
            unit: Vec::new(),
            paired: false,
            describe: "horse2zebra (256x256) with the reference settings: CycleGAN 9 residual blocks, 70x70 PatchGAN, 200 epochs; UNIT 64 filters, 3 private and 1 shared block, 1,000,000 steps",
        }),
        (Profile::Paper, false) => None,
    }
}

fn train(ctx: &RunContext, s: &Settings, method: &str) -> Result<std::path::PathBuf> {
    let sets = if method == "cyclegan" {
        &s.cyclegan
    } else {
        &s.unit
    };
    train_on(ctx, s.data, s.epochs, sets, method, "")
}

/// `gen train METHOD --data DATA --seed 1 [--epochs E] --set ...` into
/// `runs/METHOD-DATA[SUFFIX]`.
fn train_on(
    ctx: &RunContext,
    data: &str,
    epochs: Option<u64>,
    sets: &[&str],
    method: &str,
    suffix: &str,
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
    ctx.train(&format!("{method}-{data}{suffix}"), &args)
}

/// A labelled task's table and grids (see [`LabelTask`]).
fn label_part(ctx: &RunContext, task: &LabelTask, figures: &Path, folder: &str) -> Result<String> {
    check_data(task.data, ctx.profile)?;
    let (_, classifier_a) = ensure_classifier(ctx, task.classifiers[0])?;
    let (_, classifier_b) = ensure_classifier(ctx, task.classifiers[1])?;
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| model | labels kept A→B | labels kept B→A | untranslated A scored as B | untranslated B scored as A | L1 A→B | L1 B→A | identity map's L1 | training time (s) |"
    );
    let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut grids = String::new();
    let mut test_images = 0;
    for (method, label) in [("cyclegan", "CycleGAN"), ("unit", "UNIT")] {
        let sets = if method == "cyclegan" {
            &task.cyclegan
        } else {
            &task.unit
        };
        let run = train_on(
            ctx,
            task.data,
            Some(task.epochs),
            sets,
            method,
            task.run_suffix,
        )?;
        let file = format!("{method}-{}{}.png", task.figure, task.run_suffix);
        triplet_grid(ctx, &run, &figures.join(&file))?;
        let _ = write!(
            grids,
            "{label}: ![{label} on {}]({folder}/{file}) ",
            task.data
        );
        let sm = eval_missing(
            ctx,
            &run,
            &[("labels", "labels_a_to_b"), ("translation", "l1_a_to_b")],
        )?;
        test_images = sm["labels_test_images"].as_u64().unwrap_or(0);
        let _ = writeln!(
            table,
            "| {label} (`{method}-{}{}`) | {:.3} | {:.3} | {:.3} | {:.3} | {:.4} | {:.4} | {:.4} | {:.1} |",
            task.data,
            task.run_suffix,
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
    let scorers = if task.classifiers[0] == task.classifiers[1] {
        format!(
            "The `{}` evaluation classifier (`gen train classifier`, burn-train Learner; {:.3} on its test images) scores both domains, B's images after undoing the restyling (the inversion is its own inverse up to float rounding, so it scores B as well as A)",
            task.classifiers[0],
            num(&classifier_a, "test_accuracy")
        )
    } else {
        format!(
            "Each domain's evaluation classifier (`gen train classifier`, burn-train Learner) scores it: {:.3} (`{}`) and {:.3} (`{}`) on their own test images",
            num(&classifier_a, "test_accuracy"),
            task.classifiers[0],
            num(&classifier_b, "test_accuracy"),
            task.classifiers[1]
        )
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}: {}; seed 1. Label preservation (`gen eval RUN --metric labels`): the fraction of the {} translated test images that the target domain's classifier gives their source image's label, as the domain-adaptation papers measure it; 0.1 is chance. {scorers}; the untranslated columns feed each domain's images to the other domain's classifier. {}
",
        task.title,
        task.describe,
        thousands(test_images),
        task.targets,
    );
    let _ = writeln!(text, "{table}");
    let _ = writeln!(
        text,
        "Grids (`input | translation | reconstruction`): {grids}
"
    );
    Ok(text)
}

/// The unlabelled part: both models on `s.data`, the translation errors where the test images
/// have known counterparts, and the grids.
fn reference_part(ctx: &RunContext, s: &Settings, figures: &Path, folder: &str) -> Result<String> {
    check_data(s.data, ctx.profile)?;
    let mut table = String::new();
    let _ = writeln!(
        table,
        "| model | L1 A→B to the true counterpart | L1 B→A | identity map's L1 | cycle L1 A→B→A | cycle L1 B→A→B | training time (s) |"
    );
    let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|---:|");
    let mut grids = String::new();
    for (method, label) in [("cyclegan", "CycleGAN"), ("unit", "UNIT")] {
        let run = train(ctx, s, method)?;
        let file = format!("{method}.png");
        triplet_grid(ctx, &run, &figures.join(&file))?;
        let _ = write!(grids, "{label}: ![{label}]({folder}/{file}) ");
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
    Ok(body)
}

/// `n` with thousands separated by commas (10,000).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        let figures = ctx.figures(self.name())?;
        let mut body = match settings(ctx.profile, ctx.full) {
            Some(s) => reference_part(ctx, &s, &figures, self.name())?,
            None => "The reference datasets (horse2zebra and the others, 256x256, the reference settings) run with `--full` after `cargo xtask download horse2zebra`: at 45 s an iteration 200 epochs take about 110 days on this CPU (docs/i2i.md). This profile runs the labelled tasks.\n\n".to_string(),
        };
        let _ = write!(
            body,
            "{}",
            label_part(ctx, &digits_task(), &figures, self.name())?
        );
        if ctx.profile == Profile::Paper {
            let _ = write!(
                body,
                "{}",
                label_part(ctx, &mnist_task(ctx.full), &figures, self.name())?
            );
        }
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

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(360), "360");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10000), "10,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
