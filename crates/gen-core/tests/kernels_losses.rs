//! Kernels and losses against direct host computations and analytic values.

use burn::tensor::{Device, Tensor, TensorData};
use gen_core::kernel::{GaussianKernel, Kernel, KernelError, MixtureKernel, squared_distances};
use gen_core::loss::{GanLoss, bce_per_example, binary_cross_entropy_with_logits, l1};
use gen_core::tensor_io::to_vec_f32;

fn device() -> Device {
    Device::flex()
}

fn mat(rows: &[&[f32]]) -> Tensor<2> {
    let r = rows.len();
    let c = rows[0].len();
    Tensor::from_data(TensorData::new(rows.concat(), [r, c]), &device())
}

#[test]
fn gram_matrix_matches_pairwise_formula() {
    let x: &[&[f32]] = &[&[0.0, 1.0, 2.0], &[1.5, -1.0, 0.5]];
    let y: &[&[f32]] = &[&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], &[-2.0, 3.0, 0.25]];
    let variance = 2.5;
    let k = to_vec_f32(
        GaussianKernel::from_variance(variance)
            .unwrap()
            .gram(mat(x), mat(y)),
    );
    for i in 0..2 {
        for j in 0..3 {
            let d2: f64 = (0..3)
                .map(|t| (x[i][t] as f64 - y[j][t] as f64).powi(2))
                .sum();
            let expected = (-d2 / (2.0 * variance)).exp();
            assert!((k[i * 3 + j] as f64 - expected).abs() < 1e-6, "({i},{j})");
        }
    }
    let d = to_vec_f32(squared_distances(mat(x), mat(x)));
    assert_eq!(d[0], 0.0);
    assert_eq!(d[3], 0.0);
}

#[test]
fn std_and_variance_parameterisations_agree() {
    assert_eq!(
        GaussianKernel::from_std(3.0).unwrap(),
        GaussianKernel::from_variance(9.0).unwrap()
    );
}

#[test]
fn bad_bandwidths_are_refused() {
    assert_eq!(
        GaussianKernel::from_variance(0.0),
        Err(KernelError::Variance(0.0))
    );
    assert!(GaussianKernel::from_variance(-2.0).is_err());
    assert!(GaussianKernel::from_variance(f64::NAN).is_err());
    assert!(GaussianKernel::from_std(-1.0).is_err());
    assert_eq!(
        MixtureKernel::from_variances(&[]),
        Err(KernelError::NoBandwidth)
    );
    assert!(MixtureKernel::from_variances(&[2.0, -5.0]).is_err());
}

#[test]
fn paired_evaluation_is_the_diagonal_of_the_gram_matrix() {
    let x: &[&[f32]] = &[&[0.0, 1.0], &[1.5, -1.0], &[2.0, 2.0]];
    let y: &[&[f32]] = &[&[0.5, 0.0], &[1.0, 1.0], &[-2.0, 3.0]];
    let mix = MixtureKernel::from_variances(&[0.5, 3.0]).unwrap();
    let gram = to_vec_f32(mix.gram(mat(x), mat(y)));
    let paired = to_vec_f32(mix.paired(mat(x), mat(y)));
    for i in 0..3 {
        assert!((paired[i] - gram[i * 3 + i]).abs() < 1e-6, "row {i}");
    }
}

#[test]
fn mixture_is_the_sum_of_its_kernels() {
    let x: &[&[f32]] = &[&[0.3, -0.2], &[1.0, 2.0]];
    let y: &[&[f32]] = &[&[0.0, 0.5], &[-1.0, 1.0], &[2.0, 2.0]];
    let vars = [2.0, 5.0, 10.0, 20.0, 40.0, 80.0];
    let mix = to_vec_f32(
        MixtureKernel::from_variances(&vars)
            .unwrap()
            .gram(mat(x), mat(y)),
    );
    let mut sum = vec![0f32; 6];
    for v in vars {
        for (s, k) in sum.iter_mut().zip(to_vec_f32(
            GaussianKernel::from_variance(v)
                .unwrap()
                .gram(mat(x), mat(y)),
        )) {
            *s += k;
        }
    }
    for (a, b) in mix.iter().zip(&sum) {
        assert!((a - b).abs() < 1e-5);
    }
}

#[test]
fn bce_matches_its_definition() {
    let logits: &[&[f32]] = &[&[0.0, 2.0, -3.0]];
    let targets: &[&[f32]] = &[&[1.0, 0.0, 1.0]];
    let got = to_vec_f32(binary_cross_entropy_with_logits(mat(logits), mat(targets)));
    let sig = |l: f64| 1.0 / (1.0 + (-l).exp());
    let expected = [
        -(sig(0.0).ln()),
        -((1.0 - sig(2.0)).ln()),
        -(sig(-3.0).ln()),
    ];
    for (g, e) in got.iter().zip(expected) {
        assert!((*g as f64 - e).abs() < 1e-5, "{g} vs {e}");
    }
    let per_example = to_vec_f32(bce_per_example(mat(logits), mat(targets)))[0] as f64;
    assert!((per_example - expected.iter().sum::<f64>()).abs() < 1e-5);
    // Large logits stay finite.
    let extreme = to_vec_f32(binary_cross_entropy_with_logits(
        mat(&[&[100.0, -100.0]]),
        mat(&[&[0.0, 1.0]]),
    ));
    assert!((extreme[0] - 100.0).abs() < 1e-3 && (extreme[1] - 100.0).abs() < 1e-3);
}

#[test]
fn l1_is_mean_absolute_difference() {
    let a = mat(&[&[1.0, -2.0], &[0.5, 0.0]]);
    let b = mat(&[&[0.0, 0.0], &[0.5, 4.0]]);
    assert!((to_vec_f32(l1(a, b))[0] - 7.0 / 4.0).abs() < 1e-6);
}

#[test]
fn gan_losses_take_their_known_values() {
    let zeros = || mat(&[&[0.0, 0.0]]);
    let ln2 = std::f32::consts::LN_2;
    // D(x) = 1/2 everywhere: the log loss is ln 2 for G, and 2 ln 2 for D, halved (both
    // objectives halve D's loss, as the CycleGAN reference does) to ln 2.
    assert!((to_vec_f32(GanLoss::Log.discriminator(zeros(), zeros()))[0] - ln2).abs() < 1e-6);
    assert!((to_vec_f32(GanLoss::Log.generator(zeros()))[0] - ln2).abs() < 1e-6);
    // Least squares: D outputs 1 on real and 0 on fake is optimal (loss 0); G's loss there is 1.
    let ones = mat(&[&[1.0, 1.0]]);
    assert_eq!(
        to_vec_f32(GanLoss::LeastSquares.discriminator(ones, zeros()))[0],
        0.0
    );
    assert_eq!(to_vec_f32(GanLoss::LeastSquares.generator(zeros()))[0], 1.0);
    // Real 0.5, fake 0.5: 0.5 * (0.25 + 0.25).
    let half = || mat(&[&[0.5]]);
    assert!(
        (to_vec_f32(GanLoss::LeastSquares.discriminator(half(), half()))[0] - 0.25).abs() < 1e-7
    );
}

/// Classical momentum, `v ← μ v + g`: a constant gradient of 1 gives velocities 1, 1 + μ,
/// 1 + μ + μ² (burn's default dampening of 0.1 would give 1, 1.8, 2.52 for μ = 0.9).
#[test]
fn classical_momentum_does_not_damp_the_gradient() {
    let device = Device::flex();
    let momentum =
        burn::optim::momentum::Momentum::new(&gen_core::sgd_momentum::classical_momentum(0.9));
    let grad = || Tensor::<1>::from_floats([1.0], &device);
    let (v1, state) = momentum.transform(grad(), None);
    let (v2, state) = momentum.transform(grad(), Some(state));
    let (v3, _) = momentum.transform(grad(), Some(state));
    for (v, expected) in [(v1, 1.0), (v2, 1.9), (v3, 2.71)] {
        assert!((to_vec_f32(v)[0] - expected).abs() < 1e-6);
    }
}
