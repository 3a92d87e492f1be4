//! `dae`: denoising auto-encoders as generative models (Bengio, Yao, Alain & Vincent 2013):
//! simple against walkback training, chain sample grids, Parzen log-likelihood and MMD to the
//! test set; and on the two moons, the score check of Alain & Bengio (2014) as a plot of
//! `r(x) - x` beside `σ² ∇ log p_σ(x)`, with the chain's samples over the true density.
//!
//! Quick profile: the shipped 8x8 digits (binarised at 0.5), a smaller hidden layer and fewer
//! epochs. Paper profile: binary MNIST with the original code's settings (the `gen` defaults).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use gen_core::classifier::run::evaluation_classifier;
use gen_core::data::density2d::Density2d;
use gen_core::image_grid::write_grid;
use gen_core::metrics::class_histogram::{OCCUPIED_SHARE, class_shares, occupied_classes};
use gen_core::metrics::parzen::{ParzenConfig, parzen_protocol};
use gen_core::plot::{VectorField, scatter_plot, vector_fields_plot};
use gen_core::tensor_io::{matrix, to_vec_f32};
use gen_dae::Denoiser;
use gen_dae::run::{TrainedNet, first_test_chain, load_run, run_splits};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{
    CLASSIFIER_TABLE_HEAD, check_data, classifier_row, ensure_classifier, eval_missing, num,
    summary,
};
use crate::experiment::{Experiment, Profile, RunContext, Section};

const SEED: u64 = 1;

struct Settings {
    data: &'static str,
    /// Epochs of the simple and of the walkback DAE.
    epochs: [u64; 2],
    /// `--set` overrides beyond the defaults (the paper profile has none).
    sets: Vec<&'static str>,
    /// In words, for the report.
    describe: &'static str,
    /// Appended to the run folders' names (`-full` keeps full-length runs apart from budgeted).
    run_suffix: &'static str,
}

fn settings(profile: Profile, full: bool) -> Settings {
    match profile {
        // 1,437 digits of 64 pixels: 500 hidden units instead of 2,000, 100 epochs of 14 updates
        // (halved from 200 to keep the quick report under 15 minutes).
        Profile::Quick => Settings {
            data: "digits",
            epochs: [100, 100],
            sets: vec!["model.hidden=500"],
            describe: "8x8 digits binarised at 0.5; tied sigmoid DAE with 500 hidden units; 100 epochs of batches of 100",
            run_suffix: "",
        },
        // `--full`: the original scripts' lengths (`n_epoch`: 200 in `run_dae_no_walkback.py`,
        // 500 in `run_dae_walkback.py`), about 40 minutes of simple and 9 hours of walkback
        // training on this 2-core CPU.
        Profile::Paper if full => Settings {
            data: "mnist",
            epochs: [200, 500],
            sets: Vec::new(),
            describe: "MNIST binarised at 0.5; tied sigmoid DAE with 2,000 hidden units; the original scripts' full lengths, 200 epochs (simple) and 500 (walkback) of batches of 100",
            run_suffix: "-full",
        },
        // The section's 45-minute budget: 25 epochs of each (15,000 updates), about 5 minutes of
        // simple and 26 of walkback training here (measured: 12 and 62 s an epoch), the rest
        // sampling and evaluation.
        Profile::Paper => Settings {
            data: "mnist",
            epochs: [25, 25],
            sets: Vec::new(),
            describe: "MNIST binarised at 0.5; tied sigmoid DAE with 2,000 hidden units; 25 epochs of batches of 100 (15,000 updates) each: the section's 45-minute budget, 12.5% and 5% of the original scripts' 200 (simple) and 500 (walkback) epochs (`--full` runs them)",
            run_suffix: "",
        },
    }
}

fn train(ctx: &RunContext, s: &Settings, walkback: bool) -> Result<PathBuf> {
    let mut args: Vec<String> = [
        "train",
        "dae",
        "--data",
        s.data,
        "--epochs",
        &s.epochs[usize::from(walkback)].to_string(),
        "--seed",
        &SEED.to_string(),
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    if walkback {
        args.extend(["--walkback".into(), "5".into()]);
    }
    for set in &s.sets {
        args.extend(["--set".into(), set.to_string()]);
    }
    let name = format!(
        "dae-{}-{}{}",
        s.data,
        if walkback { "walkback" } else { "simple" },
        s.run_suffix
    );
    ctx.train(&name, &args)
}

/// `gen sample RUN -n 100 --chain --steps 100 --out OUT`: 10 chains, 10 states 10 apart.
fn chain_grid(ctx: &RunContext, run: &Path, out: &Path) -> Result<()> {
    ctx.run_gen(&[
        "sample".into(),
        run.display().to_string(),
        "-n".into(),
        "100".into(),
        "--chain".into(),
        "--steps".into(),
        "100".into(),
        "--out".into(),
        out.display().to_string(),
    ])
}

/// The original code's own Parzen protocol on a trained image run (`sample_some_numbers` and
/// `likelihood_estimation_parzen.main(0.20, 'mnist')` in `yaoli/GSN`): 10,000 consecutive states
/// of one chain started from the first (binarised) test digit, Parzen of the grey-level test
/// images at σ = 0.2 and at the σ the grey-level validation images choose, and the evaluation
/// classifier's verdict on the same states.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ReferenceChain {
    /// The run it was computed on (`steps` and `train_seconds` of its summary), to notice a
    /// retrained run.
    steps: u64,
    train_seconds: f64,
    parzen_at_0_2: (f64, f64),
    /// Mean, standard error, σ.
    parzen_chosen: (f64, f64, f64),
    class_shares: Vec<f64>,
    classes_occupied: usize,
}

/// States of the original code's chain.
const REFERENCE_CHAIN_STATES: usize = 10_000;

/// [`ReferenceChain`] of `run`, cached in `cache` (a JSON file beside the report's figures) until
/// the run changes; writes every 100th state of the chain as a 10 x 10 grid to `figure`.
fn reference_chain(
    ctx: &RunContext,
    run: &Path,
    cache: &Path,
    figure: &Path,
) -> Result<ReferenceChain> {
    let sm = summary(run)?;
    let (steps, train_seconds) = (sm["steps"].as_u64().unwrap_or(0), num(&sm, "train_seconds"));
    let reuse = !ctx.fresh || ctx.done_now.borrow().contains(&cache.display().to_string());
    if let (true, Ok(text)) = (reuse, std::fs::read_to_string(cache)) {
        let cached: ReferenceChain = serde_json::from_str(&text)?;
        if cached.steps == steps && cached.train_seconds == train_seconds && figure.is_file() {
            return Ok(cached);
        }
    }
    ctx.done_now
        .borrow_mut()
        .insert(cache.display().to_string());
    ctx.work.set(ctx.work.get() + 1);
    let (trained, device) = load_run(&gen_core::run::RunDir::open(run)?, None)?;
    let splits = run_splits(&trained)?;
    let dim = trained.dim;
    eprintln!(
        "the original code's chain: {REFERENCE_CHAIN_STATES} states from the first test digit"
    );
    let states = first_test_chain(&trained, REFERENCE_CHAIN_STATES, SEED, &device)?;
    let every_100th: Vec<f32> = states
        .chunks(dim)
        .step_by(REFERENCE_CHAIN_STATES / 100)
        .flatten()
        .copied()
        .collect();
    write_grid(figure, &every_100th, splits.test.item_shape, 10)?;
    // The original evaluates against the grey-level test images (`load_mnist`, not
    // `load_mnist_binary`), which the run's own splits have binarised.
    let gen_core::data::Loaded::Splits(grey) =
        gen_core::data::load(&trained.config.data, &gen_core::data::data_dir())?
    else {
        bail!("{} should load as images", trained.config.data);
    };
    let validation = grey.train.validation_split();
    let parzen = |sigmas: Vec<f64>| {
        let config = ParzenConfig {
            samples: REFERENCE_CHAIN_STATES,
            sigmas,
            ..ParzenConfig::default()
        };
        parzen_protocol(
            &states,
            &validation.values,
            &grey.test.values,
            dim,
            &config,
            &device,
        )
    };
    eprintln!("Parzen of the chain's states at σ 0.2 and at the validation images' σ");
    let fixed = parzen(vec![0.2])?;
    let chosen = parzen(ParzenConfig::default().sigmas)?;
    let classifier = evaluation_classifier(None, &trained.config.data, &device)?;
    let image = gen_core::classifier::run::image_dims(splits.test.item_shape)
        .expect("the DAE's MNIST samples are images");
    let shares = class_shares(
        &classifier.model.classes_of(&states, image, &device),
        classifier.model.classes(),
    );
    let result = ReferenceChain {
        steps,
        train_seconds,
        parzen_at_0_2: (fixed.mean, fixed.se),
        parzen_chosen: (chosen.mean, chosen.se, chosen.sigma),
        classes_occupied: occupied_classes(&shares, OCCUPIED_SHARE),
        class_shares: shares,
    };
    std::fs::write(cache, serde_json::to_string_pretty(&result)?)?;
    Ok(result)
}

/// The score check on a trained two-moons run: the mean cosine between `r(x) - x` and
/// `σ² ∇ log p_σ(x)` where the density is within e^-3 of its peak and the correction is at least
/// σ/10, the plot of both fields, and the chain's samples over fresh true samples.
fn score_check(ctx: &RunContext, run: &Path, figures: &Path) -> Result<(f64, usize)> {
    let density = Density2d::TwoMoons;
    let (trained, device) = load_run(&gen_core::run::RunDir::open(run)?, None)?;
    let TrainedNet::Mlp(net) = &trained.net else {
        bail!("the two-moons run should hold an MLP denoiser");
    };
    let gen_dae::CorruptionConfig::Gaussian { std: sigma } = trained.config.train.corruption else {
        bail!("the two-moons run should use Gaussian corruption");
    };
    let (lo, hi) = density.bounds();
    let n = 24;
    let spacing = (hi - lo) / n as f64;
    let grid: Vec<[f64; 2]> = (0..n * n)
        .map(|k| {
            let t = |i: usize| lo + spacing * (i as f64 + 0.5);
            [t(k % n), t(k / n)]
        })
        .collect();
    let logs: Vec<f64> = grid
        .iter()
        .map(|&p| {
            density
                .smoothed_log_density(p, sigma)
                .unwrap_or(f64::NEG_INFINITY)
        })
        .collect();
    let max = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let kept: Vec<[f64; 2]> = grid
        .iter()
        .zip(&logs)
        .filter(|(_, l)| **l > max - 3.0)
        .map(|(p, _)| *p)
        .collect();
    let flat: Vec<f32> = kept
        .iter()
        .flat_map(|p| [p[0] as f32, p[1] as f32])
        .collect();
    let r = to_vec_f32(net.reconstruct(matrix(flat, kept.len(), 2, &device)));
    let (mut model, mut truth, mut cosines) = (Vec::new(), Vec::new(), Vec::new());
    for (p, r) in kept.iter().zip(r.chunks(2)) {
        let step = [r[0] as f64 - p[0], r[1] as f64 - p[1]];
        let s = density.smoothed_score(*p, sigma).unwrap_or([0.0, 0.0]);
        let target = [sigma * sigma * s[0], sigma * sigma * s[1]];
        model.push((*p, step));
        truth.push((*p, target));
        let norm = target[0].hypot(target[1]);
        if norm >= 0.1 * sigma {
            cosines.push(
                (step[0] * target[0] + step[1] * target[1]) / (norm * step[0].hypot(step[1])),
            );
        }
    }
    vector_fields_plot(
        &figures.join("score-field.png"),
        &format!("two moons, Gaussian corruption σ = {sigma}"),
        (lo, hi),
        spacing,
        &[
            VectorField {
                name: "σ² ∇ log p_σ(x) (exact)".into(),
                arrows: truth,
            },
            VectorField {
                name: "r(x) - x (the trained DAE)".into(),
                arrows: model,
            },
        ],
    )?;
    let sample = figures.join("moons-chain.npy");
    ctx.run_gen(&[
        "sample".into(),
        run.display().to_string(),
        "-n".into(),
        "1000".into(),
        "--out".into(),
        sample.display().to_string(),
    ])?;
    let values = gen_core::npy::decode_npy(&std::fs::read(&sample)?)
        .map_err(anyhow::Error::msg)?
        .1;
    std::fs::remove_file(&sample)?;
    let chain: Vec<[f64; 2]> = values
        .chunks(2)
        .map(|c| [c[0] as f64, c[1] as f64])
        .collect();
    let mut rng = StdRng::seed_from_u64(SEED);
    scatter_plot(
        &figures.join("moons-chain.png"),
        "two moons: true samples and the DAE chain's (1,000 each, from noise)",
        (lo, hi),
        &[
            ("true".into(), density.sample_points(1000, &mut rng)),
            ("chain".into(), chain),
        ],
    )?;
    let mean = cosines.iter().sum::<f64>() / cosines.len().max(1) as f64;
    Ok((mean, cosines.len()))
}

/// `dae`: simple against walkback, and the two-moons score check.
pub struct DaeExperiment;

impl Experiment for DaeExperiment {
    fn name(&self) -> &'static str {
        "dae"
    }

    fn run(&self, ctx: &RunContext) -> Result<Section> {
        let s = settings(ctx.profile, ctx.full);
        check_data(s.data, ctx.profile)?;
        let figures = ctx.figures(self.name())?;
        let rel = |p: &str| format!("{}/{p}", self.name());
        let mut table = String::new();
        let _ = writeln!(
            table,
            "| training | updates | Parzen test log-likelihood (nats) | Parzen σ | MMD² to test | MMD test p-value | training time (s) |"
        );
        let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|---:|");
        let mut runs = Vec::new();
        for (label, walkback) in [("simple", false), ("walkback (5 steps)", true)] {
            let run = train(ctx, &s, walkback)?;
            runs.push((label, walkback, run.clone()));
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
            let kind = if walkback { "walkback" } else { "simple" };
            chain_grid(ctx, &run, &figures.join(format!("chain-{kind}.png")))?;
        }
        let moons = ctx.train(
            "dae-two-moons",
            &[
                "train".into(),
                "dae".into(),
                "--data".into(),
                "two-moons".into(),
                "--seed".into(),
                SEED.to_string(),
            ],
        )?;
        let moons_summary = eval_missing(ctx, &moons, &[("mmd", "mmd2")])?;
        let (cosine, points) = score_check(ctx, &moons, &figures)?;
        let mut body = String::new();
        let _ = writeln!(
            body,
            "Salt-and-pepper corruption 0.4, Bernoulli reconstruction, SGD with learning rate 10 (the original code's); {}; seed {SEED}. Walkback: 5 corruption-reconstruction pairs per example, the loss summed over all of them. Samples: 100 chains from uniform noise, 100 transitions of burn-in, then every state (the mean of the reconstruction, as the original code records). Parzen: 10,000 samples, σ chosen on the last tenth of the training split from 0.10, ..., 0.29. MMD: unbiased MMD² between as many samples as test images and the test images, median-heuristic kernel; permutation p-value on 1,000 points each.\n",
            s.describe
        );
        let _ = writeln!(body, "{table}");
        if ctx.profile == Profile::Paper {
            let (_, classifier) = ensure_classifier(ctx, s.data)?;
            let _ = writeln!(
                body,
                "The MNIST evaluation classifier (test accuracy {:.2}%) on 10,000 chain samples of each (`gen eval RUN --metric fd`; against the 10,000 binarised test images):\n\n{CLASSIFIER_TABLE_HEAD}",
                100.0 * num(&classifier, "test_accuracy")
            );
            let mut reference = Vec::new();
            for (label, walkback, run) in &runs {
                let sm = eval_missing(ctx, run, &[("fd", "class_shares")])?;
                let _ = writeln!(body, "{}", classifier_row(label, &sm));
                let kind = if *walkback { "walkback" } else { "simple" };
                let chain = reference_chain(
                    ctx,
                    run,
                    &figures.join(format!("reference-chain-{kind}{}.json", s.run_suffix)),
                    &figures.join(format!("reference-chain-{kind}{}.png", s.run_suffix)),
                )?;
                reference.push((label, kind, chain));
            }
            let _ = writeln!(
                body,
                "\nThe original code's own protocol (`sample_some_numbers`, then `likelihood_estimation_parzen.main(0.20, 'mnist')`): one chain of 10,000 consecutive states (the reconstruction means) started from the first binarised test digit, Parzen of the grey-level test images (as the original evaluates, not the binarised ones above) at σ 0.2 and at the σ the grey-level validation images choose, and the classifier's verdict on the same 10,000 states:\n\n| training | Parzen at σ 0.2 (nats) | Parzen, chosen σ (nats) | chosen σ | classes with at least 5% | predicted-class shares, digits 0-9 (%) |\n|---|---:|---:|---:|---:|---|"
            );
            for (label, _, c) in &reference {
                let shares: Vec<String> = c
                    .class_shares
                    .iter()
                    .map(|v| format!("{:.1}", 100.0 * v))
                    .collect();
                let _ = writeln!(
                    body,
                    "| {label} | {:.1} ± {:.1} | {:.1} ± {:.1} | {:.2} | {} | {} |",
                    c.parzen_at_0_2.0,
                    c.parzen_at_0_2.1,
                    c.parzen_chosen.0,
                    c.parzen_chosen.1,
                    c.parzen_chosen.2,
                    c.classes_occupied,
                    shares.join(" / ")
                );
            }
            let _ = writeln!(
                body,
                "\nThat chain, every 100th state (rows left to right, top to bottom): simple ![simple]({}) walkback ![walkback]({})\n",
                rel(&format!("reference-chain-simple{}.png", s.run_suffix)),
                rel(&format!("reference-chain-walkback{}.png", s.run_suffix))
            );
            let _ = writeln!(
                body,
                "Both train on all 60,000 training images, as the original does (it concatenates MNIST's training and validation splits), so the validation images that choose σ were trained on. Settings that differ from the original code: the Parzen protocol of the first table (chains from noise) is gen's; unless `--full`, the length (above).\n"
            );
        }
        let _ = writeln!(
            body,
            "Original code (binary MNIST, Parzen σ 0.2): about 150 nats with walkback, about 50 without (as the issue quotes it). The quick profile's 64-pixel numbers are not comparable with these.\n"
        );
        let _ = writeln!(
            body,
            "Chains (rows: 10 chains; columns: states 10 transitions apart): simple ![simple]({}) walkback ![walkback]({})\n",
            rel("chain-simple.png"),
            rel("chain-walkback.png")
        );
        let _ = writeln!(
            body,
            "Two moons (the `gen` defaults for points: MLP denoiser 128-128 learning `r(x) - x`, Gaussian corruption and reconstruction std 0.1, Adam from 2e-3 decaying linearly, 300 epochs of 512): mean cosine between `r(x) - x` and the exact `σ² ∇ log p_σ(x)` over {points} grid points where the density is within e^-3 of its peak and the correction is at least σ/10: **{cosine:.3}**. MMD² of the chain's samples (1,000 chains from noise, 300 transitions) to the test points: {:.5} (p = {:.3}).\n",
            num(&moons_summary, "mmd2"),
            num(&moons_summary, "mmd_p_value")
        );
        let _ = writeln!(
            body,
            "![score field]({})\n\n![chain samples]({})\n",
            rel("score-field.png"),
            rel("moons-chain.png")
        );
        Ok(Section {
            title: "Denoising auto-encoders: simple against walkback, the chain, the score (lecture's DAE slides)"
                .into(),
            body,
            seeds: vec![SEED],
            command: format!(
                "cargo xtask reproduce --profile {} --only dae",
                ctx.profile.as_str()
            ),
        })
    }
}

/// The simple and walkback DAEs for the comparison table (this experiment's runs).
pub fn comparison_runs(ctx: &RunContext) -> Result<Vec<(String, PathBuf)>> {
    let s = settings(ctx.profile, ctx.full);
    check_data(s.data, ctx.profile)?;
    Ok(vec![
        ("DAE, simple".into(), train(ctx, &s, false)?),
        ("DAE, walkback (5 steps)".into(), train(ctx, &s, true)?),
    ])
}
