//! Flushing subnormal floats to zero on the CPU.
//!
//! When a GMMN's sigmoid outputs saturate, its kernel sums `exp(-D / 2s)` and the gradients
//! behind them produce subnormal floats (below 1.2e-38 in f32), and x86 arithmetic on them is
//! dozens of times slower. Measured: 60 updates of `gen train gmmn --data mnist` took 108.0 s,
//! 1.9 s per update once the outputs saturated after ten updates; with subnormals flushed,
//! 32.3 s (0.54 s, the bench's rate), with bit-identical logged losses. PyTorch's CPU kernels are
//! vectorised and not slowed this way. A process that trains on the CPU calls
//! [`flush_subnormals_to_zero`] once at start; it is a process-wide decision, so the library
//! code never makes it on its own.

/// Sets the x86 MXCSR's flush-to-zero and denormals-are-zero bits (results and inputs below the
/// normal range become 0) on the calling thread and on every thread of rayon's global pool, the
/// pool burn-flex and the RBM's host engine compute on. A no-op on other processors.
pub fn flush_subnormals_to_zero() {
    set_on_this_thread();
    rayon::broadcast(|_| set_on_this_thread());
}

#[cfg(target_arch = "x86_64")]
#[allow(deprecated)] // `_mm_setcsr` is the one stable way to write MXCSR.
fn set_on_this_thread() {
    use std::arch::x86_64::{_mm_getcsr, _mm_setcsr};
    /// MXCSR bit 15 (flush to zero) and bit 6 (denormals are zero).
    const FTZ_DAZ: u32 = 0x8040;
    // SAFETY: SSE is part of x86_64; the two bits only change how subnormals are rounded.
    unsafe { _mm_setcsr(_mm_getcsr() | FTZ_DAZ) }
}

#[cfg(not(target_arch = "x86_64"))]
fn set_on_this_thread() {}
