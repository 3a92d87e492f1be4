//! The alternating steps descend the objectives they claim to, and a trainer restored from its
//! saved state continues exactly as the original.
//!
//! burn's flex random generator is process-wide, so the seeded tests of this file take a lock
//! (tests run in parallel threads and would interleave their draws).

use std::sync::{Mutex, MutexGuard};

use burn::tensor::{Device, Distribution, Tensor};
use gen_core::energy::EnergyModel;
use gen_core::run::Checkpoint;
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::Trainer;
use gen_ebm::{
    DeepEnergyConfig, EbmOptimizer, EbmTrainConfig, EbmTrainer, FeatureConfig, GeneratorConfig,
    NoiseKind, OutputKind,
};

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn trainer(seed: u64) -> EbmTrainer {
    trainer_with(seed, EbmOptimizer::Adam)
}

/// With AdaGrad, the first author's code's options come too: uniform noise, weight decay on the
/// energy, noise on the generated examples.
fn trainer_with(seed: u64, optimizer: EbmOptimizer) -> EbmTrainer {
    let authors_code = optimizer == EbmOptimizer::Adagrad;
    let dev = Device::flex();
    dev.seed(seed);
    let energy = DeepEnergyConfig {
        input: 2,
        features: FeatureConfig::Mlp {
            hidden: vec![16, 16],
        },
        experts: 8,
        sigma: 2.0,
    }
    .init(&dev);
    let generator = GeneratorConfig {
        noise: 2,
        hidden: vec![16],
        output: 2,
        output_kind: OutputKind::Linear,
        noise_kind: if authors_code {
            NoiseKind::Uniform
        } else {
            NoiseKind::Normal
        },
    }
    .init(&dev);
    let config = EbmTrainConfig {
        batch_size: 64,
        learning_rate: 1e-3,
        generator_learning_rate: 1e-3,
        optimizer,
        energy_weight_decay: if authors_code { 1e-5 } else { 0.0 },
        sample_noise: if authors_code { 0.01 } else { 0.0 },
        ..EbmTrainConfig::default()
    };
    EbmTrainer::new(energy, generator, config, &dev).unwrap()
}

fn data(dev: &Device) -> Tensor<2> {
    Tensor::random([64, 2], Distribution::Normal(1.0, 0.3), dev)
}

fn scalar(t: Tensor<1>) -> f64 {
    to_vec_f32(t)[0] as f64
}

#[test]
fn the_energy_step_lowers_data_energy_relative_to_generator_samples() {
    let _serial = serial();
    // Without and with the optional penalty α (mean E⁺² + mean E⁻²).
    for alpha in [0.0, 0.5] {
        let mut t = trainer(1);
        t.config.energy_l2 = alpha;
        let dev = t.device().clone();
        let x = data(&dev);
        // The step draws its negatives from the device generator: reseeding reproduces them
        // (the energy step does not change the generator).
        dev.seed(77);
        let negatives = t.generator.forward(t.generator.noise(64, &dev)).detach();
        let objective = |t: &EbmTrainer| {
            let (pos, neg) = (
                t.energy.energy(x.clone()),
                t.energy.energy(negatives.clone()),
            );
            let gap = scalar(pos.clone().mean() - neg.clone().mean());
            let squares = scalar(pos.powi_scalar(2).mean() + neg.powi_scalar(2).mean());
            (gap, gap + alpha * squares)
        };
        let (gap, before) = objective(&t);
        dev.seed(77);
        let (pos, neg) = t.energy_step(x.clone());
        // What the step reports is the energies before it.
        assert!((scalar(pos) - scalar(neg) - gap).abs() < 1e-4);
        let (_, after) = objective(&t);
        assert!(after < before, "α {alpha}: {after} !< {before}");
    }
}

#[test]
fn the_generator_step_lowers_its_objective_on_the_same_noise() {
    let _serial = serial();
    for weight in [0.0, 1.0] {
        let mut t = trainer(2);
        t.config.entropy_weight = weight;
        let dev = t.device().clone();
        let objective = |t: &EbmTrainer| {
            dev.seed(91);
            let (o, _) =
                gen_ebm::train::generator_objective(&t.generator, &t.energy, 64, weight, 0.0, &dev);
            scalar(o)
        };
        let before = objective(&t);
        dev.seed(91);
        t.generator_step();
        let after = objective(&t);
        assert!(after < before, "weight {weight}: {after} !< {before}");
    }
}

/// Runs `steps` loop steps from `from` with the device reseeded per step, as the training loop
/// does.
fn run(t: &mut EbmTrainer, from: u64, steps: u64) {
    let dev = t.device().clone();
    for step in from..from + steps {
        dev.seed(1000 + step);
        let x = data(&dev);
        t.train_step(x, step, 100, false);
    }
}

#[test]
fn restored_state_continues_exactly() {
    let _serial = serial();
    for optimizer in [EbmOptimizer::Adam, EbmOptimizer::Adagrad] {
        restored_state_continues_exactly_with(optimizer);
    }
}

fn restored_state_continues_exactly_with(optimizer: EbmOptimizer) {
    let mut straight = trainer_with(3, optimizer);
    run(&mut straight, 0, 10);
    let mut first = trainer_with(3, optimizer);
    run(&mut first, 0, 5);
    let checkpoint = Checkpoint {
        step: 5,
        epoch: 0,
        state: serde_json::json!({}),
        blobs: first.save_state(),
    };
    // A different initialisation, then the saved state on top.
    let mut resumed = trainer_with(4, optimizer);
    resumed.load_state(&checkpoint).unwrap();
    run(&mut resumed, 5, 5);
    let probe = Tensor::<2>::random([32, 2], Distribution::Normal(0.0, 2.0), straight.device());
    let a = to_vec_f32(straight.energy.energy(probe.clone()));
    let b = to_vec_f32(resumed.energy.energy(probe.clone()));
    assert_eq!(a, b);
    let dev = straight.device().clone();
    dev.seed(5);
    let ga = to_vec_f32(
        straight
            .generator
            .forward(straight.generator.noise(32, &dev)),
    );
    dev.seed(5);
    let gb = to_vec_f32(resumed.generator.forward(resumed.generator.noise(32, &dev)));
    assert_eq!(ga, gb);
    // A checkpoint without the optimiser state is refused by name.
    let partial = Checkpoint {
        blobs: checkpoint
            .blobs
            .iter()
            .filter(|(n, _)| n != "generator_optimizer")
            .cloned()
            .collect(),
        ..checkpoint
    };
    let err = trainer_with(3, optimizer)
        .load_state(&partial)
        .unwrap_err()
        .to_string();
    assert!(err.contains("generator_optimizer"), "{err}");
}
