//! The shared loop never writes a checkpoint holding a NaN, whatever the method's monitors say,
//! says truthfully what is left when a run diverges, and refuses an epoch count whose steps
//! overflow.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};
use gen_core::data::{Dataset, ItemShape};
use gen_core::module_bytes::module_bytes;
use gen_core::npy::encode_npy;
use gen_core::run::finite_blobs::first_non_finite;
use gen_core::run::{Checkpoint, CheckpointError, RunDir};
use gen_core::training::{LoopOptions, TrainError, Trainer, run_training};

/// A linear layer whose weights are set to NaN by the update of step `poison_at`, while its
/// monitor (computed before the update, as the GMMN's loss is) stays finite; or, with
/// `nan_monitor`, whose monitor is NaN from the first step.
struct Linearly {
    layer: Linear,
    poison_at: u64,
    nan_monitor: bool,
    /// From this step on, samples of the model are infinite (finite but huge weights).
    infinite_samples_from: u64,
}

impl Trainer for Linearly {
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        _total: u64,
        _log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let monitor = batch.clone().sum().reshape([1]);
        if step == self.poison_at {
            let w = self.layer.weight.val().mul_scalar(f64::NAN);
            self.layer.weight = Param::from_tensor(w);
        }
        let value = if self.nan_monitor {
            monitor.mul_scalar(f64::NAN)
        } else {
            monitor
        };
        vec![("loss", value)]
    }
    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        vec![("layer".to_string(), module_bytes(&self.layer))]
    }
    fn load_state(&mut self, c: &Checkpoint) -> Result<(), CheckpointError> {
        self.layer = c.module("layer", self.layer.clone())?;
        Ok(())
    }
    fn samples(&mut self, n: usize, step: u64) -> Option<Tensor<2>> {
        let device = self.layer.weight.device();
        let value = if step >= self.infinite_samples_from {
            f32::INFINITY
        } else {
            0.5
        };
        Some(Tensor::<2>::ones([n, 2], &device).mul_scalar(value))
    }
}

impl Linearly {
    fn new(poison_at: u64, nan_monitor: bool, infinite_samples_from: u64, device: &Device) -> Self {
        Self {
            layer: LinearConfig::new(2, 3).init(device),
            poison_at,
            nan_monitor,
            infinite_samples_from,
        }
    }
}

/// A fresh run folder (kept while the returned temporary folder lives).
fn new_run() -> (tempfile::TempDir, RunDir) {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path().join("run")).unwrap();
    (dir, run)
}

fn data() -> Dataset {
    Dataset {
        name: "points".into(),
        values: (0..16).map(|i| i as f32 / 16.0).collect(),
        item_shape: ItemShape::Vector { dim: 2 },
        labels: None,
    }
}

fn options(epochs: u64) -> LoopOptions {
    LoopOptions {
        epochs,
        batch_size: 1,
        seed: 3,
        log_every: 1,
        checkpoint_every: 1,
        epochs_per_report: 1,
        grid_samples: 0,
        sample_shape: None,
        quiet: true,
        label: "test".into(),
    }
}

#[test]
fn a_nan_parameter_stops_the_run_before_its_checkpoint_is_written() {
    let device = Device::flex();
    let mut trainer = Linearly::new(2, false, u64::MAX, &device);
    let (_dir, run) = new_run();
    let err = run_training(&mut trainer, &data(), &device, &run, &options(2), false).unwrap_err();
    let TrainError::NonFiniteState { value, step, .. } = &err else {
        panic!("expected a divergence of the state, got {err}");
    };
    assert_eq!(*step, 3, "{err}");
    assert_eq!(value.blob, "layer");
    assert!(value.tensor.contains("weight"), "{err}");
    assert_eq!((value.count, value.total), (6, 6), "{err}");
    let text = err.to_string();
    assert!(text.contains("the last good checkpoint (step 2)"), "{text}");
    // Steps 1 and 2 were saved; step 3's NaN weights never were.
    assert_eq!(run.checkpoints().steps(), vec![1, 2]);
    let last = run.checkpoints().latest().unwrap().unwrap();
    assert!(first_non_finite("layer", last.blob("layer").unwrap()).is_none());
}

#[test]
fn a_divergence_before_any_checkpoint_says_nothing_is_kept() {
    let device = Device::flex();
    let mut trainer = Linearly::new(u64::MAX, true, u64::MAX, &device);
    let (_dir, run) = new_run();
    let err = run_training(&mut trainer, &data(), &device, &run, &options(1), false).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TrainError::NonFinite { step: 1, .. }),
        "{text}"
    );
    assert!(
        text.contains("no checkpoint had been written yet"),
        "{text}"
    );
    assert!(!text.contains("is kept in"), "{text}");
    assert!(run.checkpoints().steps().is_empty());
}

#[test]
fn an_epoch_count_whose_steps_overflow_is_refused() {
    let device = Device::flex();
    let mut trainer = Linearly::new(u64::MAX, false, u64::MAX, &device);
    let (_dir, run) = new_run();
    // 8 steps an epoch: the product passes u64::MAX (it used to wrap to a few steps and exit 0).
    let err = run_training(
        &mut trainer,
        &data(),
        &device,
        &run,
        &options(6_148_914_691_236_517_206),
        false,
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Config(_)), "{err}");
    assert!(err.to_string().contains("overflow"), "{err}");
    assert!(run.checkpoints().steps().is_empty());
}

#[test]
fn the_blob_check_reads_npy_and_burnpack_and_names_the_tensor() {
    let good = encode_npy(&[2, 2], &[0.0, 1.0, -2.0, 3.5]);
    assert!(first_non_finite("weights", &good).is_none());
    let bad = encode_npy(&[3], &[0.0, f32::INFINITY, f32::NAN]);
    let found = first_non_finite("weights", &bad).unwrap();
    assert_eq!((found.count, found.total), (2, 3));
    assert_eq!(found.first, f64::INFINITY);
    let device = Device::flex();
    let mut layer: Linear = LinearConfig::new(4, 2).init(&device);
    assert!(first_non_finite("layer", &module_bytes(&layer)).is_none());
    let bias = layer.bias.take().unwrap().val();
    layer.bias = Some(Param::from_tensor(bias.mul_scalar(f64::NAN)));
    let found = first_non_finite("layer", &module_bytes(&layer)).unwrap();
    assert!(found.tensor.contains("bias"), "{found}");
    assert_eq!((found.count, found.total), (2, 2));
    // A blob of another format (counters, an image pool) is not read.
    assert!(first_non_finite("pt_round", &7u64.to_le_bytes()).is_none());
    // One that claims a known format but cannot be read is reported.
    let mut truncated = module_bytes(&layer);
    truncated.truncate(12);
    assert!(first_non_finite("layer", &truncated).is_some());
}

#[test]
fn a_model_whose_samples_are_not_finite_is_not_checkpointed() {
    let device = Device::flex();
    let mut trainer = Linearly::new(u64::MAX, false, 4, &device);
    let (_dir, run) = new_run();
    let err = run_training(&mut trainer, &data(), &device, &run, &options(1), false).unwrap_err();
    let TrainError::NonFinite { metric, step, .. } = &err else {
        panic!("expected a divergence, got {err}");
    };
    assert_eq!(*step, 4, "{err}");
    assert!(metric.contains("sample"), "{err}");
    assert!(
        err.to_string()
            .contains("the last good checkpoint (step 3)"),
        "{err}"
    );
    assert_eq!(run.checkpoints().steps(), vec![2, 3]);
}
