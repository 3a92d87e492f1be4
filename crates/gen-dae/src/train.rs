//! Training a denoising auto-encoder with SGD on the walkback criterion
//! ([`crate::walkback::denoising_loss`]), as a [`Trainer`] for the shared training loop.
//!
//! Defaults are the original code's for MNIST (`yaoli/GSN`, `run_dae_walkback.py`): salt-and-
//! pepper corruption 0.4, Bernoulli reconstruction, batches of 100, learning rate 10, no
//! momentum, 5 walkback steps when walkback is on.

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Tensor};
use gen_core::module_bytes::{module_bytes, optimizer_bytes};
use gen_core::run::{Checkpoint, CheckpointError};
use gen_core::sgd_momentum::classical_momentum;
use gen_core::training::Trainer;
use gen_core::validate::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::chain::Chain;
use crate::corruption::CorruptionConfig;
use crate::model::Denoiser;
use crate::reconstruction::Reconstruction;
use crate::walkback::{Walkback, denoising_loss};

/// What a DAE is trained with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaeTrainConfig {
    /// `C(X' | X)` (`input_salt_and_pepper=0.4`).
    pub corruption: CorruptionConfig,
    /// `P_θ(X | X')` (binary MNIST: Bernoulli).
    pub reconstruction: Reconstruction,
    /// Simple or walkback training (`walkbacks=5` in `run_dae_walkback.py`).
    pub walkback: Walkback,
    /// Examples per update (`batch_size=100`).
    pub batch_size: usize,
    /// SGD learning rate on the objective (`learning_rate=10`).
    pub learning_rate: f64,
    /// SGD momentum (`momentum=0`); unused by Adam.
    pub momentum: f64,
    /// SGD (the original code's) or Adam (Kingma & Ba 2015, default betas), which suits the
    /// Gaussian reconstruction, whose gradient scales as `1/std²`.
    pub optimizer: OptimizerKind,
    /// Decay the learning rate linearly to 0 over the run (averages out the gradient noise
    /// that dominates a small-noise DAE's objective); the original code keeps it constant
    /// (`annealing=1`).
    pub linear_decay: bool,
}

/// The update rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// SGD, with classical momentum when `momentum` > 0 (the original code's).
    Sgd,
    /// Adam (burn's defaults).
    Adam,
}

impl Default for DaeTrainConfig {
    fn default() -> Self {
        Self {
            corruption: CorruptionConfig::SaltAndPepper { p: 0.4 },
            reconstruction: Reconstruction::Bernoulli,
            walkback: Walkback::None,
            batch_size: 100,
            learning_rate: 10.0,
            momentum: 0.0,
            optimizer: OptimizerKind::Sgd,
            linear_decay: false,
        }
    }
}

impl DaeTrainConfig {
    /// Checks every setting except the data's support (see [`Reconstruction::validate`]).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.corruption.validate().map_err(ConfigError::invalid)?;
        self.reconstruction
            .validate(&[])
            .map_err(ConfigError::invalid)?;
        self.walkback.validate().map_err(ConfigError::invalid)?;
        validate::batch_size("batch_size", self.batch_size)?;
        validate::learning_rate("learning_rate", self.learning_rate)?;
        validate::momentum("momentum", self.momentum)
    }
}

fn optimizer(config: &DaeTrainConfig) -> ModuleOptimizer {
    match config.optimizer {
        OptimizerKind::Sgd => {
            let momentum = (config.momentum > 0.0).then(|| classical_momentum(config.momentum));
            SgdConfig::new().with_momentum(momentum).init()
        }
        OptimizerKind::Adam => AdamConfig::new().init(),
    }
}

impl DaeTrainConfig {
    /// The learning rate of update `step` of `total_steps`.
    pub fn learning_rate_at(&self, step: u64, total_steps: u64) -> f64 {
        if self.linear_decay && total_steps > 0 {
            self.learning_rate * (1.0 - step as f64 / total_steps as f64)
        } else {
            self.learning_rate
        }
    }

    /// Whether the optimiser keeps state worth checkpointing.
    fn stateful_optimizer(&self) -> bool {
        self.optimizer == OptimizerKind::Adam || self.momentum > 0.0
    }
}

/// Draws the start states of `n` chains on a device.
pub type ChainStartFn = Box<dyn Fn(usize, &Device) -> Tensor<2>>;

/// A denoiser, its optimiser and the start of the chains its sample grids show.
pub struct DaeTrainer<D: Denoiser> {
    /// The network, on the autodiff device.
    pub model: D,
    /// The training settings.
    pub config: DaeTrainConfig,
    optimizer: ModuleOptimizer,
    /// Draws the start of the sample-grid chains (`n` rows on the given device).
    start: ChainStartFn,
    /// Transitions run from the start before a grid is drawn.
    pub grid_steps: usize,
    device: Device,
}

impl<D: Denoiser> DaeTrainer<D> {
    /// A trainer for `model` (moved to the autodiff version of `device`); `start(n)` gives the
    /// start states of `n` chains for the sample grids.
    pub fn new(
        model: D,
        config: DaeTrainConfig,
        start: ChainStartFn,
        device: &Device,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let device = device.clone().autodiff();
        Ok(Self {
            // `train` turns gradient tracking on (a module built on a plain device has it off).
            model: model.train().fork(&device),
            optimizer: optimizer(&config),
            config,
            start,
            grid_steps: 100,
            device,
        })
    }

    /// The autodiff device the trainer works on (pass it to the training loop).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// One update with learning rate `learning_rate` on the clean batch `x`; returns the first
    /// pair's NLL (nats per example) and the mean number of pairs per example.
    pub fn update(&mut self, x: Tensor<2>, learning_rate: f64) -> (Tensor<1>, Tensor<1>) {
        let loss = denoising_loss(
            &self.model,
            &self.config.corruption,
            self.config.reconstruction,
            self.config.walkback,
            x,
        );
        let grads = GradientsParams::from_grads(loss.objective.backward(), &self.model);
        self.model = self
            .optimizer
            .step(learning_rate, self.model.clone(), grads);
        (loss.first_nll, loss.mean_steps.detach())
    }

    /// `records` recorded states of `chains` chains from `start`, off the autodiff graph.
    pub fn chain_states(
        &self,
        start: Tensor<2>,
        burn_in: usize,
        thinning: usize,
        records: usize,
    ) -> Vec<Tensor<2>> {
        let mut chain = Chain::new(
            &self.model,
            &self.config.corruption,
            self.config.reconstruction,
            start,
        );
        chain.record(burn_in, thinning, records)
    }
}

impl<D: Denoiser> Trainer for DaeTrainer<D> {
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        total_steps: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let learning_rate = self.config.learning_rate_at(step, total_steps);
        let (nll, steps) = self.update(batch, learning_rate);
        if log {
            vec![("reconstruction_nll", nll), ("walk_steps", steps)]
        } else {
            Vec::new()
        }
    }

    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        let mut blobs = vec![("dae".to_string(), module_bytes(&self.model))];
        if self.config.stateful_optimizer() {
            blobs.push(("optimizer".to_string(), optimizer_bytes(&self.optimizer)));
        }
        blobs
    }

    fn load_state(&mut self, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        self.model = checkpoint.module("dae", self.model.clone())?;
        if self.config.stateful_optimizer() {
            self.optimizer = checkpoint.optimizer("optimizer", optimizer(&self.config))?;
        }
        Ok(())
    }

    fn samples(&mut self, n: usize, _step: u64) -> Option<Tensor<2>> {
        let start = (self.start)(n, &self.device);
        self.chain_states(start, self.grid_steps.saturating_sub(1), 1, 1)
            .pop()
    }
}
