//! The host engine (gen-rbm's own CPU code) against independent computations: its generator's
//! moments, its sigmoid against `f64`, its products against a triple loop, its draws against
//! their probabilities and across thread counts, and its updates against the device engine
//! (burn's tensor operations) given the same negative samples.

mod common;

use burn::tensor::{Tensor, TensorData};
use gen_core::tensor_io::to_vec_f32;
use gen_rbm::RbmConfig;
use gen_rbm::host::binary_product::{
    MAX_DENSITY, OnesLists, product_into, transposed, transposed_product_into,
};
use gen_rbm::host::conditional::logistic_layer;
use gen_rbm::host::fast_math::sigmoid_fast;
use gen_rbm::host::gemm::{Op, gemm_into};
use gen_rbm::host::{CounterRng, HostParams, HostTraining, NegativePhase, UpdateRule};
use gen_rbm::train::{Engine, Method, RbmTrainConfig, RbmTrainer};

/// Deterministic values in [-1, 1) (a fixed linear congruential sequence).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x5851_F42D_4C95_7F2D).wrapping_add(7);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn binary(n: usize, seed: u64) -> Vec<f32> {
    values(n, seed)
        .into_iter()
        .map(|v| if v > 0.0 { 1.0 } else { 0.0 })
        .collect()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn the_counter_generator_has_the_moments_of_a_uniform() {
    let rng = CounterRng::new(12345).substream(3);
    let n = 1_000_000u64;
    let (mut sum, mut sum_sq) = (0f64, 0f64);
    let mut bins = [0u64; 16];
    for i in 0..n {
        let u = rng.uniform(i) as f64;
        assert!((0.0..1.0).contains(&u));
        sum += u;
        sum_sq += u * u;
        bins[(u * 16.0) as usize] += 1;
    }
    let mean = sum / n as f64;
    let var = sum_sq / n as f64 - mean * mean;
    // Standard errors: sqrt(1/12/n) = 2.9e-4 for the mean, about 1e-4 for the variance.
    assert!((mean - 0.5).abs() < 1.5e-3, "mean {mean}");
    assert!((var - 1.0 / 12.0).abs() < 6e-4, "variance {var}");
    // Pearson's chi-square over 16 equal bins, 15 degrees of freedom: P(X > 40) < 0.001.
    let expected = n as f64 / 16.0;
    let chi2: f64 = bins
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 40.0, "chi-square {chi2} over bins {bins:?}");
    // Neighbouring indices and sibling streams are uncorrelated: lag-1 and cross correlation.
    let other = CounterRng::new(12345).substream(4);
    let (mut lag, mut cross) = (0f64, 0f64);
    for i in 0..n - 1 {
        let u = rng.uniform(i) as f64 - 0.5;
        lag += u * (rng.uniform(i + 1) as f64 - 0.5);
        cross += u * (other.uniform(i) as f64 - 0.5);
    }
    // Each sum has standard deviation sqrt(n)/12 = 83.
    assert!(lag.abs() < 420.0, "lag-1 sum {lag}");
    assert!(cross.abs() < 420.0, "cross-stream sum {cross}");
    assert_eq!(
        rng.uniform(17),
        rng.uniform(17),
        "a pure function of the index"
    );
}

#[test]
fn the_fast_sigmoid_matches_f64() {
    let mut worst = 0f64;
    for i in -200_000..=200_000 {
        let x = i as f32 * 5e-4; // [-100, 100]
        let exact = 1.0 / (1.0 + (-(x as f64)).exp());
        let got = sigmoid_fast(x) as f64;
        worst = worst.max((got - exact).abs() / exact.max(1e-30));
    }
    assert!(worst < 4e-7, "relative error {worst}");
    assert_eq!(sigmoid_fast(1e4), 1.0);
    // Far below, σ is e^-87 ≈ 1.6e-38 instead of underflowing: zero for any draw or sum.
    assert!(sigmoid_fast(-1e4) >= 0.0 && sigmoid_fast(-1e4) < 1.7e-38);
}

#[test]
fn products_match_a_triple_loop_for_every_layout() {
    let (m, n, k) = (7, 5, 11);
    for op_a in [Op::Plain, Op::Transposed] {
        for op_b in [Op::Plain, Op::Transposed] {
            let a = values(m * k, 1);
            let b = values(k * n, 2);
            let start = values(m * n, 3);
            let at = |i: usize, l: usize| match op_a {
                Op::Plain => a[i * k + l],
                Op::Transposed => a[l * m + i],
            };
            let bt = |l: usize, j: usize| match op_b {
                Op::Plain => b[l * n + j],
                Op::Transposed => b[j * k + l],
            };
            for (alpha, beta) in [(0.0f32, 1.0f32), (1.0, -0.5), (0.9, 2.0)] {
                let mut dst = start.clone();
                gemm_into(&mut dst, (m, n, k), alpha, beta, &a, op_a, &b, op_b);
                for i in 0..m {
                    for j in 0..n {
                        let dot: f64 = (0..k).map(|l| at(i, l) as f64 * bt(l, j) as f64).sum();
                        let want = alpha as f64 * start[i * n + j] as f64 + beta as f64 * dot;
                        let got = dst[i * n + j] as f64;
                        assert!(
                            (got - want).abs() < 1e-5,
                            "{op_a:?} {op_b:?} α={alpha} β={beta} ({i}, {j}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
    // α = 0 ignores the old contents, even NaN.
    let mut dst = vec![f32::NAN; 4];
    gemm_into(
        &mut dst,
        (2, 2, 1),
        0.0,
        1.0,
        &[1.0, 2.0],
        Op::Plain,
        &[3.0, 4.0],
        Op::Plain,
    );
    assert_eq!(dst, vec![3.0, 4.0, 6.0, 8.0]);
}

/// A 0/1 matrix with ones where a deterministic uniform falls below `density`.
fn binary_with_density(n: usize, density: f32, seed: u64) -> Vec<f32> {
    values(n, seed)
        .into_iter()
        .map(|v| if (v + 1.0) / 2.0 < density { 1.0 } else { 0.0 })
        .collect()
}

#[test]
fn products_with_binary_matrices_match_a_triple_loop_at_every_density() {
    // 37 rows and 29 columns: remainders for the eight-row sums and the eight-row transpose
    // tiles; densities below, near and above the switch to the GEMM.
    let (m, n, k) = (37, 23, 29);
    for density in [0.0, 0.05, 0.13, 0.35, 0.6, 1.0] {
        let a = binary_with_density(m * k, density, 21);
        let b = values(k * n, 22);
        let c = values(m * n, 23);
        let start_mn = values(m * n, 24);
        let start_kn = values(k * n, 25);
        for (alpha, beta) in [(0.0f32, 1.0f32), (1.0, -0.5), (0.9, 2.0)] {
            let mut dst = start_mn.clone();
            product_into(&mut dst, (m, n, k), alpha, beta, &a, &b);
            let mut dst_t = start_kn.clone();
            transposed_product_into(&mut dst_t, (k, n, m), alpha, beta, &a, &c);
            for i in 0..m {
                for j in 0..n {
                    let dot: f64 = (0..k)
                        .map(|l| a[i * k + l] as f64 * b[l * n + j] as f64)
                        .sum();
                    let want = alpha as f64 * start_mn[i * n + j] as f64 + beta as f64 * dot;
                    let got = dst[i * n + j] as f64;
                    assert!(
                        (got - want).abs() < 1e-5,
                        "A B, ρ={density} α={alpha} β={beta} ({i}, {j}): {got} vs {want}"
                    );
                }
            }
            for l in 0..k {
                for j in 0..n {
                    let dot: f64 = (0..m)
                        .map(|i| a[i * k + l] as f64 * c[i * n + j] as f64)
                        .sum();
                    let want = alpha as f64 * start_kn[l * n + j] as f64 + beta as f64 * dot;
                    let got = dst_t[l * n + j] as f64;
                    assert!(
                        (got - want).abs() < 1e-5,
                        "Aᵀ C, ρ={density} α={alpha} β={beta} ({l}, {j}): {got} vs {want}"
                    );
                }
            }
        }
    }
    // α = 0 ignores the old contents, even NaN, on the row-sum path too.
    let mut dst = vec![f32::NAN; 4];
    product_into(
        &mut dst,
        (2, 2, 3),
        0.0,
        1.0,
        &[1., 0., 0., 0., 0., 1.],
        &[3., 4., 5., 6., 7., 8.],
    );
    assert_eq!(dst, vec![3.0, 4.0, 7.0, 8.0]);
}

#[test]
fn ones_lists_name_exactly_the_ones_and_refuse_what_is_not_sparse_and_binary() {
    let (rows, cols) = (13, 17);
    let a = binary_with_density(rows * cols, 0.2, 31);
    let by_row = OnesLists::of_rows(&a, cols).expect("binary and sparse");
    let by_column = OnesLists::of_columns(&a, cols).expect("binary and sparse");
    assert_eq!(by_row.len(), rows);
    assert_eq!(by_column.len(), cols);
    for r in 0..rows {
        let want: Vec<u32> = (0..cols as u32)
            .filter(|&c| a[r * cols + c as usize] == 1.0)
            .collect();
        assert_eq!(by_row.list(r), want.as_slice(), "row {r}");
    }
    for c in 0..cols {
        let want: Vec<u32> = (0..rows as u32)
            .filter(|&r| a[r as usize * cols + c] == 1.0)
            .collect();
        assert_eq!(by_column.list(c), want.as_slice(), "column {c}");
    }
    // A probability, or a centred state, is not binary.
    let mut not_binary = a.clone();
    not_binary[40] = 0.5;
    assert!(OnesLists::of_rows(&not_binary, cols).is_none());
    not_binary[40] = -0.13;
    assert!(OnesLists::of_columns(&not_binary, cols).is_none());
    // Densities above the threshold go to the GEMM; at it, to the row sums.
    let total = 100;
    let at_threshold = (MAX_DENSITY * total as f64).floor() as usize;
    let mut dense = vec![0f32; total];
    dense[..at_threshold].fill(1.0);
    assert!(OnesLists::of_rows(&dense, 10).is_some());
    dense[at_threshold] = 1.0;
    assert!(OnesLists::of_rows(&dense, 10).is_none());
}

#[test]
fn transposing_moves_every_entry() {
    for (rows, cols) in [(1, 1), (8, 32), (9, 33), (37, 70), (784, 50)] {
        let a = values(rows * cols, 41);
        let t = transposed(&a, rows, cols);
        for r in 0..rows {
            for c in 0..cols {
                assert_eq!(
                    t[c * rows + r],
                    a[r * cols + c],
                    "{rows} x {cols} at ({r}, {c})"
                );
            }
        }
    }
}

#[test]
fn draws_follow_their_probabilities_whatever_the_thread_count() {
    let (rows, cols) = (400, 250);
    let logits: Vec<f32> = values(rows * cols, 9).iter().map(|v| v * 3.0).collect();
    let shift: Vec<f32> = values(cols, 10);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut probs = logits.clone();
            let mut samples = vec![0.0; rows * cols];
            logistic_layer(
                &mut probs,
                cols,
                0.5,
                &shift,
                Some((&mut samples, CounterRng::new(77))),
            );
            (probs, samples)
        })
    };
    let (probs, samples) = run(1);
    assert_eq!((probs.clone(), samples.clone()), run(2));
    assert_eq!((probs.clone(), samples.clone()), run(3));
    // Probabilities: σ(0.5 x + shift[j]) against f64.
    for (e, (&p, &x)) in probs.iter().zip(&logits).enumerate() {
        let z = 0.5 * x as f64 + shift[e % cols] as f64;
        let exact = 1.0 / (1.0 + (-z).exp());
        assert!(
            (p as f64 - exact).abs() < 1e-6,
            "element {e}: {p} vs {exact}"
        );
    }
    // Draws: Σ (s - p) over 100,000 independent Bernoullis has sd sqrt(Σ p(1-p)) < 158.
    let excess: f64 = samples
        .iter()
        .zip(&probs)
        .map(|(&s, &p)| s as f64 - p as f64)
        .sum();
    let sd = probs
        .iter()
        .map(|&p| p as f64 * (1.0 - p as f64))
        .sum::<f64>()
        .sqrt();
    assert!(
        excess.abs() < 5.0 * sd,
        "draws exceed probabilities by {excess} (sd {sd})"
    );
    assert!(samples.iter().all(|&s| s == 0.0 || s == 1.0));
}

/// Trainers of one 20 x 12 RBM on both engines.
fn trainer_pair(config: RbmTrainConfig) -> (RbmTrainer, RbmTrainer) {
    let device = common::device();
    let (v, h) = (20usize, 12usize);
    let data = gen_core::data::Dataset {
        name: "x".into(),
        values: binary(40 * v, 4),
        item_shape: gen_core::data::ItemShape::Vector { dim: v },
        labels: None,
    };
    let make = |engine: Engine| {
        device.seed(21);
        let rbm = RbmConfig::new(v)
            .with_hidden(h)
            .with_init_std(0.3)
            .init(&device);
        RbmTrainer::new(rbm, config.clone().with_engine(engine), &data, &device)
    };
    let (host, on_device) = (make(Engine::Host), make(Engine::Device));
    assert!(host.runs_on_host() && !on_device.runs_on_host());
    (host, on_device)
}

fn parameters(trainer: &mut RbmTrainer) -> Vec<f32> {
    let m = trainer.model();
    let mut out = to_vec_f32(m.weights.val());
    out.extend(to_vec_f32(m.visible_bias.val()));
    out.extend(to_vec_f32(m.hidden_bias.val()));
    out
}

#[test]
fn both_engines_take_the_same_steps_given_the_same_negatives() {
    let device = common::device();
    let base = RbmTrainConfig::new()
        .with_learning_rate(0.05)
        .with_batch_size(10)
        .with_chains(10);
    let settings = [
        (
            "CD-1, plain (the folded update)",
            base.clone().with_method(Method::Cd),
        ),
        (
            "PCD, momentum and weight decay",
            base.clone()
                .with_method(Method::Pcd)
                .with_momentum(0.5)
                .with_weight_decay(1e-2),
        ),
        (
            "FPCD",
            base.clone()
                .with_method(Method::Fpcd)
                .with_fast_learning_rate(Some(0.1)),
        ),
        (
            "centred PCD with weight decay",
            base.clone()
                .with_method(Method::Pcd)
                .with_centred(true)
                .with_weight_decay(1e-2)
                .with_offset_rate(0.1),
        ),
    ];
    for (what, config) in settings {
        let (mut host, mut on_device) = trainer_pair(config);
        for step in 0..8u64 {
            let pos =
                Tensor::<2>::from_data(TensorData::new(binary(200, 100 + step), [10, 20]), &device);
            let neg =
                Tensor::<2>::from_data(TensorData::new(binary(200, 200 + step), [10, 20]), &device);
            host.update_with_negatives(pos.clone(), neg.clone(), step, 8);
            on_device.update_with_negatives(pos, neg, step, 8);
        }
        let (a, b) = (parameters(&mut host), parameters(&mut on_device));
        let moved = max_diff(&a, &{
            let (mut fresh, _) = trainer_pair(RbmTrainConfig::new());
            parameters(&mut fresh)
        });
        let diff = max_diff(&a, &b);
        assert!(diff < 2e-6, "{what}: engines differ by {diff}");
        assert!(
            moved > 1e-2,
            "{what}: the steps moved the parameters by only {moved}"
        );
    }
}

#[test]
fn the_host_update_is_independent_of_the_thread_count_and_resumes_from_its_key() {
    let (v, h, n) = (30usize, 16usize, 10usize);
    let model = HostParams::new(v, h, values(v * h, 1), values(v, 2), values(h, 3));
    let rule = UpdateRule {
        negative: NegativePhase::FastPersistent {
            k: 3,
            fast_rate: 0.05,
            fast_decay: 0.95,
        },
        momentum: 0.5,
        weight_decay: 1e-3,
        offset_rate: 0.0,
    };
    let run = |threads: usize, steps: std::ops::Range<u64>, start: Option<HostTraining>| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut state = start.unwrap_or_else(|| {
            HostTraining::new(
                model.clone(),
                Some(binary(n * v, 5)),
                None,
                CounterRng::new(99),
            )
        });
        pool.install(|| {
            for step in steps {
                state.update(&binary(n * v, 50 + step), &rule, step, 0.05);
            }
        });
        state
    };
    let one = run(1, 0..6, None);
    let two = run(2, 0..6, None);
    assert_eq!(one.model, two.model);
    assert_eq!(one.chains, two.chains);
    // Steps 3..6 from the state after step 3 (what a checkpoint holds) repeat the same draws.
    let halfway = run(2, 0..3, None);
    let resumed = run(1, 3..6, Some(halfway));
    assert_eq!(resumed.model, one.model);
}
