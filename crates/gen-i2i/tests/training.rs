//! Each half of the CycleGAN step descends its own objective, the step's B partners and crops
//! are reproducible, and a trainer restored from its checkpoint blobs takes the same next steps
//! as the uninterrupted one.
//!
//! burn's flex random generator is process-wide, so the seeded tests take a lock.

use std::sync::{Mutex, MutexGuard};

use burn::tensor::{Device, Tensor};
use gen_core::data::shapes::two_domain_shapes;
use gen_core::run::Checkpoint;
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::Trainer;
use gen_i2i::cyclegan_train::{critic_losses, translator_losses};
use gen_i2i::{
    Augmentation, CycleGanConfig, CycleGanTrainConfig, CycleGanTrainer, ImageTranslator,
    PatchDiscriminatorConfig, ResnetGeneratorConfig, TranslationData,
};

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const SIDE: usize = 16;

fn model() -> CycleGanConfig {
    CycleGanConfig {
        generator: ResnetGeneratorConfig {
            channels: 3,
            filters: 4,
            downsamplings: 2,
            blocks: 1,
        },
        discriminator: PatchDiscriminatorConfig {
            channels: 3,
            filters: 4,
            layers: 2,
        },
    }
}

fn trainer(init_seed: u64, config: CycleGanTrainConfig) -> CycleGanTrainer {
    let dev = Device::flex();
    dev.seed(init_seed);
    let domains = two_domain_shapes(12, 4, SIDE, 5);
    let m = model();
    let translators = m.init_translators(&dev);
    let critics = m.init_critics(&dev);
    let data = TranslationData {
        image: [3, SIDE, SIDE],
        train_a_len: domains.train_a.len(),
        train_b: domains.train_b,
        preview_a: domains.test_a,
        preview_b: domains.test_b,
    };
    CycleGanTrainer::new(&m, translators, critics, config, data, 9, &dev).unwrap()
}

fn config() -> CycleGanTrainConfig {
    CycleGanTrainConfig {
        batch_size: 2,
        learning_rate: 1e-3,
        pool_size: 3,
        augmentation: Augmentation {
            crop: 12,
            flip: true,
        },
        ..CycleGanTrainConfig::default()
    }
}

fn rows_a(step: u64, dev: &Device) -> Tensor<2> {
    let domains = two_domain_shapes(12, 4, SIDE, 5);
    let i = (2 * step as usize) % 12;
    domains.train_a.batch(&[i, (i + 1) % 12], dev)
}

fn scalar(t: Tensor<1>) -> f64 {
    to_vec_f32(t)[0] as f64
}

#[test]
fn the_adversarial_term_reaches_the_translator_through_a_fixed_discriminator() {
    use burn::module::Module;
    use burn::optim::GradientsParams;
    let _serial = serial();
    let t = trainer(1, config());
    let dev = t.device().clone();
    let (a, b) = t.step_batches(rows_a(0, &dev), 0);
    // The discriminators held fixed as in the translator step: no gradient for their weights,
    // but the adversarial loss still has one for G's.
    let fixed = t.critics.clone().no_grad();
    let (losses, _) = translator_losses(&t.translators, &fixed, &t.config, a, b);
    let grads = losses.adversarial_a_to_b.backward();
    let head = t
        .translators
        .a_to_b
        .head
        .weight
        .grad(&grads)
        .expect("G gets a gradient");
    assert!(to_vec_f32(head.abs().sum())[0] > 0.0);
    assert!(
        fixed.b.head.weight.grad(&grads).is_none(),
        "D_B's weights get none"
    );
    // F is not in L_GAN(G, D_B): its weights get no gradient from this term.
    let only = GradientsParams::from_grads(grads, &t.translators.b_to_a);
    assert!(only.is_empty(), "F got {} gradients", only.len());
}

#[test]
fn each_half_of_the_step_descends_its_objective() {
    let _serial = serial();
    let mut t = trainer(
        1,
        CycleGanTrainConfig {
            pool_size: 0,
            ..config()
        },
    );
    let dev = t.device().clone();
    let (a, b) = t.step_batches(rows_a(0, &dev), 0);
    assert_eq!(a.dims(), [2, 3, 12, 12], "cropped to 12");
    let objective = |t: &CycleGanTrainer| {
        let (losses, _) =
            translator_losses(&t.translators, &t.critics, &t.config, a.clone(), b.clone());
        scalar(losses.total)
    };
    let before = objective(&t);
    let (reported, translated) = t.translator_step(a.clone(), b.clone(), 1e-3);
    assert!((scalar(reported.total) - before).abs() < 1e-5);
    let after = objective(&t);
    assert!(after < before, "translators: {after} !< {before}");
    // With the pool off the discriminators see exactly these fakes.
    let (fa, fb) = (translated.fake_a.clone(), translated.fake_b.clone());
    let critics = |t: &CycleGanTrainer| {
        let (la, lb) = critic_losses(
            &t.critics,
            t.config.objective,
            a.clone(),
            b.clone(),
            fa.clone(),
            fb.clone(),
        );
        scalar(la) + scalar(lb)
    };
    let before = critics(&t);
    t.critic_step(a.clone(), b.clone(), translated, 1e-3);
    let after = critics(&t);
    assert!(after < before, "critics: {after} !< {before}");
}

#[test]
fn a_steps_partners_and_crops_depend_only_on_the_seed_and_step() {
    let _serial = serial();
    let t = trainer(1, config());
    let dev = t.device().clone();
    let (a1, b1) = t.step_batches(rows_a(3, &dev), 3);
    let (a2, b2) = t.step_batches(rows_a(3, &dev), 3);
    assert_eq!(to_vec_f32(a1.clone()), to_vec_f32(a2));
    assert_eq!(to_vec_f32(b1), to_vec_f32(b2));
    let (a3, _) = t.step_batches(rows_a(3, &dev), 4);
    assert_ne!(to_vec_f32(a1), to_vec_f32(a3), "another step, other crops");
}

#[test]
fn the_rate_is_constant_for_the_first_half_then_decays() {
    let _serial = serial();
    let t = trainer(1, config());
    // 12 images in batches of 2: 6 steps an epoch; 4 epochs, the last 2 decaying.
    assert_eq!(t.steps_per_epoch(), 6);
    let rates: Vec<f64> = [0, 11, 12, 17, 18, 23]
        .iter()
        .map(|&s| t.learning_rate(s, 24) / 1e-3)
        .collect();
    let expected = [1.0, 1.0, 2.0 / 3.0, 2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0];
    for (r, e) in rates.iter().zip(expected) {
        assert!((r - e).abs() < 1e-12, "{rates:?}");
    }
}

fn run(t: &mut CycleGanTrainer, from: u64, steps: u64) -> Vec<f64> {
    let dev = t.device().clone();
    let mut losses = Vec::new();
    for step in from..from + steps {
        let monitors = t.train_step(rows_a(step, &dev), step, 100, true);
        losses.extend(monitors.into_iter().map(|(_, v)| scalar(v)));
    }
    losses
}

#[test]
fn restored_state_takes_the_same_next_steps() {
    let _serial = serial();
    // Pool of 3 and batches of 2: the pool is full and swapping by the resume point.
    let mut straight = trainer(3, config());
    run(&mut straight, 0, 3);
    let tail = run(&mut straight, 3, 3);
    let mut first = trainer(3, config());
    run(&mut first, 0, 3);
    let checkpoint = Checkpoint {
        step: 3,
        epoch: 0,
        state: serde_json::json!({}),
        blobs: first.save_state(),
    };
    // Different initial weights, then the saved state on top.
    let mut resumed = trainer(4, config());
    resumed.load_state(&checkpoint).unwrap();
    assert_eq!(run(&mut resumed, 3, 3), tail);
    let dev = straight.device().clone();
    let probe = rows_a(7, &dev);
    let image = [3, SIDE, SIDE];
    let direction = gen_i2i::Direction::AToB;
    assert_eq!(
        to_vec_f32(
            straight
                .inference()
                .translate_rows(direction, probe.clone(), image)
        ),
        to_vec_f32(resumed.inference().translate_rows(direction, probe, image))
    );
    // A checkpoint without a pool is refused by name.
    let partial = Checkpoint {
        blobs: checkpoint
            .blobs
            .iter()
            .filter(|(n, _)| n != "pool_b")
            .cloned()
            .collect(),
        ..checkpoint
    };
    let err = trainer(3, config())
        .load_state(&partial)
        .unwrap_err()
        .to_string();
    assert!(err.contains("pool_b"), "{err}");
}

#[test]
fn sample_grids_hold_input_translation_reconstruction_triplets() {
    let _serial = serial();
    let mut t = trainer(2, config());
    let rows = t.samples(12, 0).expect("translators can sample");
    assert_eq!(rows.dims(), [12, 3 * SIDE * SIDE]);
    let values = to_vec_f32(rows);
    let domains = two_domain_shapes(12, 4, SIDE, 5);
    let width = 3 * SIDE * SIDE;
    // Rows 0, 3 are test A images 0, 1; rows 6, 9 test B images 0, 1.
    for (row, expected) in [
        (0, domains.test_a.item(0)),
        (3, domains.test_a.item(1)),
        (6, domains.test_b.item(0)),
        (9, domains.test_b.item(1)),
    ] {
        let got = &values[row * width..(row + 1) * width];
        let err = got
            .iter()
            .zip(expected)
            .map(|(g, e)| (g - e).abs())
            .fold(0f32, f32::max);
        assert!(err < 1e-5, "row {row}: {err}");
    }
    let translated = t.inference().translate_rows(
        gen_i2i::Direction::AToB,
        domains.test_a.batch(&[0], t.device()),
        [3, SIDE, SIDE],
    );
    let err = to_vec_f32(translated)
        .iter()
        .zip(&values[width..2 * width])
        .map(|(g, e)| (g - e).abs())
        .fold(0f32, f32::max);
    assert!(err < 1e-5, "row 1 is G(a_0): {err}");
}

#[test]
fn bad_settings_are_refused_by_name() {
    let _serial = serial();
    let dev = Device::flex();
    let domains = two_domain_shapes(4, 2, SIDE, 5);
    let data = || TranslationData {
        image: [3, SIDE, SIDE],
        train_a_len: 4,
        train_b: domains.train_b.clone(),
        preview_a: domains.test_a.clone(),
        preview_b: domains.test_b.clone(),
    };
    let m = model();
    let build = |config: CycleGanTrainConfig, m: &CycleGanConfig| {
        CycleGanTrainer::new(
            m,
            m.init_translators(&dev),
            m.init_critics(&dev),
            config,
            data(),
            1,
            &dev,
        )
        .err()
        .expect("refused")
        .to_string()
    };
    let crop = build(
        CycleGanTrainConfig {
            augmentation: Augmentation {
                crop: 20,
                flip: false,
            },
            ..config()
        },
        &m,
    );
    assert!(crop.contains("smaller than the 20x20 crop"), "{crop}");
    let weight = build(
        CycleGanTrainConfig {
            identity_weight: f64::NAN,
            ..config()
        },
        &m,
    );
    assert!(weight.contains("identity_weight"), "{weight}");
    let mut grey = model();
    grey.generator.channels = 1;
    let channels = build(config(), &grey);
    assert!(
        channels.contains("1-channel images but the data has 3"),
        "{channels}"
    );
}
