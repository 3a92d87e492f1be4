//! The exact log partition function on the host CPU, for the sizes of the lecture's Figure 1
//! (2^25 hidden states over 784 visible units: 26 billion softplus terms).
//!
//! The device path ([`crate::eval::log_partition_over`]) evaluates softplus as a chain of
//! tensor operations, each a pass over memory; here each term is computed once, in registers,
//! by a branch-free softplus the compiler vectorises, and the work is split over threads.
//! Layout as in the device path: a table of the other layer's pre-activations for every
//! low-bit pattern, plus one row per high-bit pattern. Per-pattern sums are accumulated in f64
//! and combined with log-sum-exp in f64.

use crate::enumeration::{ExactError, Layer, MAX_ENUMERATED_UNITS};
use crate::model::Rbm;
use gen_core::tensor_io::to_vec_f32;

/// Low bits of the enumerated layer held in the precomputed table.
const LOW_BITS: usize = 10;

/// `ln(1 + e^x)` for any finite `x`, as `max(x, 0) + ln(1 + e^{-|x|})`, with `e^{-|x|}` by
/// range reduction and a degree-6 polynomial, and `ln(1 + t)` for `t in [0, 1]` by the series
/// `2 atanh(u)`, `u = t / (2 + t) <= 1/3`. Absolute error below 1e-7 (checked in the tests
/// against `f64`), straight-line code so the loop over a row vectorises.
#[inline(always)]
pub fn softplus_fast(x: f32) -> f32 {
    // Below -100, e^a is under f32's smallest subnormal: clamping changes nothing.
    let a = (-x.abs()).max(-100.0);
    // e^a = 2^n e^r, n = round(a / ln 2), |r| <= ln2 / 2. Rounding by adding and subtracting
    // 1.5 * 2^23 uses plain SSE2 arithmetic (no call to `roundf`), which keeps the loop
    // vectorised on the baseline x86-64 target.
    const ROUNDER: f32 = 12_582_912.0;
    let n = (a * std::f32::consts::LOG2_E + ROUNDER) - ROUNDER;
    let r = a - n * std::f32::consts::LN_2;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2^n for n in [-126, 0] built from its exponent bits; below that e^a < 1e-38 and
    // contributes nothing. The integer n + 127 is read from the low mantissa bits of
    // n + 127 + 1.5 * 2^23 (a bit cast, not a float-to-int conversion, which would not vectorise).
    let n = n.max(-126.0);
    let biased = (n + (127.0 + ROUNDER))
        .to_bits()
        .wrapping_sub(ROUNDER.to_bits());
    let t = p * f32::from_bits(biased << 23);
    let u = t / (2.0 + t);
    let u2 = u * u;
    let series = 2.0
        * u
        * (1.0
            + u2 * (1.0 / 3.0
                + u2 * (1.0 / 5.0
                    + u2 * (1.0 / 7.0
                        + u2 * (1.0 / 9.0 + u2 * (1.0 / 11.0 + u2 * (1.0 / 13.0)))))));
    x.max(0.0) + series
}

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

/// Threads to use: the machine's available parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
