//! RAISE, reverse annealed importance sampling (Burda, Grosse & Salakhutdinov 2015): the check
//! from the other side of an AIS estimate of `log Z`.
//!
//! AIS's `Ẑ` is unbiased, so `log Ẑ` is biased low and the AIS log-likelihood high. RAISE
//! instead scores a test vector under the annealing model
//! `p_ann(v_K) = Σ p_0(v_0) Π_k T_k(v_k | v_{k-1})` (draw from the base-rate model, then one
//! Gibbs transition `T_k` at each inverse temperature `β_k` up to 1). Running the chain
//! backwards from the test vector, `v_K = v`, `v_{k-1} ~ T_k(· | v_k)` (the transitions are
//! reversible), gives an unbiased estimate of `p_ann(v)`:
//!
//! `p̂ = p_0(v_0) Π_{k=1..K} p*_k(v_k) / p*_k(v_{k-1})`,
//!
//! which, regrouped by state, is `log p̂ = -F(v) - log Z_0 - Σ_{k=0..K-1} [log p*_{k+1}(v_k) -
//! log p*_k(v_k)]`: the AIS weight increments evaluated along the reversed chain. So
//! `L = log Z_0 + Σ_k [...] = -F(v) - log p̂(v)` is a per-vector estimate of `log Z` from above:
//! `E[log p̂] ≤ log p_ann(v)`, and `p_ann` approaches the RBM as `K` grows (for finite `K` it is
//! a worse model of the data in practice, the paper's "conservative"). Averaged over test
//! vectors it sits above `log Z` where AIS sits below: the pair brackets it, and the test
//! log-likelihood computed with it is the conservative one.

use burn::tensor::{Device, Tensor};
use gen_core::data::Dataset;
use gen_core::tensor_io::to_vec_f32;

use crate::ais::AnnealingPath;
use crate::engine::Engine;
use crate::host::{CounterRng, HostAnnealingPath, HostParams};
use crate::model::Rbm;

/// Settings of a RAISE estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct RaiseConfig {
    /// Test vectors scored (the first ones of the test split); each gets one reverse chain.
    pub examples: usize,
    /// Inverse temperatures from 0 to 1.
    pub betas: Vec<f64>,
    /// Where the chains run (the host engine on CPU backends by default).
    pub engine: Engine,
}

/// A RAISE estimate of `log Z` over test vectors.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaiseEstimate {
    /// Mean over the scored vectors of `-F(v) - log p̂(v)`.
    pub log_z: f64,
    /// Its standard error across vectors.
    pub standard_error: f64,
    /// How many vectors were scored.
    pub examples: usize,
}

/// `-F(v) - log p̂_ann(v)` for each row of `data`, by one reverse annealing chain each, on the
/// engine `engine` chooses for `device` (seeding the device fixes the chains either way).
pub fn raise_log_partitions(
    rbm: &Rbm,
    base_bias: &[f32],
    data: Tensor<2>,
    betas: &[f64],
    engine: Engine,
    device: &Device,
) -> Vec<f64> {
    if engine.on_host(device) {
        let path = HostAnnealingPath::new(HostParams::from_rbm(rbm), base_bias);
        return path.raise_log_partitions(
            &to_vec_f32(data),
            betas,
            CounterRng::from_device(device),
        );
    }
    let path = AnnealingPath::new(rbm, base_bias, device);
    let n = data.dims()[0];
    let mut v = data;
    let mut x = path.hidden_preactivations(v.clone());
    let mut increments = Tensor::<1>::zeros([n], device);
    for pair in betas.windows(2).rev() {
        let (prev, beta) = (pair[0], pair[1]);
        // v_{k-1} ~ T_k(· | v_k), then the increment log p*_k - log p*_{k-1} at v_{k-1}.
        v = path.transition(x, beta);
        x = path.hidden_preactivations(v.clone());
        increments = increments + path.log_ratio(v.clone(), x.clone(), prev, beta);
    }
    to_vec_f32(increments)
        .into_iter()
        .map(|l| path.log_z_base + l as f64)
        .collect()
}

/// `log p̂_ann(v)` of each row of `data`: `-F(v)` less its [`raise_log_partitions`] value.
pub fn raise_log_likelihoods(
    rbm: &Rbm,
    base_bias: &[f32],
    data: Tensor<2>,
    betas: &[f64],
    engine: Engine,
    device: &Device,
) -> Vec<f64> {
    let minus_f = to_vec_f32(rbm.free_energy(data.clone()).neg());
    raise_log_partitions(rbm, base_bias, data, betas, engine, device)
        .into_iter()
        .zip(minus_f)
        .map(|(l, f)| f as f64 - l)
        .collect()
}

/// RAISE on the first `config.examples` vectors of `test`, in batches of 500.
pub fn raise_estimate(
    rbm: &Rbm,
    base_bias: &[f32],
    test: &Dataset,
    config: &RaiseConfig,
    device: &Device,
) -> RaiseEstimate {
    let n = config.examples.min(test.len());
    assert!(n >= 2, "RAISE needs at least two test vectors");
    let mut all = Vec::with_capacity(n);
    for start in (0..n).step_by(500) {
        let idx: Vec<usize> = (start..(start + 500).min(n)).collect();
        all.extend(raise_log_partitions(
            rbm,
            base_bias,
            test.batch(&idx, device),
            &config.betas,
            config.engine,
            device,
        ));
    }
    let mean = all.iter().sum::<f64>() / n as f64;
    let var = all.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    RaiseEstimate {
        log_z: mean,
        standard_error: (var / n as f64).sqrt(),
        examples: n,
    }
}
