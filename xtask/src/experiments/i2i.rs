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

use super::{check_data, eval_missing, num};
use crate::reproduce::{Experiment, Profile, RunContext, Section};

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
    let mut args: Vec<String> = ["train", method, "--data", s.data, "--seed", "1"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    if let Some(epochs) = s.epochs {
        args.extend(["--epochs".into(), epochs.to_string()]);
    }
    let sets = if method == "cyclegan" {
        &s.cyclegan
    } else {
        &s.unit
    };
    for set in sets {
        args.extend(["--set".into(), set.to_string()]);
    }
    ctx.train(&format!("{method}-{}", s.data), &args)
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
