//! The two conditionals of block Gibbs sampling on host buffers:
//! `P(h = 1 | v) = σ(s (vᵀW) + t)` and `P(v = 1 | h) = σ(s (W h) + t)` for rows of `v` or `h`,
//! with a scale `s` and per-unit shift `t`: `s = 1, t = c` (or `b`) for the model itself, and the
//! tempered and interpolated distributions of AIS by other choices.
//!
//! Both products go through [`product_into`], which sums rows of the weights where the states
//! are binary and sparse; for `W h` that needs the rows of `Wᵀ`, so the callers make the
//! transposed weights (once per update in training, once per estimate in AIS).

use super::binary_product::product_into;
use super::conditional::logistic_layer;
use super::counter_rng::CounterRng;
use super::params::HostParams;

/// `P(h = 1 | v)` for the rows of `v` (`n x V`) into `probs` (resized to `n x H`), and Bernoulli
/// draws from it into `draw`'s buffer when given.
pub fn hidden_given(
    params: &HostParams,
    v: &[f32],
    scale: f32,
    shift: &[f32],
    probs: &mut Vec<f32>,
    draw: Option<(&mut [f32], CounterRng)>,
) {
    let (nv, nh) = (params.visible, params.hidden);
    let n = v.len() / nv;
    assert_eq!(n * nv, v.len(), "rows of {nv} visible units");
    probs.resize(n * nh, 0.0);
    product_into(probs, (n, nh, nv), 0.0, 1.0, v, &params.weights);
    logistic_layer(probs, nh, scale, shift, draw);
}

/// `P(v = 1 | h)` for the rows of `h` (`n x H`) into `probs` (resized to `n x V`), and Bernoulli
/// draws from it into `draw`'s buffer when given; `weights_t` is `Wᵀ` (`H x V`, row-major).
pub fn visible_given(
    params: &HostParams,
    weights_t: &[f32],
    h: &[f32],
    scale: f32,
    shift: &[f32],
    probs: &mut Vec<f32>,
    draw: Option<(&mut [f32], CounterRng)>,
) {
    let (nv, nh) = (params.visible, params.hidden);
    let n = h.len() / nh;
    assert_eq!(n * nh, h.len(), "rows of {nh} hidden units");
    assert_eq!(weights_t.len(), nv * nh, "Wᵀ is {nh} x {nv}");
    probs.resize(n * nv, 0.0);
    product_into(probs, (n, nv, nh), 0.0, 1.0, h, weights_t);
    logistic_layer(probs, nv, scale, shift, draw);
}

/// `k` block Gibbs steps of the model `params` from the rows of `v`, in place: each step draws
/// `h ~ P(h | v)` then `v ~ P(v | h)`. Step `s` draws its hidden units from `rng`'s substream
/// `2 (first + s)` and its visible units from `2 (first + s) + 1`. `weights_t` is `Wᵀ`.
pub fn gibbs_steps(
    params: &HostParams,
    weights_t: &[f32],
    v: &mut [f32],
    k: usize,
    first: u64,
    rng: CounterRng,
) {
    let n = v.len() / params.visible;
    let mut probs = Vec::new();
    let mut h = vec![0.0; n * params.hidden];
    for s in 0..k as u64 {
        let sweep = first + s;
        hidden_given(
            params,
            v,
            1.0,
            &params.hidden_bias,
            &mut probs,
            Some((&mut h, rng.substream(2 * sweep))),
        );
        visible_given(
            params,
            weights_t,
            &h,
            1.0,
            &params.visible_bias,
            &mut probs,
            Some((v, rng.substream(2 * sweep + 1))),
        );
    }
}
