//! Kernels as Gram matrices between two batches, the building block of MMD (Gretton et al. 2012)
//! and of the Parzen-window estimate.
//!
//! Bandwidth convention: a Gaussian kernel here is `k(x, y) = exp(-|x - y|^2 / (2 s))` with `s`
//! the *variance* — the form of the lecture's slide and of the GMMN code (Li et al. 2015), whose
//! listed bandwidths 2, 5, 10, 20, 40, 80 are such variances.

use burn::tensor::Tensor;

/// A positive-definite kernel evaluated between every row of `x` and every row of `y`.
pub trait Kernel {
    /// The `[n, m]` matrix `K[i, j] = k(x_i, y_j)` for `x: [n, d]`, `y: [m, d]`.
    fn gram(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2>;
}

/// `|x_i - y_j|^2` for every pair, as `|x|^2 + |y|^2 - 2 x.y` (one GEMM), clamped at zero
/// against the rounding of the expansion.
pub fn squared_distances(x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
    let xx = x.clone().powi_scalar(2).sum_dim(1); // [n, 1]
    let yy = y.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, m]
    let xy = x.matmul(y.transpose()); // [n, m]
    (xx + yy - xy.mul_scalar(2.0)).clamp_min(0.0)
}

/// The Gaussian RBF kernel `exp(-|x - y|^2 / (2 s))`, `s` a variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianKernel {
    /// The variance `s` of the kernel.
    pub variance: f64,
}

impl GaussianKernel {
    /// A kernel with variance `s` (the GMMN parameterisation).
    pub fn from_variance(variance: f64) -> Self {
        assert!(
            variance > 0.0,
            "kernel variance must be positive, got {variance}"
        );
        Self { variance }
    }

    /// A kernel with standard deviation (length scale) `sigma`, i.e. variance `sigma^2`.
    pub fn from_std(sigma: f64) -> Self {
        Self::from_variance(sigma * sigma)
    }
}

impl Kernel for GaussianKernel {
    fn gram(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        squared_distances(x, y)
            .mul_scalar(-1.0 / (2.0 * self.variance))
            .exp()
    }
}

/// A sum of Gaussian kernels over several variances, sharing one distance matrix
/// (GMMN: "a mixture of kernels with different bandwidths").
#[derive(Debug, Clone, PartialEq)]
pub struct MixtureKernel {
    /// The variances of the summed kernels.
    pub variances: Vec<f64>,
}

impl MixtureKernel {
    /// The sum of Gaussian kernels with these variances.
    pub fn from_variances(variances: &[f64]) -> Self {
        assert!(
            !variances.is_empty(),
            "a kernel mixture needs at least one bandwidth"
        );
        assert!(
            variances.iter().all(|&v| v > 0.0),
            "kernel variances must be positive, got {variances:?}"
        );
        Self {
            variances: variances.to_vec(),
        }
    }
}

impl Kernel for MixtureKernel {
    fn gram(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        let d2 = squared_distances(x, y);
        let mut terms = self
            .variances
            .iter()
            .map(|&s| d2.clone().mul_scalar(-1.0 / (2.0 * s)).exp());
        let first = terms.next().expect("at least one bandwidth");
        terms.fold(first, |acc, k| acc + k)
    }
}
