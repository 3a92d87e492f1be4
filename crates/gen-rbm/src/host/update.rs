//! The RBM update of [`crate::train`] on host buffers: the same rules (CD-k, PCD, FPCD, the
//! centred RBM, momentum, weight decay), with the products by the `gemm` crate and the sigmoid
//! and sampling fused.
//!
//! The gradient `g_W = <v⁺h⁺ᵀ> - <v⁻h⁻ᵀ>` is two products into one buffer,
//! `G := (1/n⁺) V⁺ᵀH⁺` then `G := G - (1/n⁻) V⁻ᵀH⁻`. Without momentum, fast weights or centring
//! the step `W := W + α (g_W - λ W)` is folded into the products themselves:
//! `W := (1 - αλ) W + (α/n⁺) V⁺ᵀH⁺`, then `W := W - (α/n⁻) V⁻ᵀH⁻`, so the weights are read and
//! written by the GEMMs alone.

use rayon::prelude::*;

use super::binary_product::{transposed, transposed_product_into};
use super::conditional::bernoulli_draws;
use super::counter_rng::CounterRng;
use super::gibbs::{gibbs_steps, hidden_given, visible_given};
use super::params::HostParams;

/// Where the negative samples come from, with the settings each source needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NegativePhase {
    /// `k` Gibbs steps from the data batch (CD-k).
    Contrastive {
        /// Gibbs steps.
        k: usize,
    },
    /// `k` Gibbs steps continuing the persistent chains (PCD).
    Persistent {
        /// Gibbs steps.
        k: usize,
    },
    /// As PCD on `θ + θ_f`, with `θ_f := ρ θ_f + β g` (FPCD).
    FastPersistent {
        /// Gibbs steps.
        k: usize,
        /// The fast weights' learning rate β.
        fast_rate: f32,
        /// The fast weights' decay ρ per update.
        fast_decay: f32,
    },
}

/// The settings of one update that do not change from step to step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpdateRule {
    /// Where the negative samples come from.
    pub negative: NegativePhase,
    /// Momentum μ.
    pub momentum: f32,
    /// L2 weight decay λ on the weights.
    pub weight_decay: f32,
    /// Sliding-average rate ν of the centred RBM's offsets.
    pub offset_rate: f32,
}

/// The state of host training: model, velocities, fast weights, persistent chains, offsets.
#[derive(Debug, Clone)]
pub struct HostTraining {
    /// The parameters θ.
    pub model: HostParams,
    /// The momentum velocities.
    pub velocity: HostParams,
    /// The fast weights θ_f (zero unless FPCD).
    pub fast: HostParams,
    /// Persistent chains `[chains, V]` (PCD and FPCD).
    pub chains: Option<Vec<f32>>,
    /// The centred RBM's offsets `(o, r)`.
    pub offsets: Option<(Vec<f32>, Vec<f32>)>,
    /// The root of every random stream; step `t` uses its substream `t`.
    pub rng: CounterRng,
    /// Scratch: the weight gradient, and the model `θ + θ_f` FPCD samples from.
    gradient_weights: Vec<f32>,
    sampling_model: HostParams,
}

/// A gradient in plain form: `g_W`, `g_b`, `g_c`.
pub type HostGradient = HostParams;

/// Column means of a row-major `rows x cols` buffer, in `f64` and back.
fn column_means(x: &[f32], cols: usize) -> Vec<f32> {
    let rows = x.len() / cols;
    let mut sums = vec![0f64; cols];
    for row in x.chunks_exact(cols) {
        for (s, &v) in sums.iter_mut().zip(row) {
            *s += v as f64;
        }
    }
    sums.into_iter().map(|s| (s / rows as f64) as f32).collect()
}

/// `x - offset` row by row.
fn centred(x: &[f32], offset: &[f32]) -> Vec<f32> {
    let mut out = x.to_vec();
    for row in out.chunks_exact_mut(offset.len()) {
        for (v, &o) in row.iter_mut().zip(offset) {
            *v -= o;
        }
    }
    out
}

/// `M x` for a row-major `rows x cols` matrix.
fn matvec(m: &[f32], cols: usize, x: &[f32]) -> Vec<f32> {
    m.chunks_exact(cols)
        .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}

/// `Mᵀ x` for a row-major `rows x cols` matrix.
fn matvec_transposed(m: &[f32], cols: usize, x: &[f32]) -> Vec<f32> {
    let mut out = vec![0f32; cols];
    for (row, &xi) in m.chunks_exact(cols).zip(x) {
        for (o, &a) in out.iter_mut().zip(row) {
            *o += a * xi;
        }
    }
    out
}

/// `dst := alpha dst + scale ((1/n⁺) V⁺ᵀH⁺ - (1/n⁻) V⁻ᵀH⁻)` for a `[V, H]` destination: the
/// weight statistics of the gradient, accumulated by two products (row sums where the visible
/// states are binary).
#[allow(clippy::too_many_arguments)]
fn accumulate_statistics(
    dst: &mut [f32],
    (nv, nh): (usize, usize),
    alpha: f32,
    scale: f32,
    v_pos: &[f32],
    h_pos: &[f32],
    v_neg: &[f32],
    h_neg: &[f32],
) {
    let (n_pos, n_neg) = (v_pos.len() / nv, v_neg.len() / nv);
    let pos = scale / n_pos as f32;
    let neg = -scale / n_neg as f32;
    transposed_product_into(dst, (nv, nh, n_pos), alpha, pos, v_pos, h_pos);
    transposed_product_into(dst, (nv, nh, n_neg), 1.0, neg, v_neg, h_neg);
}

impl HostTraining {
    /// Training state starting from `model` with zero velocities and fast weights.
    pub fn new(
        model: HostParams,
        chains: Option<Vec<f32>>,
        offsets: Option<(Vec<f32>, Vec<f32>)>,
        rng: CounterRng,
    ) -> Self {
        let (v, h) = (model.visible, model.hidden);
        Self {
            velocity: HostParams::zeros(v, h),
            fast: HostParams::zeros(v, h),
            gradient_weights: vec![0.0; v * h],
            sampling_model: HostParams::zeros(v, h),
            model,
            chains,
            offsets,
            rng,
        }
    }

    /// `P(h = 1 | v)` under the model for the rows of `v`.
    pub fn hidden_probabilities(&self, v: &[f32]) -> Vec<f32> {
        let mut probs = Vec::new();
        hidden_given(
            &self.model,
            v,
            1.0,
            &self.model.hidden_bias,
            &mut probs,
            None,
        );
        probs
    }

    /// One update on the rows of `positive` at learning rate `lr`; step `step`'s random
    /// numbers come from the substream `step` of [`Self::rng`].
    pub fn update(&mut self, positive: &[f32], rule: &UpdateRule, step: u64, lr: f32) {
        let h_pos = self.hidden_probabilities(positive);
        let negative = self.negative_samples(positive, &h_pos, rule, step);
        self.learn(positive, &h_pos, &negative, rule, lr);
    }

    /// Advances the negative phase and returns `X⁻` (`[n, V]`, binary).
    pub fn negative_samples(
        &mut self,
        positive: &[f32],
        h_pos: &[f32],
        rule: &UpdateRule,
        step: u64,
    ) -> Vec<f32> {
        let rng = self.rng.substream(step);
        match rule.negative {
            NegativePhase::Contrastive { k } => {
                // The first hidden sample reuses P(h | v⁺); then k - 1 full steps.
                let n = positive.len() / self.model.visible;
                let mut h = vec![0f32; h_pos.len()];
                bernoulli_draws(h_pos, &mut h, rng.substream(0));
                let mut v = vec![0f32; n * self.model.visible];
                let mut probs = Vec::new();
                let weights_t =
                    transposed(&self.model.weights, self.model.visible, self.model.hidden);
                visible_given(
                    &self.model,
                    &weights_t,
                    &h,
                    1.0,
                    &self.model.visible_bias,
                    &mut probs,
                    Some((&mut v, rng.substream(1))),
                );
                gibbs_steps(&self.model, &weights_t, &mut v, k - 1, 1, rng);
                v
            }
            NegativePhase::Persistent { k } => {
                let mut v = self.chains.take().expect("persistent methods keep chains");
                let weights_t =
                    transposed(&self.model.weights, self.model.visible, self.model.hidden);
                gibbs_steps(&self.model, &weights_t, &mut v, k, 0, rng);
                self.chains = Some(v.clone());
                v
            }
            NegativePhase::FastPersistent { k, .. } => {
                let mut v = self.chains.take().expect("persistent methods keep chains");
                let mut sampling =
                    std::mem::replace(&mut self.sampling_model, HostParams::zeros(0, 0));
                self.model.sum_into(&self.fast, &mut sampling);
                let weights_t = transposed(&sampling.weights, sampling.visible, sampling.hidden);
                gibbs_steps(&sampling, &weights_t, &mut v, k, 0, rng);
                self.sampling_model = sampling;
                self.chains = Some(v.clone());
                v
            }
        }
    }

    /// Moves the offsets (centred RBM) and applies the gradient of `(v⁺, P(h|v⁺), v⁻)`.
    pub fn learn(
        &mut self,
        positive: &[f32],
        h_pos: &[f32],
        negative: &[f32],
        rule: &UpdateRule,
        lr: f32,
    ) {
        // Melchior et al.'s Algorithm 1 moves the offsets before the gradient.
        if let Some((o, r)) = &mut self.offsets {
            let nu = rule.offset_rate;
            let v_mean = column_means(positive, o.len());
            let h_mean = column_means(h_pos, r.len());
            for (x, m) in o.iter_mut().zip(v_mean) {
                *x = (1.0 - nu) * *x + nu * m;
            }
            for (x, m) in r.iter_mut().zip(h_mean) {
                *x = (1.0 - nu) * *x + nu * m;
            }
        }
        let foldable = rule.momentum == 0.0
            && self.offsets.is_none()
            && !matches!(rule.negative, NegativePhase::FastPersistent { .. });
        if foldable {
            self.learn_folded(positive, h_pos, negative, rule, lr);
        } else {
            self.learn_general(positive, h_pos, negative, rule, lr);
        }
    }

    /// The weight gradient into [`Self::gradient_weights`] and the bias gradients, in plain form
    /// (centred statistics mapped back, as in [`crate::train`]).
    fn gradient_into_scratch(
        &mut self,
        positive: &[f32],
        h_pos: &[f32],
        negative: &[f32],
    ) -> (Vec<f32>, Vec<f32>) {
        let (nv, nh) = (self.model.visible, self.model.hidden);
        let h_neg = self.hidden_probabilities(negative);
        let g = &mut self.gradient_weights;
        match &self.offsets {
            Some((o, r)) => {
                let (vp, hp) = (centred(positive, o), centred(h_pos, r));
                let (vn, hn) = (centred(negative, o), centred(&h_neg, r));
                accumulate_statistics(g, (nv, nh), 0.0, 1.0, &vp, &hp, &vn, &hn);
            }
            None => accumulate_statistics(g, (nv, nh), 0.0, 1.0, positive, h_pos, negative, &h_neg),
        }
        let difference = |a: Vec<f32>, b: Vec<f32>| -> Vec<f32> {
            a.into_iter().zip(b).map(|(x, y)| x - y).collect()
        };
        let mut g_b = difference(column_means(positive, nv), column_means(negative, nv));
        let mut g_c = difference(column_means(h_pos, nh), column_means(&h_neg, nh));
        if let Some((o, r)) = &self.offsets {
            // The centred step in plain form: g_b = g̃_b - g̃_W r, g_c = g̃_c - g̃_Wᵀ o.
            for (x, y) in g_b.iter_mut().zip(matvec(g, nh, r)) {
                *x -= y;
            }
            for (x, y) in g_c.iter_mut().zip(matvec_transposed(g, nh, o)) {
                *x -= y;
            }
        }
        (g_b, g_c)
    }

    /// The plain-form gradient of `(v⁺, P(h|v⁺), v⁻)`, without changing the model.
    pub fn gradient(&mut self, positive: &[f32], h_pos: &[f32], negative: &[f32]) -> HostGradient {
        let (g_b, g_c) = self.gradient_into_scratch(positive, h_pos, negative);
        HostParams::new(
            self.model.visible,
            self.model.hidden,
            self.gradient_weights.clone(),
            g_b,
            g_c,
        )
    }

    /// `Δ := μ Δ + α (g - λ W)`, `θ := θ + Δ`, and `θ_f := ρ θ_f + β g` for FPCD.
    pub fn learn_general(
        &mut self,
        positive: &[f32],
        h_pos: &[f32],
        negative: &[f32],
        rule: &UpdateRule,
        lr: f32,
    ) {
        let (mut g_b, mut g_c) = self.gradient_into_scratch(positive, h_pos, negative);
        let (mu, lambda) = (rule.momentum, rule.weight_decay);
        let nh = self.model.hidden;
        // The decay acts on W̃ = W of the centred form, so in plain form the biases carry its
        // share too: b gets +λ W r, c gets +λ Wᵀ o.
        if let (Some((o, r)), true) = (&self.offsets, lambda > 0.0) {
            for (x, y) in g_b.iter_mut().zip(matvec(&self.model.weights, nh, r)) {
                *x += lambda * y;
            }
            for (x, y) in g_c
                .iter_mut()
                .zip(matvec_transposed(&self.model.weights, nh, o))
            {
                *x += lambda * y;
            }
        }
        let fast = match rule.negative {
            NegativePhase::FastPersistent {
                fast_rate,
                fast_decay,
                ..
            } => Some((fast_rate, fast_decay)),
            _ => None,
        };
        let chunk = 16_384;
        let g = &self.gradient_weights;
        self.model
            .weights
            .par_chunks_mut(chunk)
            .zip(self.velocity.weights.par_chunks_mut(chunk))
            .zip(self.fast.weights.par_chunks_mut(chunk))
            .zip(g.par_chunks(chunk))
            .for_each(|(((w, dw), fw), g)| {
                for i in 0..w.len() {
                    dw[i] = mu * dw[i] + lr * (g[i] - lambda * w[i]);
                    w[i] += dw[i];
                    if let Some((beta, rho)) = fast {
                        fw[i] = rho * fw[i] + beta * g[i];
                    }
                }
            });
        let step_bias = |theta: &mut [f32], delta: &mut [f32], f: &mut [f32], g: &[f32]| {
            for i in 0..theta.len() {
                delta[i] = mu * delta[i] + lr * g[i];
                theta[i] += delta[i];
                if let Some((beta, rho)) = fast {
                    f[i] = rho * f[i] + beta * g[i];
                }
            }
        };
        step_bias(
            &mut self.model.visible_bias,
            &mut self.velocity.visible_bias,
            &mut self.fast.visible_bias,
            &g_b,
        );
        step_bias(
            &mut self.model.hidden_bias,
            &mut self.velocity.hidden_bias,
            &mut self.fast.hidden_bias,
            &g_c,
        );
    }

    /// The plain update without momentum, folded into the products:
    /// `W := (1 - αλ) W + (α/n⁺) V⁺ᵀH⁺ - (α/n⁻) V⁻ᵀH⁻`. The velocity is the step itself
    /// (`Δ = α (g - λ W)` with `μ = 0`), which nothing reads, so it is not kept.
    pub fn learn_folded(
        &mut self,
        positive: &[f32],
        h_pos: &[f32],
        negative: &[f32],
        rule: &UpdateRule,
        lr: f32,
    ) {
        let (nv, nh) = (self.model.visible, self.model.hidden);
        let h_neg = self.hidden_probabilities(negative);
        accumulate_statistics(
            &mut self.model.weights,
            (nv, nh),
            1.0 - lr * rule.weight_decay,
            lr,
            positive,
            h_pos,
            negative,
            &h_neg,
        );
        let step = |theta: &mut [f32], pos: Vec<f32>, neg: Vec<f32>| {
            for ((t, p), q) in theta.iter_mut().zip(pos).zip(neg) {
                *t += lr * (p - q);
            }
        };
        step(
            &mut self.model.visible_bias,
            column_means(positive, nv),
            column_means(negative, nv),
        );
        step(
            &mut self.model.hidden_bias,
            column_means(h_pos, nh),
            column_means(&h_neg, nh),
        );
    }
}
