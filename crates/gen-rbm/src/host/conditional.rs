//! One layer's conditional in a single parallel pass: the logistic of the accumulated input and,
//! where asked, a Bernoulli draw from it (the sigmoid and the sampling of the lecture's Gibbs
//! step fused, so the layer is read and written once).

use rayon::prelude::*;

use super::counter_rng::CounterRng;
use super::fast_math::sigmoid_fast;

/// Elements per work item, rounded to whole rows: a fixed split, so the uniform an element gets
/// is its own index in the stream, never a function of the thread count.
const CHUNK_ELEMENTS: usize = 16_384;

/// For a row-major `rows x cols` buffer `acc` of accumulated inputs (`vᵀW` or `hWᵀ` rows), writes
/// `p = σ(scale · acc + shift[j])` over it, `j` the column; with `draw = Some((samples, rng))` it
/// also writes `samples[e] = 1` where `u_e < p_e` (else 0), `u_e` the stream's uniform at the
/// element's index `e`.
pub fn logistic_layer(
    acc: &mut [f32],
    cols: usize,
    scale: f32,
    shift: &[f32],
    draw: Option<(&mut [f32], CounterRng)>,
) {
    assert_eq!(shift.len(), cols, "one shift per column");
    assert!(
        cols > 0 && acc.len().is_multiple_of(cols),
        "whole rows of {cols}"
    );
    let chunk = (CHUNK_ELEMENTS / cols).max(1) * cols;
    let probabilities = |piece: &mut [f32]| {
        for row in piece.chunks_exact_mut(cols) {
            for (x, &s) in row.iter_mut().zip(shift) {
                *x = sigmoid_fast(scale * *x + s);
            }
        }
    };
    match draw {
        None => {
            acc.par_chunks_mut(chunk).for_each(probabilities);
        }
        Some((samples, rng)) => {
            assert_eq!(samples.len(), acc.len(), "one sample per probability");
            acc.par_chunks_mut(chunk)
                .zip(samples.par_chunks_mut(chunk))
                .enumerate()
                .for_each(|(i, (piece, out))| {
                    probabilities(piece);
                    draw_piece(piece, out, rng, (i * chunk) as u64);
                });
        }
    }
}

/// `samples[e] = 1` where `u_e < p_e` (else 0) for a piece of a layer starting at element
/// `start`, `u_e` the stream's uniform at the element's index.
fn draw_piece(probs: &[f32], samples: &mut [f32], rng: CounterRng, start: u64) {
    for (e, (s, &p)) in samples.iter_mut().zip(probs).enumerate() {
        *s = if rng.uniform(start + e as u64) < p {
            1.0
        } else {
            0.0
        };
    }
}

/// Bernoulli draws from probabilities already computed, in the same fixed chunks as
/// [`logistic_layer`]'s draws: element `e` gets the stream's uniform `e`, whatever the split.
pub fn bernoulli_draws(probs: &[f32], samples: &mut [f32], rng: CounterRng) {
    assert_eq!(samples.len(), probs.len(), "one sample per probability");
    samples
        .par_chunks_mut(CHUNK_ELEMENTS)
        .zip(probs.par_chunks(CHUNK_ELEMENTS))
        .enumerate()
        .for_each(|(i, (out, piece))| draw_piece(piece, out, rng, (i * CHUNK_ELEMENTS) as u64));
}
