//! MMD between two sets of any size, and the MMD two-sample test with a permutation p-value
//! (Gretton et al. 2012, Section 5): the shared "how far are the samples from the data" metric.
//!
//! Sets larger than a batch are compared in blocks, so memory stays at one
//! `block x block` Gram matrix however many points there are. The permutation test needs the
//! pooled Gram matrix many times; it works on a seeded random subset of at most
//! `max_points` per set, whose matrix is computed once and kept on the host.

use crate::kernel::{GaussianKernel, Kernel, KernelError};
use crate::tensor_io::{matrix, to_vec_f32};
use burn::tensor::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// A set of points given as row-major values.
#[derive(Debug, Clone, Copy)]
pub struct PointSet<'a> {
    /// `rows * dim` values.
    pub values: &'a [f32],
    /// Width of one point.
    pub dim: usize,
}

impl<'a> PointSet<'a> {
    /// The points of `values`, `dim` values each.
    pub fn new(values: &'a [f32], dim: usize) -> Self {
        Self { values, dim }
    }

    /// Number of points.
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.dim).unwrap_or(0)
    }

    fn row(&self, i: usize) -> &'a [f32] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }

    fn gather(&self, indices: &[usize]) -> Vec<f32> {
        indices.iter().flat_map(|&i| self.row(i)).copied().collect()
    }
}

/// Why two sets cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TwoSampleError {
    #[error("each set needs at least two points, got {x} and {y}")]
    /// A set of fewer than two points.
    TooFew {
        /// Points in the first set.
        x: usize,
        /// Points in the second.
        y: usize,
    },
    #[error("the two sets have points of different widths: {x} and {y}")]
    /// Points of different widths in the two sets.
    Width {
        /// Width of the first set's points.
        x: usize,
        /// Width of the second's.
        y: usize,
    },
    #[error("{len} values are not a whole number of {dim}-dimensional points")]
    /// Values that do not split into whole points.
    Ragged {
        /// Values given.
        len: usize,
        /// Values per point.
        dim: usize,
    },
    #[error("the permutation test needs at least one permutation")]
    /// Zero permutations asked for.
    NoPermutation,
    #[error(transparent)]
    /// The kernel's bandwidth is invalid.
    Kernel(#[from] KernelError),
}

fn check(x: &PointSet, y: &PointSet) -> Result<(), TwoSampleError> {
    for s in [x, y] {
        if s.dim == 0 || !s.values.len().is_multiple_of(s.dim) {
            return Err(TwoSampleError::Ragged {
                len: s.values.len(),
                dim: s.dim,
            });
        }
    }
    if x.dim != y.dim {
        return Err(TwoSampleError::Width { x: x.dim, y: y.dim });
    }
    if x.rows() < 2 || y.rows() < 2 {
        return Err(TwoSampleError::TooFew {
            x: x.rows(),
            y: y.rows(),
        });
    }
    Ok(())
}

/// Sum of `k(a_i, b_j)` over all pairs, block by block; with `skip_diagonal` (a and b the same
/// set) the `i = j` terms are left out.
fn blocked_kernel_sum<K: Kernel>(
    kernel: &K,
    a: &PointSet,
    b: &PointSet,
    skip_diagonal: bool,
    block: usize,
    device: &Device,
) -> f64 {
    let block = block.max(1);
    let (na, nb, d) = (a.rows(), b.rows(), a.dim);
    let mut total = 0f64;
    for i in (0..na).step_by(block) {
        let li = block.min(na - i);
        let ta = matrix(a.values[i * d..(i + li) * d].to_vec(), li, d, device);
        for j in (0..nb).step_by(block) {
            let lj = block.min(nb - j);
            let tb = matrix(b.values[j * d..(j + lj) * d].to_vec(), lj, d, device);
            total += to_vec_f32(kernel.gram(ta.clone(), tb.clone()).sum())[0] as f64;
            if skip_diagonal && i == j {
                total -= to_vec_f32(kernel.paired(ta.clone(), tb).sum())[0] as f64;
            }
        }
    }
    total
}

/// The unbiased MMD² between two sets of any size, computed in `block x block` Gram blocks.
pub fn mmd2_unbiased_blocked<K: Kernel>(
    kernel: &K,
    x: PointSet,
    y: PointSet,
    block: usize,
    device: &Device,
) -> Result<f64, TwoSampleError> {
    check(&x, &y)?;
    let (n, m) = (x.rows() as f64, y.rows() as f64);
    let kxx = blocked_kernel_sum(kernel, &x, &x, true, block, device) / (n * (n - 1.0));
    let kyy = blocked_kernel_sum(kernel, &y, &y, true, block, device) / (m * (m - 1.0));
    let kxy = blocked_kernel_sum(kernel, &x, &y, false, block, device) / (n * m);
    Ok(kxx + kyy - 2.0 * kxy)
}

/// Settings of the two-sample test.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TwoSampleConfig {
    /// Permutations of the pooled set (1,000: enough for p-values resolved to 0.001).
    pub permutations: usize,
    /// At most this many points of each set enter the test (a seeded random subset).
    pub max_points: usize,
    /// Rows per Gram block.
    pub block: usize,
    /// Seed of the subsets and permutations.
    pub seed: u64,
}

impl Default for TwoSampleConfig {
    fn default() -> Self {
        Self {
            permutations: 1000,
            max_points: 1000,
            block: 1024,
            seed: 0,
        }
    }
}

/// The test's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoSampleResult {
    /// The unbiased MMD² on the tested subsets.
    pub mmd2: f64,
    /// `(1 + #{permuted statistic >= observed}) / (1 + permutations)`.
    pub p_value: f64,
    /// Points of each set in the test.
    pub points: (usize, usize),
}

/// The pooled Gram matrix, row-major `[n, n]`, computed block-wise on the device.
fn pooled_gram<K: Kernel>(
    kernel: &K,
    pooled: &[f32],
    d: usize,
    block: usize,
    device: &Device,
) -> Vec<f32> {
    let n = pooled.len() / d;
    let set = PointSet::new(pooled, d);
    let mut gram = vec![0f32; n * n];
    let block = block.max(1);
    for i in (0..n).step_by(block) {
        let li = block.min(n - i);
        let ta = matrix(set.values[i * d..(i + li) * d].to_vec(), li, d, device);
        for j in (0..n).step_by(block) {
            let lj = block.min(n - j);
            let tb = matrix(set.values[j * d..(j + lj) * d].to_vec(), lj, d, device);
            let values = to_vec_f32(kernel.gram(ta.clone(), tb));
            for r in 0..li {
                gram[(i + r) * n + j..(i + r) * n + j + lj]
                    .copy_from_slice(&values[r * lj..(r + 1) * lj]);
            }
        }
    }
    gram
}

/// The unbiased MMD² of the split "first `n` of `order` are X, the rest Y" of a pooled Gram
/// matrix.
fn unbiased_statistic(gram: &[f32], total: usize, order: &[usize], n: usize) -> f64 {
    let m = total - n;
    let mut is_x = vec![false; total];
    for &i in &order[..n] {
        is_x[i] = true;
    }
    let (mut sxx, mut syy, mut sxy) = (0f64, 0f64, 0f64);
    for i in 0..total {
        let row = &gram[i * total..(i + 1) * total];
        let (mut rx, mut ry) = (0f64, 0f64);
        for j in (i + 1)..total {
            if is_x[j] {
                rx += row[j] as f64;
            } else {
                ry += row[j] as f64;
            }
        }
        if is_x[i] {
            sxx += rx;
            sxy += ry;
        } else {
            syy += ry;
            sxy += rx;
        }
    }
    // Off-diagonal sums count each unordered pair once: double them.
    let (n, m) = (n as f64, m as f64);
    2.0 * sxx / (n * (n - 1.0)) + 2.0 * syy / (m * (m - 1.0)) - 2.0 * sxy / (n * m)
}

/// The MMD two-sample test of "x and y come from one distribution": the unbiased MMD² and its
/// permutation p-value.
pub fn mmd_permutation_test<K: Kernel>(
    kernel: &K,
    x: PointSet,
    y: PointSet,
    config: &TwoSampleConfig,
    device: &Device,
) -> Result<TwoSampleResult, TwoSampleError> {
    check(&x, &y)?;
    if config.permutations == 0 {
        return Err(TwoSampleError::NoPermutation);
    }
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut subset = |s: &PointSet| {
        let mut idx: Vec<usize> = (0..s.rows()).collect();
        idx.shuffle(&mut rng);
        idx.truncate(config.max_points.max(2));
        s.gather(&idx)
    };
    let (xs, ys) = (subset(&x), subset(&y));
    let (n, m) = (xs.len() / x.dim, ys.len() / y.dim);
    let pooled = [xs, ys].concat();
    let gram = pooled_gram(kernel, &pooled, x.dim, config.block, device);
    let total = n + m;
    let mut order: Vec<usize> = (0..total).collect();
    let observed = unbiased_statistic(&gram, total, &order, n);
    let mut at_least = 0usize;
    for _ in 0..config.permutations {
        order.shuffle(&mut rng);
        if unbiased_statistic(&gram, total, &order, n) >= observed {
            at_least += 1;
        }
    }
    Ok(TwoSampleResult {
        mmd2: observed,
        p_value: (1 + at_least) as f64 / (1 + config.permutations) as f64,
        points: (n, m),
    })
}

/// The median heuristic (Gretton et al. 2012): a Gaussian kernel whose length scale is the
/// median distance between points of the pooled set, i.e. variance = median squared distance.
/// Uses at most 1,000 points of each set (seeded).
pub fn median_heuristic_kernel(
    x: PointSet,
    y: PointSet,
    seed: u64,
) -> Result<GaussianKernel, TwoSampleError> {
    check(&x, &y)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut points: Vec<&[f32]> = Vec::new();
    for s in [&x, &y] {
        let mut idx: Vec<usize> = (0..s.rows()).collect();
        idx.shuffle(&mut rng);
        points.extend(idx.into_iter().take(1000).map(|i| s.row(i)));
    }
    let mut d2: Vec<f64> = Vec::with_capacity(points.len() * (points.len() - 1) / 2);
    for i in 0..points.len() {
        for j in (i + 1)..points.len() {
            d2.push(
                points[i]
                    .iter()
                    .zip(points[j])
                    .map(|(a, b)| (*a as f64 - *b as f64).powi(2))
                    .sum(),
            );
        }
    }
    let mid = d2.len() / 2;
    let (_, median, _) = d2.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    Ok(GaussianKernel::from_variance(*median)?)
}
