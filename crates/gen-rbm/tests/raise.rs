//! RAISE against exact computations on an RBM small enough to enumerate: the estimate's mean is
//! the annealing model's probability `p_ann(v)`, computed here by multiplying the transition
//! matrices of the 16 visible states; and with many temperatures its log Z sits at or above the
//! exact one, by little.

mod common;

use burn::tensor::{Tensor, TensorData};
use gen_core::tensor_io::to_vec_f32;
use gen_rbm::Rbm;
use gen_rbm::ais::scaled_schedule;
use gen_rbm::eval::log_partition_exact;
use gen_rbm::raise::{raise_log_likelihoods, raise_log_partitions};

const V: usize = 4;
const H: usize = 3;

/// A fixed RBM with weights large enough that `p_ann` with few temperatures differs from `p`.
fn small_rbm(device: &burn::tensor::Device) -> Rbm {
    let w: Vec<f32> = (0..V * H)
        .map(|i| 1.6 * (((i * 7 + 3) % 11) as f32 / 5.0 - 1.0))
        .collect();
    let b = vec![0.4, -0.8, 0.2, -0.1];
    let c = vec![-0.5, 0.3, 0.1];
    Rbm::from_tensors(
        Tensor::from_data(TensorData::new(w, [V, H]), device),
        Tensor::from_data(TensorData::new(b, [V]), device),
        Tensor::from_data(TensorData::new(c, [H]), device),
    )
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn bits(s: usize, n: usize) -> Vec<f64> {
    (0..n).map(|j| ((s >> j) & 1) as f64).collect()
}

/// `P(x | logits)` of a binary vector under independent Bernoullis.
fn bernoulli_prob(x: &[f64], logits: &[f64]) -> f64 {
    x.iter()
        .zip(logits)
        .map(|(&xi, &l)| {
            if xi > 0.5 {
                sigmoid(l)
            } else {
                1.0 - sigmoid(l)
            }
        })
        .product()
}

/// The annealing model's distribution over the 16 visible states, in f64: base-rate Bernoulli
/// then one `v -> h -> v` Gibbs transition at each β (the interpolation of gen_rbm::ais).
fn annealed_distribution(w: &[f32], b: &[f32], c: &[f32], base: &[f32], betas: &[f64]) -> Vec<f64> {
    let base64: Vec<f64> = base.iter().map(|&x| x as f64).collect();
    let mut p: Vec<f64> = (0..1 << V)
        .map(|s| bernoulli_prob(&bits(s, V), &base64))
        .collect();
    for &beta in &betas[1..] {
        let mut next = vec![0.0; 1 << V];
        for (s, &ps) in p.iter().enumerate() {
            let v = bits(s, V);
            let h_logits: Vec<f64> = (0..H)
                .map(|j| {
                    beta * (c[j] as f64 + (0..V).map(|i| v[i] * w[i * H + j] as f64).sum::<f64>())
                })
                .collect();
            for hs in 0..1 << H {
                let h = bits(hs, H);
                let ph = bernoulli_prob(&h, &h_logits);
                let v_logits: Vec<f64> = (0..V)
                    .map(|i| {
                        (1.0 - beta) * base64[i]
                            + beta
                                * (b[i] as f64
                                    + (0..H).map(|j| h[j] * w[i * H + j] as f64).sum::<f64>())
                    })
                    .collect();
                for (t, nt) in next.iter_mut().enumerate() {
                    *nt += ps * ph * bernoulli_prob(&bits(t, V), &v_logits);
                }
            }
        }
        p = next;
    }
    p
}

#[test]
fn the_reverse_estimate_is_unbiased_for_the_annealing_model() {
    let device = common::device();
    device.seed(7);
    let rbm = small_rbm(&device);
    let base = vec![0.3f32, -0.2, 0.1, 0.5];
    let betas = [0.0, 0.25, 0.5, 0.75, 1.0];
    let p_ann = annealed_distribution(
        &to_vec_f32(rbm.weights.val()),
        &to_vec_f32(rbm.visible_bias.val()),
        &to_vec_f32(rbm.hidden_bias.val()),
        &base,
        &betas,
    );
    let log_z = log_partition_exact(&rbm).unwrap();
    let n = 40_000;
    let mut gaps = Vec::new();
    for state in [0b0000usize, 0b1011, 0b0110] {
        let v: Vec<f32> = bits(state, V).iter().map(|&x| x as f32).collect();
        let data = Tensor::<1>::from_data(TensorData::new(v.clone(), [V]), &device)
            .unsqueeze::<2>()
            .repeat_dim(0, n);
        let estimates: Vec<f64> =
            raise_log_likelihoods(&rbm, &base, data, &betas, common::engine(), &device)
                .into_iter()
                .map(f64::exp)
                .collect();
        let mean = estimates.iter().sum::<f64>() / n as f64;
        let sd =
            (estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let se = sd / (n as f64).sqrt();
        let exact_p =
            (-to_vec_f32(rbm.free_energy(
                Tensor::<1>::from_data(TensorData::new(v, [V]), &device).unsqueeze::<2>(),
            ))[0] as f64
                - log_z)
                .exp();
        eprintln!(
            "state {state:04b}: mean {mean} ± {se}, p_ann {}, p {exact_p}",
            p_ann[state]
        );
        assert!(
            (mean - p_ann[state]).abs() < 4.0 * se,
            "state {state:04b}: RAISE mean {mean} ± {se} against p_ann {}",
            p_ann[state]
        );
        gaps.push((p_ann[state] - exact_p).abs() / se);
    }
    // The check discriminates: with four temperatures p_ann is not the RBM's p, by far more
    // than the estimate's noise for at least one of the states.
    assert!(
        gaps.iter().any(|&g| g > 8.0),
        "p_ann too close to p for the test to tell them apart: gaps in standard errors {gaps:?}"
    );
}

#[test]
fn with_many_temperatures_the_reverse_log_z_is_just_above_the_exact_one() {
    let device = common::device();
    device.seed(11);
    let rbm = small_rbm(&device);
    let base = vec![0.0f32; V];
    let exact = log_partition_exact(&rbm).unwrap();
    // Every state 64 times; the per-state means are weighted by the model's exact p(v), so the
    // expectation is log Z + KL(p ‖ p_ann) + a Jensen gap, both non-negative.
    let per_state = 64;
    let rows: Vec<f32> = (0..1 << V)
        .flat_map(|s| std::iter::repeat_n(bits(s, V), per_state))
        .flatten()
        .map(|x| x as f32)
        .collect();
    let n = rows.len() / V;
    let data = Tensor::<2>::from_data(TensorData::new(rows, [n, V]), &device);
    let minus_f = to_vec_f32(rbm.free_energy(data.clone()).neg());
    let betas = scaled_schedule(10.0);
    let per_vector = raise_log_partitions(&rbm, &base, data, &betas, common::engine(), &device);
    let (mut mean, mut var) = (0.0, 0.0);
    for s in 0..1 << V {
        let chunk = &per_vector[s * per_state..(s + 1) * per_state];
        let p = (minus_f[s * per_state] as f64 - exact).exp();
        let m = chunk.iter().sum::<f64>() / per_state as f64;
        let v = chunk.iter().map(|l| (l - m).powi(2)).sum::<f64>() / (per_state - 1) as f64;
        mean += p * m;
        var += p * p * v / per_state as f64;
    }
    let se = var.sqrt();
    eprintln!("exact log Z {exact}, RAISE {mean} ± {se}");
    assert!(
        mean > exact - 4.0 * se,
        "RAISE {mean} ± {se} below exact {exact}"
    );
    // With 1,450 temperatures on a 4x3 model, close to it.
    assert!(mean - exact < 0.02, "RAISE {mean} against exact {exact}");
}
