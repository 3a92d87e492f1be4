//! The shipped and generated datasets hold what their documentation says.

use std::collections::HashSet;

use gen_core::data::bars_stripes::bars_and_stripes;
use gen_core::data::batch::{epoch_batches, epoch_order};
use gen_core::data::density2d::Density2d;
use gen_core::data::digits::{digits, digits_splits};
use gen_core::data::shapes::two_domain_shapes;
use gen_core::data::{Binarize, ItemShape};
use rand::{SeedableRng, rngs::StdRng};

#[test]
fn digits_are_the_uci_set() {
    let d = digits();
    assert_eq!(d.len(), 1797);
    assert_eq!(
        d.item_shape,
        ItemShape::Image {
            channels: 1,
            height: 8,
            width: 8
        }
    );
    let labels = d.labels.as_ref().unwrap();
    // Class counts of the UCI test set as scikit-learn ships it.
    let mut counts = [0usize; 10];
    for &l in labels {
        counts[l as usize] += 1;
    }
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // 17 grey levels, scaled to [0, 1].
    let levels: HashSet<u32> = d.values.iter().map(|v| (v * 16.0).round() as u32).collect();
    assert_eq!(levels.len(), 17);
    assert!(d.values.iter().all(|v| (0.0..=1.0).contains(v)));
    // First image of the file: its first row is 0,0,5,13,9,1,0,0.
    let first_row: Vec<f32> = d.item(0)[..8].iter().map(|v| v * 16.0).collect();
    assert_eq!(first_row, vec![0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]);
    assert_eq!(labels[0], 0);
    let s = digits_splits();
    assert_eq!((s.train.len(), s.test.len()), (1437, 360));
}

#[test]
fn bars_and_stripes_has_every_pattern_once() {
    let d = bars_and_stripes(4);
    assert_eq!(d.len(), 30); // 2^(4+1) - 2
    let mut seen = HashSet::new();
    for i in 0..d.len() {
        let p = d.item(i);
        let rows_constant = (0..4).all(|r| (0..4).all(|c| p[r * 4 + c] == p[r * 4]));
        let cols_constant = (0..4).all(|c| (0..4).all(|r| p[r * 4 + c] == p[c]));
        assert!(rows_constant || cols_constant);
        assert!(seen.insert(p.iter().map(|&v| v as u8).collect::<Vec<_>>()));
    }
    // Brute force over all 2^16 images: exactly 30 are bars or stripes.
    let valid = (0u32..1 << 16)
        .filter(|m| {
            let px = |r: usize, c: usize| m >> (r * 4 + c) & 1;
            (0..4).all(|r| (0..4).all(|c| px(r, c) == px(r, 0)))
                || (0..4).all(|c| (0..4).all(|r| px(r, c) == px(0, c)))
        })
        .count();
    assert_eq!(valid, 30);
}

/// Integral of the density over its bounding square by the midpoint rule.
fn integral(d: Density2d, cells: usize) -> f64 {
    let (lo, hi) = d.bounds();
    let h = (hi - lo) / cells as f64;
    let mut total = 0.0;
    for i in 0..cells {
        for j in 0..cells {
            let p = [lo + (i as f64 + 0.5) * h, lo + (j as f64 + 0.5) * h];
            total += d.log_density(p).exp() * h * h;
        }
    }
    total
}

#[test]
fn densities_integrate_to_one() {
    // Cells small against each density's narrowest feature (std 0.02 for the ring).
    for (d, cells) in [
        (Density2d::Ring8, 1000),
        (Density2d::Grid25, 800),
        (Density2d::Checkerboard, 400),
    ] {
        let z = integral(d, cells);
        assert!((z - 1.0).abs() < 2e-3, "{}: integral {z}", d.name());
    }
    for d in [Density2d::TwoMoons, Density2d::SwissRoll] {
        let z = integral(d, 160);
        assert!((z - 1.0).abs() < 5e-3, "{}: integral {z}", d.name());
    }
}

#[test]
fn samples_follow_the_density() {
    // The share of samples in the quadrant x > 0, y > 0 matches the density's integral there.
    let mut rng = StdRng::seed_from_u64(7);
    for d in Density2d::ALL {
        let n = 20_000;
        let points = d.sample_points(n, &mut rng);
        let share = points.iter().filter(|p| p[0] > 0.0 && p[1] > 0.0).count() as f64 / n as f64;
        let (lo, hi) = d.bounds();
        let cells = 200;
        let h = (hi - lo) / cells as f64;
        let mut mass = 0.0;
        for i in 0..cells {
            for j in 0..cells {
                let p = [lo + (i as f64 + 0.5) * h, lo + (j as f64 + 0.5) * h];
                if p[0] > 0.0 && p[1] > 0.0 {
                    mass += d.log_density(p).exp() * h * h;
                }
            }
        }
        // Binomial standard error at n = 20,000 is at most 0.0035; allow 4 of them plus the
        // quadrature error of the coarse grid.
        assert!(
            (share - mass).abs() < 0.02,
            "{}: sample share {share}, density mass {mass}",
            d.name()
        );
    }
}

#[test]
fn ring_density_matches_its_formula_at_a_mode() {
    // At a mode the other 7 components are negligible: p = (1/8) / (2 pi s^2).
    let s: f64 = 0.02;
    let expected = (1.0 / 8.0 / (2.0 * std::f64::consts::PI * s * s)).ln();
    let got = Density2d::Ring8.log_density([2.0, 0.0]);
    assert!((got - expected).abs() < 1e-9, "{got} vs {expected}");
    assert_eq!(
        Density2d::Checkerboard.log_density([0.5, 0.5]),
        -(8f64.ln())
    );
    assert_eq!(
        Density2d::Checkerboard.log_density([1.5, 0.5]),
        f64::NEG_INFINITY
    );
}

#[test]
fn shapes_test_pairs_share_their_scene() {
    let set = two_domain_shapes(20, 10, 16, 3);
    assert_eq!(set.test_a.len(), 10);
    assert_eq!(
        set.test_a.item_shape,
        ItemShape::Image {
            channels: 3,
            height: 16,
            width: 16
        }
    );
    let background_a = |v: &[f32], p: usize| (v[p] - 0.92).abs() < 1e-4;
    let background_b = |v: &[f32], p: usize| (v[p] - 0.10).abs() < 1e-4;
    for i in 0..10 {
        let (a, b) = (set.test_a.item(i), set.test_b.item(i));
        // Pure-background pixels (red channel) coincide between a scene and its counterpart.
        for p in 0..256 {
            assert_eq!(
                background_a(a, p),
                background_b(b, p),
                "image {i} pixel {p}"
            );
        }
    }
    // The training parts are unpaired: different scenes.
    assert_ne!(
        set.train_a
            .item(0)
            .iter()
            .map(|v| (v - 0.92).abs() < 1e-4)
            .collect::<Vec<_>>(),
        set.train_b
            .item(0)
            .iter()
            .map(|v| (v - 0.10).abs() < 1e-4)
            .collect::<Vec<_>>()
    );
    // Deterministic in the seed.
    assert_eq!(
        two_domain_shapes(20, 10, 16, 3).test_b.values,
        set.test_b.values
    );
}

#[test]
fn batches_are_seeded_permutations() {
    let order = epoch_order(100, 42, 3);
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    assert_eq!(order, epoch_order(100, 42, 3));
    assert_ne!(order, epoch_order(100, 42, 4));
    assert_ne!(order, epoch_order(100, 43, 3));
    let batches = epoch_batches(100, 32, 42, 3);
    assert_eq!(batches.len(), 3);
    assert_eq!(batches.concat(), order[..96].to_vec());
}

#[test]
fn binarisation_thresholds_or_samples() {
    let mut d = digits();
    d.values.truncate(64 * 200);
    d.labels = None;
    let t = Binarize::default().apply(&d);
    for (a, b) in d.values.iter().zip(&t.values) {
        assert_eq!(*b, if *a >= 0.5 { 1.0 } else { 0.0 });
    }
    // Stochastic: the mean of the draws matches the mean grey level (12,800 draws, sd < 0.005).
    let s = Binarize::Stochastic { seed: 1 }.apply(&d);
    assert!(s.values.iter().all(|&v| v == 0.0 || v == 1.0));
    let mean = |v: &[f32]| v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    assert!((mean(&s.values) - mean(&d.values)).abs() < 0.02);
    assert_eq!(Binarize::Stochastic { seed: 1 }.apply(&d).values, s.values);
}

#[test]
fn smoothing_by_zero_noise_changes_nothing() {
    for d in Density2d::ALL {
        if d == Density2d::Checkerboard {
            assert!(d.smoothed_log_density([0.5, 0.5], 0.1).is_none());
            continue;
        }
        for p in [[0.3, -0.2], [1.9, 0.1], [0.0, 0.5]] {
            let a = d.log_density(p);
            let b = d.smoothed_log_density(p, 0.0).unwrap();
            assert!((a - b).abs() < 1e-12, "{}: {a} vs {b}", d.name());
        }
    }
}

#[test]
fn smoothed_moons_equal_a_numerical_convolution() {
    // p_σ(x) = ∫ p(y) N(x - y; 0, σ² I) dy by a midpoint rule over ±6σ around x.
    let d = Density2d::TwoMoons;
    let sigma = 0.05;
    let h = 0.006;
    let steps = (12.0 * sigma / h) as i64;
    for x in [[0.1, 0.95], [1.0, -0.3], [0.5, 0.25]] {
        let mut total = 0.0;
        for i in 0..steps {
            for j in 0..steps {
                let dy = [
                    -6.0 * sigma + (i as f64 + 0.5) * h,
                    -6.0 * sigma + (j as f64 + 0.5) * h,
                ];
                let kernel = (-(dy[0] * dy[0] + dy[1] * dy[1]) / (2.0 * sigma * sigma)).exp()
                    / (2.0 * std::f64::consts::PI * sigma * sigma);
                total += d.log_density([x[0] - dy[0], x[1] - dy[1]]).exp() * kernel * h * h;
            }
        }
        let expected = total.ln();
        let got = d.smoothed_log_density(x, sigma).unwrap();
        assert!(
            (got - expected).abs() < 2e-3,
            "at {x:?}: {got} vs {expected}"
        );
    }
}

#[test]
fn smoothed_ring_score_matches_the_mixture_gradient() {
    // ∇ log Σ_k N(x; m_k, s² I) = Σ_k w_k (m_k - x) / s², w_k the posterior of component k.
    let d = Density2d::Ring8;
    let sigma = 0.1;
    let s2 = 0.02f64.powi(2) + sigma * sigma;
    let modes = d.modes().unwrap();
    for x in [[1.9, 0.1], [1.5, 1.3], [0.0, -1.8]] {
        let logs: Vec<f64> = modes
            .iter()
            .map(|m| -((x[0] - m[0]).powi(2) + (x[1] - m[1]).powi(2)) / (2.0 * s2))
            .collect();
        let max = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
        let total: f64 = w.iter().sum();
        let mut expected = [0.0; 2];
        for (m, wk) in modes.iter().zip(&w) {
            expected[0] += wk / total * (m[0] - x[0]) / s2;
            expected[1] += wk / total * (m[1] - x[1]) / s2;
        }
        let got = d.smoothed_score(x, sigma).unwrap();
        for k in 0..2 {
            assert!(
                (got[k] - expected[k]).abs() < 1e-5 * (1.0 + expected[k].abs()),
                "at {x:?}: {got:?} vs {expected:?}"
            );
        }
    }
}

#[test]
fn mnist_validation_is_its_last_10000_training_images() {
    use gen_core::data::registry::validation_len;
    assert_eq!(validation_len("mnist", 60_000), 10_000);
    assert_eq!(validation_len("fashion-mnist", 60_000), 10_000);
    // A small sample of MNIST, and every other set: the last tenth.
    assert_eq!(validation_len("mnist", 8_000), 800);
    assert_eq!(validation_len("digits", 1_437), 143);
    assert_eq!(validation_len("ring8", 10_000), 1_000);
    assert_eq!(validation_len("x", 5), 1);
}

/// An MNIST-layout folder `DATA/mnist` of `n` training and `n / 2` test images of 4x3 pixels,
/// pixel `j` of image `i` at level `(7 i + j) % 256`, label `i % 10`.
fn tiny_mnist(data_dir: &std::path::Path, n: usize) {
    use gen_core::data::idx::encode_idx;
    let dir = data_dir.join("mnist");
    std::fs::create_dir_all(&dir).unwrap();
    for (prefix, count) in [("train", n), ("t10k", n / 2)] {
        let pixels: Vec<u8> = (0..count)
            .flat_map(|i| (0..12).map(move |j| ((7 * i + j) % 256) as u8))
            .collect();
        std::fs::write(
            dir.join(format!("{prefix}-images-idx3-ubyte")),
            encode_idx(&[count, 4, 3], &pixels),
        )
        .unwrap();
        let labels: Vec<u8> = (0..count).map(|i| (i % 10) as u8).collect();
        std::fs::write(
            dir.join(format!("{prefix}-labels-idx1-ubyte")),
            encode_idx(&[count], &labels),
        )
        .unwrap();
    }
}

#[test]
fn restyled_mnist_is_derived_from_the_mnist_folder() {
    use gen_core::data::registry::{Loaded, Location, catalogue, load};
    let dir = tempfile::tempdir().unwrap();
    // Before MNIST is there, the derived sets are absent and say which download they need.
    for name in ["mnist-restyled", "mnist2restyled"] {
        let info = catalogue(dir.path())
            .into_iter()
            .find(|i| i.name == name)
            .unwrap();
        assert_eq!(
            info.location,
            Location::DerivedFrom(dir.path().join("mnist"))
        );
        assert!(!info.is_present());
        let err = load(name, dir.path()).unwrap_err().to_string();
        assert!(err.contains("cargo xtask download mnist"), "{err}");
    }
    tiny_mnist(dir.path(), 9);
    let level = |i: usize, j: usize| ((7 * i + j) % 256) as f32 / 255.0;
    let Loaded::Splits(restyled) = load("mnist-restyled", dir.path()).unwrap() else {
        panic!("one domain")
    };
    assert_eq!(restyled.train.name, "mnist-restyled");
    assert_eq!((restyled.train.len(), restyled.test.len()), (9, 4));
    assert_eq!(restyled.train.item(5)[2], 1.0 - level(5, 2));
    assert_eq!(restyled.test.labels.as_ref().unwrap(), &vec![0, 1, 2, 3]);

    let Loaded::TwoDomain(d) = load("mnist2restyled", dir.path()).unwrap() else {
        panic!("two domains")
    };
    assert!(
        catalogue(dir.path())
            .iter()
            .filter(|i| i.name.starts_with("mnist"))
            .all(|i| i.is_present())
    );
    // A: training images 0, 2, 4, 6, 8 as they are; B: images 1, 3, 5, 7 inverted.
    assert_eq!((d.train_a.len(), d.train_b.len()), (5, 4));
    assert_eq!(d.train_a.item(2)[11], level(4, 11));
    assert_eq!(d.train_b.item(3)[0], 1.0 - level(7, 0));
    assert_eq!(d.train_b.labels.as_ref().unwrap(), &vec![1, 3, 5, 7]);
    // Test: the same four images both ways, paired by name.
    assert_eq!(d.test_a.item(3)[4], level(3, 4));
    assert_eq!(d.test_b.item(3)[4], 1.0 - level(3, 4));
    assert_eq!(d.test_a.labels, d.test_b.labels);
    assert_eq!(d.test_a_names, d.test_b_names);
}
