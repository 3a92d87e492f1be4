//! Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method (Golub &
//! Van Loan, Section 8.5), in f64 on the host. Each rotation zeroes one off-diagonal pair and
//! keeps the matrix symmetric, so the eigenvalues come out real and the eigenvectors orthonormal
//! to rounding, which is what a stable matrix square root needs.

/// Sweeps after which the iteration stops even if the off-diagonal mass has not vanished
/// (Jacobi converges quadratically; a few sweeps suffice for any size used here).
const MAX_SWEEPS: usize = 60;

/// The eigen-decomposition `a = V diag(values) Vᵀ` of the symmetric `n x n` row-major `a`:
/// `values` in no particular order and `vectors` row-major with eigenvector `k` in column `k`.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n, "a square matrix");
    // Symmetrise: the caller's matrix may differ from its transpose by rounding.
    let mut m: Vec<f64> = (0..n * n)
        .map(|ij| 0.5 * (a[ij] + a[(ij % n) * n + ij / n]))
        .collect();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = m.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _ in 0..MAX_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-15 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                rotate(&mut m, &mut v, n, p, q);
            }
        }
    }
    let values = (0..n).map(|i| m[i * n + i]).collect();
    (values, v)
}

/// One Jacobi rotation in the (p, q) plane that zeroes `m[p][q]`, applied to `m` from both
/// sides and accumulated into `v`.
fn rotate(m: &mut [f64], v: &mut [f64], n: usize, p: usize, q: usize) {
    let apq = m[p * n + q];
    if apq == 0.0 {
        return;
    }
    let (app, aqq) = (m[p * n + p], m[q * n + q]);
    // tan of the rotation angle, the smaller root for stability (Golub & Van Loan, Alg. 8.5.1).
    let theta = (aqq - app) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let t = if theta == 0.0 { 1.0 } else { t };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
        m[k * n + p] = c * mkp - s * mkq;
        m[k * n + q] = s * mkp + c * mkq;
    }
    for k in 0..n {
        let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
        m[p * n + k] = c * mpk - s * mqk;
        m[q * n + k] = s * mpk + c * mqk;
    }
    m[p * n + q] = 0.0;
    m[q * n + p] = 0.0;
    for k in 0..n {
        let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
    }
}

/// The symmetric positive semi-definite square root of the symmetric `a`: `V diag(√λ⁺) Vᵀ`,
/// with eigenvalues below zero (rounding of a singular covariance) taken as zero.
pub fn psd_sqrt(a: &[f64], n: usize) -> Vec<f64> {
    let (values, v) = symmetric_eigen(a, n);
    let roots: Vec<f64> = values.iter().map(|&l| l.max(0.0).sqrt()).collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n).map(|k| v[i * n + k] * roots[k] * v[j * n + k]).sum();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                out[i * n + j] = (0..n).map(|k| a[i * n + k] * b[k * n + j]).sum();
            }
        }
        out
    }

    /// A symmetric matrix with entries from a fixed pseudo-random sequence.
    fn symmetric(n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) - 0.5
        };
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in i..n {
                let x = next();
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        a
    }

    #[test]
    fn two_by_two_matches_the_characteristic_polynomial() {
        // [[2, 1], [1, 3]]: eigenvalues (5 ± √5) / 2.
        let (mut values, _) = symmetric_eigen(&[2.0, 1.0, 1.0, 3.0], 2);
        values.sort_by(f64::total_cmp);
        assert!((values[0] - (5.0 - 5f64.sqrt()) / 2.0).abs() < 1e-14);
        assert!((values[1] - (5.0 + 5f64.sqrt()) / 2.0).abs() < 1e-14);
    }

    #[test]
    fn decomposition_rebuilds_the_matrix_with_orthonormal_vectors() {
        let n = 40;
        let a = symmetric(n, 7);
        let (values, v) = symmetric_eigen(&a, n);
        for i in 0..n {
            for j in 0..n {
                let rebuilt: f64 = (0..n)
                    .map(|k| v[i * n + k] * values[k] * v[j * n + k])
                    .sum();
                assert!((rebuilt - a[i * n + j]).abs() < 1e-12, "A[{i}][{j}]");
                let dot: f64 = (0..n).map(|k| v[k * n + i] * v[k * n + j]).sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((dot - expected).abs() < 1e-12, "VᵀV[{i}][{j}]");
            }
        }
    }

    #[test]
    fn square_root_squares_back_to_a_psd_matrix() {
        let n = 30;
        let b = symmetric(n, 3);
        let a = matmul(&b, &b, n); // BᵀB with B symmetric: PSD.
        let root = psd_sqrt(&a, n);
        let squared = matmul(&root, &root, n);
        for (x, y) in squared.iter().zip(&a) {
            assert!((x - y).abs() < 1e-11, "{x} vs {y}");
        }
    }
}
