//! UNIT: shapes of the latent and the translations, weight sharing of the high-level blocks
//! (the parameter count and which encodings a change reaches), the loss terms against direct
//! computations, descent of both updates, and exact continuation from a checkpoint.
//!
//! burn's flex random generator is process-wide, so every test that draws from it takes a lock
//! (the seeded ones would otherwise see other tests' draws between their seed and their use).

use std::sync::{Mutex, MutexGuard};

use burn::module::{Module, Param};
use burn::tensor::{Device, Distribution, Tensor};
use gen_core::data::shapes::two_domain_shapes;
use gen_core::run::Checkpoint;
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::Trainer;
use gen_i2i::unit_train::{unit_critic_losses, unit_losses};
use gen_i2i::{
    Augmentation, Direction, Domain, GanLoss, ImageTranslator, PatchDiscriminatorConfig,
    TranslationData, UnitConfig, UnitTrainConfig, UnitTrainer,
};

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const SIDE: usize = 16;

fn model(share: bool) -> UnitConfig {
    UnitConfig {
        channels: 3,
        filters: 4,
        downsamplings: 2,
        private_blocks: 1,
        shared_blocks: 1,
        share,
        discriminator: PatchDiscriminatorConfig {
            channels: 3,
            filters: 4,
            layers: 2,
        },
    }
}

fn images(n: usize, dev: &Device) -> Tensor<4> {
    Tensor::random([n, 3, SIDE, SIDE], Distribution::Uniform(-1.0, 1.0), dev)
}

fn scalar(t: Tensor<1>) -> f64 {
    to_vec_f32(t)[0] as f64
}

#[test]
fn latents_and_translations_have_the_expected_shapes() {
    let _serial = serial();
    let dev = Device::flex();
    let unit = model(true).init(&dev);
    let x = images(2, &dev);
    // 4 filters doubled twice: 16 channels at a quarter of the side.
    assert_eq!(unit.encode(Domain::A, x.clone()).dims(), [2, 16, 4, 4]);
    let y = unit.translate(Direction::AToB, x);
    assert_eq!(y.dims(), [2, 3, SIDE, SIDE]);
    assert!(to_vec_f32(y.abs().max())[0] < 1.0);
}

#[test]
fn shared_blocks_are_one_set_of_weights_for_both_domains() {
    let _serial = serial();
    let dev = Device::flex();
    // One shared block in the encoder and one in the generator, each two 3x3 convolutions of
    // 16 channels with biases: unshared, there is a second copy of 2 · 2 · (16·16·9 + 16).
    let shared = model(true).init(&dev).num_params();
    let separate = model(false).init(&dev).num_params();
    assert_eq!(separate - shared, 2 * 2 * (16 * 16 * 9 + 16));

    // Changing the first high-level block changes the encodings of both domains when shared,
    // and of domain A only when not.
    let x = images(2, &dev);
    for share in [true, false] {
        let unit = model(share).init(&dev);
        let before_a = to_vec_f32(unit.encode(Domain::A, x.clone()));
        let before_b = to_vec_f32(unit.encode(Domain::B, x.clone()));
        let mut changed = unit.clone();
        let conv = &mut changed.shared_encoder[0][0].first;
        let w = conv.weight.val();
        conv.weight = Param::from_tensor(w.clone() + w.ones_like().mul_scalar(0.05));
        let after_a = to_vec_f32(changed.encode(Domain::A, x.clone()));
        let after_b = to_vec_f32(changed.encode(Domain::B, x.clone()));
        assert_ne!(before_a, after_a, "share {share}: A");
        assert_eq!(before_b != after_b, share, "share {share}: B");
    }
}

#[test]
fn loss_terms_match_direct_computations_and_weights() {
    let _serial = serial();
    let dev = Device::flex();
    dev.seed(5);
    let unit = model(true).init(&dev);
    let critics = model(true).init_critics(&dev);
    let (a, b) = (images(2, &dev), images(2, &dev));
    let config = UnitTrainConfig {
        gan_weight: 2.0,
        reconstruction_weight: 3.0,
        kl_weight: 0.5,
        cycle_weight: 7.0,
        cycle_kl_weight: 0.25,
        objective: GanLoss::LeastSquares,
        ..UnitTrainConfig::default()
    };
    // With the latents at their means every term is a deterministic function of the networks.
    let l = unit_losses(&unit, &critics, &config, a.clone(), b.clone(), 0.0);
    let mean_abs = |x: Tensor<4>, y: &Tensor<4>| {
        let (x, y) = (to_vec_f32(x), to_vec_f32(y.clone()));
        x.iter()
            .zip(&y)
            .map(|(p, q)| (p - q).abs() as f64)
            .sum::<f64>()
            / y.len() as f64
    };
    let square_mean = |t: Tensor<4>| {
        let v = to_vec_f32(t);
        v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>() / v.len() as f64
    };
    let (mu_a, mu_b) = (
        unit.encode(Domain::A, a.clone()),
        unit.encode(Domain::B, b.clone()),
    );
    let a_to_b = unit.decode(Domain::B, mu_a.clone());
    let b_to_a = unit.decode(Domain::A, mu_b.clone());
    let (mu_ab, mu_ba) = (
        unit.encode(Domain::B, a_to_b.clone()),
        unit.encode(Domain::A, b_to_a.clone()),
    );
    let expected = [
        (
            l.reconstruction_a.clone(),
            mean_abs(unit.decode(Domain::A, mu_a.clone()), &a),
        ),
        (
            l.reconstruction_b.clone(),
            mean_abs(unit.decode(Domain::B, mu_b.clone()), &b),
        ),
        (l.kl_a.clone(), square_mean(mu_a)),
        (l.kl_b.clone(), square_mean(mu_b)),
        (
            l.cycle_a.clone(),
            mean_abs(unit.decode(Domain::A, mu_ab.clone()), &a),
        ),
        (
            l.cycle_b.clone(),
            mean_abs(unit.decode(Domain::B, mu_ba.clone()), &b),
        ),
        (l.cycle_kl_a.clone(), square_mean(mu_ab)),
        (l.cycle_kl_b.clone(), square_mean(mu_ba)),
        // Least squares against "real": mean (D(x) - 1)².
        (
            l.adversarial_a.clone(),
            square_mean(critics.a.forward(b_to_a).sub_scalar(1.0)),
        ),
        (
            l.adversarial_b.clone(),
            square_mean(critics.b.forward(a_to_b).sub_scalar(1.0)),
        ),
    ];
    let close = |x: f64, y: f64| (x - y).abs() < 1e-5 * (1.0 + y.abs());
    for (k, (got, want)) in expected.into_iter().enumerate() {
        let got = scalar(got);
        assert!(close(got, want), "term {k}: {got} vs {want}");
    }
    let total = 2.0 * (scalar(l.adversarial_a) + scalar(l.adversarial_b))
        + 3.0 * (scalar(l.reconstruction_a.clone()) + scalar(l.reconstruction_b))
        + 0.5 * (scalar(l.kl_a) + scalar(l.kl_b))
        + 7.0 * (scalar(l.cycle_a) + scalar(l.cycle_b))
        + 0.25 * (scalar(l.cycle_kl_a) + scalar(l.cycle_kl_b));
    assert!(close(scalar(l.total), total));
    // With unit noise the reconstructions move away from the means' (the latent is sampled).
    let noisy = unit_losses(&unit, &critics, &config, a.clone(), b.clone(), 1.0);
    assert!((scalar(noisy.reconstruction_a) - scalar(l.reconstruction_a)).abs() > 1e-6);
    // Each critic's loss is real-vs-1 plus fake-vs-0, unhalved; the total is weighted by
    // gan_weight.
    let (total, da, db) = unit_critic_losses(&unit, &critics, &config, a, b);
    assert!(close(scalar(total), 2.0 * (scalar(da) + scalar(db))));
}

fn trainer(init_seed: u64, share: bool) -> UnitTrainer {
    let dev = Device::flex();
    dev.seed(init_seed);
    let domains = two_domain_shapes(12, 4, SIDE, 5);
    let m = model(share);
    let unit = m.init(&dev);
    let critics = m.init_critics(&dev);
    let data = TranslationData {
        image: [3, SIDE, SIDE],
        train_a_len: domains.train_a.len(),
        train_b: domains.train_b,
        preview_a: domains.test_a,
        preview_b: domains.test_b,
    };
    let config = UnitTrainConfig {
        batch_size: 2,
        learning_rate: 1e-3,
        augmentation: Augmentation {
            crop: 12,
            flip: true,
        },
        ..UnitTrainConfig::default()
    };
    UnitTrainer::new(&m, unit, critics, config, data, 9, &dev).unwrap()
}

fn rows_a(step: u64, dev: &Device) -> Tensor<2> {
    let domains = two_domain_shapes(12, 4, SIDE, 5);
    let i = (2 * step as usize) % 12;
    domains.train_a.batch(&[i, (i + 1) % 12], dev)
}

#[test]
fn both_updates_descend_their_objectives_on_the_same_noise() {
    let _serial = serial();
    for share in [true, false] {
        let mut t = trainer(1, share);
        let dev = t.device().clone();
        let (a, b) = t.step_batches(rows_a(0, &dev), 0);
        let critic_objective = |t: &UnitTrainer| {
            dev.seed(21);
            let unit = t.unit.clone().no_grad();
            scalar(unit_critic_losses(&unit, &t.critics, &t.config, a.clone(), b.clone()).0)
        };
        let before = critic_objective(&t);
        dev.seed(21);
        t.critic_step(a.clone(), b.clone(), 1e-3);
        let after = critic_objective(&t);
        assert!(
            after < before,
            "share {share}, critics: {after} !< {before}"
        );
        let objective = |t: &UnitTrainer| {
            dev.seed(22);
            scalar(unit_losses(&t.unit, &t.critics, &t.config, a.clone(), b.clone(), 1.0).total)
        };
        let before = objective(&t);
        dev.seed(22);
        t.unit_step(a.clone(), b.clone(), 1e-3);
        let after = objective(&t);
        assert!(after < before, "share {share}, VAEs: {after} !< {before}");
    }
}

fn run(t: &mut UnitTrainer, from: u64, steps: u64) -> Vec<f64> {
    let dev = t.device().clone();
    let mut losses = Vec::new();
    for step in from..from + steps {
        // The shared loop reseeds the device before every step.
        dev.seed(1000 + step);
        let monitors = t.train_step(rows_a(step, &dev), step, 100, true);
        losses.extend(monitors.into_iter().map(|(_, v)| scalar(v)));
    }
    losses
}

#[test]
fn restored_state_takes_the_same_next_steps() {
    let _serial = serial();
    let mut straight = trainer(3, true);
    run(&mut straight, 0, 2);
    let tail = run(&mut straight, 2, 2);
    let mut first = trainer(3, true);
    run(&mut first, 0, 2);
    let checkpoint = Checkpoint {
        step: 2,
        epoch: 0,
        state: serde_json::json!({}),
        blobs: first.save_state(),
    };
    let mut resumed = trainer(4, true);
    resumed.load_state(&checkpoint).unwrap();
    assert_eq!(run(&mut resumed, 2, 2), tail);
    // A checkpoint of the unshared networks does not load into the shared ones.
    let unshared = Checkpoint {
        blobs: trainer(3, false).save_state(),
        ..checkpoint
    };
    assert!(trainer(3, true).load_state(&unshared).is_err());
}

#[test]
fn the_rate_halves_every_interval() {
    let config = UnitTrainConfig {
        halve_every: 10,
        ..UnitTrainConfig::default()
    };
    let rates: Vec<f64> = [0, 9, 10, 25]
        .iter()
        .map(|&s| config.learning_rate_at(s))
        .collect();
    assert_eq!(rates, [1e-4, 1e-4, 5e-5, 2.5e-5]);
}
