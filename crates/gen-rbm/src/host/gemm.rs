//! Matrix products on host buffers with the `gemm` crate (burn-flex's own GEMM), called
//! directly so that the accumulation into an existing matrix, `dst := α dst + β op(A) op(B)`,
//! happens inside the product instead of in separate passes over memory.

/// How a row-major buffer is read as an operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// As stored: an `rows x cols` buffer is the `rows x cols` operand.
    Plain,
    /// Transposed: an `rows x cols` buffer is the `cols x rows` operand.
    Transposed,
}

/// Products below this many multiply-adds run on the calling thread (flex's threshold: thread
/// start-up costs more than it saves on smaller ones).
const PARALLEL_MULTIPLY_ADDS: usize = 192 * 192 * 192;

/// `dst := alpha dst + beta op(a) op(b)` for a row-major `m x n` destination; `a` is read as
/// `m x k` and `b` as `k x n` after `op`. With `alpha = 0` the destination is only written
/// (its old contents, even NaN, do not matter).
#[allow(clippy::too_many_arguments)]
pub fn gemm_into(
    dst: &mut [f32],
    (m, n, k): (usize, usize, usize),
    alpha: f32,
    beta: f32,
    a: &[f32],
    op_a: Op,
    b: &[f32],
    op_b: Op,
) {
    assert_eq!(dst.len(), m * n, "destination is {m} x {n}");
    assert_eq!(a.len(), m * k, "left operand is {m} x {k}");
    assert_eq!(b.len(), k * n, "right operand is {k} x {n}");
    if m == 0 || n == 0 {
        return;
    }
    // gemm takes (column stride, row stride) of each operand.
    let (a_cs, a_rs) = match op_a {
        Op::Plain => (1, k as isize),
        Op::Transposed => (m as isize, 1),
    };
    let (b_cs, b_rs) = match op_b {
        Op::Plain => (1, n as isize),
        Op::Transposed => (k as isize, 1),
    };
    let parallelism = if m * n * k >= PARALLEL_MULTIPLY_ADDS {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the lengths asserted above cover every element the strides address: operand
    // element (i, l) of `a` is at i * a_rs + l * a_cs < m * k, likewise for `b` and `dst`, and
    // `dst` is exclusively borrowed.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            alpha != 0.0,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            alpha,
            beta,
            false,
            false,
            false,
            parallelism,
        );
    }
}
