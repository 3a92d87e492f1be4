//! The Fréchet distance against closed forms for Gaussians and against zero for a set compared
//! with itself.

use gen_core::metrics::frechet::{GaussianStats, frechet_distance, frechet_distance_of};
use rand::{Rng, SeedableRng, rngs::StdRng};

fn stats(mean: Vec<f64>, cov: Vec<f64>) -> GaussianStats {
    GaussianStats {
        dim: mean.len(),
        mean,
        cov,
    }
}

/// `Q diag(d) Qᵀ` for the rotation `Q` by `angle` in the plane of the first two axes.
fn rotated_diagonal(d: &[f64], angle: f64) -> Vec<f64> {
    let n = d.len();
    let mut q = vec![0.0; n * n];
    for i in 0..n {
        q[i * n + i] = 1.0;
    }
    let (s, c) = angle.sin_cos();
    q[0] = c;
    q[1] = -s;
    q[n] = s;
    q[n + 1] = c;
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n).map(|k| q[i * n + k] * d[k] * q[j * n + k]).sum();
        }
    }
    out
}

#[test]
fn one_dimension_is_mean_gap_plus_std_gap() {
    // N(1, 4) and N(-2, 9): 3² + (2 - 3)² = 10.
    let d = frechet_distance(&stats(vec![1.0], vec![4.0]), &stats(vec![-2.0], vec![9.0]));
    assert!((d - 10.0).abs() < 1e-12, "{d}");
}

#[test]
fn commuting_covariances_give_the_sum_of_square_root_gaps() {
    // Both covariances share the eigenvectors Q: d² = ‖Δμ‖² + Σ (√a_i − √b_i)².
    let a = [4.0, 1.0, 0.25, 9.0];
    let b = [1.0, 2.0, 0.25, 16.0];
    let (mu_a, mu_b) = (vec![0.0, 1.0, 2.0, 3.0], vec![1.0, 1.0, 0.0, 3.0]);
    let d = frechet_distance(
        &stats(mu_a, rotated_diagonal(&a, 0.7)),
        &stats(mu_b, rotated_diagonal(&b, 0.7)),
    );
    // ‖Δμ‖² = 1 + 4; square-root gaps (2 − 1)², (1 − √2)², (0.5 − 0.5)², (3 − 4)².
    let expected = 5.0 + 1.0 + (1.0 - 2f64.sqrt()).powi(2) + 0.0 + 1.0;
    assert!((d - expected).abs() < 1e-10, "{d} vs {expected}");
}

#[test]
fn non_commuting_two_by_two_matches_the_trace_formula() {
    // For 2x2 PSD M, tr √M = √(tr M + 2√det M); with M similar to Σ₁Σ₂:
    // tr (Σ₁Σ₂)^{1/2} = √(tr Σ₁Σ₂ + 2√(det Σ₁ det Σ₂)).
    let s1 = [2.0, 0.6, 0.6, 1.0];
    let s2 = rotated_diagonal(&[3.0, 0.5], 1.1);
    let tr_prod = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
    let det = |m: &[f64]| m[0] * m[3] - m[1] * m[2];
    let trace_root = (tr_prod + 2.0 * (det(&s1) * det(&s2)).sqrt()).sqrt();
    let expected = 0.5f64.powi(2) + (s1[0] + s1[3] + s2[0] + s2[3]) - 2.0 * trace_root;
    let d = frechet_distance(
        &stats(vec![0.5, 0.0], s1.to_vec()),
        &stats(vec![0.0, 0.0], s2),
    );
    assert!((d - expected).abs() < 1e-12, "{d} vs {expected}");
}

fn random_rows(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n * dim).map(|_| rng.random_range(-1.0..1.0)).collect()
}

#[test]
fn a_set_against_itself_is_zero_even_with_singular_covariance() {
    // 500 points in 16 dimensions (full rank), and 10 points in 64 (rank 9: a general sqrtm of
    // Σ² would need an eigenvalue shift here).
    for (n, dim) in [(500, 16), (10, 64)] {
        let rows = random_rows(n, dim, 4);
        let d = frechet_distance_of(&rows, &rows, dim).unwrap();
        assert!(d.abs() < 1e-9, "{n} points in {dim} dims: {d}");
    }
}

#[test]
fn sample_estimate_approaches_the_closed_form() {
    // Two correlated 2-D Gaussians drawn by x = μ + L z; with 200,000 samples each the estimate
    // is within 0.02 of the exact distance (its sampling error is about 0.005 here).
    let mut rng = StdRng::seed_from_u64(11);
    let mut draw = |mu: [f64; 2], l: [f64; 3], n: usize| -> Vec<f32> {
        (0..n)
            .flat_map(|_| {
                let (u1, u2): (f64, f64) = (rng.random(), rng.random());
                let r = (-2.0 * (1.0 - u1).ln()).sqrt();
                let (z1, z2) = (
                    r * (std::f64::consts::TAU * u2).cos(),
                    r * (std::f64::consts::TAU * u2).sin(),
                );
                [
                    (mu[0] + l[0] * z1) as f32,
                    (mu[1] + l[1] * z1 + l[2] * z2) as f32,
                ]
            })
            .collect()
    };
    // Σ = L Lᵀ with L = [[l0, 0], [l1, l2]].
    let cov = |l: [f64; 3]| {
        vec![
            l[0] * l[0],
            l[0] * l[1],
            l[0] * l[1],
            l[1] * l[1] + l[2] * l[2],
        ]
    };
    let (la, lb) = ([1.0, 0.5, 0.8], [1.5, -0.7, 0.4]);
    let exact = frechet_distance(
        &stats(vec![0.0, 1.0], cov(la)),
        &stats(vec![1.0, 0.0], cov(lb)),
    );
    let a = draw([0.0, 1.0], la, 200_000);
    let b = draw([1.0, 0.0], lb, 200_000);
    let estimate = frechet_distance_of(&a, &b, 2).unwrap();
    assert!((estimate - exact).abs() < 0.02, "{estimate} vs {exact}");
}

#[test]
fn too_few_rows_are_refused() {
    let err = frechet_distance_of(&[1.0, 2.0], &[1.0, 2.0, 3.0, 4.0], 2)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least two"), "{err}");
}
