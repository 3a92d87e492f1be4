//! A run whose energy becomes non-finite stops with the step named, and the last checkpoint it
//! keeps is one whose networks still give finite energies.

use burn::module::Param;
use burn::tensor::{Device, Tensor};
use gen_core::data::density2d::Density2d;
use gen_core::energy::EnergyModel;
use gen_core::module_bytes::load_module_bytes;
use gen_core::run::{Checkpoint, RunDir};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, TrainError, Trainer, run_training};
use gen_ebm::{
    DeepEnergyConfig, EbmTrainConfig, EbmTrainer, FeatureConfig, GeneratorConfig, NoiseKind,
    OutputKind,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Delegates to the EBM trainer, and after the update of step `poison_at` sets the experts'
/// weights to NaN, as an overflow would.
struct Poisoned {
    inner: EbmTrainer,
    poison_at: u64,
}

impl Trainer for Poisoned {
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        total: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let monitors = self.inner.train_step(batch, step, total, log);
        if step == self.poison_at {
            let w = self.inner.energy.experts.weight.val().mul_scalar(f64::NAN);
            self.inner.energy.experts.weight = Param::from_tensor(w.detach());
        }
        monitors
    }
    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        self.inner.save_state()
    }
    fn load_state(&mut self, c: &Checkpoint) -> Result<(), gen_core::run::CheckpointError> {
        self.inner.load_state(c)
    }
    fn samples(&mut self, n: usize, step: u64) -> Option<Tensor<2>> {
        self.inner.samples(n, step)
    }
    fn state_monitors(&mut self) -> Vec<(&'static str, f64)> {
        self.inner.state_monitors()
    }
}

#[test]
fn a_non_finite_energy_stops_the_run_and_the_last_checkpoint_is_good() {
    let dev = Device::flex();
    dev.seed(1);
    let energy_config = DeepEnergyConfig {
        input: 2,
        features: FeatureConfig::Mlp { hidden: vec![8] },
        experts: 4,
        sigma: 2.0,
    };
    let energy = energy_config.init(&dev);
    let generator = GeneratorConfig {
        noise: 2,
        hidden: vec![8],
        output: 2,
        output_kind: OutputKind::Linear,
        noise_kind: NoiseKind::Normal,
    }
    .init(&dev);
    let config = EbmTrainConfig {
        batch_size: 50,
        ..EbmTrainConfig::default()
    };
    let inner = EbmTrainer::new(energy, generator, config, &dev).unwrap();
    let train_device = inner.device().clone();
    // Step index 5 is the sixth update: it ends at step count 6.
    let mut trainer = Poisoned {
        inner,
        poison_at: 5,
    };
    let data = Density2d::Ring8.sample(500, &mut StdRng::seed_from_u64(2));
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path().join("run")).unwrap();
    let opts = LoopOptions {
        epochs: 2,
        batch_size: 50,
        seed: 3,
        log_every: 1,
        checkpoint_every: 1,
        epochs_per_report: 1,
        grid_samples: 0,
        sample_shape: None,
        quiet: true,
        label: "test".into(),
    };
    let err = run_training(&mut trainer, &data, &train_device, &run, &opts, false).unwrap_err();
    let TrainError::NonFinite { step, metric, .. } = &err else {
        panic!("expected a divergence, got {err}");
    };
    assert_eq!(*step, 6, "{err}");
    assert_eq!(metric, "energy_of_samples");
    assert!(err.to_string().contains("at step 6"), "{err}");
    // The last checkpoint is step 5's, and its energy is finite everywhere we look.
    let last = run.checkpoints().latest().unwrap().unwrap();
    assert_eq!(last.step, 5);
    let restored =
        load_module_bytes(energy_config.init(&dev), last.blob("energy").unwrap()).unwrap();
    let probe = Density2d::Ring8.sample(100, &mut StdRng::seed_from_u64(4));
    let e = to_vec_f32(restored.energy(probe.to_tensor(&dev)));
    assert!(e.iter().all(|v| v.is_finite()), "{e:?}");
}
