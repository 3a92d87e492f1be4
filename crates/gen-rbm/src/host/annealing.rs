//! AIS and RAISE ([`crate::ais`], [`crate::raise`]) on host buffers: per inverse temperature,
//! one product `vᵀW` shared by the weight increment and the transition, one product `h Wᵀ`, and
//! fused parallel passes for the rest.
//!
//! The weight increment between `β'` and `β` of the path of [`crate::ais`] is, per run,
//! `(β - β') (b - b_A)ᵀv + Σ_j log1p(σ(β' x_j) expm1((β - β') x_j))`, `x = c + vᵀW`, summed in
//! `f64` with the standard library's `exp_m1` and `ln_1p`: over 14,500 steps `f32` rounding
//! of two nearly equal softplus values would add up to the size of the estimate's interval.

use rayon::prelude::*;

use super::binary_product::{product_into, transposed};
use super::conditional::logistic_layer;
use super::counter_rng::CounterRng;
use super::params::HostParams;

/// The annealing path from the base-rate model with visible biases `b_A` to an RBM.
#[derive(Debug, Clone)]
pub struct HostAnnealingPath {
    rbm: HostParams,
    /// `Wᵀ` (`H x V`), whose rows the product `W h` sums for binary `h`.
    weights_t: Vec<f32>,
    base_bias: Vec<f32>,
    /// `b - b_A`.
    bias_difference: Vec<f32>,
    /// `log Z_0 = Σ_i log(1 + e^{b_A,i}) + H ln 2`.
    pub log_z_base: f64,
}

/// Rows per parallel work item of the per-run passes.
const ROWS_PER_ITEM: usize = 8;

impl HostAnnealingPath {
    /// The path of `rbm` from the base-rate model with visible biases `base_bias`.
    pub fn new(rbm: HostParams, base_bias: &[f32]) -> Self {
        assert_eq!(
            base_bias.len(),
            rbm.visible,
            "one base-rate bias per visible unit"
        );
        let log_z_base = base_bias
            .iter()
            .map(|&x| (x as f64).exp().ln_1p())
            .sum::<f64>()
            + rbm.hidden as f64 * std::f64::consts::LN_2;
        let bias_difference = rbm
            .visible_bias
            .iter()
            .zip(base_bias)
            .map(|(b, a)| b - a)
            .collect();
        Self {
            weights_t: transposed(&rbm.weights, rbm.visible, rbm.hidden),
            rbm,
            base_bias: base_bias.to_vec(),
            bias_difference,
            log_z_base,
        }
    }

    /// `x = c + vᵀW` for the rows of `v` into `x`.
    pub fn hidden_preactivations(&self, v: &[f32], x: &mut Vec<f32>) {
        let (nv, nh) = (self.rbm.visible, self.rbm.hidden);
        let n = v.len() / nv;
        x.resize(n * nh, 0.0);
        product_into(x, (n, nh, nv), 0.0, 1.0, v, &self.rbm.weights);
        x.par_chunks_mut(nh * ROWS_PER_ITEM).for_each(|rows| {
            for row in rows.chunks_exact_mut(nh) {
                for (a, &c) in row.iter_mut().zip(&self.rbm.hidden_bias) {
                    *a += c;
                }
            }
        });
    }

    /// Adds `log p*_to(v) - log p*_from(v)` of each row of `v` to `log_w`, given `x = c + vᵀW`.
    pub fn add_log_ratio(&self, v: &[f32], x: &[f32], from: f64, to: f64, log_w: &mut [f64]) {
        let (nv, nh) = (self.rbm.visible, self.rbm.hidden);
        let d = to - from;
        log_w
            .par_chunks_mut(ROWS_PER_ITEM)
            .enumerate()
            .for_each(|(item, out)| {
                for (i, w) in out.iter_mut().enumerate() {
                    let r = item * ROWS_PER_ITEM + i;
                    let v_row = &v[r * nv..(r + 1) * nv];
                    let x_row = &x[r * nh..(r + 1) * nh];
                    let linear: f64 = v_row
                        .iter()
                        .zip(&self.bias_difference)
                        .map(|(&a, &b)| a as f64 * b as f64)
                        .sum();
                    let hidden: f64 = x_row
                        .iter()
                        .map(|&x| {
                            let x = x as f64;
                            let s = 1.0 / (1.0 + (-from * x).exp());
                            (s * (d * x).exp_m1()).ln_1p()
                        })
                        .sum();
                    *w += d * linear + hidden;
                }
            });
    }

    /// One Gibbs transition leaving `p_β` invariant from `x = c + vᵀW` (overwritten):
    /// `h ~ σ(β x)`, then `v ~ σ(β (W h + b) + (1 - β) b_A)` into `v`.
    pub fn transition(&self, x: &mut [f32], beta: f64, v: &mut [f32], rng: CounterRng) {
        let (nv, nh) = (self.rbm.visible, self.rbm.hidden);
        let n = x.len() / nh;
        let beta32 = beta as f32;
        let mut h = vec![0f32; n * nh];
        let zeros = vec![0f32; nh];
        logistic_layer(x, nh, beta32, &zeros, Some((&mut h, rng.substream(0))));
        let mut acc = vec![0f32; n * nv];
        product_into(&mut acc, (n, nv, nh), 0.0, 1.0, &h, &self.weights_t);
        let shift: Vec<f32> = self
            .rbm
            .visible_bias
            .iter()
            .zip(&self.base_bias)
            .map(|(&b, &a)| (beta * b as f64 + (1.0 - beta) * a as f64) as f32)
            .collect();
        logistic_layer(&mut acc, nv, beta32, &shift, Some((v, rng.substream(1))));
    }

    /// The log importance weights of `runs` AIS runs along `betas`.
    pub fn ais_log_weights(&self, runs: usize, betas: &[f64], rng: CounterRng) -> Vec<f64> {
        let nv = self.rbm.visible;
        // v_0 ~ p_A: independent Bernoulli(σ(b_A)).
        let mut v = vec![0f32; runs * nv];
        let mut logits = vec![0f32; runs * nv];
        logistic_layer(
            &mut logits,
            nv,
            1.0,
            &self.base_bias,
            Some((&mut v, rng.substream(u64::MAX))),
        );
        let mut log_w = vec![0f64; runs];
        let mut x = Vec::new();
        for (t, pair) in betas.windows(2).enumerate() {
            let (prev, beta) = (pair[0], pair[1]);
            self.hidden_preactivations(&v, &mut x);
            self.add_log_ratio(&v, &x, prev, beta, &mut log_w);
            self.transition(&mut x, beta, &mut v, rng.substream(t as u64));
        }
        log_w
    }

    /// RAISE's `log Z_0 + Σ_k [log p*_{k+1}(v_k) - log p*_k(v_k)]` along one reverse chain from
    /// each row of `data`.
    pub fn raise_log_partitions(&self, data: &[f32], betas: &[f64], rng: CounterRng) -> Vec<f64> {
        let nv = self.rbm.visible;
        let n = data.len() / nv;
        let mut v = data.to_vec();
        let mut x = Vec::new();
        self.hidden_preactivations(&v, &mut x);
        let mut increments = vec![0f64; n];
        for (t, pair) in betas.windows(2).rev().enumerate() {
            let (prev, beta) = (pair[0], pair[1]);
            // v_{k-1} ~ T_k(· | v_k), then the increment log p*_k - log p*_{k-1} at v_{k-1}.
            self.transition(&mut x, beta, &mut v, rng.substream(t as u64));
            self.hidden_preactivations(&v, &mut x);
            self.add_log_ratio(&v, &x, prev, beta, &mut increments);
        }
        increments
            .into_iter()
            .map(|l| self.log_z_base + l)
            .collect()
    }
}
