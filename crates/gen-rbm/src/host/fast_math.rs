//! Branch-free `exp`, `softplus` and `sigmoid` in straight-line `f32` code, so that loops over a
//! row vectorise (the standard library's `expf` is a call per element).

/// `e^a` for `a <= 0`, by range reduction `e^a = 2^n e^r`, `n = round(a / ln 2)`, `|r| <= ln2/2`,
/// and a degree-6 Taylor polynomial for `e^r` (relative error a few f32 ulps). `r = a - n ln 2` is
/// formed in two parts (Cody & Waite): `ln 2 = L_hi + L_lo` with `L_hi` short enough that
/// `n L_hi` is exact, else the rounding of `n ln 2` alone would cost 4e-6 at `a = -69`. Below
/// `-87` the result is `e^-87 ≈ 1.6e-38` (f32's smallest normal numbers), a difference nothing
/// that adds it to a number of order one can see.
#[inline(always)]
pub fn exp_nonpositive(a: f32) -> f32 {
    let a = a.max(-87.0);
    // Rounding by adding and subtracting 1.5 * 2^23 uses plain SSE2 arithmetic (no call to
    // `roundf`), which keeps the loop vectorised on the baseline x86-64 target.
    const ROUNDER: f32 = 12_582_912.0;
    let n = (a * std::f32::consts::LOG2_E + ROUNDER) - ROUNDER;
    // ln 2 = 0.693359375 - 2.12194440e-4: the first part has 9 significant bits.
    const LN_2_HI: f32 = 0.693_359_4;
    const LN_2_LO: f32 = -2.121_944_4e-4;
    let r = (a - n * LN_2_HI) - n * LN_2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2^n for n in [-126, 0] built from its exponent bits. The integer n + 127 is read from the low mantissa bits of n + 127 + 1.5 * 2^23 (a bit cast, not a
    // float-to-int conversion, which would not vectorise).
    let n = n.max(-126.0);
    let biased = (n + (127.0 + ROUNDER))
        .to_bits()
        .wrapping_sub(ROUNDER.to_bits());
    p * f32::from_bits(biased << 23)
}

/// `ln(1 + e^x)` for any finite `x`, as `max(x, 0) + ln(1 + e^{-|x|})`, with `ln(1 + t)` for
/// `t in [0, 1]` by the series `2 atanh(u)`, `u = t / (2 + t) <= 1/3`. Absolute error below
/// 1e-7.
#[inline(always)]
pub fn softplus_fast(x: f32) -> f32 {
    let t = exp_nonpositive(-x.abs());
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

/// The logistic sigmoid `σ(x) = 1 / (1 + e^{-x})`, from `t = e^{-|x|}` so that neither branch
/// overflows: `1 / (1 + t)` for `x >= 0`, `t / (1 + t)` below. Relative error below 4e-7 (about five f32 ulps; tested).
#[inline(always)]
pub fn sigmoid_fast(x: f32) -> f32 {
    let t = exp_nonpositive(-x.abs());
    let numerator = if x >= 0.0 { 1.0 } else { t };
    numerator / (1.0 + t)
}
