//! Evaluation of an RBM: the exact log partition function by enumeration (small layers), the
//! test log-likelihood, and the cheap monitors used while training (reconstruction error,
//! pseudo-likelihood).
//!
//! Enumerating the hidden layer: `Z = Σ_h exp(cᵀh) Π_i (1 + exp(b_i + (W h)_i))`, so
//! `log Z = logsumexp_h [cᵀh + Σ_i softplus(b_i + (W h)_i)]`. Enumerating the visible layer is
//! the same with the roles swapped: `log Z = logsumexp_v [-F(v)]`. Each batch of states is
//! reduced on the device; the batches are combined in f64.

use burn::tensor::activation::{log_sigmoid, softplus};
use burn::tensor::{Device, Tensor, TensorData};
use gen_core::data::Dataset;
use gen_core::tensor_io::to_vec_f32;

use crate::model::Rbm;

/// Largest layer that exact enumeration accepts (2^30 states).
pub const MAX_ENUMERATED_UNITS: usize = 30;
/// States evaluated per device batch during enumeration.
const STATES_PER_BATCH: usize = 1 << 14;

/// Which layer is summed over explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Visible,
    Hidden,
}

/// Why an exact computation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExactError {
    #[error(
        "exact enumeration over {units} units needs 2^{units} states; at most {MAX_ENUMERATED_UNITS} are supported — use AIS"
    )]
    TooManyUnits { units: usize },
}

/// The binary states `first..first + count` of `units` bits, one per row (bit `j` of the state
/// index is unit `j`).
fn state_batch(first: u64, count: usize, units: usize, device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(count * units);
    for s in first..first + count as u64 {
        for j in 0..units {
            values.push(((s >> j) & 1) as f32);
        }
    }
    Tensor::from_data(TensorData::new(values, [count, units]), device)
}

/// `log Z` by enumerating the states of `layer`.
pub fn log_partition_over(rbm: &Rbm, layer: Layer) -> Result<f64, ExactError> {
    let w = rbm.weights.val();
    let device = w.device();
    // `coupling` maps an enumerated state to the other layer's pre-activations.
    let (coupling, own_bias, other_bias) = match layer {
        Layer::Hidden => (w.transpose(), rbm.hidden_bias.val(), rbm.visible_bias.val()),
        Layer::Visible => (w, rbm.visible_bias.val(), rbm.hidden_bias.val()),
    };
    let units = coupling.dims()[0];
    if units > MAX_ENUMERATED_UNITS {
        return Err(ExactError::TooManyUnits { units });
    }
    let total: u64 = 1 << units;
    let mut batch_lse = Vec::new();
    let mut first = 0u64;
    while first < total {
        let count = (total - first).min(STATES_PER_BATCH as u64) as usize;
        let s = state_batch(first, count, units, &device);
        let own = s.clone().matmul(own_bias.clone().unsqueeze_dim(1)).squeeze_dim::<1>(1);
        let other = softplus(s.matmul(coupling.clone()) + other_bias.clone().unsqueeze(), 1.0)
            .sum_dim(1)
            .squeeze_dim::<1>(1);
        let terms = own + other;
        // Log-sum-exp of the batch on the device, relative to the batch maximum.
        let max = terms.clone().max();
        let sum = (terms - max.clone()).exp().sum();
        batch_lse.push((max, sum));
        first += count as u64;
    }
    // One transfer at the end; the combination across batches is done in f64.
    let parts: Vec<(f64, f64)> = batch_lse
        .into_iter()
        .map(|(m, s)| (to_vec_f32(m)[0] as f64, to_vec_f32(s)[0] as f64))
        .collect();
    let global_max = parts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let total_sum: f64 = parts.iter().map(|(m, s)| s * (m - global_max).exp()).sum();
    Ok(global_max + total_sum.ln())
}

/// `log Z` by enumerating the smaller layer.
pub fn log_partition_exact(rbm: &Rbm) -> Result<f64, ExactError> {
    if rbm.num_hidden() <= rbm.num_visible() {
        log_partition_over(rbm, Layer::Hidden)
    } else {
        log_partition_over(rbm, Layer::Visible)
    }
}

/// Mean of `-F(v)` over a dataset, evaluated in batches; the log-likelihood is this minus `log Z`.
pub fn mean_negative_free_energy(rbm: &Rbm, data: &Dataset, batch: usize) -> f64 {
    let device = rbm.weights.val().device();
    let mut sums = Vec::new();
    let idx: Vec<usize> = (0..data.len()).collect();
    for chunk in idx.chunks(batch) {
        sums.push(rbm.free_energy(data.batch(chunk, &device)).sum());
    }
    let total: f64 = sums.into_iter().map(|s| to_vec_f32(s)[0] as f64).sum();
    -total / data.len() as f64
}

/// Mean log-likelihood of `data` in nats per example, given `log Z`.
pub fn mean_log_likelihood(rbm: &Rbm, data: &Dataset, log_z: f64) -> f64 {
    mean_negative_free_energy(rbm, data, 1000) - log_z
}

/// Mean squared reconstruction error `|v - P(v | h ~ P(h|v))|^2` per example: cheap, and a
/// poor proxy for likelihood (Hinton 2010, Sec. 5), logged only to spot divergence.
pub fn reconstruction_error(rbm: &Rbm, v: Tensor<2>) -> Tensor<1> {
    let (_, pv) = rbm.gibbs_step(v.clone());
    (v - pv).powi_scalar(2).sum_dim(1).mean()
}

/// The stochastic pseudo-likelihood estimate: for each example one unit `i` (given by
/// `flip`, a one-hot `[batch, V]` mask) is flipped and `V log σ(F(ṽ) - F(v))` averaged, an
/// unbiased estimate of `Σ_i log P(v_i | v_-i)` (Besag 1975; as in scikit-learn's BernoulliRBM).
pub fn pseudo_log_likelihood(rbm: &Rbm, v: Tensor<2>, flip: Tensor<2>) -> Tensor<1> {
    let units = v.dims()[1] as f64;
    let flipped = v.clone() + flip.clone() - v.clone().mul(flip).mul_scalar(2.0);
    let diff = rbm.free_energy(flipped) - rbm.free_energy(v);
    log_sigmoid(diff).mean().mul_scalar(units)
}
