//! AIS against the exact log partition function of an RBM small enough to enumerate.

mod common;

use gen_core::data::Binarize;
use gen_core::data::digits::digits_splits;
use gen_rbm::RbmConfig;
use gen_rbm::ais::{AisConfig, ais_log_partition, base_rate_biases};
use gen_rbm::eval::log_partition_exact;
use gen_rbm::train::{Method, RbmTrainConfig, RbmTrainer};

#[test]
fn ais_brackets_the_exact_log_z_of_a_trained_20_hidden_unit_rbm() {
    let device = common::device();
    device.seed(4);
    let train = Binarize::default().apply(&digits_splits().train);
    let rbm = RbmConfig::new(64).with_hidden(20).init(&device);
    let config = RbmTrainConfig::new()
        .with_engine(common::engine())
        .with_method(Method::Pcd)
        .with_learning_rate(0.05)
        .with_batch_size(20)
        .with_chains(20);
    let mut trainer = RbmTrainer::new(rbm, config, &train, &device);
    let total = 500;
    for step in 0..total {
        let idx: Vec<usize> = (0..20)
            .map(|i| (step as usize * 20 + i) % train.len())
            .collect();
        trainer.update(train.batch(&idx, &device), step, total);
    }
    let exact = log_partition_exact(trainer.model()).unwrap();
    // Five independent AIS estimates (100 runs each). Their ±3 sd intervals are nominal 99.7%
    // intervals, but the importance weights are heavy-tailed and the standard error is itself
    // estimated from 100 of them, so one miss in five is tolerated; the average error must be
    // well inside one interval's half-width.
    let mut covered = 0;
    let mut errors = Vec::new();
    let mut half_widths = Vec::new();
    for seed in 0..5 {
        device.seed(100 + seed);
        let e = ais_log_partition(
            trainer.model(),
            &base_rate_biases(&train.mean()),
            &AisConfig {
                engine: common::engine(),
                ..AisConfig::default()
            },
            &device,
        );
        eprintln!("exact {exact}, AIS {e:?}");
        if e.log_z_low <= exact && exact <= e.log_z_high {
            covered += 1;
        }
        errors.push(e.log_z - exact);
        half_widths.push((e.log_z_high - e.log_z_low) / 2.0);
        // The interval is informative, not a blanket.
        assert!(e.log_z_high - e.log_z_low < 0.1, "{e:?}");
    }
    assert!(
        covered >= 4,
        "exact log Z {exact} inside only {covered} of 5 intervals; errors {errors:?}"
    );
    let mean_error = errors.iter().sum::<f64>() / 5.0;
    let half_width = half_widths.iter().sum::<f64>() / 5.0;
    assert!(
        mean_error.abs() < half_width,
        "mean error {mean_error} vs half-width {half_width}"
    );
}

#[test]
fn one_dominant_weight_leaves_the_interval_open() {
    use gen_rbm::ais::AisEstimate;
    // Equal weights: Ẑ = Z_0 e^1.5 exactly, no spread, a closed interval of zero width.
    let even = AisEstimate::from_log_weights(&[1.5, 1.5, 1.5], 10.0);
    assert!((even.log_z - 11.5).abs() < 1e-12, "{even:?}");
    assert!(even.is_closed());
    assert!((even.log_z_high - even.log_z_low).abs() < 1e-12);
    // Weights e^10, 1, 1, 1: mean m = (e^10 + 3)/4, sample sd s = sqrt(Σ(w - m)²/3), standard
    // error s/2; m - 3 s/2 < 0, so the lower end is -∞ and the estimate is no result.
    let w = [10f64.exp(), 1.0, 1.0, 1.0];
    let m = w.iter().sum::<f64>() / 4.0;
    let s = (w.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 3.0).sqrt();
    assert!(m - 1.5 * s < 0.0);
    let skewed = AisEstimate::from_log_weights(&[10.0, 0.0, 0.0, 0.0], 0.0);
    assert!(!skewed.is_closed(), "{skewed:?}");
    assert!((skewed.log_z - m.ln()).abs() < 1e-9, "{skewed:?}");
    assert!(
        (skewed.log_z_high - (m + 1.5 * s).ln()).abs() < 1e-9,
        "{skewed:?}"
    );
}
