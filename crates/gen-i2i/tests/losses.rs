//! The adversarial, cycle and identity losses against values computed by hand, the learning-rate
//! schedule against the reference's numbers, and the full objective as the sum of its terms.

use burn::tensor::{Device, Distribution, Tensor, TensorData};
use gen_core::loss::l1;
use gen_core::tensor_io::to_vec_f32;
use gen_i2i::cyclegan_train::translator_losses;
use gen_i2i::{
    CycleGanConfig, CycleGanTrainConfig, GanLoss, LinearDecay, PatchDiscriminatorConfig,
    ResnetGeneratorConfig,
};

fn logits(values: [f32; 4], dev: &Device) -> Tensor<4> {
    Tensor::from_data(TensorData::new(values.to_vec(), [1, 1, 2, 2]), dev)
}

fn scalar(t: Tensor<1>) -> f64 {
    to_vec_f32(t)[0] as f64
}

#[test]
fn adversarial_losses_match_hand_computation() {
    let dev = Device::flex();
    let out = [0.5f32, -1.0, 2.0, 0.0];
    let real = [0.5f64, -1.0, 2.0, 0.0];
    // Least squares: mean (a - 1)² = (0.25 + 4 + 1 + 1) / 4; mean a² = (0.25 + 1 + 4 + 0) / 4.
    let ls = GanLoss::LeastSquares;
    assert!((scalar(ls.target_loss(logits(out, &dev), true)) - 6.25 / 4.0).abs() < 1e-6);
    assert!((scalar(ls.target_loss(logits(out, &dev), false)) - 5.25 / 4.0).abs() < 1e-6);
    // Log-loss: mean -log σ(a) and mean -log(1 - σ(a)).
    let sigmoid = |a: f64| 1.0 / (1.0 + (-a).exp());
    let real_loss: f64 = real.iter().map(|&a| -sigmoid(a).ln()).sum::<f64>() / 4.0;
    let fake_loss: f64 = real.iter().map(|&a| -(1.0 - sigmoid(a)).ln()).sum::<f64>() / 4.0;
    let log = GanLoss::Log;
    assert!((scalar(log.target_loss(logits(out, &dev), true)) - real_loss).abs() < 1e-6);
    assert!((scalar(log.target_loss(logits(out, &dev), false)) - fake_loss).abs() < 1e-6);
    // The discriminator's loss is the mean of the two; the generator's is "real" on fakes.
    let fake = [1.0f32, 1.0, 0.0, -2.0];
    let d = ls.discriminator(logits(out, &dev), logits(fake, &dev));
    // mean fake² = (1 + 1 + 0 + 4) / 4 = 1.5.
    assert!((scalar(d) - 0.5 * (6.25 / 4.0 + 1.5)).abs() < 1e-6);
    // mean (fake - 1)² = (0 + 0 + 1 + 9) / 4.
    assert!((scalar(ls.generator(logits(fake, &dev))) - 2.5).abs() < 1e-6);
    // Large logits stay finite under the log-loss.
    let big = log.target_loss(logits([80.0, -80.0, 80.0, -80.0], &dev), true);
    assert!((scalar(big) - 40.0).abs() < 1e-3);
}

#[test]
fn l1_is_the_mean_absolute_difference() {
    let dev = Device::flex();
    let a = logits([1.0, -2.0, 0.5, 0.0], &dev);
    let b = logits([0.0, 1.0, 0.5, -1.0], &dev);
    assert!((scalar(l1(a, b)) - (1.0 + 3.0 + 0.0 + 1.0) / 4.0).abs() < 1e-6);
}

#[test]
fn schedule_is_constant_then_decays_linearly() {
    let s = LinearDecay {
        constant_epochs: 100,
        decay_epochs: 100,
    };
    assert_eq!(s.factor(0), 1.0);
    assert_eq!(s.factor(98), 1.0);
    assert_eq!(s.factor(99), 1.0);
    assert!((s.factor(100) - 100.0 / 101.0).abs() < 1e-12);
    assert!((s.factor(149) - 51.0 / 101.0).abs() < 1e-12);
    assert!((s.factor(199) - 1.0 / 101.0).abs() < 1e-12);
    let short = LinearDecay {
        constant_epochs: 0,
        decay_epochs: 3,
    };
    let factors: Vec<f64> = (0..3).map(|e| short.factor(e)).collect();
    assert_eq!(factors, [0.75, 0.5, 0.25]);
    assert_eq!(LinearDecay::split(200, 0.5), s);
    assert_eq!(LinearDecay::split(5, 0.0).decay_epochs, 0);
    assert_eq!(LinearDecay::split(5, 1.0).constant_epochs, 0);
}

#[test]
fn the_full_objective_is_the_weighted_sum_of_its_terms() {
    let dev = Device::flex();
    dev.seed(3);
    let model = CycleGanConfig {
        generator: ResnetGeneratorConfig {
            channels: 1,
            filters: 4,
            downsamplings: 1,
            blocks: 1,
        },
        discriminator: PatchDiscriminatorConfig {
            channels: 1,
            filters: 4,
            layers: 1,
        },
    };
    let translators = model.init_translators(&dev);
    let critics = model.init_critics(&dev);
    let a = Tensor::<4>::random([2, 1, 8, 8], Distribution::Uniform(-1.0, 1.0), &dev);
    let b = Tensor::<4>::random([2, 1, 8, 8], Distribution::Uniform(-1.0, 1.0), &dev);
    for (objective, identity_weight) in [(GanLoss::LeastSquares, 0.5), (GanLoss::Log, 0.0)] {
        let config = CycleGanTrainConfig {
            objective,
            identity_weight,
            ..CycleGanTrainConfig::default()
        };
        let (losses, translated) =
            translator_losses(&translators, &critics, &config, a.clone(), b.clone());
        // Each term recomputed from the networks directly.
        let fake_b = translators.a_to_b.forward(a.clone());
        let fake_a = translators.b_to_a.forward(b.clone());
        let adv_ab = scalar(objective.target_loss(critics.b.forward(fake_b.clone()), true));
        let adv_ba = scalar(objective.target_loss(critics.a.forward(fake_a.clone()), true));
        let abs_mean = |x: Tensor<4>, y: Tensor<4>| {
            let (x, y) = (to_vec_f32(x), to_vec_f32(y));
            x.iter()
                .zip(&y)
                .map(|(p, q)| (p - q).abs() as f64)
                .sum::<f64>()
                / x.len() as f64
        };
        let cyc_a = abs_mean(translators.b_to_a.forward(fake_b.clone()), a.clone());
        let cyc_b = abs_mean(translators.a_to_b.forward(fake_a.clone()), b.clone());
        let (id_a, id_b) = if identity_weight > 0.0 {
            (
                abs_mean(translators.b_to_a.forward(a.clone()), a.clone()),
                abs_mean(translators.a_to_b.forward(b.clone()), b.clone()),
            )
        } else {
            (0.0, 0.0)
        };
        let expected = adv_ab + adv_ba + 10.0 * (cyc_a + cyc_b) + 5.0 * (id_a + id_b);
        let close = |x: f64, y: f64| (x - y).abs() < 1e-5 * (1.0 + y.abs());
        assert!(close(scalar(losses.adversarial_a_to_b), adv_ab));
        assert!(close(scalar(losses.adversarial_b_to_a), adv_ba));
        assert!(close(scalar(losses.cycle_a), cyc_a));
        assert!(close(scalar(losses.cycle_b), cyc_b));
        assert!(close(scalar(losses.identity_a), id_a));
        assert!(close(scalar(losses.total), expected), "{expected}");
        assert_eq!(to_vec_f32(translated.fake_b), to_vec_f32(fake_b));
    }
}
