//! The Parzen-window protocol against a direct f64 computation, and its refusals.

use burn::tensor::Device;
use gen_core::metrics::parzen::{
    ParzenConfig, ParzenError, mean_and_standard_error, parzen_log_densities, parzen_protocol,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn points(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut r = StdRng::seed_from_u64(seed);
    (0..n * d).map(|_| r.random_range(0.0..1.0)).collect()
}

/// log (1/n) Σ N(x; s_i, σ² I), in f64 with a max-shifted sum.
fn log_density_host(x: &[f32], samples: &[f32], d: usize, sigma: f64) -> f64 {
    let v: Vec<f64> = samples
        .chunks(d)
        .map(|s| {
            let d2: f64 = s
                .iter()
                .zip(x)
                .map(|(a, b)| (*a as f64 - *b as f64).powi(2))
                .sum();
            -d2 / (2.0 * sigma * sigma)
        })
        .collect();
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + v.iter().map(|a| (a - m).exp()).sum::<f64>().ln();
    lse - (v.len() as f64).ln() - 0.5 * d as f64 * (2.0 * std::f64::consts::PI * sigma * sigma).ln()
}

#[test]
fn blocked_log_densities_match_the_direct_sum() {
    let (d, samples, test) = (3, points(50, 3, 1), points(20, 3, 2));
    let sigmas = [0.05, 0.2, 1.0];
    for (tb, sb) in [(1, 1), (7, 16), (256, 2048)] {
        let config = ParzenConfig {
            test_block: tb,
            sample_block: sb,
            ..ParzenConfig::default()
        };
        let got =
            parzen_log_densities(&samples, &test, d, &sigmas, &config, &Device::flex()).unwrap();
        for (k, &sigma) in sigmas.iter().enumerate() {
            for (i, x) in test.chunks(d).enumerate() {
                let expected = log_density_host(x, &samples, d, sigma);
                assert!(
                    (got[k][i] - expected).abs() < 1e-3,
                    "blocks ({tb}, {sb}), sigma {sigma}, point {i}: {} vs {expected}",
                    got[k][i]
                );
            }
        }
    }
}

#[test]
fn protocol_picks_the_best_validation_sigma_and_reports_the_test_mean() {
    let d = 2;
    let samples = points(400, d, 3);
    let (validation, test) = (points(100, d, 4), points(80, d, 5));
    let config = ParzenConfig {
        samples: 300,
        sigmas: vec![0.01, 0.05, 0.1, 0.3, 3.0],
        ..ParzenConfig::default()
    };
    let estimate =
        parzen_protocol(&samples, &validation, &test, d, &config, &Device::flex()).unwrap();
    // Recompute by brute force with the first 300 samples.
    let used = &samples[..300 * d];
    let mean_at = |data: &[f32], sigma: f64| {
        let v: Vec<f64> = data
            .chunks(d)
            .map(|x| log_density_host(x, used, d, sigma))
            .collect();
        mean_and_standard_error(&v)
    };
    let best = config
        .sigmas
        .iter()
        .cloned()
        .max_by(|a, b| {
            mean_at(&validation, *a)
                .0
                .total_cmp(&mean_at(&validation, *b).0)
        })
        .unwrap();
    assert_eq!(estimate.sigma, best);
    let (mean, se) = mean_at(&test, best);
    assert!(
        (estimate.mean - mean).abs() < 1e-3,
        "{} vs {mean}",
        estimate.mean
    );
    assert!((estimate.se - se).abs() < 1e-4, "{} vs {se}", estimate.se);
}

#[test]
fn standard_error_matches_its_definition() {
    let (mean, se) = mean_and_standard_error(&[1.0, 2.0, 3.0, 6.0]);
    assert_eq!(mean, 3.0);
    // Sample variance 14/3; se = sqrt(14/3 / 4).
    assert!((se - (14.0f64 / 12.0).sqrt()).abs() < 1e-12);
}

#[test]
fn bad_inputs_are_refused() {
    let dev = Device::flex();
    let config = ParzenConfig::default();
    let s = points(10, 2, 1);
    assert_eq!(
        parzen_protocol(&s, &s, &s, 2, &config, &dev),
        Err(ParzenError::TooFewSamples {
            wanted: 10_000,
            got: 10
        })
    );
    assert_eq!(
        parzen_log_densities(&s, &[], 2, &[0.1], &config, &dev),
        Err(ParzenError::Empty("test"))
    );
    assert_eq!(
        parzen_log_densities(&s, &s[..3], 2, &[0.1], &config, &dev),
        Err(ParzenError::Ragged {
            what: "test",
            len: 3,
            dim: 2
        })
    );
    assert_eq!(
        parzen_log_densities(&s, &s, 2, &[0.1, -0.2], &config, &dev),
        Err(ParzenError::Sigma(-0.2))
    );
    assert_eq!(
        parzen_log_densities(&s, &s, 2, &[], &config, &dev),
        Err(ParzenError::NoSigma)
    );
}
