//! Maximum mean discrepancy (Gretton et al. 2012), the GMMN loss (Li, Swersky & Zemel 2015).
//!
//! The lecture's slide: `L_MMD(X, Y) = ‖(1/N) Σ φ(x_i) - (1/M) Σ φ(y_j)‖²`
//! `= (1/N²) Σ k(x_i, x_j) - (2/(NM)) Σ k(x_i, y_j) + (1/M²) Σ k(y_i, y_j)`.
//! (The slide prints `+ 2/(NM)` for the cross term; expanding the square gives a minus.)
//!
//! Three estimates of the population MMD², each differentiable (they are tensor expressions):
//! - [`mmd2_biased`], the V-statistic above: zero for two identical sets, biased upwards;
//! - [`mmd2_unbiased`], the U-statistic: the within-set sums leave out `i = j`;
//! - [`mmd2_linear`], Gretton et al.'s linear-time statistic over disjoint pairs.
//!
//! [`mmd_loss`] is the GMMN training loss, `sqrt(MMD²_b)` (the reference code's
//! `SqrtGaussianKernelMmdLoss`).

use burn::tensor::Tensor;
use gen_core::kernel::Kernel;

/// Two batches that cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MmdError {
    #[error("MMD needs non-empty batches, got {x} and {y} rows")]
    /// A batch without rows.
    Empty {
        /// Rows of the first batch.
        x: usize,
        /// Rows of the second.
        y: usize,
    },
    #[error("MMD compares points of one width, got {x} and {y} columns")]
    /// Batches of points of different widths.
    Width {
        /// Columns of the first batch.
        x: usize,
        /// Columns of the second.
        y: usize,
    },
    #[error("the {estimate} estimate needs at least {need} rows per batch, got {x} and {y}")]
    /// Fewer rows than the estimate needs.
    TooFew {
        /// Which estimate.
        estimate: &'static str,
        /// Rows it needs per batch.
        need: usize,
        /// Rows of the first batch.
        x: usize,
        /// Rows of the second.
        y: usize,
    },
    #[error(
        "the linear-time estimate pairs rows of the two batches, which must have one length: {x} vs {y}"
    )]
    /// Batches of different lengths for the linear-time estimate.
    Unpaired {
        /// Rows of the first batch.
        x: usize,
        /// Rows of the second.
        y: usize,
    },
}

/// Checks that `x` and `y` are non-empty batches of one width; returns their row counts.
pub fn check_batches(x: &Tensor<2>, y: &Tensor<2>) -> Result<(usize, usize), MmdError> {
    let ([n, dx], [m, dy]) = (x.dims(), y.dims());
    if n == 0 || m == 0 {
        return Err(MmdError::Empty { x: n, y: m });
    }
    if dx != dy {
        return Err(MmdError::Width { x: dx, y: dy });
    }
    Ok((n, m))
}

/// The biased (V-statistic) estimate of MMD² between the rows of `x` and of `y`: the slide's
/// formula, zero for two identical sets.
pub fn mmd2_biased<K: Kernel>(
    kernel: &K,
    x: Tensor<2>,
    y: Tensor<2>,
) -> Result<Tensor<1>, MmdError> {
    check_batches(&x, &y)?;
    let kxx = kernel.gram(x.clone(), x.clone()).mean();
    let kyy = kernel.gram(y.clone(), y.clone()).mean();
    let kxy = kernel.gram(x, y).mean();
    Ok(kxx + kyy - kxy.mul_scalar(2.0))
}

/// Mean of the off-diagonal entries of a square Gram matrix `k(a, a)`.
fn off_diagonal_mean<K: Kernel>(kernel: &K, a: Tensor<2>, n: usize) -> Tensor<1> {
    let total = kernel.gram(a.clone(), a.clone()).sum();
    let diagonal = kernel.paired(a.clone(), a).sum();
    (total - diagonal).div_scalar((n * (n - 1)) as f64)
}

/// The unbiased (U-statistic) estimate of MMD² (Gretton et al. 2012, Eq. 3): its expectation
/// is the population MMD², so it averages to zero for two samples of one distribution (and can
/// be negative).
pub fn mmd2_unbiased<K: Kernel>(
    kernel: &K,
    x: Tensor<2>,
    y: Tensor<2>,
) -> Result<Tensor<1>, MmdError> {
    let (n, m) = check_batches(&x, &y)?;
    if n < 2 || m < 2 {
        return Err(MmdError::TooFew {
            estimate: "unbiased",
            need: 2,
            x: n,
            y: m,
        });
    }
    let kxx = off_diagonal_mean(kernel, x.clone(), n);
    let kyy = off_diagonal_mean(kernel, y.clone(), m);
    let kxy = kernel.gram(x, y).mean();
    Ok(kxx + kyy - kxy.mul_scalar(2.0))
}

/// The linear-time estimate (Gretton et al. 2012, Lemma 14): over the disjoint pairs
/// `(x_{2i}, x_{2i+1})`, `(y_{2i}, y_{2i+1})`, the mean of
/// `k(x, x') + k(y, y') - k(x, y') - k(x', y)`. Unbiased, O(n) kernel evaluations.
pub fn mmd2_linear<K: Kernel>(
    kernel: &K,
    x: Tensor<2>,
    y: Tensor<2>,
) -> Result<Tensor<1>, MmdError> {
    let (n, m) = check_batches(&x, &y)?;
    if n != m {
        return Err(MmdError::Unpaired { x: n, y: m });
    }
    if n < 2 {
        return Err(MmdError::TooFew {
            estimate: "linear-time",
            need: 2,
            x: n,
            y: m,
        });
    }
    let half = n / 2;
    let [d] = [x.dims()[1]];
    // Rows 0, 2, 4, ... and 1, 3, 5, ...: reshape [2 half, d] -> [half, 2, d] and split.
    let split = |t: Tensor<2>| {
        let pairs = t.narrow(0, 0, 2 * half).reshape([half, 2, d]);
        let first: Tensor<2> = pairs.clone().narrow(1, 0, 1).reshape([half, d]);
        let second: Tensor<2> = pairs.narrow(1, 1, 1).reshape([half, d]);
        (first, second)
    };
    let (x1, x2) = split(x);
    let (y1, y2) = split(y);
    let h = kernel.paired(x1.clone(), x2.clone()) + kernel.paired(y1.clone(), y2.clone())
        - kernel.paired(x1, y2)
        - kernel.paired(x2, y1);
    Ok(h.mean())
}

/// The GMMN loss `sqrt(MMD²_b)`: the biased estimate's square root (Li et al. 2015, Eq. 5
/// and the reference code's `SqrtGaussianKernelMmdLoss`). The square root rescales the gradient
/// so that it does not vanish as the two distributions come close. MMD²_b is non-negative in
/// exact arithmetic; it is clamped at a tiny value against rounding before the root.
pub fn mmd_loss<K: Kernel>(kernel: &K, x: Tensor<2>, y: Tensor<2>) -> Result<Tensor<1>, MmdError> {
    Ok(mmd2_biased(kernel, x, y)?.clamp_min(1e-12).sqrt())
}
