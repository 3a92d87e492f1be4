//! The same small computations on every compiled backend, compared with the first one (flex):
//! a Gram matrix, the MMD's kernel sum and its gradient (a fused operation on flex, composed
//! elsewhere), a few Adam steps of a small network, the RBM's gradient and its exact log Z on
//! the device. Tolerances are those of f32 arithmetic in different summation orders.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use gen_core::kernel::{Kernel, MixtureKernel};
use gen_core::tensor_io::to_vec_f32;
use gen_rbm::eval::{Layer, log_partition_over};
use gen_rbm::model::Rbm;
use gen_rbm::train::{Engine, RbmTrainConfig, RbmTrainer};
use gen_tests::backends;

/// Deterministic values in [-1, 1) (a fixed linear congruential sequence).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn mat(v: Vec<f32>, r: usize, c: usize, d: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, [r, c]), d)
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Runs `f` on every backend and checks each result against the first within `tol`.
fn compare(what: &str, tol: f32, f: impl Fn(&Device) -> Vec<f32>) {
    let all = backends();
    assert!(!all.is_empty(), "no backend compiled into the test build");
    let reference = f(&all[0].1);
    assert!(
        reference.iter().all(|v| v.is_finite()),
        "{what}: non-finite on {}",
        all[0].0
    );
    for (name, device) in &all[1..] {
        let got = f(device);
        let diff = max_diff(&reference, &got);
        assert!(
            diff <= tol,
            "{what}: {name} differs from {} by {diff} (tolerance {tol})",
            all[0].0
        );
        eprintln!("{what}: {name} within {diff:e} of {}", all[0].0);
    }
}

#[test]
fn gram_matrix_agrees() {
    compare("gram", 1e-5, |d| {
        let x = mat(values(64 * 10, 1), 64, 10, d);
        let y = mat(values(48 * 10, 2), 48, 10, d);
        to_vec_f32(
            MixtureKernel::from_variances(&[2.0, 5.0, 10.0, 20.0, 40.0, 80.0])
                .unwrap()
                .gram(x, y),
        )
    });
}

/// The MMD's kernel sum and its gradient: fused on flex (`gen_core::kernel_sum`), composed from
/// tensor operations on the other backends.
#[test]
fn kernel_sum_and_its_gradient_agree() {
    compare("kernel sum and gradient", 1e-5, |d| {
        let ad = d.clone().autodiff();
        let x = mat(values(64 * 10, 3), 64, 10, &ad).require_grad();
        let y = mat(values(48 * 10, 4), 48, 10, &ad);
        let w = mat(values(64 * 48, 5), 64, 48, &ad);
        let k = MixtureKernel::from_variances(&[2.0, 5.0, 10.0, 20.0, 40.0, 80.0])
            .unwrap()
            .gram(x.clone(), y);
        let grads = (k.clone() * w).sum().backward();
        let mut out = to_vec_f32(k);
        out.extend(to_vec_f32(x.grad(&grads).expect("x is tracked")));
        out
    });
}

#[derive(Module, Debug)]
struct Mlp {
    first: Linear,
    activation: Relu,
    second: Linear,
}

impl Mlp {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.second
            .forward(self.activation.forward(self.first.forward(x)))
    }
}

/// A linear layer with fixed weights on `device`.
fn linear(input: usize, output: usize, seed: u64, device: &Device) -> Linear {
    let l = LinearConfig::new(input, output).init(device);
    let w = mat(values(input * output, seed), input, output, device).mul_scalar(0.5);
    let b = Tensor::<1>::from_data(TensorData::new(values(output, seed + 1), [output]), device)
        .mul_scalar(0.1);
    Linear {
        weight: l.weight.map(|_| w.require_grad()),
        bias: l.bias.map(|p| p.map(|_| b.require_grad())),
    }
}

#[test]
fn optimiser_steps_agree() {
    compare("adam steps", 1e-4, |d| {
        let ad = d.clone().autodiff();
        let mut model = Mlp {
            first: linear(6, 16, 10, &ad),
            activation: Relu::new(),
            second: linear(16, 2, 20, &ad),
        };
        let mut optim = AdamConfig::new().init();
        let x = mat(values(32 * 6, 3), 32, 6, &ad);
        let y = mat(values(32 * 2, 4), 32, 2, &ad);
        let mut losses = Vec::new();
        for _ in 0..5 {
            let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
            losses.push(to_vec_f32(loss.clone())[0]);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(1e-2, model, grads);
        }
        // Training lowers the loss on every backend.
        assert!(losses[4] < losses[0], "{losses:?}");
        let mut out = losses;
        out.extend(to_vec_f32(model.first.weight.val()));
        out
    });
}

fn tiny_rbm(d: &Device) -> Rbm {
    Rbm::from_tensors(
        mat(values(20 * 12, 5), 20, 12, d),
        Tensor::from_data(TensorData::new(values(20, 6), [20]), d),
        Tensor::from_data(TensorData::new(values(12, 7), [12]), d),
    )
}

#[test]
fn rbm_gradient_and_exact_log_z_agree() {
    compare("rbm gradient", 1e-5, |d| {
        let rbm = tiny_rbm(d);
        let binary = |seed| {
            mat(
                values(30 * 20, seed)
                    .iter()
                    .map(|&v| if v > 0.0 { 1.0 } else { 0.0 })
                    .collect(),
                30,
                20,
                d,
            )
        };
        let data = gen_core::data::Dataset {
            name: "x".into(),
            values: vec![0.0; 20],
            item_shape: gen_core::data::ItemShape::Vector { dim: 20 },
            labels: None,
        };
        // The device engine on every backend, and the host engine (gen-rbm's own CPU code)
        // beside it: the two must agree on each backend as well as across them.
        let gradient = |engine: Engine| {
            let mut trainer = RbmTrainer::new(
                rbm.clone(),
                RbmTrainConfig::new()
                    .with_init_visible_bias_from_data(false)
                    .with_method(gen_rbm::Method::Cd)
                    .with_engine(engine),
                &data,
                d,
            );
            let g = trainer.gradient(binary(8), binary(9));
            let mut out = to_vec_f32(g.weights);
            out.extend(to_vec_f32(g.visible_bias));
            out.extend(to_vec_f32(g.hidden_bias));
            out
        };
        let (on_device, on_host) = (gradient(Engine::Device), gradient(Engine::Host));
        let diff = max_diff(&on_device, &on_host);
        assert!(
            diff <= 1e-5,
            "rbm gradient: host engine differs from the device engine by {diff} on {d:?}"
        );
        [on_device, on_host].concat()
    });
    compare("rbm exact log Z", 1e-4, |d| {
        let rbm = tiny_rbm(d);
        vec![
            log_partition_over(&rbm, Layer::Hidden).unwrap() as f32,
            log_partition_over(&rbm, Layer::Visible).unwrap() as f32,
        ]
    });
}

#[test]
fn cpu_backends_are_recognised_as_host_memory() {
    // gen-core reads the backend from the device's Debug name (burn 0.22 has no query for it):
    // a release that renames it must fail here, not move CPU runs off the host engine quietly.
    for (name, device) in backends() {
        let on_host = gen_core::host_device::is_host_device(&device);
        let expected = matches!(name, "flex" | "ndarray");
        assert_eq!(on_host, expected, "{name}: {device:?}");
    }
}
