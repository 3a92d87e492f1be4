//! The three MMD² estimates against their definitions, a closed form and finite differences.

mod common;

use burn::tensor::{Tensor, TensorData};
use common::{device, gaussian_points, mat, rng};
use gen_core::kernel::{GaussianKernel, MixtureKernel};
use gen_core::tensor_io::to_vec_f32;
use gen_mmd::mmd::{MmdError, mmd_loss, mmd2_biased, mmd2_linear, mmd2_unbiased};

fn scalar(t: Tensor<1>) -> f64 {
    to_vec_f32(t)[0] as f64
}

/// `k(a, b)` for a Gaussian kernel of variance `s`, on the host in f64.
fn k_host(a: &[f64], b: &[f64], s: f64) -> f64 {
    let d2: f64 = a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum();
    (-d2 / (2.0 * s)).exp()
}

/// The V-statistic written as its double sums, in f64.
fn mmd2_biased_host(x: &[f64], y: &[f64], d: usize, s: f64) -> f64 {
    let (xs, ys): (Vec<&[f64]>, Vec<&[f64]>) = (x.chunks(d).collect(), y.chunks(d).collect());
    let mean = |a: &[&[f64]], b: &[&[f64]]| {
        a.iter()
            .flat_map(|p| b.iter().map(move |q| k_host(p, q, s)))
            .sum::<f64>()
            / (a.len() * b.len()) as f64
    };
    mean(&xs, &xs) - 2.0 * mean(&xs, &ys) + mean(&ys, &ys)
}

#[test]
fn biased_estimate_matches_the_double_sum_and_is_zero_against_itself() {
    let x = [0.0, 0.0, 1.0, 0.5, -1.0, 2.0];
    let y = [3.0, 1.0, 2.5, -0.5];
    let k = GaussianKernel::from_variance(2.0).unwrap();
    let same = scalar(mmd2_biased(&k, mat(&x, 3, 2), mat(&x, 3, 2)).unwrap());
    assert!(same.abs() < 1e-6, "{same}");
    let to64 = |v: &[f32]| v.iter().map(|&a| a as f64).collect::<Vec<_>>();
    let expected = mmd2_biased_host(&to64(&x), &to64(&y), 2, 2.0);
    let got = scalar(mmd2_biased(&k, mat(&x, 3, 2), mat(&y, 2, 2)).unwrap());
    assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
    assert!(got > 0.0);
}

#[test]
fn unbiased_estimates_average_to_zero_for_one_distribution() {
    // 300 pairs of batches of 20 from N(0, I_3): the U-statistic's mean is 0, the V-statistic's
    // is positive (its diagonal terms add (1 - E k)/n per set).
    let k = GaussianKernel::from_variance(3.0).unwrap();
    let mut r = rng(7);
    let (mut u, mut v) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let x = gaussian_points(20, &[0.0; 3], 1.0, &mut r);
        let y = gaussian_points(20, &[0.0; 3], 1.0, &mut r);
        u.push(scalar(
            mmd2_unbiased(&k, mat(&x, 20, 3), mat(&y, 20, 3)).unwrap(),
        ));
        v.push(scalar(
            mmd2_biased(&k, mat(&x, 20, 3), mat(&y, 20, 3)).unwrap(),
        ));
    }
    let mean = |a: &[f64]| a.iter().sum::<f64>() / a.len() as f64;
    let sd = |a: &[f64]| {
        let m = mean(a);
        (a.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (a.len() - 1) as f64).sqrt()
    };
    let se = sd(&u) / (u.len() as f64).sqrt();
    assert!(
        mean(&u).abs() < 3.0 * se,
        "unbiased mean {} (se {se})",
        mean(&u)
    );
    assert!(
        u.iter().any(|&x| x < 0.0),
        "the U-statistic takes negative values"
    );
    assert!(
        mean(&v) > 10.0 * se,
        "biased mean {} should sit well above 0",
        mean(&v)
    );
}

/// Population MMD² between N(0, a² I_d) and N(μ, b² I_d) for a Gaussian kernel of variance s:
/// E k(x, y) = (s / (s + v))^{d/2} exp(-|Δ|² / (2 (s + v))) with v the variance of x - y.
fn gaussian_mmd2(d: usize, a: f64, b: f64, shift2: f64, s: f64) -> f64 {
    let e = |v: f64, m2: f64| (s / (s + v)).powf(d as f64 / 2.0) * (-m2 / (2.0 * (s + v))).exp();
    e(2.0 * a * a, 0.0) + e(2.0 * b * b, 0.0) - 2.0 * e(a * a + b * b, shift2)
}

#[test]
fn estimates_converge_to_the_closed_form_for_two_gaussians() {
    let (d, s) = (2, 1.0);
    let expected = gaussian_mmd2(d, 1.0, 0.8, 1.0, s);
    let k = GaussianKernel::from_variance(s).unwrap();
    let mut r = rng(11);
    let (mut unbiased, mut linear) = (0.0, 0.0);
    let runs = 5;
    for _ in 0..runs {
        let x = gaussian_points(1000, &[0.0, 0.0], 1.0, &mut r);
        let y = gaussian_points(1000, &[1.0, 0.0], 0.8, &mut r);
        unbiased += scalar(mmd2_unbiased(&k, mat(&x, 1000, d), mat(&y, 1000, d)).unwrap());
        linear += scalar(mmd2_linear(&k, mat(&x, 1000, d), mat(&y, 1000, d)).unwrap());
    }
    unbiased /= runs as f64;
    linear /= runs as f64;
    eprintln!("closed form {expected:.5}, unbiased {unbiased:.5}, linear-time {linear:.5}");
    // Standard deviations seen for these sizes: ~0.004 (U), ~0.02 (linear) per estimate.
    assert!(
        (unbiased - expected).abs() < 0.01,
        "unbiased {unbiased} vs closed form {expected}"
    );
    assert!(
        (linear - expected).abs() < 0.03,
        "linear-time {linear} vs closed form {expected}"
    );
}

#[test]
fn gradient_matches_finite_differences() {
    let x = [0.1f32, 0.4, -0.3, 0.8, 0.5, -0.2, 0.0, 0.3];
    let y = [0.6f32, 0.1, 0.2, -0.5, -0.4, 0.9];
    let s = 0.7;
    let k = GaussianKernel::from_variance(s).unwrap();
    let ad = device().autodiff();
    let xt = Tensor::<2>::from_data(TensorData::new(x.to_vec(), [4, 2]), &ad).require_grad();
    let yt = Tensor::<2>::from_data(TensorData::new(y.to_vec(), [3, 2]), &ad);
    let loss = mmd_loss(&k, xt.clone(), yt).unwrap();
    let grads = loss.backward();
    let grad = to_vec_f32(xt.grad(&grads).expect("x has a gradient"));
    let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let y64: Vec<f64> = y.iter().map(|&v| v as f64).collect();
    let h = 1e-5;
    for i in 0..x64.len() {
        let (mut up, mut down) = (x64.clone(), x64.clone());
        up[i] += h;
        down[i] -= h;
        let f = |p: &[f64]| mmd2_biased_host(p, &y64, 2, s).sqrt();
        let fd = (f(&up) - f(&down)) / (2.0 * h);
        assert!(
            (grad[i] as f64 - fd).abs() < 1e-4,
            "coordinate {i}: autodiff {} vs finite differences {fd}",
            grad[i]
        );
    }
}

#[test]
fn bad_batches_are_refused() {
    let k = MixtureKernel::from_variances(&[1.0, 2.0]).unwrap();
    let empty = Tensor::<2>::empty([0, 3], &device());
    assert_eq!(
        mmd2_biased(&k, empty, mat(&[0.0; 6], 2, 3)).err(),
        Some(MmdError::Empty { x: 0, y: 2 })
    );
    assert_eq!(
        mmd2_unbiased(&k, mat(&[0.0; 6], 2, 3), mat(&[0.0; 4], 2, 2)).err(),
        Some(MmdError::Width { x: 3, y: 2 })
    );
    assert!(matches!(
        mmd2_unbiased(&k, mat(&[0.0; 3], 1, 3), mat(&[0.0; 6], 2, 3)),
        Err(MmdError::TooFew { .. })
    ));
    assert_eq!(
        mmd2_linear(&k, mat(&[0.0; 6], 2, 3), mat(&[0.0; 12], 4, 3)).err(),
        Some(MmdError::Unpaired { x: 2, y: 4 })
    );
}
