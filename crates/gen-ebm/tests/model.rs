//! The energy, the generator and their checks against independent computations: the energy
//! formula by hand, the convolutions' output width, the entropy of unit and scaled batch-norm
//! activations, and the refusals of bad settings.

use burn::module::Param;
use burn::tensor::{Device, Tensor};
use gen_core::energy::EnergyModel;
use gen_core::tensor_io::{matrix, to_vec_f32};
use gen_ebm::{
    DeepEnergyConfig, EbmTrainConfig, EbmTrainer, FeatureConfig, GeneratorConfig, NoiseKind,
    OutputKind,
};

fn device() -> Device {
    Device::flex()
}

fn softplus(v: f64) -> f64 {
    if v > 30.0 { v } else { v.exp().ln_1p() }
}

fn leaky(v: f64) -> f64 {
    if v >= 0.0 { v } else { 0.2 * v }
}

/// `x @ W + b` on the host, `W` row-major `[fan_in, fan_out]`.
fn dense(x: &[f64], w: &[f32], b: Option<&[f32]>, fan_out: usize) -> Vec<f64> {
    (0..fan_out)
        .map(|j| {
            let s: f64 = x
                .iter()
                .enumerate()
                .map(|(i, v)| v * w[i * fan_out + j] as f64)
                .sum();
            s + b.map_or(0.0, |b| b[j] as f64)
        })
        .collect()
}

#[test]
fn energy_is_the_product_of_experts_formula() {
    let dev = device();
    dev.seed(4);
    let config = DeepEnergyConfig {
        input: 3,
        features: FeatureConfig::Mlp { hidden: vec![5, 4] },
        experts: 6,
        sigma: 0.7,
    };
    let mut energy = config.init(&dev);
    // A non-zero linear term b (it starts at zero).
    energy.visible.weight = Param::from_tensor(matrix(vec![0.3, -0.2, 0.5], 3, 1, &dev));
    let rows: Vec<f32> = vec![0.1, -0.4, 0.9, 1.5, 0.2, -0.3, -0.8, 0.0, 0.25];
    let got = to_vec_f32(energy.energy(matrix(rows.clone(), 3, 3, &dev)));
    let layers: Vec<(Vec<f32>, Vec<f32>, usize)> = energy
        .features
        .dense
        .iter()
        .map(|l| {
            (
                to_vec_f32(l.weight.val()),
                to_vec_f32(l.bias.as_ref().unwrap().val()),
                l.weight.dims()[1],
            )
        })
        .collect();
    let ew = to_vec_f32(energy.experts.weight.val());
    let eb = to_vec_f32(energy.experts.bias.as_ref().unwrap().val());
    let b = [0.3, -0.2, 0.5];
    for (r, x) in rows.chunks(3).enumerate() {
        let x: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let mut f = x.clone();
        for (w, bias, out) in &layers {
            f = dense(&f, w, Some(bias), *out)
                .into_iter()
                .map(leaky)
                .collect();
        }
        let experts: f64 = dense(&f, &ew, Some(&eb), 6).into_iter().map(softplus).sum();
        let quadratic: f64 = x.iter().map(|v| v * v).sum::<f64>() / 0.49;
        let linear: f64 = x.iter().zip(b).map(|(v, b)| v * b).sum();
        let want = quadratic - linear - experts;
        assert!(
            (got[r] as f64 - want).abs() < 1e-4 * want.abs().max(1.0),
            "row {r}: {} vs {want}",
            got[r]
        );
    }
}

#[test]
fn convolutional_features_have_the_width_the_config_computes() {
    let dev = device();
    for (image, channels) in [
        ([1, 8, 8], vec![4, 6]),
        ([1, 28, 28], vec![4, 6]),
        ([3, 32, 32], vec![5]),
        ([1, 9, 7], vec![3, 2]),
    ] {
        let input = image.iter().product();
        let config = FeatureConfig::Conv {
            channels: channels.clone(),
            image,
        };
        config.validate(input).unwrap();
        let features = config.init(input, &dev);
        let out = features.forward(Tensor::<2>::ones([2, input], &dev));
        assert_eq!(
            out.dims(),
            [2, config.output_width(input)],
            "{image:?} {channels:?}"
        );
        // And a whole energy over it gives one value per row.
        let energy = DeepEnergyConfig {
            input,
            features: config,
            experts: 3,
            sigma: 1.0,
        }
        .init(&dev);
        assert_eq!(
            energy.energy(Tensor::<2>::zeros([5, input], &dev)).dims(),
            [5]
        );
    }
}

#[test]
fn entropy_of_fresh_batch_norm_is_that_of_unit_gaussians_and_grows_with_gamma() {
    let dev = device().autodiff();
    dev.seed(9);
    let mut generator = GeneratorConfig {
        noise: 3,
        hidden: vec![7, 5],
        output: 2,
        output_kind: OutputKind::Linear,
        noise_kind: NoiseKind::Normal,
    }
    .init(&dev);
    // On an autodiff device batch norm uses the batch's statistics: each unit's output has
    // variance γ² v / (v + ε) ≈ 1 at γ = 1, so the entropy is 12 · ½ log(2 π e).
    let z = generator.noise(512, &dev);
    let (_, entropy) = generator.forward_with_entropy(z.clone());
    let unit = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln();
    let h = to_vec_f32(entropy)[0] as f64;
    assert!((h - 12.0 * unit).abs() < 12.0 * 1e-3, "{h}");
    // γ = 3 on the second layer's 5 units adds 5 log 3.
    let gamma = generator.norms[1].gamma.val().mul_scalar(3.0).detach();
    generator.norms[1].gamma = Param::from_tensor(gamma);
    let (_, scaled) = generator.forward_with_entropy(z);
    let h3 = to_vec_f32(scaled)[0] as f64;
    assert!((h3 - h - 5.0 * 3f64.ln()).abs() < 1e-3, "{h3} vs {h}");
}

#[test]
fn bad_settings_are_refused_with_the_setting_named() {
    let mut energy = DeepEnergyConfig {
        input: 2,
        features: FeatureConfig::Mlp { hidden: vec![4] },
        experts: 3,
        sigma: 0.0,
    };
    assert!(energy.validate().unwrap_err().to_string().contains("sigma"));
    energy.sigma = f64::NAN;
    assert!(energy.validate().unwrap_err().to_string().contains("sigma"));
    let conv = FeatureConfig::Conv {
        channels: vec![4, 4, 4],
        image: [1, 4, 4],
    };
    assert!(
        conv.validate(16)
            .unwrap_err()
            .to_string()
            .contains("at least 8x8")
    );
    assert!(conv.validate(17).unwrap_err().to_string().contains("17"));
    for w in [f64::NAN, f64::INFINITY, -1.0] {
        let config = EbmTrainConfig {
            entropy_weight: w,
            ..EbmTrainConfig::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("entropy_weight"),
            "{w}"
        );
    }
    for v in [f64::NAN, -0.01] {
        let decay = EbmTrainConfig {
            energy_weight_decay: v,
            ..EbmTrainConfig::default()
        };
        assert!(
            decay
                .validate()
                .unwrap_err()
                .to_string()
                .contains("energy_weight_decay"),
            "{v}"
        );
        let noise = EbmTrainConfig {
            sample_noise: v,
            ..EbmTrainConfig::default()
        };
        assert!(
            noise
                .validate()
                .unwrap_err()
                .to_string()
                .contains("sample_noise"),
            "{v}"
        );
    }
    let one = EbmTrainConfig {
        batch_size: 1,
        ..EbmTrainConfig::default()
    };
    assert!(one.validate().is_err());
    // A generator whose output does not fit the energy.
    let dev = device();
    let generator = GeneratorConfig {
        noise: 2,
        hidden: vec![4],
        output: 3,
        output_kind: OutputKind::Linear,
        noise_kind: NoiseKind::Normal,
    }
    .init(&dev);
    energy.sigma = 1.0;
    let err = EbmTrainer::new(
        energy.init(&dev),
        generator,
        EbmTrainConfig::default(),
        &dev,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("outputs 3") && err.contains("takes 2"),
        "{err}"
    );
}

#[test]
fn uniform_noise_has_the_moments_of_the_uniform_distribution_on_minus_one_one() {
    let dev = device();
    dev.seed(12);
    let generator = GeneratorConfig {
        noise: 10,
        hidden: vec![4],
        output: 2,
        output_kind: OutputKind::Linear,
        noise_kind: NoiseKind::Uniform,
    }
    .init(&dev);
    let z = to_vec_f32(generator.noise(20_000, &dev));
    assert!(z.iter().all(|v| (-1.0..=1.0).contains(v)));
    // 200,000 draws: mean 0 and variance 1/3, each within about 5 standard errors
    // (sd of the mean sqrt(1/3 / n) = 0.0013; of the variance sqrt(4/45 / n) = 0.00067).
    let n = z.len() as f64;
    let mean = z.iter().map(|&v| v as f64).sum::<f64>() / n;
    let variance = z.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 0.0065, "{mean}");
    assert!((variance - 1.0 / 3.0).abs() < 0.0035, "{variance}");
}
