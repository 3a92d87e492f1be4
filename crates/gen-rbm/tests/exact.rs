//! The RBM's energies and exact log partition function against brute-force enumeration of
//! both layers, computed on the host in f64.

mod common;
use burn::tensor::{Tensor, TensorData};
use gen_core::data::{Dataset, ItemShape};
use gen_core::tensor_io::to_vec_f32;
use gen_rbm::eval::{Layer, log_partition_exact, log_partition_over, mean_log_likelihood};
use gen_rbm::model::Rbm;

use common::device;

/// A small RBM with deterministic, fairly large parameters.
fn tiny(v: usize, h: usize) -> (Rbm, Vec<f64>, Vec<f64>, Vec<f64>) {
    let w: Vec<f64> = (0..v * h)
        .map(|i| ((i * 7919 % 23) as f64 - 11.0) / 8.0)
        .collect();
    let b: Vec<f64> = (0..v).map(|i| ((i * 31 % 7) as f64 - 3.0) / 4.0).collect();
    let c: Vec<f64> = (0..h).map(|j| ((j * 17 % 5) as f64 - 2.0) / 3.0).collect();
    let f = |x: &Vec<f64>| x.iter().map(|&a| a as f32).collect::<Vec<_>>();
    let rbm = Rbm::from_tensors(
        Tensor::from_data(TensorData::new(f(&w), [v, h]), &device()),
        Tensor::from_data(TensorData::new(f(&b), [v]), &device()),
        Tensor::from_data(TensorData::new(f(&c), [h]), &device()),
    );
    (rbm, w, b, c)
}

fn bits(s: usize, n: usize) -> Vec<f64> {
    (0..n).map(|j| ((s >> j) & 1) as f64).collect()
}

/// `-E(v, h)` on the host.
fn neg_energy(v: &[f64], h: &[f64], w: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let nh = h.len();
    let mut e = 0.0;
    for i in 0..v.len() {
        e += b[i] * v[i];
        for j in 0..nh {
            e += v[i] * w[i * nh + j] * h[j];
        }
    }
    e + c.iter().zip(h).map(|(a, x)| a * x).sum::<f64>()
}

fn brute_log_z(v: usize, h: usize, w: &[f64], b: &[f64], c: &[f64]) -> f64 {
    let mut terms = Vec::new();
    for sv in 0..1 << v {
        for sh in 0..1 << h {
            terms.push(neg_energy(&bits(sv, v), &bits(sh, h), w, b, c));
        }
    }
    let m = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln()
}

#[test]
fn exact_log_z_matches_brute_force_over_both_layers() {
    let (rbm, w, b, c) = tiny(6, 4);
    let expected = brute_log_z(6, 4, &w, &b, &c);
    let got = log_partition_exact(&rbm).unwrap();
    assert!((got - expected).abs() < 1e-4, "{got} vs {expected}");
}

#[test]
fn enumerating_either_layer_agrees() {
    let (rbm, w, b, c) = tiny(9, 7);
    let over_h = log_partition_over(&rbm, Layer::Hidden).unwrap();
    let over_v = log_partition_over(&rbm, Layer::Visible).unwrap();
    let brute = brute_log_z(9, 7, &w, &b, &c);
    assert!((over_h - over_v).abs() < 1e-4, "{over_h} vs {over_v}");
    assert!((over_h - brute).abs() < 1e-4, "{over_h} vs {brute}");
}

#[test]
fn free_energy_and_joint_energy_match_their_definitions() {
    let (rbm, w, b, c) = tiny(5, 3);
    let vs: Vec<Vec<f64>> = (0..32).map(|s| bits(s, 5)).collect();
    let flat: Vec<f32> = vs.iter().flatten().map(|&x| x as f32).collect();
    let f = to_vec_f32(rbm.free_energy(Tensor::from_data(
        TensorData::new(flat.clone(), [32, 5]),
        &device(),
    )));
    for (k, v) in vs.iter().enumerate() {
        // F(v) = -log Σ_h exp(-E(v, h))
        let terms: Vec<f64> = (0..8)
            .map(|sh| neg_energy(v, &bits(sh, 3), &w, &b, &c))
            .collect();
        let m = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let expected = -(m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln());
        assert!(
            (f[k] as f64 - expected).abs() < 1e-4,
            "v={k}: {} vs {expected}",
            f[k]
        );
    }
    let hs: Vec<f32> = (0..32)
        .flat_map(|s| bits(s % 8, 3))
        .map(|x| x as f32)
        .collect();
    let e = to_vec_f32(rbm.joint_energy(
        Tensor::from_data(TensorData::new(flat, [32, 5]), &device()),
        Tensor::from_data(TensorData::new(hs, [32, 3]), &device()),
    ));
    for k in 0..32 {
        let expected = -neg_energy(&vs[k], &bits(k % 8, 3), &w, &b, &c);
        assert!((e[k] as f64 - expected).abs() < 1e-4);
    }
}

#[test]
fn log_likelihood_of_all_states_sums_to_one() {
    // Σ_v P(v) = 1: the probabilities of every visible state, from the exact log Z, add up.
    let (rbm, _, _, _) = tiny(8, 5);
    let log_z = log_partition_exact(&rbm).unwrap();
    let values: Vec<f32> = (0..256)
        .flat_map(|s| bits(s, 8))
        .map(|x| x as f32)
        .collect();
    let all = Dataset {
        name: "all".into(),
        values,
        item_shape: ItemShape::Vector { dim: 8 },
        labels: None,
    };
    let f = to_vec_f32(rbm.free_energy(all.to_tensor(&device())));
    let total: f64 = f.iter().map(|&fe| (-(fe as f64) - log_z).exp()).sum();
    assert!((total - 1.0).abs() < 1e-4, "Σ P(v) = {total}");
    let ll = mean_log_likelihood(&rbm, &all, log_z);
    let expected = f.iter().map(|&fe| -(fe as f64) - log_z).sum::<f64>() / 256.0;
    assert!((ll - expected).abs() < 1e-4);
}

#[test]
fn too_large_layers_are_refused() {
    let rbm = gen_rbm::RbmConfig::new(40).with_hidden(31).init(&device());
    assert!(log_partition_exact(&rbm).is_err());
}

#[test]
fn fast_softplus_is_accurate() {
    let mut worst = 0f64;
    for k in -200_000..=200_000 {
        let x = k as f32 * 5e-4; // [-100, 100]
        let exact = (x as f64).max(0.0) + (-(x as f64).abs()).exp().ln_1p();
        let got = gen_rbm::exact_cpu::softplus_fast(x) as f64;
        worst = worst.max((got - exact).abs() / exact.max(1.0));
    }
    assert!(worst < 2e-7, "worst relative error {worst}");
}

#[test]
fn host_enumeration_matches_the_device_path_and_brute_force() {
    use gen_rbm::exact_cpu::log_partition_cpu;
    let (rbm, w, b, c) = tiny(9, 7);
    let brute = brute_log_z(9, 7, &w, &b, &c);
    for layer in [Layer::Hidden, Layer::Visible] {
        for threads in [1, 3] {
            let got = log_partition_cpu(&rbm, layer, threads).unwrap();
            assert!(
                (got - brute).abs() < 1e-4,
                "{layer:?} {threads}: {got} vs {brute}"
            );
        }
    }
    // 14 hidden units over 40 visible: more states than one table holds.
    let (rbm, _, _, _) = tiny(40, 14);
    let device_path = log_partition_over(&rbm, Layer::Hidden).unwrap();
    let host = log_partition_cpu(&rbm, Layer::Hidden, 2).unwrap();
    assert!(
        (device_path - host).abs() < 1e-3 * device_path.abs().max(1.0),
        "{device_path} vs {host}"
    );
}

#[test]
fn ais_schedule_is_salakhutdinovs() {
    let betas = gen_rbm::ais::salakhutdinov_schedule();
    assert_eq!(betas.len(), 14_501); // 14,500 steps between 0 and 1
    assert_eq!(
        (betas[0], betas[500], betas[4500], betas[14_500]),
        (0.0, 0.5, 0.9, 1.0)
    );
    assert!(betas.windows(2).all(|p| p[1] > p[0]));
}
