//! Kernels as Gram matrices between two batches, the building block of MMD (Gretton et al. 2012)
//! and of the Parzen-window estimate.
//!
//! Bandwidth convention: a Gaussian kernel here is `k(x, y) = exp(-|x - y|^2 / (2 s))` with `s`
//! the *variance* — the form of the lecture's slide and of the GMMN code (Li et al. 2015), whose
//! listed bandwidths 2, 5, 10, 20, 40, 80 are such variances.

use burn::tensor::Tensor;

/// A bandwidth that cannot define a kernel.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KernelError {
    #[error("a Gaussian kernel's variance must be positive and finite, got {0}")]
    /// A variance that is zero, negative or not finite.
    Variance(f64),
    #[error("a kernel mixture needs at least one bandwidth")]
    /// An empty list of variances.
    NoBandwidth,
}

/// A positive-definite kernel evaluated between every row of `x` and every row of `y`.
pub trait Kernel {
    /// The `[n, m]` matrix `K[i, j] = k(x_i, y_j)` for `x: [n, d]`, `y: [m, d]`.
    fn gram(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2>;

    /// The `[n]` vector `k(x_i, y_i)` of row-aligned pairs (`x`, `y`: `[n, d]`), the one
    /// evaluation the linear-time MMD needs.
    fn paired(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<1>;
}

/// `|x_i - y_j|^2` for every pair, as `|x|^2 + |y|^2 - 2 x.y` (one GEMM), clamped at zero
/// against the rounding of the expansion.
pub fn squared_distances(x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
    let xx = x.clone().powi_scalar(2).sum_dim(1); // [n, 1]
    let yy = y.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, m]
    let xy = x.matmul(y.transpose()); // [n, m]
    (xx + yy - xy.mul_scalar(2.0)).clamp_min(0.0)
}

/// `|x_i - y_i|^2` for row-aligned pairs, as a `[n]` vector.
pub fn paired_squared_distances(x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    (x - y).powi_scalar(2).sum_dim(1).squeeze_dim(1)
}

fn check_variance(variance: f64) -> Result<f64, KernelError> {
    if variance > 0.0 && variance.is_finite() {
        Ok(variance)
    } else {
        Err(KernelError::Variance(variance))
    }
}

/// The Gaussian RBF kernel `exp(-|x - y|^2 / (2 s))`, `s` a variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianKernel {
    variance: f64,
}

impl GaussianKernel {
    /// A kernel with variance `s` (the GMMN parameterisation).
    pub fn from_variance(variance: f64) -> Result<Self, KernelError> {
        Ok(Self {
            variance: check_variance(variance)?,
        })
    }

    /// A kernel with standard deviation (length scale) `sigma`, i.e. variance `sigma^2`.
    pub fn from_std(sigma: f64) -> Result<Self, KernelError> {
        if sigma <= 0.0 {
            return Err(KernelError::Variance(sigma));
        }
        Self::from_variance(sigma * sigma)
    }

    /// The variance `s`.
    pub fn variance(&self) -> f64 {
        self.variance
    }
}

impl Kernel for GaussianKernel {
    fn gram(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        squared_distances(x, y)
            .mul_scalar(-1.0 / (2.0 * self.variance))
            .exp()
    }

    fn paired(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
        paired_squared_distances(x, y)
            .mul_scalar(-1.0 / (2.0 * self.variance))
            .exp()
    }
}

/// A sum of Gaussian kernels over several variances, sharing one distance matrix
/// (GMMN: "a mixture of kernels with different bandwidths").
#[derive(Debug, Clone, PartialEq)]
pub struct MixtureKernel {
    variances: Vec<f64>,
}

impl MixtureKernel {
    /// The sum of Gaussian kernels with these variances.
    pub fn from_variances(variances: &[f64]) -> Result<Self, KernelError> {
        if variances.is_empty() {
            return Err(KernelError::NoBandwidth);
        }
        let variances = variances
            .iter()
            .map(|&v| check_variance(v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { variances })
    }

    /// The variances of the summed kernels.
    pub fn variances(&self) -> &[f64] {
        &self.variances
    }

    /// `Σ_s exp(-d2 / (2 s))` over the variances (`kernel_sum`: one fused pass on burn-flex).
    fn sum_over_bandwidths<const D: usize>(&self, d2: Tensor<D>) -> Tensor<D> {
        crate::kernel_sum::gaussian_mixture_sum(d2, &self.variances)
    }
}

impl Kernel for MixtureKernel {
    /// The distances and the sum over the variances (`kernel_sum`: one fused pass from the
    /// GEMM's output on burn-flex).
    fn gram(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<2> {
        crate::kernel_sum::gaussian_mixture_gram(x, y, &self.variances)
    }

    fn paired(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
        self.sum_over_bandwidths(paired_squared_distances(x, y))
    }
}
