//! `gmmn`: the GMMN paper's MNIST results (Li, Swersky & Zemel 2015, Table 1 and Figure 2):
//! GMMN on pixels and GMMN+AE on an auto-encoder's codes, their sample grids, the Parzen-window
//! log-likelihood beside the paper's table, and MMD to the test set.
//!
//! Quick profile: the shipped 8x8 digits, shorter training, a smaller auto-encoder. Paper
//! profile: MNIST with the reference code's settings (the `gen` defaults).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use gen_core::plot::{Series, line_plot};
use gen_core::run::metrics::{read_metrics, series};

use super::{
    CLASSIFIER_TABLE_HEAD, check_data, classifier_row, ensure_classifier, eval_missing, num,
    sample_grid,
};
use crate::experiment::{Experiment, Profile, RunContext, Section};

const SEED: u64 = 1;

/// The paper's Table 1 (MNIST, Parzen window, nats): model and mean ± standard error.
const PAPER_PARZEN: [(&str, &str); 6] = [
    ("DBN", "138 ± 2"),
    ("Stacked CAE", "121 ± 1.6"),
    ("Deep GSN", "214 ± 1.1"),
    ("Adversarial nets (GAN)", "225 ± 2"),
    ("GMMN", "147 ± 2"),
    ("GMMN+AE", "282 ± 2"),
];

/// Batches and step size of the quick profile (see `settings`).
const QUICK_BATCHES: [&str; 4] = [
    "train.batch_size=500",
    "train.samples_per_update=500",
    "train.learning_rate=0.7071067811865476",
    "train.schedule_step=300",
];

struct Settings {
    data: &'static str,
    /// The batches and step size, in words for the report.
    batches: &'static str,
    gmmn_epochs: u64,
    ae_epochs: u64,
    gmmn_ae_epochs: u64,
    /// `--set` overrides beyond the defaults (the paper profile has none).
    gmmn_sets: Vec<String>,
    gmmn_ae_sets: Vec<String>,
    /// Appended to the run folders' names (`-full` keeps full-length runs apart from budgeted).
    run_suffix: &'static str,
}

fn settings(profile: Profile, full: bool) -> Settings {
    match profile {
        // 1,437 training digits in batches of 500 data and 500 generated points (a quarter of
        // the kernel work of the paper's 1,000 + 1,000), 400 updates (halved from 800 to keep the
        // quick report under 15 minutes). The objective is divided by the generated batch size
        // (as the reference code's), so halving the batch doubles the step: with 500 points and
        // the paper's rate 2 the first updates saturate the sigmoids and the GMMN collapses to
        // one image. Ours, measured on the digits: rate 1/√2, half the paper's step for half
        // its batch divided by √2 (the step gen took before its objective was corrected to the
        // reference's on 2026-12-07). At rate 1 (the paper's step for half its batch) the
        // GMMN+AE's Fréchet distance was 113.4 and its samples mostly one blurred shape,
        // against 45.6 at 1/√2; the pixel GMMN's 75.0 against 82.8. The 64-pixel images get a
        // 256-16 auto-encoder.
        Profile::Quick => Settings {
            data: "digits",
            batches: "batches of 500 data and 500 generated points, learning rate 1/√2 (ours: the paper's step for half its batch, rate 1, collapsed the GMMN+AE on the digits), divided by 10 after 300 updates, 400 updates; auto-encoder 256-16, 60 epochs, momentum 0.9",
            gmmn_epochs: 200,
            ae_epochs: 60,
            gmmn_ae_epochs: 200,
            gmmn_sets: QUICK_BATCHES.iter().map(|s| s.to_string()).collect(),
            gmmn_ae_sets: QUICK_BATCHES
                .iter()
                .map(|s| s.to_string())
                .chain([
                    "autoencoder.layers=[256, 16]".to_string(),
                    // Ours, measured on the digits: with the default 0.5 (chosen on MNIST,
                    // where 0.9 never left the mean image) the GMMN+AE's Fréchet distance was
                    // 119.9; with 0.9, 45.6.
                    "autoencoder_train.momentum=0.9".to_string(),
                ])
                .collect(),
            run_suffix: "",
        },
        // `--full`: the reference code's 800 epochs (its 40,000 updates of 1,000 on 50,000
        // images; 48,000 here, as gen trains on all 60,000, validation images included), about
        // 3.5 hours for the pixel GMMN alone on a 2-core CPU.
        Profile::Paper if full => Settings {
            data: "mnist",
            batches: "the reference code's full length: batches of 1,000 data and 1,000 generated images, learning rate 2 and momentum 0.9, then 0.2 and 0.99 after 10,000 updates; auto-encoder 1024-32, 5 epochs",
            gmmn_epochs: 800,
            ae_epochs: 5,
            gmmn_ae_epochs: 800,
            gmmn_sets: Vec::new(),
            gmmn_ae_sets: Vec::new(),
            run_suffix: "-full",
        },
        // The section's budget of 45 minutes on a 2-core CPU: 60 epochs of the 60,000 training
        // images (3,600 updates, 9% of the reference's 40,000, before its learning-rate drop at
        // 10,000) for each model, measured at 0.27 s an update for the pixel GMMN (16 minutes);
        // every other setting the reference's.
        Profile::Paper => Settings {
            data: "mnist",
            batches: "batches of 1,000 data and 1,000 generated images, learning rate 2 and momentum 0.9 (the reference code's); 60 epochs of the 60,000 training images (validation images included: the reference trains on 50,000), 3,600 updates: the section's 45-minute budget, 9% of the reference's 40,000 (`--full` runs its 800 epochs); auto-encoder 1024-32, 5 epochs",
            gmmn_epochs: 60,
            ae_epochs: 5,
            gmmn_ae_epochs: 60,
            gmmn_sets: Vec::new(),
            gmmn_ae_sets: Vec::new(),
            run_suffix: "",
        },
    }
}

fn train(ctx: &RunContext, s: &Settings, method: &str) -> Result<PathBuf> {
    let (epochs, sets) = if method == "gmmn" {
        (s.gmmn_epochs, &s.gmmn_sets)
    } else {
        (s.gmmn_ae_epochs, &s.gmmn_ae_sets)
    };
    let mut args: Vec<String> = vec![
        "train".into(),
        method.into(),
        "--data".into(),
        s.data.into(),
        "--epochs".into(),
        epochs.to_string(),
        "--seed".into(),
        SEED.to_string(),
    ];
    if method == "gmmn-ae" {
        args.extend([
            "--set".into(),
            format!("autoencoder_train.epochs={}", s.ae_epochs),
        ]);
    }
    for set in sets {
        args.extend(["--set".into(), set.clone()]);
    }
    ctx.train(&format!("{method}-{}{}", s.data, s.run_suffix), &args)
}

/// `gmmn`: GMMN and GMMN+AE, Parzen and MMD.
pub struct GmmnExperiment;

impl Experiment for GmmnExperiment {
    fn name(&self) -> &'static str {
        "gmmn"
    }

    fn run(&self, ctx: &RunContext) -> Result<Section> {
        let s = settings(ctx.profile, ctx.full);
        check_data(s.data, ctx.profile)?;
        let figures = ctx.figures(self.name())?;
        let mut table = String::new();
        let _ = writeln!(
            table,
            "| model | updates | Parzen test log-likelihood (nats) | Parzen σ | MMD² to test (median-heuristic kernel) | MMD test p-value | training time (s) |"
        );
        let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|---:|");
        let mut curves = Vec::new();
        let mut runs = Vec::new();
        for (label, method) in [("GMMN", "gmmn"), ("GMMN+AE", "gmmn-ae")] {
            let run = train(ctx, &s, method)?;
            runs.push((label, run.clone()));
            let sm = eval_missing(ctx, &run, &[("parzen", "parzen_ll"), ("mmd", "mmd2")])?;
            let _ = writeln!(
                table,
                "| {label} | {} | {:.1} ± {:.1} | {:.2} | {:.5} | {:.3} | {:.1} |",
                sm["steps"],
                num(&sm, "parzen_ll"),
                num(&sm, "parzen_se"),
                num(&sm, "parzen_sigma"),
                num(&sm, "mmd2"),
                num(&sm, "mmd_p_value"),
                num(&sm, "train_seconds")
            );
            sample_grid(ctx, &run, &figures.join(format!("samples-{method}.png")))?;
            let records = read_metrics(&run.join("metrics.jsonl"))?;
            curves.push(Series {
                name: label.into(),
                points: series(&records, "mmd"),
            });
        }
        line_plot(
            &figures.join("mmd-loss.png"),
            &format!("GMMN training loss on {}", s.data),
            "updates",
            "sqrt(MMD²) of the update's batches",
            &curves,
        )?;
        let rel = |p: &str| format!("{}/{p}", self.name());
        let mut body = String::new();
        let _ = writeln!(
            body,
            "GMMN: uniform noise (10-d) through a ReLU MLP 64-256-256-1024 to sigmoid pixels, trained on `sqrt(MMD²)` with Gaussian kernels of variances 2, 5, 10, 20, 40, 80; SGD with momentum as the reference code. GMMN+AE: the same GMMN (kernel variance 1) on the codes of a dropout auto-encoder trained first with burn-train's Learner, samples decoded to images. Data: {}; {}; seed {SEED}. Parzen: 10,000 samples, σ chosen on the last tenth of the training split from 0.10, 0.11, ..., 0.29. MMD: unbiased MMD² between as many samples as test images and the test images, Gaussian kernel with median-heuristic bandwidth; p-value of the permutation test on up to 1,000 points each (1,000 permutations).\n",
            s.data, s.batches
        );
        let _ = writeln!(body, "{table}");
        if ctx.profile == Profile::Paper {
            // The MNIST evaluation classifier on 10,000 samples of each (`gen eval --metric fd`).
            let (_, classifier) = ensure_classifier(ctx, s.data)?;
            let _ = writeln!(
                body,
                "The MNIST evaluation classifier (test accuracy {:.2}%) on 10,000 samples of each, against the 10,000 test images (`gen eval RUN --metric fd`):\n\n{CLASSIFIER_TABLE_HEAD}",
                100.0 * num(&classifier, "test_accuracy")
            );
            for (label, run) in &runs {
                let sm = eval_missing(ctx, run, &[("fd", "class_shares")])?;
                let _ = writeln!(body, "{}", classifier_row(label, &sm));
            }
            let _ = writeln!(body);
            let _ = writeln!(
                body,
                "Settings that differ from the reference code: the auto-encoder is fine-tuned by burn-train's Learner from random weights, without the reference's layer-wise pre-training; gen trains on all 60,000 training images, so σ is chosen on images the model saw (the reference trains on 50,000 and keeps 10,000 for validation); and, unless `--full`, the length (above). The losses of both models are in the figure below; the auto-encoder's own reconstruction loss per epoch is in `runs/gmmn-ae-mnist{}/autoencoder/`.\n",
                s.run_suffix
            );
        }
        let _ = writeln!(
            body,
            "Paper (MNIST, Table 1 of Li et al. 2015, Parzen window, nats): {}. The quick profile's numbers are on 8x8 digits with 64 pixels and are not comparable with these; the paper profile runs the same protocol on MNIST.\n",
            PAPER_PARZEN
                .iter()
                .map(|(m, v)| format!("{m} {v}"))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let _ = writeln!(body, "![loss]({})\n", rel("mmd-loss.png"));
        let _ = writeln!(
            body,
            "GMMN samples: ![GMMN]({})  GMMN+AE samples: ![GMMN+AE]({})\n",
            rel("samples-gmmn.png"),
            rel("samples-gmmn-ae.png")
        );
        Ok(Section {
            title: "GMMN and GMMN+AE: samples, Parzen log-likelihood, MMD (lecture's GMMN slides)"
                .into(),
            body,
            seeds: vec![SEED],
            command: format!(
                "cargo xtask reproduce --profile {} --only gmmn",
                ctx.profile.as_str()
            ),
        })
    }
}

/// GMMN and GMMN+AE for the comparison table (this experiment's runs).
pub fn comparison_runs(ctx: &RunContext) -> Result<Vec<(String, PathBuf)>> {
    let s = settings(ctx.profile, ctx.full);
    check_data(s.data, ctx.profile)?;
    Ok(vec![
        ("GMMN".into(), train(ctx, &s, "gmmn")?),
        ("GMMN+AE".into(), train(ctx, &s, "gmmn-ae")?),
    ])
}
