//! The fused Gaussian-mixture kernel sum (`gen_core::kernel_sum`) against independent
//! computations: its exponential against f64's, its values and gradient against the composed
//! tensor-operation path and against an f64 host formula, its gradient against central finite
//! differences, on contiguous and transposed inputs, with and without autodiff; the fused Gram
//! matrix (distances and sum from the GEMM's output) against brute-force f64 distances and the
//! composed path's gradients in both arguments, including a set against itself.

use burn::tensor::{Device, Tensor, TensorData};
use gen_core::kernel::squared_distances;
use gen_core::kernel_sum::{
    gaussian_mixture_gram, gaussian_mixture_sum, gaussian_mixture_sum_composed, host,
};
use gen_core::tensor_io::to_vec_f32;

/// GMMN's six kernel variances (Li et al. 2015).
const VARIANCES: [f64; 6] = [2.0, 5.0, 10.0, 20.0, 40.0, 80.0];

#[test]
fn the_exponential_is_within_three_ulp_of_f64_over_its_range() {
    let mut worst = 0.0f64;
    let n = 200_001;
    for i in 0..n {
        let x = -87.0 + 175.0 * i as f64 / (n - 1) as f64;
        let got = host::exp_f32(x as f32) as f64;
        // The reference at the f32 argument the function actually received.
        let want = (x as f32 as f64).exp();
        worst = worst.max(((got - want) / want).abs());
    }
    // One f32 ulp is 2^-23 = 1.19e-7 relative at most.
    assert!(worst < 3.0 * 1.19e-7, "worst relative error {worst:e}");
    assert_eq!(host::exp_f32(0.0), 1.0);
    // Clamped outside [-87, 88]: finite and positive, never inf or NaN.
    assert!(host::exp_f32(-1e4) > 0.0 && host::exp_f32(1e4).is_finite());
}

/// Squared distances in [0, 200): the range MNIST's 784-pixel images give.
fn distances(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            200.0 * ((s >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

/// `Σ_s exp(-d/(2 v_s))` and its derivative in f64.
fn host_f64(d: f32) -> (f64, f64) {
    VARIANCES.iter().fold((0.0, 0.0), |(v, s), &var| {
        let c = -0.5 / var;
        let e = (c * d as f64).exp();
        (v + e, s + c * e)
    })
}

/// The kernel sum's values and the gradient of `Σ w ⊙ K(D)` in `D`, with `sum` the operation.
fn value_and_gradient(
    sum: fn(Tensor<2>, &[f64]) -> Tensor<2>,
    d: &[f32],
    weights: &[f32],
    shape: [usize; 2],
    transposed: bool,
    device: &Device,
) -> (Vec<f32>, Vec<f32>) {
    let ad = device.clone().autodiff();
    let d2 = Tensor::<2>::from_data(TensorData::new(d.to_vec(), shape), &ad).require_grad();
    let w = Tensor::<2>::from_data(TensorData::new(weights.to_vec(), shape), &ad);
    let (input, w) = if transposed {
        (d2.clone().transpose(), w.transpose())
    } else {
        (d2.clone(), w)
    };
    let k = sum(input, &VARIANCES);
    let grads = (k.clone() * w).sum().backward();
    let k = if transposed { k.transpose() } else { k };
    let grad = d2.grad(&grads).expect("D is tracked");
    (to_vec_f32(k), to_vec_f32(grad))
}

#[test]
fn fused_values_and_gradients_match_the_composed_path_and_the_f64_formula() {
    let device = Device::flex();
    let shape = [37, 53];
    let n = shape[0] * shape[1];
    let d = distances(n, 1);
    let weights: Vec<f32> = distances(n, 2).iter().map(|x| x / 100.0 - 1.0).collect();
    for transposed in [false, true] {
        let (fused_k, fused_g) = value_and_gradient(
            gaussian_mixture_sum,
            &d,
            &weights,
            shape,
            transposed,
            &device,
        );
        let (composed_k, composed_g) = value_and_gradient(
            gaussian_mixture_sum_composed,
            &d,
            &weights,
            shape,
            transposed,
            &device,
        );
        for i in 0..n {
            let (v, s) = host_f64(d[i]);
            let g = s * weights[i] as f64;
            // Six terms of at most 1 each: a few f32 ulps of the sum.
            assert!(
                (fused_k[i] as f64 - v).abs() <= 4e-6 * v.max(1e-3),
                "value {i}: {} vs {v}",
                fused_k[i]
            );
            assert!(
                (fused_g[i] as f64 - g).abs() <= 4e-6 * g.abs().max(1e-4),
                "gradient {i}: {} vs {g}",
                fused_g[i]
            );
            assert!((fused_k[i] - composed_k[i]).abs() <= 4e-6 * composed_k[i].abs().max(1e-3));
            assert!((fused_g[i] - composed_g[i]).abs() <= 4e-6 * composed_g[i].abs().max(1e-4));
        }
    }
}

#[test]
fn fused_gradient_matches_central_differences() {
    let device = Device::flex();
    let shape = [4, 5];
    let d = distances(20, 3);
    let weights: Vec<f32> = distances(20, 4).iter().map(|x| x / 100.0 - 1.0).collect();
    let (_, grad) = value_and_gradient(gaussian_mixture_sum, &d, &weights, shape, false, &device);
    let loss = |d: &[f32]| -> f64 {
        let t = Tensor::<2>::from_data(TensorData::new(d.to_vec(), shape), &device);
        to_vec_f32(gaussian_mixture_sum(t, &VARIANCES))
            .iter()
            .zip(&weights)
            .map(|(k, w)| *k as f64 * *w as f64)
            .sum()
    };
    let h = 0.05f32;
    for i in 0..20 {
        let (mut up, mut down) = (d.clone(), d.clone());
        up[i] += h;
        down[i] -= h;
        let numeric = (loss(&up) - loss(&down)) / (2.0 * h as f64);
        // The central difference's own error is h²/6 |K'''| (under 1e-6 here) plus f32 rounding
        // of sums near 1, divided by 2h: about 1e-5.
        assert!(
            (grad[i] as f64 - numeric).abs() < 3e-5 + 1e-3 * numeric.abs(),
            "entry {i}: autodiff {} against finite differences {numeric}",
            grad[i]
        );
    }
}

#[test]
fn without_autodiff_the_fused_sum_equals_the_composed_one() {
    let device = Device::flex();
    let d = distances(1000, 5);
    let t = || Tensor::<1>::from_data(TensorData::new(d.clone(), [1000]), &device);
    let fused = to_vec_f32(gaussian_mixture_sum(t(), &VARIANCES));
    let composed = to_vec_f32(gaussian_mixture_sum_composed(t(), &VARIANCES));
    for (a, b) in fused.iter().zip(&composed) {
        assert!((a - b).abs() <= 4e-6 * b.max(1e-3), "{a} vs {b}");
    }
}

/// Rows in [0, 1) (a fixed linear congruential sequence), like pixel values.
fn rows(n: usize, d: usize, seed: u64) -> Vec<f32> {
    distances(n * d, seed).iter().map(|v| v / 200.0).collect()
}

/// The Gram matrix of `x` and `y` and the gradients of `Σ w ⊙ K` in `x` and in `y`.
fn gram_and_gradients(
    fused: bool,
    x: &[f32],
    y: &[f32],
    w: &[f32],
    [n, m, d]: [usize; 3],
    same: bool,
    device: &Device,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let ad = device.clone().autodiff();
    let xt = Tensor::<2>::from_data(TensorData::new(x.to_vec(), [n, d]), &ad).require_grad();
    let yt = if same {
        xt.clone()
    } else {
        Tensor::<2>::from_data(TensorData::new(y.to_vec(), [m, d]), &ad).require_grad()
    };
    let wt = Tensor::<2>::from_data(TensorData::new(w.to_vec(), [n, m]), &ad);
    let k = if fused {
        gaussian_mixture_gram(xt.clone(), yt.clone(), &VARIANCES)
    } else {
        gaussian_mixture_sum_composed(squared_distances(xt.clone(), yt.clone()), &VARIANCES)
    };
    let grads = (k.clone() * wt).sum().backward();
    let gx = to_vec_f32(xt.grad(&grads).expect("x is tracked"));
    let gy = if same {
        Vec::new()
    } else {
        to_vec_f32(yt.grad(&grads).expect("y is tracked"))
    };
    (to_vec_f32(k), gx, gy)
}

fn close(a: &[f32], b: &[f32], rel: f32, floor: f32, what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (a, b)) in a.iter().zip(b).enumerate() {
        assert!(
            (a - b).abs() <= rel * b.abs().max(floor),
            "{what} {i}: {a} against {b}"
        );
    }
}

/// Every entry of `a` within `rel` of the largest entry of `b`: the gradients are sums of terms
/// of both signs, so an entry can be thousands of times smaller than the terms whose rounding
/// it carries, and f32 summation in another order moves it by a few ulp of the largest.
fn normwise_close(a: &[f32], b: &[f32], rel: f32, what: &str) {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    for (i, (a, b)) in a.iter().zip(b).enumerate() {
        assert!(
            (a - b).abs() <= rel * scale,
            "{what} {i}: {a} against {b} (largest {scale})"
        );
    }
}

#[test]
fn fused_gram_matches_brute_force_values_and_the_composed_gradients() {
    let device = Device::flex();
    let [n, m, d] = [29, 41, 784];
    let x = rows(n, d, 7);
    let y = rows(m, d, 8);
    let w: Vec<f32> = distances(n * m, 9)
        .iter()
        .map(|v| v / 100.0 - 1.0)
        .collect();
    let (k, gx, gy) = gram_and_gradients(true, &x, &y, &w, [n, m, d], false, &device);
    for i in 0..n {
        for j in 0..m {
            let dist: f64 = (0..d)
                .map(|c| (x[i * d + c] as f64 - y[j * d + c] as f64).powi(2))
                .sum();
            let (want, _) = host_f64(dist as f32);
            let got = k[i * m + j] as f64;
            // The expansion |x|² + |y|² - 2x·y loses about 1e-5 of |x|² ≈ 260 in f32: 3e-3 of
            // distance, times a slope of at most 0.25 a unit.
            assert!(
                (got - want).abs() < 1e-3 * want.max(1e-3),
                "K[{i},{j}] {got} against {want}"
            );
        }
    }
    let (ck, cgx, cgy) = gram_and_gradients(false, &x, &y, &w, [n, m, d], false, &device);
    close(&k, &ck, 1e-5, 1e-3, "K");
    normwise_close(&gx, &cgx, 1e-5, "dx");
    normwise_close(&gy, &cgy, 1e-5, "dy");
}

#[test]
fn fused_gram_of_a_set_with_itself_matches_the_composed_path() {
    // The diagonal's distances are zero up to rounding, some clamped: the clamp's zero slope
    // must match the composed path's.
    let device = Device::flex();
    let [n, d] = [33, 50];
    let x = rows(n, d, 10);
    let w: Vec<f32> = distances(n * n, 11)
        .iter()
        .map(|v| v / 100.0 - 1.0)
        .collect();
    let (k, gx, _) = gram_and_gradients(true, &x, &x, &w, [n, n, d], true, &device);
    let (ck, cgx, _) = gram_and_gradients(false, &x, &x, &w, [n, n, d], true, &device);
    for i in 0..n {
        assert!(
            (k[i * n + i] - 6.0).abs() < 1e-5,
            "diagonal {i}: {}",
            k[i * n + i]
        );
    }
    close(&k, &ck, 1e-5, 1e-3, "K");
    normwise_close(&gx, &cgx, 1e-5, "dx");
}
