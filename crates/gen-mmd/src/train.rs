//! Training a GMMN by minimising `sqrt(MMD²)` between a batch of generated points and a batch of
//! data (Li et al. 2015, Algorithm 1): draw noise, generate, compare the two batches through the
//! kernel mixture, back-propagate through the generator, take an SGD-with-momentum step.
//!
//! Settings are those of the reference code (`mnist_mmd_input_space`): batches of 1,000 data and
//! 1,000 generated points; Gaussian kernels with variances 2, 5, 10, 20, 40, 80; SGD with
//! learning rate 2 and momentum 0.9 until update 10,000, then learning rate 0.2 and momentum 0.99;
//! the loss multiplied by 1,000. The reference's loss (`mmdgen_sqrt_gaussian`,
//! `SqrtGaussianKernelMmdLoss` over `GaussianKernelMmdLoss`) is the square root of the whole
//! V-statistic MMD²_b (its weight matrix `s sᵀ` with `s = (1/n, ..., -1/m, ...)`), and its
//! learner divides loss and gradient by the number of generated points, so its objective is
//! `1000 sqrt(MMD²_b) / 1000`; [`GmmnTrainConfig::objective_scale`] reproduces that factor.

use burn::config::Config;
use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Tensor};
use gen_core::kernel::{KernelError, MixtureKernel};
use gen_core::module_bytes::{module_bytes, optimizer_bytes};
use gen_core::run::{Checkpoint, CheckpointError};
use gen_core::sgd_momentum::classical_momentum;
use gen_core::training::Trainer;
use gen_core::validate::{self, ConfigError};

use crate::autoencoder::Autoencoder;
use crate::mmd::mmd_loss;
use crate::model::Gmmn;

/// Optimisation settings of a GMMN.
#[derive(Config, Debug, PartialEq)]
pub struct GmmnTrainConfig {
    /// Variances `s` of the summed Gaussian kernels `exp(-|x-y|^2 / (2 s))`
    /// (`sigma=[2,5,10,20,40,80]` for MNIST pixels; `mmd_sigma=1` in the code space of GMMN+AE).
    #[config(default = "vec![2.0, 5.0, 10.0, 20.0, 40.0, 80.0]")]
    pub kernel_variances: Vec<f64>,
    /// Data points per update (`minibatch_size=1000`).
    #[config(default = 1000)]
    pub batch_size: usize,
    /// Generated points per update (`n_samples_per_update=minibatch_size`).
    #[config(default = 1000)]
    pub samples_per_update: usize,
    /// SGD learning rate (`learn_rate=2`).
    #[config(default = 2.0)]
    pub learning_rate: f64,
    /// SGD momentum (`momentum=0.9`).
    #[config(default = 0.9)]
    pub momentum: f64,
    /// From this update on, the learning rate is divided by 10 and the momentum becomes
    /// `1 - (1 - momentum) / 10` (`learn_rate_schedule={10000: lr/10}`, `momentum_schedule`).
    #[config(default = 10000)]
    pub schedule_step: u64,
    /// Weight of the loss (`loss_weight=1000`).
    #[config(default = 1000.0)]
    pub loss_weight: f64,
}

impl GmmnTrainConfig {
    /// The factor multiplying `sqrt(MMD²_b)` in the objective: `loss_weight /
    /// samples_per_update`, the reference code's objective `loss_weight sqrt(MMD²_b)` divided by
    /// the generated batch size (`StochasticGenerativeNetLearner.f_and_fprime`); 1 at the
    /// defaults. (Until 2026-12-07 this carried an extra `1/sqrt(2)`, read from the reference's
    /// two-column weight matrix of `UnsupervisedMmdLossMultiScale`, a loss `train.py` does not
    /// train with.)
    pub fn objective_scale(&self) -> f64 {
        self.loss_weight / self.samples_per_update as f64
    }

    /// The kernel mixture, or why the bandwidths cannot define one.
    pub fn kernel(&self) -> Result<MixtureKernel, KernelError> {
        MixtureKernel::from_variances(&self.kernel_variances)
    }

    /// Checks every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.kernel().map_err(ConfigError::invalid)?;
        validate::batch_size("batch_size", self.batch_size)?;
        validate::batch_size("samples_per_update", self.samples_per_update)?;
        validate::learning_rate("learning_rate", self.learning_rate)?;
        validate::momentum("momentum", self.momentum)?;
        validate::positive("loss_weight", self.loss_weight)
    }

    /// Learning rate and momentum at update `step`.
    pub fn schedule(&self, step: u64) -> (f64, f64) {
        if step < self.schedule_step {
            (self.learning_rate, self.momentum)
        } else {
            (
                self.learning_rate / 10.0,
                1.0 - (1.0 - self.momentum) / 10.0,
            )
        }
    }
}

fn sgd(momentum: f64) -> ModuleOptimizer {
    SgdConfig::new()
        .with_momentum(Some(classical_momentum(momentum)))
        .init()
}

/// A GMMN and its optimiser state; with a decoder, the GMMN lives in an auto-encoder's code
/// space and its samples are decoded to data space (GMMN+AE).
pub struct GmmnTrainer {
    /// The generator, on the autodiff device.
    pub model: Gmmn,
    /// The fixed decoder of GMMN+AE, if any.
    pub decoder: Option<Autoencoder>,
    /// The training settings.
    pub config: GmmnTrainConfig,
    kernel: MixtureKernel,
    optimizer: ModuleOptimizer,
    optimizer_momentum: f64,
    device: Device,
}

impl GmmnTrainer {
    /// A trainer for `model` (moved to the autodiff version of `device`).
    pub fn new(
        model: Gmmn,
        decoder: Option<Autoencoder>,
        config: GmmnTrainConfig,
        device: &Device,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        let kernel = config.kernel().expect("validate checked the variances");
        let device = device.clone().autodiff();
        let momentum = config.momentum;
        Ok(Self {
            // `train` turns gradient tracking on (a module built on a plain device has it off).
            model: model.train().fork(&device),
            decoder,
            kernel,
            optimizer: sgd(momentum),
            optimizer_momentum: momentum,
            config,
            device,
        })
    }

    /// The autodiff device the trainer works on (pass it to the training loop).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// One update against the data batch `data`; returns `sqrt(MMD²_b)` of the update's batches.
    pub fn update(&mut self, data: Tensor<2>, step: u64) -> Tensor<1> {
        let (lr, momentum) = self.config.schedule(step);
        if momentum != self.optimizer_momentum {
            // The momentum changes at the schedule step: same velocity state, new coefficient.
            self.optimizer = sgd(momentum).load_record(self.optimizer.to_record());
            self.optimizer_momentum = momentum;
        }
        let generated = self.model.forward(
            self.model
                .noise(self.config.samples_per_update, &self.device),
        );
        let mmd = mmd_loss(&self.kernel, generated, data)
            .expect("the run checked that data and generator widths match");
        let objective = mmd.clone().mul_scalar(self.config.objective_scale());
        let grads = GradientsParams::from_grads(objective.backward(), &self.model);
        self.model = self.optimizer.step(lr, self.model.clone(), grads);
        mmd.detach()
    }

    /// `n` samples in data space (decoded for GMMN+AE), off the autodiff graph.
    pub fn sample(&self, n: usize) -> Tensor<2> {
        let points = self.model.sample(n, &self.device).detach();
        match &self.decoder {
            Some(decoder) => decoder.decode(points),
            None => points,
        }
    }
}

impl Trainer for GmmnTrainer {
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        _total_steps: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let mmd = self.update(batch, step);
        if log { vec![("mmd", mmd)] } else { Vec::new() }
    }

    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        let mut blobs = vec![
            ("gmmn".to_string(), module_bytes(&self.model)),
            ("optimizer".to_string(), optimizer_bytes(&self.optimizer)),
        ];
        if let Some(decoder) = &self.decoder {
            blobs.push(("autoencoder".to_string(), module_bytes(decoder)));
        }
        blobs
    }

    fn load_state(&mut self, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        self.model = checkpoint.module("gmmn", self.model.clone())?;
        let (_, momentum) = self.config.schedule(checkpoint.step);
        self.optimizer = checkpoint.optimizer("optimizer", sgd(momentum))?;
        self.optimizer_momentum = momentum;
        if let Some(decoder) = self.decoder.take() {
            self.decoder = Some(checkpoint.module("autoencoder", decoder)?);
        }
        Ok(())
    }

    fn samples(&mut self, n: usize, _step: u64) -> Option<Tensor<2>> {
        Some(self.sample(n))
    }
}
