//! Shared helpers of the gen-mmd tests: a device, host-side random points, matrices.

#![allow(dead_code)]

use burn::tensor::{Device, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The CPU device the tests run on.
pub fn device() -> Device {
    Device::flex()
}

/// `v` as a `[rows, cols]` tensor on [`device`].
pub fn mat(v: &[f32], rows: usize, cols: usize) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v.to_vec(), [rows, cols]), &device())
}

/// `n` points of `N(mean, std^2 I)` in `mean.len()` dimensions, row-major.
pub fn gaussian_points(n: usize, mean: &[f64], std: f64, rng: &mut StdRng) -> Vec<f32> {
    let mut out = Vec::with_capacity(n * mean.len());
    for _ in 0..n {
        for &m in mean {
            out.push((m + std * gen_core::seed::standard_normal(rng)) as f32);
        }
    }
    out
}

/// A host generator seeded with `seed`.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Uniform points in [lo, hi]^dim.
pub fn uniform_points(n: usize, dim: usize, lo: f64, hi: f64, rng: &mut StdRng) -> Vec<f32> {
    (0..n * dim)
        .map(|_| rng.random_range(lo..hi) as f32)
        .collect()
}
