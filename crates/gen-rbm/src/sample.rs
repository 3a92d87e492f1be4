//! Drawing samples from a trained RBM: independent block-Gibbs chains started from uniform
//! noise, run for a burn-in, and returned as the mean-field visible probabilities `P(v | h)` of
//! the last step (smoother to look at than binary states, and what RBM papers show).

use burn::config::Config;
use burn::tensor::{Device, Distribution, Tensor};

use crate::model::{Rbm, bernoulli};

/// How samples are drawn.
#[derive(Config, Debug, PartialEq)]
pub struct RbmSampleConfig {
    /// Gibbs steps before the returned state (burn-in).
    #[config(default = 1000)]
    pub gibbs_steps: usize,
}

/// `n` samples: visible probabilities after `gibbs_steps` block-Gibbs steps from noise.
pub fn sample(rbm: &Rbm, n: usize, config: &RbmSampleConfig, device: &Device) -> Tensor<2> {
    let noise = Tensor::random([n, rbm.num_visible()], Distribution::Default, device);
    let v0 = bernoulli(noise);
    let (_, probs) = rbm.gibbs_chain(v0, config.gibbs_steps.max(1));
    probs
}

/// `n` samples continuing the persistent chains of training (`chains: [m, V]`, reused
/// cyclically when `n > m`) for `steps` more Gibbs steps.
pub fn sample_from_chains(rbm: &Rbm, chains: Tensor<2>, n: usize, steps: usize) -> Tensor<2> {
    let m = chains.dims()[0];
    let idx: Vec<i64> = (0..n).map(|i| (i % m) as i64).collect();
    let device = chains.device();
    let idx =
        Tensor::<1, burn::tensor::Int>::from_data(burn::tensor::TensorData::new(idx, [n]), &device);
    let start = chains.select(0, idx);
    let (_, probs) = rbm.gibbs_chain(start, steps.max(1));
    probs
}

/// The learned filters: column `j` of the weights (hidden unit `j`'s receptive field) scaled to
/// `[0, 1]` on its own range, one filter after another (`[H, V]` values), for a picture.
pub fn filter_images(rbm: &Rbm) -> Vec<f32> {
    let w = gen_core::tensor_io::to_vec_f32(rbm.weights.val().transpose());
    let v = rbm.num_visible();
    let mut out = Vec::with_capacity(w.len());
    for filter in w.chunks_exact(v) {
        let (lo, hi) = filter
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &x| {
                (l.min(x), h.max(x))
            });
        let span = (hi - lo).max(1e-12);
        out.extend(filter.iter().map(|&x| (x - lo) / span));
    }
    out
}

/// Consecutive states of `n` chains, every `thin` steps, `frames` times: shows how a chain
/// moves (mixing), laid out chain by chain.
pub fn chain_frames(rbm: &Rbm, n: usize, frames: usize, thin: usize, device: &Device) -> Tensor<2> {
    let noise = Tensor::random([n, rbm.num_visible()], Distribution::Default, device);
    let mut v = bernoulli(noise);
    let mut out = Vec::with_capacity(frames);
    for _ in 0..frames {
        let (next, probs) = rbm.gibbs_chain(v, thin.max(1));
        v = next;
        out.push(probs);
    }
    // [frames, n, V] -> rows ordered chain-major.
    let stacked: Tensor<3> = Tensor::stack(out, 1);
    let [chains, frames, visible] = stacked.dims();
    stacked.reshape([chains * frames, visible])
}
