//! `ebm`: deep energy models trained against a generator (Kim & Bengio 2016). On 2-D densities
//! with a known log density: the energy's exact test log-likelihood (normalised on a grid), the
//! generator's by a kernel density estimate, the mode measures, and a heat map of the energy
//! with the generator's samples, with the entropy term and without it. On images: a sample
//! grid, Parzen and MMD to the test set beside the GMMN and DAE runs of the same report.
//!
//! Quick profile: `ring8` and `grid25`, and the shipped 8x8 digits with a smaller generator and
//! fewer epochs. Paper profile: the same 2-D sets with more seeds, and MNIST with the `gen`
//! defaults.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use gen_core::data::Loaded;
use gen_core::data::density2d::Density2d;
use serde_json::Value;

use super::{
    CLASSIFIER_TABLE_HEAD, check_data, classifier_row, ensure_classifier, eval_missing, num,
    sample_grid, summary,
};
use crate::experiment::{Experiment, Profile, RunContext, Section};

/// One image run of the section.
struct ImageRun {
    /// Row label in the report.
    label: &'static str,
    /// Run-folder tag (`ebm-<data>` for the first, `ebm-<data>-<tag>` for the others).
    tag: &'static str,
    /// `gen train ebm` flags beyond the data, epochs and seed.
    flags: Vec<&'static str>,
}

struct Settings {
    /// The 2-D densities and the seeds each is trained with (with and without entropy).
    densities: Vec<&'static str>,
    seeds: Vec<u64>,
    /// Epochs of the 2-D runs (`None`: the `gen` default, 100).
    points_epochs: Option<u64>,
    data: &'static str,
    epochs: u64,
    /// The image runs (the first is the one other sections compare with).
    images: Vec<ImageRun>,
    /// In words, for the report.
    describe: &'static str,
    /// Appended to the image runs' folder names (`-full` keeps full-length runs apart).
    run_suffix: &'static str,
}

/// The paper profile's image runs: the defaults with and without the entropy term, the first
/// author's code's settings (docs/ebm.md, "The ring-of-8 test", finding 2), and the defaults
/// with an energy penalty.
fn paper_image_runs() -> Vec<ImageRun> {
    vec![
        ImageRun {
            label: "defaults, entropy weight 1",
            tag: "",
            flags: Vec::new(),
        },
        ImageRun {
            label: "defaults, no entropy term",
            tag: "no-entropy",
            flags: vec!["--no-entropy"],
        },
        ImageRun {
            label: "the first author's code's settings, entropy weight 1",
            tag: "author",
            flags: vec![
                "--set",
                "train.optimizer=adagrad",
                "--set",
                "train.learning_rate=1e-3",
                "--set",
                "train.generator_learning_rate=1e-3",
                "--set",
                "train.energy_weight_decay=1e-5",
                "--set",
                "generator.noise_kind=uniform",
                "--set",
                "train.sample_noise=0.01",
            ],
        },
        ImageRun {
            label: "defaults and the energy penalty α (E⁺² + E⁻²), α = 1e-4",
            tag: "energy-l2",
            // Du & Mordatch (2019)'s penalty against the runaway the three rows above show
            // (the data's energy at -4,400 after 20 steps, -4.9 million after 1,620). The
            // weight is ours: its pull `2αE` equals the energy step's own at |E| = 5,000, the
            // scale of the first logged energies, so it binds long before millions.
            flags: vec!["--set", "train.energy_l2=1e-4"],
        },
    ]
}

fn settings(profile: Profile, full: bool) -> Settings {
    match profile {
        // 1,437 digits of 64 pixels: a generator of two 256-unit layers, 256 experts, 50 epochs
        // of 14 steps.
        Profile::Quick => Settings {
            densities: vec!["ring8", "grid25"],
            seeds: vec![1],
            // 25 epochs of 39 steps: a quarter of the default, to keep the quick report under
            // 15 minutes.
            points_epochs: Some(25),
            data: "digits",
            epochs: 50,
            images: vec![ImageRun {
                label: "defaults, entropy weight 1",
                tag: "",
                flags: vec![
                    "--set",
                    "generator.hidden=[256, 256]",
                    "--set",
                    "energy.experts=256",
                ],
            }],
            describe: "8x8 digits; energy: two stride-2 convolutions (64, 128 channels) and 256 experts; generator 100-256-256-64 with batch norm; 50 epochs of batches of 100",
            run_suffix: "",
        },
        // `--full`: the DCGAN reference's 25 epochs (the `gen` default), about 90 minutes a run
        // on this 2-core CPU.
        Profile::Paper if full => Settings {
            densities: vec!["ring8", "grid25"],
            seeds: vec![1, 2, 3],
            points_epochs: None,
            data: "mnist",
            epochs: 25,
            images: paper_image_runs(),
            describe: "MNIST; energy: two stride-2 convolutions (64, 128 channels) and 1,024 experts; generator 100-1024-1024-784 with batch norm; 25 epochs of batches of 100 (the `gen` default)",
            run_suffix: "-full",
        },
        // Three epochs (1,800 steps) of each image run, about 11 minutes each here (measured:
        // 2.75 steps a second), beside the 2-D runs: chosen for the 45-minute budget with three
        // image runs; the fourth (the energy penalty) takes the section to about 55 minutes.
        Profile::Paper => Settings {
            densities: vec!["ring8", "grid25"],
            seeds: vec![1, 2, 3],
            points_epochs: None,
            data: "mnist",
            epochs: 3,
            images: paper_image_runs(),
            describe: "MNIST; energy: two stride-2 convolutions (64, 128 channels) and 1,024 experts; generator 100-1024-1024-784 with batch norm; 3 epochs of batches of 100 (1,800 steps), 12% of the `gen` default's 25 (`--full` runs them): chosen for a 45-minute section with three image runs; the fourth, the energy penalty, takes it to about 55 minutes",
            run_suffix: "",
        },
    }
}

fn train_points(
    ctx: &RunContext,
    s: &Settings,
    data: &str,
    seed: u64,
    entropy: bool,
) -> Result<PathBuf> {
    let mut args: Vec<String> = ["train", "ebm", "--data", data, "--seed", &seed.to_string()]
        .iter()
        .map(|a| a.to_string())
        .collect();
    if let Some(epochs) = s.points_epochs {
        args.extend(["--epochs".into(), epochs.to_string()]);
    }
    if !entropy {
        args.push("--no-entropy".into());
    }
    let tag = if entropy { "entropy" } else { "no-entropy" };
    ctx.train(&format!("ebm-{data}-{tag}-{seed}"), &args)
}

/// The mean log density of the test points under the true density: the best any model can do.
fn true_test_ll(data: &str) -> Result<f64> {
    let density = Density2d::from_name(data).expect("a 2-D density");
    let Loaded::Splits(splits) = gen_core::data::load(data, &gen_core::data::data_dir())? else {
        anyhow::bail!("{data} should load as one set of points");
    };
    let values = &splits.test.values;
    let total: f64 = values
        .chunks_exact(2)
        .map(|p| density.log_density([p[0] as f64, p[1] as f64]))
        .sum();
    Ok(total / (values.len() / 2) as f64)
}

/// The Parzen and MMD numbers of another method's run in the same report, if it is there.
fn other_row(ctx: &RunContext, label: &str, run: &str) -> Option<String> {
    let path = ctx.runs_dir.join(run);
    let sm: Value = summary(&path).ok()?;
    sm.get("parzen_ll")?;
    Some(format!(
        "| {label} (`{run}`) | {:.1} ± {:.1} | {:.5} | {:.3} |",
        num(&sm, "parzen_ll"),
        num(&sm, "parzen_se"),
        num(&sm, "mmd2"),
        num(&sm, "mmd_p_value")
    ))
}

fn rel(name: &str, file: &str) -> String {
    format!("{name}/{file}")
}

fn copy_heatmap(run: &Path, to: &Path) -> Result<()> {
    std::fs::copy(run.join("plots").join("energy.png"), to)?;
    Ok(())
}

/// `ebm`: 2-D densities with and without the entropy term, and images.
pub struct EbmExperiment;

impl Experiment for EbmExperiment {
    fn name(&self) -> &'static str {
        "ebm"
    }

    fn run(&self, ctx: &RunContext) -> Result<Section> {
        let s = settings(ctx.profile, ctx.full);
        check_data(s.data, ctx.profile)?;
        let figures = ctx.figures(self.name())?;
        let mut points = String::new();
        let _ = writeln!(
            points,
            "| data | seed | entropy weight | steps | exact test LL of exp(-E)/Z | generator KDE test LL (σ) | true density's test LL | modes covered | high-quality share | Z outside data square | training time (s) |"
        );
        let _ = writeln!(
            points,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        let mut heatmaps = String::new();
        for data in &s.densities {
            let reference = true_test_ll(data)?;
            for &seed in &s.seeds {
                for entropy in [true, false] {
                    let run = train_points(ctx, &s, data, seed, entropy)?;
                    let sm = eval_missing(ctx, &run, &[("exact2d", "exact_test_ll")])?;
                    let tag = if entropy { "entropy" } else { "no-entropy" };
                    let _ = writeln!(
                        points,
                        "| {data} | {seed} | {} | {} | {:.2} ± {:.2} | {:.2} ({:.3}) | {reference:.2} | {} / {} | {:.3} | {:.4} | {:.1} |",
                        if entropy { "1" } else { "0" },
                        sm["steps"],
                        num(&sm, "exact_test_ll"),
                        num(&sm, "exact_test_ll_se"),
                        num(&sm, "generator_kde_ll"),
                        num(&sm, "generator_kde_sigma"),
                        sm["modes_covered"],
                        sm["modes_total"],
                        num(&sm, "high_quality_share"),
                        num(&sm, "grid_mass_outside"),
                        num(&sm, "train_seconds")
                    );
                    if seed == s.seeds[0] {
                        let file = format!("energy-{data}-{tag}.png");
                        copy_heatmap(&run, &figures.join(&file))?;
                        let _ = write!(
                            heatmaps,
                            "{data}, {tag}: ![{data} {tag}]({}) ",
                            rel(self.name(), &file)
                        );
                    }
                }
            }
        }
        let mut compare = String::new();
        let _ = writeln!(
            compare,
            "| model | Parzen test log-likelihood (nats) | MMD² to test | MMD test p-value |"
        );
        let _ = writeln!(compare, "|---|---:|---:|---:|");
        let mut verdicts = String::new();
        let mut grids = String::new();
        for image in &s.images {
            let run = train_images(ctx, &s, image)?;
            let name = run_name(&s, image);
            let mut metrics = vec![("parzen", "parzen_ll"), ("mmd", "mmd2")];
            if ctx.profile == Profile::Paper {
                metrics.push(("fd", "class_shares"));
            }
            let sm = eval_missing(ctx, &run, &metrics)?;
            let grid = format!("samples{}.png", image_suffix(image));
            sample_grid(ctx, &run, &figures.join(&grid))?;
            // One image run (the quick profile) keeps its row and grid unlabelled.
            let single = s.images.len() == 1;
            let _ = writeln!(
                compare,
                "| deep energy model's generator{} (`{name}`) | {:.1} ± {:.1} | {:.5} | {:.3} |",
                if single {
                    String::new()
                } else {
                    format!(", {}", image.label)
                },
                num(&sm, "parzen_ll"),
                num(&sm, "parzen_se"),
                num(&sm, "mmd2"),
                num(&sm, "mmd_p_value")
            );
            if ctx.profile == Profile::Paper {
                let _ = writeln!(verdicts, "{}", classifier_row(image.label, &sm));
            }
            if single {
                let _ = write!(grids, "![samples]({})", rel(self.name(), &grid));
            } else {
                let _ = write!(
                    grids,
                    "{}: ![{}]({}) ",
                    image.label,
                    image.label,
                    rel(self.name(), &grid)
                );
            }
        }
        for (label, run) in [
            ("GMMN", format!("gmmn-{}", s.data)),
            ("GMMN+AE", format!("gmmn-ae-{}", s.data)),
            ("DAE, simple", format!("dae-{}-simple", s.data)),
            ("DAE, walkback", format!("dae-{}-walkback", s.data)),
        ] {
            if let Some(row) = other_row(ctx, label, &run) {
                let _ = writeln!(compare, "{row}");
            }
            if ctx.profile == Profile::Paper
                && let Ok(sm) = summary(&ctx.runs_dir.join(&run))
                && sm.get("class_shares").is_some()
            {
                let _ = writeln!(verdicts, "{}", classifier_row(label, &sm));
            }
        }
        let mut body = String::new();
        let _ = writeln!(
            body,
            "2-D densities (the `gen` defaults for points): energy `|x|²/σ² - b·x - Σ softplus(w·f(x) + c)` with `f` a 2-128-128 leaky-ReLU MLP, 128 experts, σ the data square's half-side; generator 4-128-128-2 with batch norm; Adam β₁ 0.5, energy learning rate 1e-4, generator 1e-3; batches of 256; {} epochs of the 10,000 training points. Exact LL: `-E - log Z` with `log Z` by the midpoint rule on an 800x800 grid over the data square widened by a quarter of its side each way. Generator KDE: a Gaussian kernel density on 10,000 generator samples, σ chosen on the last tenth of the training points from 0.005..0.5. Modes: 2,500 samples; high quality within 3 std of the nearest mode; a mode is covered with 20 of them (VEEGAN, PacGAN).\n",
            s.points_epochs.unwrap_or(100)
        );
        let _ = writeln!(body, "{points}");
        let _ = writeln!(
            body,
            "Energy heat maps (`-E - log Z`, the top 20 nats) with 1,000 generator samples: {heatmaps}\n"
        );
        let _ = writeln!(
            body,
            "Images: {}; seed 1. Parzen and MMD as in the GMMN and DAE sections; those methods' rows are read from their runs in this report when they exist.\n",
            s.describe
        );
        let _ = writeln!(body, "{compare}");
        if ctx.profile == Profile::Paper {
            let (_, classifier) = ensure_classifier(ctx, s.data)?;
            let _ = writeln!(
                body,
                "The MNIST evaluation classifier (test accuracy {:.2}%) on 10,000 samples of each, against the 10,000 test images (`gen eval RUN --metric fd`); the target for the deep energy model is at least 8 classes holding at least 5%:\n\n{CLASSIFIER_TABLE_HEAD}\n{verdicts}",
                100.0 * num(&classifier, "test_accuracy")
            );
            let _ = writeln!(
                body,
                "The first author's code's settings (github.com/taesupkim/dcgan_code): AdaGrad with rate 1e-3 for both networks, weight decay 1e-5 on the energy, `z` uniform in [-1, 1], Gaussian noise of 0.01 added to the generated images; its generator-before-energy order and affine-transformed quadratic term are not options here.\n"
            );
        }
        let _ = writeln!(body, "Generator samples: {grids}\n");
        let mut seeds = s.seeds.clone();
        if !seeds.contains(&1) {
            seeds.push(1);
        }
        Ok(Section {
            title: "Deep energy models trained against a generator (lecture's 'From RBM to deep energy models')"
                .into(),
            body,
            seeds,
            command: format!(
                "cargo xtask reproduce --profile {} --only ebm",
                ctx.profile.as_str()
            ),
        })
    }
}

/// `ebm-<data>` for the first image run, `ebm-<data>-<tag>` for the others, then the suffix.
fn run_name(s: &Settings, image: &ImageRun) -> String {
    format!("ebm-{}{}{}", s.data, image_suffix(image), s.run_suffix)
}

/// `-<tag>`, or nothing for the first image run.
fn image_suffix(image: &ImageRun) -> String {
    if image.tag.is_empty() {
        String::new()
    } else {
        format!("-{}", image.tag)
    }
}

/// An image run (seed 1).
fn train_images(ctx: &RunContext, s: &Settings, image: &ImageRun) -> Result<PathBuf> {
    let mut args: Vec<String> = [
        "train",
        "ebm",
        "--data",
        s.data,
        "--epochs",
        &s.epochs.to_string(),
        "--seed",
        "1",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.extend(image.flags.iter().map(|f| f.to_string()));
    ctx.train(&run_name(s, image), &args)
}

/// The deep energy model's generator for the comparison table (this experiment's image run).
pub fn comparison_runs(ctx: &RunContext) -> Result<Vec<(String, PathBuf)>> {
    let s = settings(ctx.profile, ctx.full);
    check_data(s.data, ctx.profile)?;
    Ok(vec![(
        "Deep EBM (generator)".into(),
        train_images(ctx, &s, &s.images[0])?,
    )])
}
