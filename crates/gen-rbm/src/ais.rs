//! Annealed importance sampling of an RBM's log partition function (Salakhutdinov & Murray
//! 2008, "On the quantitative analysis of deep belief networks", Sec. 3-4).
//!
//! The base model A has no weights and visible biases `b_A` fitted to the training data (the
//! log-odds of the pixel means). The intermediate distributions interpolate in the exponent
//! (their Eq. 15, with A's own hidden units, a constant factor, left out):
//!
//! `log p*_k(v) = (1-β_k) b_Aᵀv + β_k bᵀv + Σ_j softplus(β_k (c_j + (vᵀW)_j))`,
//!
//! with `β_0 = 0 < β_1 < ... < β_K = 1`. At `β_0 = 0` each of B's `H` hidden units contributes
//! `softplus(0) = ln 2`, so `log Z_0 = Σ_i log(1 + e^{b_A,i}) + H ln 2`. Each run draws `v_0 ~ p_A` and alternates the weight
//! update `log w += log p*_k(v_{k-1}) - log p*_{k-1}(v_{k-1})` with one Gibbs transition that
//! leaves `p_k` invariant. Then `Z_B / Z_A ≈ mean(w)`. All runs advance together as one batch on
//! the device; the log weights stay there until the end.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use gen_core::tensor_io::to_vec_f32;

use crate::model::{Rbm, bernoulli};

/// Inverse temperatures of Salakhutdinov & Murray (2008), Sec. 4.1: steps of 1e-3 from 0 to 0.5,
/// 1e-4 from 0.5 to 0.9 and 1e-5 from 0.9 to 1 — 14,500 intermediate distributions.
pub fn salakhutdinov_schedule() -> Vec<f64> {
    let mut betas = vec![0.0];
    let mut push_range = |from: f64, to: f64, step: f64| {
        let n = ((to - from) / step).round() as usize;
        for i in 1..=n {
            betas.push(from + i as f64 * step);
        }
    };
    push_range(0.0, 0.5, 1e-3);
    push_range(0.5, 0.9, 1e-4);
    push_range(0.9, 1.0, 1e-5);
    *betas.last_mut().expect("non-empty") = 1.0;
    betas
}

/// Settings of an AIS estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct AisConfig {
    /// Independent annealing runs (100, Salakhutdinov & Murray 2008).
    pub runs: usize,
    /// Inverse temperatures from 0 to 1.
    pub betas: Vec<f64>,
}

impl Default for AisConfig {
    fn default() -> Self {
        Self {
            runs: 100,
            betas: salakhutdinov_schedule(),
        }
    }
}

/// An AIS estimate of `log Z` with the paper's ±3 standard deviation interval,
/// `log(Ẑ ± 3 σ̂)`, `σ̂` the standard error of the mean importance weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisEstimate {
    pub log_z: f64,
    pub log_z_low: f64,
    pub log_z_high: f64,
    /// `log Z_0` of the first intermediate distribution (the base-rate model).
    pub log_z_base: f64,
}

/// Visible biases of the base-rate model: log-odds of the pixel means, clipped away from 0 and 1.
pub fn base_rate_biases(pixel_means: &[f32]) -> Vec<f32> {
    pixel_means
        .iter()
        .map(|&p| {
            let p = (p as f64).clamp(1e-3, 1.0 - 1e-3);
            (p / (1.0 - p)).ln() as f32
        })
        .collect()
}

/// `e^d - 1` without cancellation near 0: a Taylor polynomial for `|d| < 0.5` (relative error
/// below 1e-7), `exp(d) - 1` elsewhere.
fn expm1(d: Tensor<2>) -> Tensor<2> {
    let mut series = d.clone().div_scalar(7.0).add_scalar(1.0);
    for k in (2..=6).rev() {
        series = (d.clone().div_scalar(k as f64) * series).add_scalar(1.0);
    }
    let series = d.clone() * series;
    let small = d.clone().abs().lower_elem(0.5);
    d.exp().sub_scalar(1.0).mask_where(small, series)
}

/// Estimates `log Z` of `rbm` by AIS from the base-rate model with visible biases `base_bias`.
pub fn ais_log_partition(
    rbm: &Rbm,
    base_bias: &[f32],
    config: &AisConfig,
    device: &Device,
) -> AisEstimate {
    let v_units = rbm.num_visible();
    assert_eq!(
        base_bias.len(),
        v_units,
        "one base-rate bias per visible unit"
    );
    assert!(
        config.runs >= 2,
        "AIS needs at least two runs for its interval"
    );
    let w = rbm.weights.val();
    let b = rbm.visible_bias.val();
    let c = rbm.hidden_bias.val();
    let b_a = Tensor::<1>::from_data(TensorData::new(base_bias.to_vec(), [v_units]), device);
    let log_z_base: f64 = base_bias
        .iter()
        .map(|&x| (x as f64).exp().ln_1p())
        .sum::<f64>()
        + rbm.num_hidden() as f64 * std::f64::consts::LN_2;

    // v_0 ~ p_A: independent Bernoulli(σ(b_A)).
    let p_a = sigmoid(b_a.clone())
        .unsqueeze::<2>()
        .repeat_dim(0, config.runs);
    let mut v = bernoulli(p_a);
    let mut log_w = Tensor::<1>::zeros([config.runs], device);
    let bias_diff = (b.clone() - b_a.clone()).unsqueeze_dim::<2>(1); // [V, 1]
    for pair in config.betas.windows(2) {
        let (prev, beta) = (pair[0], pair[1]);
        // log p*_k(v) - log p*_{k-1}(v) for the current states.
        let x = v.clone().matmul(w.clone()) + c.clone().unsqueeze(); // [runs, H]
        let linear = v
            .clone()
            .matmul(bias_diff.clone())
            .squeeze_dim::<1>(1)
            .mul_scalar(beta - prev);
        // softplus(βx) - softplus(β'x) = log1p(σ(β'x) expm1((β-β')x)): no cancellation between
        // two nearly equal softplus values, whose f32 rounding would otherwise add up over the
        // 14,500 steps to an error as large as the estimate's own interval.
        let step = x.clone().mul_scalar(beta - prev);
        let hidden = (sigmoid(x.clone().mul_scalar(prev)) * expm1(step))
            .log1p()
            .sum_dim(1)
            .squeeze_dim::<1>(1);
        log_w = log_w + linear + hidden;
        // One Gibbs transition leaving p_k invariant: h ~ P_k(h | v), v ~ P_k(v | h).
        let h = bernoulli(sigmoid(x.mul_scalar(beta)));
        let v_logits = b_a.clone().mul_scalar(1.0 - beta).unsqueeze::<2>()
            + (h.matmul(w.clone().transpose()) + b.clone().unsqueeze()).mul_scalar(beta);
        v = bernoulli(sigmoid(v_logits));
    }
    let log_w: Vec<f64> = to_vec_f32(log_w).into_iter().map(|x| x as f64).collect();
    let n = log_w.len() as f64;
    let max = log_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let scaled: Vec<f64> = log_w.iter().map(|l| (l - max).exp()).collect();
    let mean = scaled.iter().sum::<f64>() / n;
    let var = scaled.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    let log_z = log_z_base + max + mean.ln();
    let low = mean - 3.0 * se;
    AisEstimate {
        log_z,
        log_z_low: if low > 0.0 {
            log_z_base + max + low.ln()
        } else {
            f64::NEG_INFINITY
        },
        log_z_high: log_z_base + max + (mean + 3.0 * se).ln(),
        log_z_base,
    }
}
