//! Blocked MMD against the one-batch estimate; the permutation test's power and level.

mod common;

use common::{device, gaussian_points, mat, rng};
use gen_core::kernel::GaussianKernel;
use gen_core::tensor_io::to_vec_f32;
use gen_mmd::mmd::mmd2_unbiased;
use gen_mmd::two_sample::{
    PointSet, TwoSampleConfig, TwoSampleError, median_heuristic_kernel, mmd_permutation_test,
    mmd2_unbiased_blocked,
};

#[test]
fn blocked_estimate_equals_the_whole_batch_estimate() {
    let mut r = rng(3);
    let x = gaussian_points(53, &[0.0, 1.0, 0.0], 1.0, &mut r);
    let y = gaussian_points(41, &[0.5, 0.0, 0.0], 1.2, &mut r);
    let k = GaussianKernel::from_variance(2.0).unwrap();
    let whole = to_vec_f32(mmd2_unbiased(&k, mat(&x, 53, 3), mat(&y, 41, 3)).unwrap())[0] as f64;
    for block in [1, 7, 16, 100] {
        let blocked = mmd2_unbiased_blocked(
            &k,
            PointSet::new(&x, 3),
            PointSet::new(&y, 3),
            block,
            &device(),
        )
        .unwrap();
        assert!(
            (blocked - whole).abs() < 1e-5,
            "block {block}: {blocked} vs {whole}"
        );
    }
}

#[test]
fn permutation_test_rejects_a_shift() {
    let mut r = rng(5);
    let x = gaussian_points(150, &[0.0, 0.0], 1.0, &mut r);
    let y = gaussian_points(150, &[0.7, 0.0], 1.0, &mut r);
    let (px, py) = (PointSet::new(&x, 2), PointSet::new(&y, 2));
    let k = median_heuristic_kernel(px, py, 0).unwrap();
    let result = mmd_permutation_test(&k, px, py, &TwoSampleConfig::default(), &device()).unwrap();
    assert!(result.p_value < 0.01, "p = {}", result.p_value);
    assert!(result.mmd2 > 0.0);
    assert_eq!(result.points, (150, 150));
}

#[test]
fn permutation_test_holds_its_level() {
    // 200 tests of two samples of one distribution at alpha = 0.05: about 10 rejections
    // (binomial sd 3.1); [3, 19] is +-2.9 sd.
    let mut r = rng(9);
    let config = TwoSampleConfig {
        permutations: 200,
        ..TwoSampleConfig::default()
    };
    let k = GaussianKernel::from_variance(2.0).unwrap();
    let mut rejections = 0;
    for trial in 0..200 {
        let x = gaussian_points(20, &[0.0, 0.0], 1.0, &mut r);
        let y = gaussian_points(20, &[0.0, 0.0], 1.0, &mut r);
        let config = TwoSampleConfig {
            seed: trial,
            ..config.clone()
        };
        let p = mmd_permutation_test(
            &k,
            PointSet::new(&x, 2),
            PointSet::new(&y, 2),
            &config,
            &device(),
        )
        .unwrap()
        .p_value;
        assert!((0.0..=1.0).contains(&p));
        if p <= 0.05 {
            rejections += 1;
        }
    }
    eprintln!("{rejections} rejections of 200 at alpha 0.05");
    assert!(
        (3..=19).contains(&rejections),
        "{rejections} rejections of 200"
    );
}

#[test]
fn median_heuristic_is_the_median_squared_distance() {
    // Pooled points 0, 1, 3 on a line and 6: squared distances 1, 9, 36, 4, 25, 9 -> median 9.
    let x = [0.0f32, 1.0];
    let y = [3.0f32, 6.0];
    let k = median_heuristic_kernel(PointSet::new(&x, 1), PointSet::new(&y, 1), 0).unwrap();
    // Six distances: 1, 4, 9, 9, 25, 36; the upper median (index 3) is 9.
    assert_eq!(k.variance(), 9.0);
}

#[test]
fn bad_sets_are_refused() {
    let k = GaussianKernel::from_variance(1.0).unwrap();
    let a = [0.0f32; 6];
    let b = [0.0f32; 4];
    assert_eq!(
        mmd2_unbiased_blocked(&k, PointSet::new(&a, 3), PointSet::new(&b, 2), 8, &device()),
        Err(TwoSampleError::Width { x: 3, y: 2 })
    );
    assert_eq!(
        mmd2_unbiased_blocked(
            &k,
            PointSet::new(&a[..3], 3),
            PointSet::new(&a, 3),
            8,
            &device()
        ),
        Err(TwoSampleError::TooFew { x: 1, y: 2 })
    );
    assert_eq!(
        mmd_permutation_test(
            &k,
            PointSet::new(&a[..5], 3),
            PointSet::new(&a, 3),
            &TwoSampleConfig::default(),
            &device()
        ),
        Err(TwoSampleError::Ragged { len: 5, dim: 3 })
    );
    let none = TwoSampleConfig {
        permutations: 0,
        ..TwoSampleConfig::default()
    };
    assert_eq!(
        mmd_permutation_test(
            &k,
            PointSet::new(&a, 3),
            PointSet::new(&a, 3),
            &none,
            &device()
        ),
        Err(TwoSampleError::NoPermutation)
    );
}
