//! The corruption processes change the share of values their parameters say.

use burn::tensor::{Device, Tensor};
use gen_core::tensor_io::to_vec_f32;
use gen_dae::corruption::{Corruption, CorruptionError, GaussianNoise, Masking, SaltAndPepper};

fn half() -> Tensor<2> {
    Tensor::full([200, 100], 0.5, &Device::flex())
}

#[test]
fn corruption_statistics_match_their_parameters() {
    let device = Device::flex();
    device.seed(1);
    // 20,000 values: binomial standard error of a share is below 0.0035.
    let sp = to_vec_f32(SaltAndPepper::new(0.4).unwrap().corrupt(half()));
    let changed = sp.iter().filter(|&&v| v != 0.5).count() as f64 / sp.len() as f64;
    assert!((changed - 0.4).abs() < 0.015, "{changed}");
    assert!(sp.iter().all(|&v| v == 0.0 || v == 0.5 || v == 1.0));
    let ones = sp.iter().filter(|&&v| v == 1.0).count() as f64 / sp.len() as f64;
    assert!((ones - 0.2).abs() < 0.015, "{ones}");
    let m = to_vec_f32(Masking::new(0.25).unwrap().corrupt(half()));
    let zeros = m.iter().filter(|&&v| v == 0.0).count() as f64 / m.len() as f64;
    assert!((zeros - 0.25).abs() < 0.015, "{zeros}");
    let g = to_vec_f32(GaussianNoise::new(0.3).unwrap().corrupt(half()));
    let n = g.len() as f64;
    let mean = g.iter().map(|&v| v as f64).sum::<f64>() / n;
    let sd = (g.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert!(
        (mean - 0.5).abs() < 0.01 && (sd - 0.3).abs() < 0.01,
        "{mean} {sd}"
    );
}

#[test]
fn bad_levels_are_refused() {
    assert_eq!(
        GaussianNoise::new(-0.1),
        Err(CorruptionError::NoiseStd(-0.1))
    );
    assert_eq!(
        SaltAndPepper::new(1.5),
        Err(CorruptionError::Probability(1.5))
    );
    assert!(Masking::new(f64::NAN).is_err());
}
