//! The theory behind DAEs as generative models, checked on a 2-D density with a known log
//! density (two moons):
//!
//! - Alain & Bengio (2014): a DAE trained with small Gaussian corruption σ reconstructs
//!   `r(x) ≈ x + σ² ∇ log p(x)`; exactly (Tweedie), the optimal `r(x) = E[X | X' = x]` is
//!   `x + σ² ∇ log p_σ(x)`, with `p_σ` the density of the corrupted data, known here.
//! - Bengio et al. (2013): the chain `X' ~ C(X' | X)`, `X ~ P_θ(X | X')` samples the density.

use std::sync::Mutex;

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use gen_core::data::density2d::Density2d;
use gen_core::tensor_io::{matrix, to_vec_f32};
use gen_dae::chain::{Chain, noise_start};
use gen_dae::corruption::CorruptionConfig;
use gen_dae::train::{DaeTrainer, OptimizerKind};
use gen_dae::walkback::Walkback;
use gen_dae::{DaeTrainConfig, Denoiser, MlpDenoiser, MlpDenoiserConfig, Reconstruction};
use gen_mmd::two_sample::{PointSet, median_heuristic_kernel, mmd2_unbiased_blocked};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DENSITY: Density2d = Density2d::TwoMoons;
/// Corruption std: the moons' own noise τ = 0.1.
const SIGMA: f64 = 0.1;
const BATCH: usize = 512;
const STEPS: u64 = 12_000;

fn device() -> Device {
    Device::flex()
}

fn flat(points: &[[f64; 2]]) -> Vec<f32> {
    points
        .iter()
        .flat_map(|p| [p[0] as f32, p[1] as f32])
        .collect()
}

/// The DAE both tests use, trained once (by whichever test comes first).
fn shared_dae() -> MlpDenoiser {
    static MODEL: Mutex<Option<MlpDenoiser>> = Mutex::new(None);
    let mut slot = MODEL.lock().unwrap_or_else(|e| e.into_inner());
    slot.get_or_insert_with(trained_dae).clone()
}

/// An MLP DAE trained on 20,000 points of the moons with Gaussian corruption σ and a Gaussian
/// reconstruction of the same std: Adam, learning rate decaying linearly from 2e-3 to 0 over
/// 12,000 updates of 512.
fn trained_dae() -> MlpDenoiser {
    let dev = device();
    dev.seed(11);
    let mut rng = StdRng::seed_from_u64(5);
    let data = flat(&DENSITY.sample_points(20_000, &mut rng));
    let config = DaeTrainConfig {
        corruption: CorruptionConfig::Gaussian { std: SIGMA },
        reconstruction: Reconstruction::Gaussian { std: SIGMA },
        walkback: Walkback::None,
        batch_size: BATCH,
        learning_rate: 2e-3,
        momentum: 0.0,
        optimizer: OptimizerKind::Adam,
        linear_decay: true,
    };
    let model = MlpDenoiserConfig::new(2).init(&dev);
    let start = Box::new(|n: usize, d: &Device| Tensor::<2>::zeros([n, 2], d));
    let mut trainer = DaeTrainer::new(model, config, start, &dev).unwrap();
    let train_dev = trainer.device().clone();
    let rows = data.len() / 2;
    for step in 0..STEPS {
        let batch: Vec<f32> = (0..BATCH)
            .flat_map(|_| {
                let i = rng.random_range(0..rows);
                [data[2 * i], data[2 * i + 1]]
            })
            .collect();
        let learning_rate = trainer.config.learning_rate_at(step, STEPS);
        trainer.update(matrix(batch, BATCH, 2, &train_dev), learning_rate);
    }
    trainer.model.valid().fork(&dev)
}

fn reconstructions(model: &MlpDenoiser, points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let r = to_vec_f32(model.reconstruct(matrix(flat(points), points.len(), 2, &device())));
    r.chunks(2).map(|c| [c[0] as f64, c[1] as f64]).collect()
}

#[test]
fn reconstruction_minus_input_follows_the_score() {
    let model = shared_dae();
    let (lo, hi) = DENSITY.bounds();
    let n = 40;
    let grid: Vec<[f64; 2]> = (0..n * n)
        .map(|k| {
            let t = |i: usize| lo + (hi - lo) * (i as f64 + 0.5) / n as f64;
            [t(k % n), t(k / n)]
        })
        .collect();
    let logs: Vec<f64> = grid
        .iter()
        .map(|&p| DENSITY.smoothed_log_density(p, SIGMA).unwrap())
        .collect();
    let max = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    // Where the density is within a factor e^-3 of its peak.
    let kept: Vec<usize> = (0..grid.len()).filter(|&k| logs[k] > max - 3.0).collect();
    assert!(kept.len() > 100, "{} grid points kept", kept.len());
    let points: Vec<[f64; 2]> = kept.iter().map(|&k| grid[k]).collect();
    let r = reconstructions(&model, &points);
    let (mut cosines, mut slopes) = (Vec::new(), Vec::new());
    for (p, r) in points.iter().zip(&r) {
        let step = [r[0] - p[0], r[1] - p[1]];
        let score = DENSITY.smoothed_score(*p, SIGMA).unwrap();
        let target = [SIGMA * SIGMA * score[0], SIGMA * SIGMA * score[1]];
        // On the ridges the score vanishes and its direction is undefined: keep the points
        // where the optimal correction is at least a tenth of the noise.
        if target[0].hypot(target[1]) < 0.1 * SIGMA {
            continue;
        }
        let dot = step[0] * target[0] + step[1] * target[1];
        let norms = step[0].hypot(step[1]) * target[0].hypot(target[1]);
        cosines.push(dot / norms);
        slopes.push(dot / (target[0] * target[0] + target[1] * target[1]));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let mut sorted = cosines.clone();
    sorted.sort_by(f64::total_cmp);
    eprintln!(
        "{} of {} points: mean cosine {:.3}, median {:.3}, mean slope {:.3}",
        cosines.len(),
        points.len(),
        mean(&cosines),
        sorted[sorted.len() / 2],
        mean(&slopes)
    );
    assert!(cosines.len() > 100, "{} points compared", cosines.len());
    assert!(mean(&cosines) > 0.9, "mean cosine {}", mean(&cosines));
    // Tweedie: the slope of r(x) - x on σ² ∇ log p_σ(x) is 1 for the optimal reconstruction.
    assert!(
        (mean(&slopes) - 1.0).abs() < 0.25,
        "mean slope {}",
        mean(&slopes)
    );
}

#[test]
fn the_chain_samples_the_density() {
    let model = shared_dae();
    let dev = device();
    dev.seed(21);
    let mut rng = StdRng::seed_from_u64(8);
    let n = 1000;
    // 1,000 chains from Gaussian noise with the data's mean and spread per coordinate, 300
    // transitions (the `gen` defaults for points).
    let data = DENSITY.sample_points(20_000, &mut rng);
    let moment = |k: usize| {
        let m = data.iter().map(|p| p[k]).sum::<f64>() / data.len() as f64;
        let v = data.iter().map(|p| (p[k] - m).powi(2)).sum::<f64>() / data.len() as f64;
        (m as f32, v.sqrt() as f32)
    };
    let ((mx, sx), (my, sy)) = (moment(0), moment(1));
    let reconstruction = Reconstruction::Gaussian { std: SIGMA };
    let start = noise_start(reconstruction, n, &[mx, my], &[sx, sy], &dev);
    let corruption = CorruptionConfig::Gaussian { std: SIGMA };
    let mut chain = Chain::new(&model, &corruption, reconstruction, start);
    let samples = to_vec_f32(chain.record(299, 1, 1).remove(0));
    let fresh = flat(&DENSITY.sample_points(n, &mut rng));
    // The shared MMD metric's kernel: the median heuristic on the two sets compared.
    let kernel =
        median_heuristic_kernel(PointSet::new(&samples, 2), PointSet::new(&fresh, 2), 0).unwrap();
    let mmd = |a: &[f32], b: &[f32]| {
        mmd2_unbiased_blocked(&kernel, PointSet::new(a, 2), PointSet::new(b, 2), 512, &dev).unwrap()
    };
    let got = mmd(&samples, &fresh);
    // The threshold: the largest MMD² between two independent true samples of the same size,
    // over 20 pairs, with the same kernel.
    let null: Vec<f64> = (0..20)
        .map(|_| {
            let a = flat(&DENSITY.sample_points(n, &mut rng));
            let b = flat(&DENSITY.sample_points(n, &mut rng));
            mmd(&a, &b)
        })
        .collect();
    let null_max = null.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    eprintln!(
        "chain MMD² {got:.6} (kernel variance {:.3}); two true samples: at most {null_max:.6} over 20 pairs",
        kernel.variance()
    );
    assert!(got < null_max, "chain MMD² {got} vs null max {null_max}");
}
