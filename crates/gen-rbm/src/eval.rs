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

pub use crate::enumeration::{ExactError, Layer, MAX_ENUMERATED_UNITS};
use crate::model::Rbm;

/// Bits of the enumerated layer handled by one precomputed table (`2^LOW_BITS` rows).
const LOW_BITS: usize = 12;
/// Target number of `f32` values per device batch (about 64 MB).
const VALUES_PER_BATCH: usize = 1 << 24;

/// The binary states `0..2^units`, one per row (bit `j` of the row index is unit `j`).
fn all_states(units: usize, device: &Device) -> Tensor<2> {
    let count = 1usize << units;
    let mut values = Vec::with_capacity(count * units);
    for s in 0..count {
        for j in 0..units {
            values.push(((s >> j) & 1) as f32);
        }
    }
    Tensor::from_data(TensorData::new(values, [count, units]), device)
}

/// `log Z` by enumerating the states of `layer`.
///
/// The enumerated layer's units are split into `L` low and `U - L` high bits. A table of the
/// other layer's pre-activations for every low pattern, `A[s_lo] = bias + s_lo · M_lo`, is
/// computed once (one GEMM); each high pattern then only adds a row `s_hi · M_hi` to the whole
/// table, so the `2^U` states cost broadcast additions and softplus evaluations, no per-state
/// matrix product and no per-state host work.
pub fn log_partition_over(rbm: &Rbm, layer: Layer) -> Result<f64, ExactError> {
    let w = rbm.weights.val();
    let device = w.device();
    // `coupling` maps an enumerated state to the other layer's pre-activations.
    let (coupling, own_bias, other_bias) = match layer {
        Layer::Hidden => (w.transpose(), rbm.hidden_bias.val(), rbm.visible_bias.val()),
        Layer::Visible => (w, rbm.visible_bias.val(), rbm.hidden_bias.val()),
    };
    let [units, other] = coupling.dims();
    if units > MAX_ENUMERATED_UNITS {
        return Err(ExactError::TooManyUnits { units });
    }
    let low = units.min(LOW_BITS);
    let high = units - low;
    let low_states = all_states(low, &device); // [2^L, L]
    let coupling_low = coupling.clone().narrow(0, 0, low);
    // [2^L, other]: pre-activations of the other layer for every low pattern.
    let table = low_states.clone().matmul(coupling_low) + other_bias.unsqueeze();
    // [2^L]: the enumerated layer's own bias term for every low pattern.
    let own_low = low_states
        .matmul(own_bias.clone().narrow(0, 0, low).unsqueeze_dim(1))
        .squeeze_dim::<1>(1);
    let highs_per_batch = (VALUES_PER_BATCH / ((1 << low) * other).max(1)).clamp(1, 1 << high);
    let mut batch_lse = Vec::new();
    let mut first = 0usize;
    while first < 1 << high {
        let count = highs_per_batch.min((1 << high) - first);
        let (high_rows, own_high) = if high == 0 {
            (
                Tensor::<2>::zeros([1, other], &device),
                Tensor::<1>::zeros([1], &device),
            )
        } else {
            let mut bits = Vec::with_capacity(count * high);
            for s in first..first + count {
                for j in 0..high {
                    bits.push(((s >> j) & 1) as f32);
                }
            }
            let hs = Tensor::<2>::from_data(TensorData::new(bits, [count, high]), &device);
            (
                hs.clone().matmul(coupling.clone().narrow(0, low, high)),
                hs.matmul(own_bias.clone().narrow(0, low, high).unsqueeze_dim(1))
                    .squeeze_dim::<1>(1),
            )
        };
        // [count, 2^L, other] -> softplus summed over the other layer -> [count, 2^L].
        let pre = table.clone().unsqueeze_dim::<3>(0) + high_rows.unsqueeze_dim::<3>(1);
        let other_term = softplus(pre, 1.0).sum_dim(2).squeeze_dim::<2>(2);
        let terms =
            other_term + own_low.clone().unsqueeze_dim::<2>(0) + own_high.unsqueeze_dim::<2>(1);
        // Log-sum-exp of the batch on the device, relative to the batch maximum.
        let max = terms.clone().max();
        let sum = (terms - max.clone().unsqueeze()).exp().sum();
        batch_lse.push((max, sum));
        first += count;
    }
    // One transfer per batch at the end; the combination across batches is done in f64.
    let parts: Vec<(f64, f64)> = batch_lse
        .into_iter()
        .map(|(m, s)| (to_vec_f32(m)[0] as f64, to_vec_f32(s)[0] as f64))
        .collect();
    let global_max = parts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let total_sum: f64 = parts.iter().map(|(m, s)| s * (m - global_max).exp()).sum();
    Ok(global_max + total_sum.ln())
}

/// `log Z` by enumerating the smaller layer, on the host CPU ([`crate::exact_cpu`]): one fused
/// pass per term, which on a CPU backend is many times faster than the device path's chain of
/// tensor operations. [`log_partition_over`] does the same on the device (for accelerators).
pub fn log_partition_exact(rbm: &Rbm) -> Result<f64, ExactError> {
    let layer = if rbm.num_hidden() <= rbm.num_visible() {
        Layer::Hidden
    } else {
        Layer::Visible
    };
    crate::exact_cpu::log_partition_cpu(rbm, layer, crate::exact_cpu::default_threads())
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

/// [`pseudo_log_likelihood`] with the flipped unit of each example drawn uniformly with the
/// device generator.
pub fn stochastic_pseudo_log_likelihood(rbm: &Rbm, v: Tensor<2>) -> Tensor<1> {
    let [batch, units] = v.dims();
    let pick = Tensor::<1>::random([batch], burn::tensor::Distribution::Default, &v.device())
        .mul_scalar(units as f64)
        .floor()
        .int();
    let flip = pick.one_hot::<2>(units).float();
    pseudo_log_likelihood(rbm, v, flip)
}
