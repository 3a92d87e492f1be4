//! The simple and walkback criteria against hand computations, and the walk lengths the coin
//! gives against their geometric law.

use burn::module::Param;
use burn::tensor::{Device, Tensor};
use gen_core::tensor_io::{matrix, to_vec_f32};
use gen_dae::corruption::CorruptionConfig;
use gen_dae::walkback::{Walkback, WalkbackError, denoising_loss};
use gen_dae::{Reconstruction, TiedDae};

fn device() -> Device {
    Device::flex()
}

fn scalar(t: Tensor<1>) -> f64 {
    to_vec_f32(t)[0] as f64
}

/// `-[x log σ(a) + (1-x) log(1-σ(a))]` in f64.
fn bce(a: f64, x: f64) -> f64 {
    let p = 1.0 / (1.0 + (-a).exp());
    -(x * p.ln() + (1.0 - x) * (1.0 - p).ln())
}

/// A tied DAE with the given weights `[d, h]` and biases.
fn dae(w: &[f32], d: usize, h: usize, hidden_bias: &[f32], visible_bias: &[f32]) -> TiedDae {
    let dev = device();
    TiedDae {
        weight: Param::from_tensor(matrix(w.to_vec(), d, h, &dev)),
        hidden_bias: Param::from_tensor(Tensor::from_floats(hidden_bias, &dev)),
        visible_bias: Param::from_tensor(Tensor::from_floats(visible_bias, &dev)),
    }
}

#[test]
fn simple_criterion_is_the_mean_cross_entropy_of_the_reconstruction() {
    // No corruption (masking with p = 0), so the reconstruction of x is deterministic:
    // a = σ(x W + c) Wᵀ + b, computed here by hand.
    let (d, h) = (3, 2);
    let w = [0.5f32, -1.0, 0.25, 0.75, -0.5, 1.5];
    let (c, b) = ([0.1f32, -0.2], [0.3f32, 0.0, -0.4]);
    let x = [1.0f32, 0.0, 1.0, 0.0, 1.0, 1.0];
    let model = dae(&w, d, h, &c, &b);
    let identity = CorruptionConfig::Masking { p: 0.0 };
    let loss = denoising_loss(
        &model,
        &identity,
        Reconstruction::Bernoulli,
        Walkback::None,
        matrix(x.to_vec(), 2, d, &device()),
    );
    let mut total = 0.0;
    for row in x.chunks(d) {
        let hid: Vec<f64> = (0..h)
            .map(|j| {
                let pre: f64 = (0..d).map(|i| row[i] as f64 * w[i * h + j] as f64).sum();
                1.0 / (1.0 + (-(pre + c[j] as f64)).exp())
            })
            .collect();
        for i in 0..d {
            let a: f64 = (0..h).map(|j| hid[j] * w[i * h + j] as f64).sum::<f64>() + b[i] as f64;
            total += bce(a, row[i] as f64);
        }
    }
    let expected_objective = total / (2.0 * d as f64);
    assert!((scalar(loss.objective) - expected_objective).abs() < 1e-6);
    assert!((scalar(loss.first_nll) - total / 2.0).abs() < 1e-5);
    assert_eq!(scalar(loss.mean_steps), 1.0);
}

#[test]
fn a_fixed_walk_sums_one_term_per_step() {
    // A DAE with zero weights reconstructs every input as σ(b): each pair of the walk then has
    // the same likelihood, so k steps give exactly k times the simple criterion.
    let d = 4;
    let model = dae(&[0.0; 8], d, 2, &[0.0, 0.0], &[0.2, -0.3, 1.0, 0.0]);
    let x = matrix(
        vec![1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        2,
        d,
        &device(),
    );
    let noise = CorruptionConfig::SaltAndPepper { p: 0.4 };
    let simple = scalar(
        denoising_loss(
            &model,
            &noise,
            Reconstruction::Bernoulli,
            Walkback::None,
            x.clone(),
        )
        .objective,
    );
    for steps in [1, 3, 5] {
        let loss = denoising_loss(
            &model,
            &noise,
            Reconstruction::Bernoulli,
            Walkback::Fixed { steps },
            x.clone(),
        );
        let got = scalar(loss.objective);
        assert!(
            (got - steps as f64 * simple).abs() < 1e-5,
            "{steps} steps: {got} vs {}",
            steps as f64 * simple
        );
        assert_eq!(scalar(loss.mean_steps), steps as f64);
    }
}

#[test]
fn coin_walks_have_truncated_geometric_lengths() {
    let dev = device();
    dev.seed(4);
    let d = 2;
    let model = dae(&[0.0; 4], d, 2, &[0.0, 0.0], &[0.5, -0.5]);
    let batch = 20_000;
    let x = Tensor::<2>::ones([batch, d], &dev);
    let noise = CorruptionConfig::Masking { p: 0.1 };
    let walkback = Walkback::Coin {
        p: 0.5,
        max_steps: 4,
    };
    let loss = denoising_loss(&model, &noise, Reconstruction::Bernoulli, walkback, x);
    // E[steps] = 1 + 1/2 + 1/4 + 1/8 = 1.875; sd of one walk's length is 0.93, so the
    // standard error over 20,000 walks is 0.0066.
    assert_eq!(walkback.expected_steps(), 1.875);
    let mean = scalar(loss.mean_steps);
    assert!((mean - 1.875).abs() < 0.03, "mean steps {mean}");
    // Every pair has the same likelihood here, so the objective is mean steps × one pair's.
    let one_pair = (bce(0.5, 1.0) + bce(-0.5, 1.0)) / d as f64;
    let objective = scalar(loss.objective);
    assert!(
        (objective - mean * one_pair).abs() < 1e-4,
        "{objective} vs {}",
        mean * one_pair
    );
}

#[test]
fn bad_walkback_settings_are_refused() {
    let coin = |p| Walkback::Coin { p, max_steps: 5 }.validate();
    assert_eq!(coin(1.0), Err(WalkbackError::Probability(1.0)));
    assert_eq!(coin(-0.1), Err(WalkbackError::Probability(-0.1)));
    assert!(coin(0.0).is_ok());
    assert!(coin(0.99).is_ok());
    assert_eq!(
        Walkback::Fixed { steps: 0 }.validate(),
        Err(WalkbackError::NoSteps)
    );
    assert_eq!(
        Walkback::Coin {
            p: 0.5,
            max_steps: 0
        }
        .validate(),
        Err(WalkbackError::NoSteps)
    );
    // The configured corruption refuses what the constructors refuse.
    assert!(
        CorruptionConfig::SaltAndPepper { p: 1.2 }
            .validate()
            .is_err()
    );
    assert!(CorruptionConfig::Gaussian { std: -0.1 }.validate().is_err());
    assert!(CorruptionConfig::Masking { p: 1.0 }.validate().is_ok());
}
