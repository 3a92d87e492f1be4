//! Training the GMMN+AE auto-encoder with burn-train's `Learner`: its loss metric, its per-epoch
//! checkpoints (model, optimiser, scheduler) and its metric logs, in `DIR/` (the run's
//! `autoencoder/` folder). A killed run resumes from the last finished epoch.
//!
//! Settings follow the reference code (`mnist_mmd_code_space`, Li et al. 2015): SGD with
//! learning rate 0.1, gradient norm clipped at 10, mini-batches of 100, 3,000 updates (five
//! epochs of the 50,000 MNIST training images). The reference first pretrains layer-wise and
//! then raises the momentum from 0 to 0.5 to 0.9 over the first 200 updates; both are left out
//! here, and the momentum is a constant 0.5 (see [`AutoencoderTrainConfig::momentum`]).

use std::path::Path;

use burn::config::Config;
use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::optim::SgdConfig;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::tensor::{Device, Tensor, TensorData};
use burn::train::metric::LossMetric;
use burn::train::{
    InferenceStep, Learner, RegressionOutput, SupervisedTraining, TrainOutput, TrainStep,
};
use gen_core::data::Dataset;
use gen_core::learner_progress::LearnerProgress;
pub use gen_core::learner_progress::last_checkpointed_epoch;
use gen_core::sgd_momentum::classical_momentum;
use gen_core::validate::{self, ConfigError};

use crate::autoencoder::Autoencoder;

/// Optimisation settings of the auto-encoder.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderTrainConfig {
    /// Passes over the data (3,000 updates of 100 on 50,000 images: `max_iters=3000`).
    #[config(default = 5)]
    pub epochs: usize,
    /// Mini-batch size (`minibatch_size=100`).
    #[config(default = 100)]
    pub batch_size: usize,
    /// SGD learning rate (`ae_learn_rate=1e-1`).
    #[config(default = 0.1)]
    pub learning_rate: f64,
    /// SGD momentum. Ours, measured on MNIST: 0.5, the momentum of the reference's layer-wise
    /// pre-training and of its fine-tuning's schedule from update 50 to 200 (`momentum_schedule=
    /// {50: 0.5, 200: ae_momentum=0.9}`, starting at 0). Without the pre-training and the
    /// schedule, 0.9 from the first update never left the mean image (validation cross-entropy
    /// 205 nats an image after each of 5 epochs, the mean image's loss); 0.5 reached 128 after
    /// one epoch, 0 reached 151.
    #[config(default = 0.5)]
    pub momentum: f64,
    /// Gradient norm clip (`max_grad_norm=10`).
    #[config(default = 10.0)]
    pub max_grad_norm: f64,
}

impl AutoencoderTrainConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::at_least("epochs", self.epochs, 1)?;
        validate::batch_size("batch_size", self.batch_size)?;
        validate::learning_rate("learning_rate", self.learning_rate)?;
        validate::momentum("momentum", self.momentum)
    }
}

/// Stacks rows of one width into a `[batch, dim]` tensor.
#[derive(Clone, Debug)]
struct RowBatcher;

impl Batcher<Vec<f32>, Tensor<2>> for RowBatcher {
    fn batch(&self, items: Vec<Vec<f32>>, device: &Device) -> Tensor<2> {
        let n = items.len();
        let d = items.first().map_or(0, Vec::len);
        Tensor::from_data(TensorData::new(items.concat(), [n, d]), device)
    }
}

impl TrainStep for Autoencoder {
    type Input = Tensor<2>;
    type Output = RegressionOutput;

    fn step(&self, x: Tensor<2>) -> TrainOutput<RegressionOutput> {
        let logits = self.decode_logits(self.encode(x.clone()));
        let loss = gen_core::loss::bce_per_example(logits.clone(), x.clone());
        let grads = loss.backward();
        TrainOutput::new(self, grads, RegressionOutput::new(loss, logits, x))
    }
}

impl InferenceStep for Autoencoder {
    type Input = Tensor<2>;
    type Output = RegressionOutput;

    fn step(&self, x: Tensor<2>) -> RegressionOutput {
        let logits = self.decode_logits(self.encode(x.clone()));
        let loss = gen_core::loss::bce_per_example(logits.clone(), x.clone());
        RegressionOutput::new(loss, logits, x)
    }
}

fn rows(data: &Dataset) -> InMemDataset<Vec<f32>> {
    InMemDataset::new(
        data.values
            .chunks_exact(data.dim())
            .map(<[f32]>::to_vec)
            .collect(),
    )
}

/// Where and how the Learner runs: its directory (checkpoints, logs), the shuffling seed and
/// whether progress bars are drawn.
#[derive(Clone, Copy, Debug)]
pub struct LearnerRun<'a> {
    /// Directory the Learner checkpoints into and resumes from.
    pub dir: &'a Path,
    /// Seed of the training loader's shuffling.
    pub seed: u64,
    /// No progress bars when true.
    pub quiet: bool,
}

/// Why the auto-encoder could not be trained.
#[derive(Debug, thiserror::Error)]
pub enum AutoencoderTrainError {
    /// Settings it cannot train with.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// burn-train's Learner stopped with an error.
    #[error("auto-encoder training failed: {0}")]
    Training(String),
}

/// Trains `model` on `train` (validated on `valid`) with burn-train's Learner in `run.dir`,
/// resuming from the last epoch checkpointed there. Returns the trained model (inference mode).
pub fn train_autoencoder(
    model: Autoencoder,
    train: &Dataset,
    valid: &Dataset,
    config: &AutoencoderTrainConfig,
    run: LearnerRun<'_>,
    device: &Device,
) -> Result<Autoencoder, AutoencoderTrainError> {
    let LearnerRun { dir, seed, quiet } = run;
    config.validate()?;
    if train.len() < config.batch_size {
        return Err(ConfigError::Invalid(format!(
            "the auto-encoder's batch size {} is larger than the {} training examples",
            config.batch_size,
            train.len()
        ))
        .into());
    }
    let loader = |data: &Dataset, shuffle: bool| {
        let builder = DataLoaderBuilder::new(RowBatcher)
            .batch_size(config.batch_size)
            .set_device(device.clone());
        let builder = if shuffle {
            builder.shuffle(seed)
        } else {
            builder
        };
        builder.build(rows(data))
    };
    let optimizer = SgdConfig::new()
        .with_momentum(Some(classical_momentum(config.momentum)))
        .with_gradient_clipping(Some(GradientClippingConfig::Norm(
            config.max_grad_norm as f32,
        )))
        .init();
    // `train` turns gradient tracking on (a module built on a plain device has it off).
    let learner = Learner::new(Module::train(model), optimizer, config.learning_rate);
    let mut training = SupervisedTraining::new(dir, loader(train, true), loader(valid, false))
        .metrics((LossMetric::new(),))
        .with_default_checkpointers()
        .with_application_logger(None)
        .renderer(Box::new(LearnerProgress::new("auto-encoder", quiet)))
        .num_epochs(config.epochs);
    if let Some(epoch) = last_checkpointed_epoch(dir) {
        if epoch >= config.epochs {
            // Finished before: one more launch would train nothing; load the last model instead.
            training = training.checkpoint(epoch).num_epochs(epoch);
        } else {
            training = training.checkpoint(epoch);
        }
    }
    let result = training.launch(learner);
    if let Some(error) = result.error {
        return Err(AutoencoderTrainError::Training(error.to_string()));
    }
    Ok(result.model)
}
