//! The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian
//! (mean, covariance): the metric FID applies to Inception features (Heusel et al. 2017), here
//! on the evaluation classifier's penultimate features:
//!
//!   d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2}).
//!
//! The square root is taken stably: `tr (Σ₁Σ₂)^{1/2} = tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}`, since the
//! two products are similar, and the right-hand one is symmetric positive semi-definite, so both
//! roots come from symmetric eigen-decompositions with real, clamped-at-zero eigenvalues. A
//! general `sqrtm` of the non-symmetric Σ₁Σ₂ produces imaginary parts and fails on the singular
//! covariances of fewer samples than features.

use super::symmetric_eigen::{psd_sqrt, symmetric_eigen};

/// The mean and covariance of a set of vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianStats {
    /// Features per row.
    pub dim: usize,
    /// The sample mean, `dim` values.
    pub mean: Vec<f64>,
    /// Row-major `dim x dim` covariance.
    pub cov: Vec<f64>,
}

/// Feature values that cannot be read as rows of a covariance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeatureRowsError {
    /// The values do not split into whole rows.
    #[error("{values} values do not make rows of {dim} features")]
    Ragged {
        /// How many values were given.
        values: usize,
        /// The row width.
        dim: usize,
    },
    /// Fewer than two rows: no unbiased covariance.
    #[error("a covariance needs at least two vectors, got {0}")]
    TooFew(usize),
}

impl GaussianStats {
    /// The sample mean and unbiased covariance (divided by `n - 1`) of the rows of `values`
    /// (`dim` values each); at least two rows.
    pub fn of_rows(values: &[f32], dim: usize) -> Result<Self, FeatureRowsError> {
        if dim == 0 || !values.len().is_multiple_of(dim) {
            return Err(FeatureRowsError::Ragged {
                values: values.len(),
                dim,
            });
        }
        let n = values.len() / dim;
        if n < 2 {
            return Err(FeatureRowsError::TooFew(n));
        }
        let mut mean = vec![0.0; dim];
        for row in values.chunks_exact(dim) {
            for (m, &x) in mean.iter_mut().zip(row) {
                *m += f64::from(x);
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = vec![0.0; dim * dim];
        let mut centred = vec![0.0; dim];
        for row in values.chunks_exact(dim) {
            for ((c, &x), m) in centred.iter_mut().zip(row).zip(&mean) {
                *c = f64::from(x) - m;
            }
            for i in 0..dim {
                let ci = centred[i];
                for j in i..dim {
                    cov[i * dim + j] += ci * centred[j];
                }
            }
        }
        for i in 0..dim {
            for j in i..dim {
                let c = cov[i * dim + j] / (n - 1) as f64;
                cov[i * dim + j] = c;
                cov[j * dim + i] = c;
            }
        }
        Ok(Self { dim, mean, cov })
    }
}

/// The product of two row-major `n x n` matrices.
fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let x = a[i * n + k];
            if x != 0.0 {
                for j in 0..n {
                    out[i * n + j] += x * b[k * n + j];
                }
            }
        }
    }
    out
}

/// The Fréchet distance d² between the Gaussians `a` and `b` (see the module doc).
pub fn frechet_distance(a: &GaussianStats, b: &GaussianStats) -> f64 {
    assert_eq!(a.dim, b.dim, "both sets must have the same feature width");
    let n = a.dim;
    let mean_term: f64 = a
        .mean
        .iter()
        .zip(&b.mean)
        .map(|(x, y)| (x - y).powi(2))
        .sum();
    let trace = |m: &[f64]| (0..n).map(|i| m[i * n + i]).sum::<f64>();
    let root_a = psd_sqrt(&a.cov, n);
    // Σ₁^{1/2} Σ₂ Σ₁^{1/2}.
    let middle = matmul(&matmul(&root_a, &b.cov, n), &root_a, n);
    let (values, _) = symmetric_eigen(&middle, n);
    let trace_root: f64 = values.iter().map(|&l| l.max(0.0).sqrt()).sum();
    // Rounding can leave a tiny negative for identical sets; the distance is non-negative.
    (mean_term + trace(&a.cov) + trace(&b.cov) - 2.0 * trace_root).max(0.0)
}

/// The Fréchet distance between the feature sets `a` and `b` (rows of `dim` features).
pub fn frechet_distance_of(a: &[f32], b: &[f32], dim: usize) -> Result<f64, FeatureRowsError> {
    Ok(frechet_distance(
        &GaussianStats::of_rows(a, dim)?,
        &GaussianStats::of_rows(b, dim)?,
    ))
}
