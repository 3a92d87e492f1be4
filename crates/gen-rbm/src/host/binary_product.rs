//! Products whose left operand is a 0/1 matrix, as sums of selected rows.
//!
//! Every state an RBM's Gibbs chain visits is binary, and so is MNIST binarised at 0.5: about
//! 13% of its pixels are on. A product `V W` with binary `V` is, row by row, the sum of the rows
//! of `W` picked by the ones: `(V W)_r = Σ_{l : V_rl = 1} W_l`, a fraction `ρ` (the density of
//! ones) of the GEMM's multiply-adds and no multiplications. Measured on this project's 2-core
//! machine for `100 x 784` times `784 x 500`: 0.6-0.8 ms at `ρ = 0.13` against the GEMM's
//! 2.4-2.8 ms; equal near `ρ = 0.5`. Above [`MAX_DENSITY`], or when an entry is not 0 or 1
//! (probabilities, centred states), the product goes to the GEMM.

use rayon::prelude::*;

use super::gemm::{Op, gemm_into};

/// Densities of ones above this go to the GEMM: the row sums lose their edge near one half.
pub const MAX_DENSITY: f64 = 0.4;

/// For each of a set of lists (the rows, or the columns, of a 0/1 matrix), the indices of its
/// ones, in increasing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnesLists {
    /// List `r` is `members[starts[r]..starts[r + 1]]`.
    starts: Vec<usize>,
    members: Vec<u32>,
}

impl OnesLists {
    /// The ones of each row of a row-major `rows x cols` buffer, or `None` when an entry is
    /// neither 0 nor 1 or more than [`MAX_DENSITY`] of the entries are ones.
    pub fn of_rows(a: &[f32], cols: usize) -> Option<Self> {
        assert!(
            cols > 0 && a.len().is_multiple_of(cols),
            "whole rows of {cols}"
        );
        let mut starts = Vec::with_capacity(a.len() / cols + 1);
        // Written without branches on the data: every index is stored at the end of the list
        // and kept only when its entry is 1 (`len` is at most the entries seen, so the slot
        // exists).
        let mut members = vec![0u32; a.len()];
        let mut len = 0usize;
        let mut not_binary = false;
        starts.push(0);
        for row in a.chunks_exact(cols) {
            for (l, &x) in row.iter().enumerate() {
                members[len] = l as u32;
                len += usize::from(x == 1.0);
                not_binary |= (x != 0.0) & (x != 1.0);
            }
            if not_binary {
                return None;
            }
            starts.push(len);
        }
        members.truncate(len);
        (len as f64 <= MAX_DENSITY * a.len() as f64).then_some(Self { starts, members })
    }

    /// The ones of each column of a row-major `rows x cols` buffer (the rows of its transpose),
    /// or `None` as for [`Self::of_rows`].
    pub fn of_columns(a: &[f32], cols: usize) -> Option<Self> {
        let by_row = Self::of_rows(a, cols)?;
        // Counting sort of the (row, column) pairs by column; rows stay in increasing order.
        let mut starts = vec![0usize; cols + 1];
        for &c in &by_row.members {
            starts[c as usize + 1] += 1;
        }
        for c in 0..cols {
            starts[c + 1] += starts[c];
        }
        let mut next = starts.clone();
        let mut members = vec![0u32; by_row.members.len()];
        for r in 0..by_row.len() {
            for &c in by_row.list(r) {
                members[next[c as usize]] = r as u32;
                next[c as usize] += 1;
            }
        }
        Some(Self { starts, members })
    }

    /// How many lists there are.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there are no lists.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The indices of list `r`'s ones.
    pub fn list(&self, r: usize) -> &[u32] {
        &self.members[self.starts[r]..self.starts[r + 1]]
    }
}

/// Output rows per parallel work item.
const ROWS_PER_ITEM: usize = 4;

/// `dst_r := alpha dst_r + beta Σ_{l ∈ lists(r)} src_l` for each row `r` of the row-major
/// `lists.len() x n` destination, `src` a row-major buffer of rows of `n`. With `alpha = 0`
/// the destination is only written. Each row is summed in a fixed order on one thread, so the
/// result does not depend on the thread count.
pub fn sum_listed_rows(
    dst: &mut [f32],
    n: usize,
    alpha: f32,
    beta: f32,
    lists: &OnesLists,
    src: &[f32],
) {
    assert_eq!(dst.len(), lists.len() * n, "one destination row per list");
    assert!(
        n > 0 && src.len().is_multiple_of(n),
        "source rows of {n} columns"
    );
    let src_rows = src.len() / n;
    assert!(
        lists.members.iter().all(|&l| (l as usize) < src_rows),
        "a listed row is past the source's {src_rows}"
    );
    dst.par_chunks_mut(n * ROWS_PER_ITEM)
        .enumerate()
        .for_each(|(item, rows)| {
            let mut acc = vec![0f32; n];
            for (i, out) in rows.chunks_exact_mut(n).enumerate() {
                sum_rows(&mut acc, lists.list(item * ROWS_PER_ITEM + i), src);
                if alpha == 0.0 {
                    for (o, &s) in out.iter_mut().zip(&acc) {
                        *o = beta * s;
                    }
                } else {
                    for (o, &s) in out.iter_mut().zip(&acc) {
                        *o = alpha * *o + beta * s;
                    }
                }
            }
        });
}

/// `acc := Σ_{l ∈ picked} src_l`, eight rows at a time (one pass over `acc` per eight rows),
/// with AVX2 where the processor has it (the build targets baseline x86-64, whose SSE2 adds four
/// lanes at a time).
fn sum_rows(acc: &mut [f32], picked: &[u32], src: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor supports AVX2, checked just above.
        unsafe { sum_rows_avx2(acc, picked, src) };
        return;
    }
    sum_rows_portable(acc, picked, src);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sum_rows_avx2(acc: &mut [f32], picked: &[u32], src: &[f32]) {
    sum_rows_portable(acc, picked, src);
}

#[inline(always)]
fn sum_rows_portable(acc: &mut [f32], picked: &[u32], src: &[f32]) {
    let n = acc.len();
    acc.fill(0.0);
    // Every row re-sliced to exactly `n` so the loops below carry no bounds checks.
    let row = |l: u32| &src[l as usize * n..][..n];
    let mut eights = picked.chunks_exact(8);
    for q in &mut eights {
        let (r0, r1, r2, r3) = (row(q[0]), row(q[1]), row(q[2]), row(q[3]));
        let (r4, r5, r6, r7) = (row(q[4]), row(q[5]), row(q[6]), row(q[7]));
        for j in 0..n {
            acc[j] += ((r0[j] + r1[j]) + (r2[j] + r3[j])) + ((r4[j] + r5[j]) + (r6[j] + r7[j]));
        }
    }
    for &l in eights.remainder() {
        let r = row(l);
        for j in 0..n {
            acc[j] += r[j];
        }
    }
}

/// `dst := alpha dst + beta A B` for row-major `A` (`m x k`), `B` (`k x n`) and `dst`
/// (`m x n`): row sums of `B` when `A` is sparse and binary, the GEMM otherwise.
#[allow(clippy::too_many_arguments)]
pub fn product_into(
    dst: &mut [f32],
    (m, n, k): (usize, usize, usize),
    alpha: f32,
    beta: f32,
    a: &[f32],
    b: &[f32],
) {
    assert_eq!(a.len(), m * k, "left operand is {m} x {k}");
    assert_eq!(b.len(), k * n, "right operand is {k} x {n}");
    match (k > 0).then(|| OnesLists::of_rows(a, k)).flatten() {
        Some(lists) => sum_listed_rows(dst, n, alpha, beta, &lists, b),
        None => gemm_into(dst, (m, n, k), alpha, beta, a, Op::Plain, b, Op::Plain),
    }
}

/// `dst := alpha dst + beta Aᵀ B` for row-major `A` (`m x k`), `B` (`m x n`) and `dst`
/// (`k x n`): the statistics `Σ_r a_r b_rᵀ` of the RBM's gradient, as row sums of `B` when `A`
/// is sparse and binary, the GEMM otherwise.
pub fn transposed_product_into(
    dst: &mut [f32],
    (k, n, m): (usize, usize, usize),
    alpha: f32,
    beta: f32,
    a: &[f32],
    b: &[f32],
) {
    assert_eq!(
        a.len(),
        m * k,
        "left operand is {m} x {k} before transposing"
    );
    assert_eq!(b.len(), m * n, "right operand is {m} x {n}");
    match (k > 0).then(|| OnesLists::of_columns(a, k)).flatten() {
        Some(lists) => sum_listed_rows(dst, n, alpha, beta, &lists, b),
        None => gemm_into(dst, (k, n, m), alpha, beta, a, Op::Transposed, b, Op::Plain),
    }
}

/// The transpose of a row-major `rows x cols` buffer (`cols x rows`), in tiles of eight input
/// rows, each work item writing a band of whole output rows.
pub fn transposed(a: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    assert_eq!(a.len(), rows * cols, "buffer is {rows} x {cols}");
    const BAND: usize = 32;
    let mut out = vec![0f32; rows * cols];
    if rows == 0 || cols == 0 {
        return out;
    }
    out.par_chunks_mut(rows * BAND)
        .enumerate()
        .for_each(|(band, piece)| {
            let c0 = band * BAND;
            let width = piece.len() / rows;
            let whole = rows - rows % 8;
            for r0 in (0..whole).step_by(8) {
                // Each input row cut to this band's columns, so the loop carries no bounds checks.
                let band_of = |r: usize| &a[r * cols + c0..][..width];
                let ins: [&[f32]; 8] = std::array::from_fn(|t| band_of(r0 + t));
                for (c, out_row) in piece.chunks_exact_mut(rows).enumerate() {
                    let o = &mut out_row[r0..r0 + 8];
                    for t in 0..8 {
                        o[t] = ins[t][c];
                    }
                }
            }
            for r in whole..rows {
                let input = &a[r * cols + c0..][..width];
                for (out_row, &x) in piece.chunks_exact_mut(rows).zip(input) {
                    out_row[r] = x;
                }
            }
        });
    out
}
