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
//! the device (or on the host engine, [`crate::host::annealing`]); the log weights stay there
//! until the end.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use gen_core::tensor_io::to_vec_f32;

use crate::engine::Engine;
use crate::host::{CounterRng, HostAnnealingPath, HostParams};
use crate::model::{Rbm, bernoulli};

/// Inverse temperatures of Salakhutdinov & Murray (2008), Sec. 4.1: steps of 1e-3 from 0 to 0.5,
/// 1e-4 from 0.5 to 0.9 and 1e-5 from 0.9 to 1 — 14,500 intermediate distributions.
pub fn salakhutdinov_schedule() -> Vec<f64> {
    scaled_schedule(1.0)
}

/// Salakhutdinov & Murray's schedule with every step `scale` times as long (`14,500 / scale`
/// distributions): the same shape, denser near `β = 1` where the distributions change fastest.
pub fn scaled_schedule(scale: f64) -> Vec<f64> {
    assert!(scale > 0.0, "a positive step scale");
    let mut betas = vec![0.0];
    let mut push_range = |from: f64, to: f64, step: f64| {
        let n = ((to - from) / step).round() as usize;
        for i in 1..=n {
            betas.push(from + i as f64 * step);
        }
    };
    push_range(0.0, 0.5, 1e-3 * scale);
    push_range(0.5, 0.9, 1e-4 * scale);
    push_range(0.9, 1.0, 1e-5 * scale);
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
    /// Where the runs advance (the host engine on CPU backends by default).
    pub engine: Engine,
}

impl Default for AisConfig {
    fn default() -> Self {
        Self {
            runs: 100,
            betas: salakhutdinov_schedule(),
            engine: Engine::Auto,
        }
    }
}

/// An AIS estimate of `log Z` with the paper's ±3 standard deviation interval,
/// `log(Ẑ ± 3 σ̂)`, `σ̂` the standard error of the mean importance weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisEstimate {
    /// The estimate `log Ẑ`.
    pub log_z: f64,
    /// The interval's lower end, `log(Ẑ - 3 σ̂)` (-∞ when the interval reaches zero).
    pub log_z_low: f64,
    /// The interval's upper end, `log(Ẑ + 3 σ̂)`.
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

/// The annealing path from the base-rate model A to the RBM B, held on the device: what one
/// step of AIS (forward) or of RAISE (backward, [`crate::raise`]) needs.
pub struct AnnealingPath {
    w: Tensor<2>,
    b: Tensor<1>,
    c: Tensor<1>,
    b_a: Tensor<1>,
    /// `b - b_A` as a column `[V, 1]`.
    bias_diff: Tensor<2>,
    /// `log Z_0 = Σ_i log(1 + e^{b_A,i}) + H ln 2`.
    pub log_z_base: f64,
}

impl AnnealingPath {
    /// The path of `rbm` from the base-rate model with visible biases `base_bias`.
    pub fn new(rbm: &Rbm, base_bias: &[f32], device: &Device) -> Self {
        let v_units = rbm.num_visible();
        assert_eq!(
            base_bias.len(),
            v_units,
            "one base-rate bias per visible unit"
        );
        let b = rbm.visible_bias.val();
        let b_a = Tensor::<1>::from_data(TensorData::new(base_bias.to_vec(), [v_units]), device);
        let log_z_base: f64 = base_bias
            .iter()
            .map(|&x| (x as f64).exp().ln_1p())
            .sum::<f64>()
            + rbm.num_hidden() as f64 * std::f64::consts::LN_2;
        Self {
            w: rbm.weights.val(),
            bias_diff: (b.clone() - b_a.clone()).unsqueeze_dim::<2>(1),
            b,
            c: rbm.hidden_bias.val(),
            b_a,
            log_z_base,
        }
    }

    /// `c + vᵀW` for the rows of `v`, `[n, H]`: shared by a step's weight and its transition.
    pub fn hidden_preactivations(&self, v: Tensor<2>) -> Tensor<2> {
        v.matmul(self.w.clone()) + self.c.clone().unsqueeze()
    }

    /// `log p*_to(v) - log p*_from(v)` for the rows of `v`, `[n]`, given `x = c + vᵀW`.
    pub fn log_ratio(&self, v: Tensor<2>, x: Tensor<2>, from: f64, to: f64) -> Tensor<1> {
        let linear = v
            .matmul(self.bias_diff.clone())
            .squeeze_dim::<1>(1)
            .mul_scalar(to - from);
        // softplus(βx) - softplus(β'x) = log1p(σ(β'x) expm1((β-β')x)): no cancellation between
        // two nearly equal softplus values, whose f32 rounding would otherwise add up over the
        // 14,500 steps to an error as large as the estimate's own interval.
        let hidden = (sigmoid(x.clone().mul_scalar(from)) * expm1(x.mul_scalar(to - from)))
            .log1p()
            .sum_dim(1)
            .squeeze_dim::<1>(1);
        linear + hidden
    }

    /// One Gibbs transition leaving `p_β` invariant, `h ~ P_β(h | v)`, `v' ~ P_β(v | h)`, from
    /// the pre-activations `x = c + vᵀW`; reversible, so it serves AIS and RAISE alike.
    pub fn transition(&self, x: Tensor<2>, beta: f64) -> Tensor<2> {
        let h = bernoulli(sigmoid(x.mul_scalar(beta)));
        let v_logits = self.b_a.clone().mul_scalar(1.0 - beta).unsqueeze::<2>()
            + (h.matmul(self.w.clone().transpose()) + self.b.clone().unsqueeze()).mul_scalar(beta);
        bernoulli(sigmoid(v_logits))
    }
}

impl AisEstimate {
    /// The estimate from the log importance weights of independent runs: `Ẑ = Z_0 mean(w)`,
    /// interval `log(Ẑ ± 3 σ̂)` with `σ̂` the standard error of the mean weight; the lower end is
    /// `-∞` when `Ẑ - 3σ̂ ≤ 0` (the interval is open).
    pub fn from_log_weights(log_w: &[f64], log_z_base: f64) -> Self {
        assert!(
            log_w.len() >= 2,
            "AIS needs at least two runs for its interval"
        );
        let n = log_w.len() as f64;
        let max = log_w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let scaled: Vec<f64> = log_w.iter().map(|l| (l - max).exp()).collect();
        let mean = scaled.iter().sum::<f64>() / n;
        let var = scaled.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let se = (var / n).sqrt();
        let low = mean - 3.0 * se;
        AisEstimate {
            log_z: log_z_base + max + mean.ln(),
            log_z_low: if low > 0.0 {
                log_z_base + max + low.ln()
            } else {
                f64::NEG_INFINITY
            },
            log_z_high: log_z_base + max + (mean + 3.0 * se).ln(),
            log_z_base,
        }
    }

    /// Whether `Ẑ - 3σ̂ > 0`, so that both ends of the interval are finite.
    pub fn is_closed(&self) -> bool {
        self.log_z_low.is_finite()
    }
}

/// The log importance weights of `runs` AIS runs of `rbm` from the base-rate model.
pub fn ais_log_weights(
    path: &AnnealingPath,
    runs: usize,
    betas: &[f64],
    device: &Device,
) -> Vec<f64> {
    // v_0 ~ p_A: independent Bernoulli(σ(b_A)).
    let p_a = sigmoid(path.b_a.clone())
        .unsqueeze::<2>()
        .repeat_dim(0, runs);
    let mut v = bernoulli(p_a);
    let mut log_w = Tensor::<1>::zeros([runs], device);
    for pair in betas.windows(2) {
        let (prev, beta) = (pair[0], pair[1]);
        let x = path.hidden_preactivations(v.clone());
        log_w = log_w + path.log_ratio(v, x.clone(), prev, beta);
        v = path.transition(x, beta);
    }
    to_vec_f32(log_w).into_iter().map(|x| x as f64).collect()
}

/// The log weights of `runs` runs on the engine `engine` chooses for `device`; the host engine's
/// streams are keyed from the device generator, so seeding the device fixes either.
fn log_weights_on(
    rbm: &Rbm,
    base_bias: &[f32],
    runs: usize,
    betas: &[f64],
    engine: Engine,
    device: &Device,
) -> (Vec<f64>, f64) {
    if engine.on_host(device) {
        let path = HostAnnealingPath::new(HostParams::from_rbm(rbm), base_bias);
        let rng = CounterRng::from_device(device);
        (path.ais_log_weights(runs, betas, rng), path.log_z_base)
    } else {
        let path = AnnealingPath::new(rbm, base_bias, device);
        (ais_log_weights(&path, runs, betas, device), path.log_z_base)
    }
}

/// Estimates `log Z` of `rbm` by AIS from the base-rate model with visible biases `base_bias`.
pub fn ais_log_partition(
    rbm: &Rbm,
    base_bias: &[f32],
    config: &AisConfig,
    device: &Device,
) -> AisEstimate {
    assert!(
        config.runs >= 2,
        "AIS needs at least two runs for its interval"
    );
    let (log_w, log_z_base) = log_weights_on(
        rbm,
        base_bias,
        config.runs,
        &config.betas,
        config.engine,
        device,
    );
    AisEstimate::from_log_weights(&log_w, log_z_base)
}

/// AIS that adds batches of `config.runs` runs until the interval closes or `max_runs` runs
/// were made: a weight that dominates the others leaves `Ẑ - 3σ̂ ≤ 0`, and more runs are the
/// remedy Salakhutdinov & Murray's interval calls for. Returns the estimate over every run made
/// and the number of runs.
pub fn ais_until_closed(
    rbm: &Rbm,
    base_bias: &[f32],
    config: &AisConfig,
    max_runs: usize,
    device: &Device,
) -> (AisEstimate, usize) {
    let mut log_w = Vec::new();
    loop {
        let (batch, log_z_base) = log_weights_on(
            rbm,
            base_bias,
            config.runs,
            &config.betas,
            config.engine,
            device,
        );
        log_w.extend(batch);
        let estimate = AisEstimate::from_log_weights(&log_w, log_z_base);
        if estimate.is_closed() || log_w.len() + config.runs > max_runs {
            return (estimate, log_w.len());
        }
    }
}
