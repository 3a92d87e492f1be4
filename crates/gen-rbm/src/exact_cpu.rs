//! The exact log partition function on the host CPU, for the sizes of the lecture's Figure 1
//! (2^25 hidden states over 784 visible units: 26 billion softplus terms).
//!
//! The device path ([`crate::eval::log_partition_over`]) evaluates softplus as a chain of
//! tensor operations, each a pass over memory; here each term is computed once, in registers,
//! by a branch-free softplus the compiler vectorises (AVX2 where the processor has it), and the
//! work is split over threads.
//! Layout as in the device path: a table of the other layer's pre-activations for every
//! low-bit pattern, plus one row per high-bit pattern. Per-pattern sums are accumulated in f64
//! and combined with log-sum-exp in f64.

use crate::enumeration::{ExactError, Layer, MAX_ENUMERATED_UNITS};
use crate::model::Rbm;
use gen_core::tensor_io::to_vec_f32;

/// Low bits of the enumerated layer held in the precomputed table.
const LOW_BITS: usize = 10;

/// The vectorisable softplus the enumeration sums (it lives with the host engine's other
/// branch-free functions).
pub use crate::host::fast_math::softplus_fast;

/// `log Z` of `rbm` by enumerating `layer` on the host with `threads` threads.
pub fn log_partition_cpu(rbm: &Rbm, layer: Layer, threads: usize) -> Result<f64, ExactError> {
    let (nv, nh) = (rbm.num_visible(), rbm.num_hidden());
    let w = to_vec_f32(rbm.weights.val()); // [V, H], row-major
    let b = to_vec_f32(rbm.visible_bias.val());
    let c = to_vec_f32(rbm.hidden_bias.val());
    // coupling[j][i]: enumerated unit j to other unit i.
    let (units, other, own_bias, other_bias) = match layer {
        Layer::Hidden => (nh, nv, c, b),
        Layer::Visible => (nv, nh, b, c),
    };
    if units > MAX_ENUMERATED_UNITS {
        return Err(ExactError::TooManyUnits { units });
    }
    let coupling = |j: usize, i: usize| -> f32 {
        match layer {
            Layer::Hidden => w[i * nh + j],
            Layer::Visible => w[j * nh + i],
        }
    };
    let low = units.min(LOW_BITS);
    let high = units - low;
    // table[s_lo * other + i] = other_bias[i] + Σ_{j < low} bit_j(s_lo) M[j][i]
    let mut table = vec![0f32; (1 << low) * other];
    let mut own_low = vec![0f64; 1 << low];
    for s in 0..1usize << low {
        let row = &mut table[s * other..(s + 1) * other];
        row.copy_from_slice(&other_bias);
        for (j, &bias) in own_bias.iter().enumerate().take(low) {
            if s >> j & 1 == 1 {
                for (i, v) in row.iter_mut().enumerate() {
                    *v += coupling(j, i);
                }
                own_low[s] += bias as f64;
            }
        }
    }
    let high_coupling: Vec<Vec<f32>> = (low..units)
        .map(|j| (0..other).map(|i| coupling(j, i)).collect())
        .collect();
    let n_high = 1usize << high;
    let threads = threads.clamp(1, n_high);
    // Each thread returns (max, Σ exp(term - max)) over its high patterns.
    let partials: Vec<(f64, f64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (table, own_low, high_coupling, own_bias) =
                    (&table, &own_low, &high_coupling, &own_bias);
                scope.spawn(move || {
                    let mut terms = vec![0f64; 1 << low];
                    let mut row = vec![0f32; other];
                    let (mut max, mut sum) = (f64::NEG_INFINITY, 0f64);
                    for s_hi in (t..n_high).step_by(threads) {
                        row.iter_mut().for_each(|v| *v = 0.0);
                        let mut own_high = 0f64;
                        for (k, hc) in high_coupling.iter().enumerate() {
                            if s_hi >> k & 1 == 1 {
                                for (v, m) in row.iter_mut().zip(hc) {
                                    *v += m;
                                }
                                own_high += own_bias[low + k] as f64;
                            }
                        }
                        let block_max = block_terms(&mut terms, table, &row, own_low, own_high);
                        if block_max > max {
                            sum *= (max - block_max).exp();
                            max = block_max;
                        }
                        sum += terms.iter().map(|&e| (e - max).exp()).sum::<f64>();
                    }
                    (max, sum)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("enumeration thread"))
            .collect()
    });
    let global = partials
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = partials.iter().map(|(m, s)| s * (m - global).exp()).sum();
    Ok(global + total.ln())
}

/// The log terms of one high-bit pattern with every low-bit pattern into `terms`:
/// `terms[s_lo] = own_low[s_lo] + own_high + Σ_i softplus(table[s_lo][i] + row[i])`; returns
/// their maximum. With AVX2 where the processor has it (the build targets baseline x86-64,
/// whose SSE2 computes four softplus terms at a time); each lane's arithmetic is the same either
/// way, so the result does not change with the instruction set.
fn block_terms(
    terms: &mut [f64],
    table: &[f32],
    row: &[f32],
    own_low: &[f64],
    own_high: f64,
) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        return unsafe { block_terms_avx2(terms, table, row, own_low, own_high) };
    }
    block_terms_portable(terms, table, row, own_low, own_high)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_terms_avx2(
    terms: &mut [f64],
    table: &[f32],
    row: &[f32],
    own_low: &[f64],
    own_high: f64,
) -> f64 {
    block_terms_portable(terms, table, row, own_low, own_high)
}

#[inline(always)]
fn block_terms_portable(
    terms: &mut [f64],
    table: &[f32],
    row: &[f32],
    own_low: &[f64],
    own_high: f64,
) -> f64 {
    let other = row.len();
    let mut block_max = f64::NEG_INFINITY;
    for (s_lo, term) in terms.iter_mut().enumerate() {
        let base = &table[s_lo * other..(s_lo + 1) * other];
        // Eight partial sums keep the reduction vectorisable.
        let mut acc = [0f32; 8];
        let mut chunks_b = base.chunks_exact(8);
        let mut chunks_r = row.chunks_exact(8);
        for (cb, cr) in (&mut chunks_b).zip(&mut chunks_r) {
            for l in 0..8 {
                acc[l] += softplus_fast(cb[l] + cr[l]);
            }
        }
        let mut total: f64 = acc.iter().map(|&a| a as f64).sum();
        for (x, y) in chunks_b.remainder().iter().zip(chunks_r.remainder()) {
            total += softplus_fast(x + y) as f64;
        }
        *term = total + own_low[s_lo] + own_high;
        block_max = block_max.max(*term);
    }
    block_max
}

/// Threads to use: the machine's available parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
