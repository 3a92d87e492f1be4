//! Maximum mean discrepancy (Gretton et al. 2012), the GMMN loss (Li, Swersky & Zemel 2015).
//!
//! The lecture's slide: `L_MMD(X, Y) = ‖(1/N) Σ φ(x_i) - (1/M) Σ φ(y_j)‖²`
//! `= (1/N²) Σ k(x_i, x_j) - (2/(NM)) Σ k(x_i, y_j) + (1/M²) Σ k(y_i, y_j)`.
//! (The slide prints `+ 2/(NM)` for the cross term; expanding the square gives a minus.)

use burn::tensor::Tensor;
use gen_core::kernel::Kernel;

/// The biased (V-statistic) estimate of MMD² between the rows of `x` and of `y`: the slide's
/// formula, zero for two identical sets.
pub fn mmd2_biased<K: Kernel>(kernel: &K, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let kxx = kernel.gram(x.clone(), x.clone()).mean();
    let kyy = kernel.gram(y.clone(), y.clone()).mean();
    let kxy = kernel.gram(x, y).mean();
    kxx + kyy - kxy.mul_scalar(2.0)
}
