//! The generator's entropy term of Kim & Bengio (2016), as the lecture states it: instead of
//! `H[P_φ]`, the entropy of the batch-normalised activations, each assumed an independent
//! Gaussian with the batch's variance: `H ≈ Σ_i ½ log(2 π e σ_i²)`.

use burn::tensor::Tensor;

/// Variances below this are clamped so that a collapsed unit gives a large negative entropy
/// rather than `-inf`.
const MIN_VARIANCE: f64 = 1e-8;

/// `Σ_i ½ log(2 π e σ_i²)` with `σ_i²` the (biased) batch variance of column `i` of
/// `activations` (`[batch, units]`).
pub fn gaussian_activation_entropy(activations: Tensor<2>) -> Tensor<1> {
    let variance = activations.var_bias(0).clamp_min(MIN_VARIANCE); // [1, units]
    let two_pi_e = 2.0 * std::f64::consts::PI * std::f64::consts::E;
    variance.mul_scalar(two_pi_e).log().mul_scalar(0.5).sum()
}
