//! Alternating training of the energy and the generator (Kim & Bengio 2016, Algorithm 1; the
//! lecture's "From RBM to deep energy models"):
//!
//! - energy step: descend `mean E(x⁺) - mean E(G(z))`, the negative of the lecture's estimate of
//!   `∂ log P(x) / ∂θ` with the model expectation `E_{χ~P_θ}` replaced by generator samples;
//! - generator step, after every `energy_steps` energy steps: descend
//!   `KL(P_φ | P_θ) + log Z = E_z E(G(z)) - H[P_φ]`, with `H[P_φ]` replaced by the entropy of the
//!   batch-normalised activations ([`crate::entropy`]) times `entropy_weight` (0 switches it off
//!   and lets the generator collapse onto `argmin E`, as the lecture warns).
//!
//! One step of the shared training loop is one energy step on the loop's data batch.

use burn::module::Module;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdaGradConfig, AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Tensor};
use gen_core::energy::EnergyModel;
use gen_core::module_bytes::{module_bytes, optimizer_bytes};
use gen_core::run::{Checkpoint, CheckpointError};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::Trainer;
use gen_core::validate::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::energy::DeepEnergy;
use crate::generator::Generator;

/// Optimisation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EbmTrainConfig {
    /// Data and generated examples per step.
    pub batch_size: usize,
    /// Adam learning rate of the energy (2e-4: DCGAN, Radford et al. 2016, whose adversarial
    /// training practice this alternating scheme follows).
    pub learning_rate: f64,
    /// Adam learning rate of the generator (2e-4: DCGAN).
    pub generator_learning_rate: f64,
    /// Adam β₁ (0.5: DCGAN).
    pub beta1: f64,
    /// Energy steps per generator step (1: Kim & Bengio's alternation).
    pub energy_steps: u64,
    /// Weight of the entropy term in the generator's objective (1: the KL of the lecture's slide;
    /// 0: no entropy term).
    pub entropy_weight: f64,
    /// Weight `α` of the penalty `α (mean E(x⁺)² + mean E(G(z))²)` added to the energy step
    /// (Du & Mordatch 2019). Not in Kim & Bengio: 0 is their objective.
    pub energy_l2: f64,
    /// The update rule of both networks.
    #[serde(default)]
    pub optimizer: EbmOptimizer,
    /// L2 weight decay on the energy's parameters, added to its gradient (Kim's code uses 1e-5).
    #[serde(default)]
    pub energy_weight_decay: f64,
    /// Standard deviation of Gaussian noise added to the generated examples wherever the energy
    /// sees them (Kim's code adds 0.01 to its images); images are clipped back to `[0, 1]`.
    #[serde(default)]
    pub sample_noise: f64,
}

/// Which update rule trains the two networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EbmOptimizer {
    /// Adam with `beta1` (DCGAN's choice).
    #[default]
    Adam,
    /// AdaGrad (Duchi et al. 2011), the first author's code's choice for both networks.
    Adagrad,
}

impl Default for EbmTrainConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            learning_rate: 2e-4,
            generator_learning_rate: 2e-4,
            beta1: 0.5,
            energy_steps: 1,
            entropy_weight: 1.0,
            energy_l2: 0.0,
            optimizer: EbmOptimizer::Adam,
            energy_weight_decay: 0.0,
            sample_noise: 0.0,
        }
    }
}

impl EbmTrainConfig {
    /// Checks every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // Batch norm and the entropy estimate use the batch's variance.
        validate::at_least("batch_size", self.batch_size, 2)?;
        validate::learning_rate("learning_rate", self.learning_rate)?;
        validate::learning_rate("generator_learning_rate", self.generator_learning_rate)?;
        validate::momentum("beta1", self.beta1)?;
        validate::at_least("energy_steps", self.energy_steps as usize, 1)?;
        validate::non_negative("entropy_weight", self.entropy_weight)?;
        validate::non_negative("energy_l2", self.energy_l2)?;
        validate::non_negative("energy_weight_decay", self.energy_weight_decay)?;
        validate::non_negative("sample_noise", self.sample_noise)
    }

    /// The update rule, with weight decay `decay` (0: none).
    fn optimizer(&self, decay: f64) -> ModuleOptimizer {
        let decay = (decay > 0.0).then(|| WeightDecayConfig::new(decay as f32));
        match self.optimizer {
            EbmOptimizer::Adam => AdamConfig::new()
                .with_beta_1(self.beta1 as f32)
                .with_weight_decay(decay)
                .init(),
            EbmOptimizer::Adagrad => AdaGradConfig::new().with_weight_decay(decay).init(),
        }
    }

    fn energy_optimizer(&self) -> ModuleOptimizer {
        self.optimizer(self.energy_weight_decay)
    }

    fn generator_optimizer(&self) -> ModuleOptimizer {
        self.optimizer(0.0)
    }
}

/// What one generator step measured.
pub struct GeneratorStep {
    /// `mean E(G(z))` of the step's batch.
    pub energy: Tensor<1>,
    /// The entropy approximation of the step's batch.
    pub entropy: Tensor<1>,
}

/// `x` plus Gaussian noise of standard deviation `std` (none at 0), clipped back to `[0, 1]` for
/// a generator of grey levels.
fn perturbed(x: Tensor<2>, std: f64, generator: &Generator) -> Tensor<2> {
    if std == 0.0 {
        return x;
    }
    let noisy = x.clone() + x.random_like(Distribution::Normal(0.0, std));
    if generator.sigmoid_output {
        noisy.clamp(0.0, 1.0)
    } else {
        noisy
    }
}

/// The generator's objective against any energy, `mean E(G(z)) - entropy_weight · H` on `n`
/// fresh noise vectors (the lecture's `KL(P_φ | P_θ)` up to `log Z`), with what it measured;
/// the energy sees the samples with noise of standard deviation `sample_noise` added.
pub fn generator_objective(
    generator: &Generator,
    energy: &dyn EnergyModel,
    n: usize,
    entropy_weight: f64,
    sample_noise: f64,
    device: &Device,
) -> (Tensor<1>, GeneratorStep) {
    let (x, entropy) = generator.forward_with_entropy(generator.noise(n, device));
    let mean_energy = energy.energy(perturbed(x, sample_noise, generator)).mean();
    let objective = mean_energy.clone() - entropy.clone().mul_scalar(entropy_weight);
    (
        objective,
        GeneratorStep {
            energy: mean_energy.detach(),
            entropy: entropy.detach(),
        },
    )
}

/// Both networks and their optimisers.
pub struct EbmTrainer {
    /// The energy, on the autodiff device.
    pub energy: DeepEnergy,
    /// The generator, on the autodiff device.
    pub generator: Generator,
    /// The training settings.
    pub config: EbmTrainConfig,
    energy_optimizer: ModuleOptimizer,
    generator_optimizer: ModuleOptimizer,
    device: Device,
}

impl EbmTrainer {
    /// A trainer for `energy` and `generator` (moved to the autodiff version of `device`), or
    /// why they cannot train together.
    pub fn new(
        energy: DeepEnergy,
        generator: Generator,
        config: EbmTrainConfig,
        device: &Device,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        if generator.output_dim() != energy.input_dim() {
            return Err(ConfigError::Invalid(format!(
                "the generator outputs {} values per example but the energy takes {}",
                generator.output_dim(),
                energy.input_dim()
            )));
        }
        let device = device.clone().autodiff();
        Ok(Self {
            // `train` turns gradient tracking on (a module built on a plain device has it off).
            energy: energy.train().fork(&device),
            generator: generator.train().fork(&device),
            energy_optimizer: config.energy_optimizer(),
            generator_optimizer: config.generator_optimizer(),
            config,
            device,
        })
    }

    /// The autodiff device the trainer works on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// One energy step against the data batch `data`; returns `mean E(data)` and
    /// `mean E(G(z))` before the step.
    pub fn energy_step(&mut self, data: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let [batch, _] = data.dims();
        let generated = self
            .generator
            .forward(self.generator.noise(batch, &self.device));
        let negative = perturbed(generated, self.config.sample_noise, &self.generator).detach();
        let positive = self.energy.energy(data);
        let negative = self.energy.energy(negative);
        let (positive_energy, negative_energy) = (positive.clone().mean(), negative.clone().mean());
        let mut loss = positive_energy.clone() - negative_energy.clone();
        if self.config.energy_l2 > 0.0 {
            let squares = positive.powi_scalar(2).mean() + negative.powi_scalar(2).mean();
            loss = loss + squares.mul_scalar(self.config.energy_l2);
        }
        let grads = GradientsParams::from_grads(loss.backward(), &self.energy);
        self.energy =
            self.energy_optimizer
                .step(self.config.learning_rate, self.energy.clone(), grads);
        (positive_energy.detach(), negative_energy.detach())
    }

    /// One generator step on a fresh batch of noise: descend
    /// `mean E(G(z)) - entropy_weight · H`.
    pub fn generator_step(&mut self) -> GeneratorStep {
        let (objective, step) = generator_objective(
            &self.generator,
            &self.energy,
            self.config.batch_size,
            self.config.entropy_weight,
            self.config.sample_noise,
            &self.device,
        );
        let grads = GradientsParams::from_grads(objective.backward(), &self.generator);
        self.generator = self.generator_optimizer.step(
            self.config.generator_learning_rate,
            self.generator.clone(),
            grads,
        );
        step
    }

    /// The networks for inference (no gradient tracking; batch norm on its running averages).
    pub fn inference(&self) -> (DeepEnergy, Generator) {
        (self.energy.valid(), self.generator.valid())
    }
}

impl Trainer for EbmTrainer {
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        _total_steps: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let (data_energy, generated_energy) = self.energy_step(batch);
        let generator = (step + 1)
            .is_multiple_of(self.config.energy_steps)
            .then(|| self.generator_step());
        if !log {
            return Vec::new();
        }
        let mut monitors = vec![
            ("energy_data", data_energy),
            ("energy_generated", generated_energy),
        ];
        if let Some(g) = generator {
            monitors.push(("entropy", g.entropy));
        }
        monitors
    }

    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            ("energy".to_string(), module_bytes(&self.energy)),
            ("generator".to_string(), module_bytes(&self.generator)),
            (
                "energy_optimizer".to_string(),
                optimizer_bytes(&self.energy_optimizer),
            ),
            (
                "generator_optimizer".to_string(),
                optimizer_bytes(&self.generator_optimizer),
            ),
        ]
    }

    fn load_state(&mut self, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let energy_optimizer =
            checkpoint.optimizer("energy_optimizer", self.config.energy_optimizer())?;
        let generator_optimizer =
            checkpoint.optimizer("generator_optimizer", self.config.generator_optimizer())?;
        self.energy = checkpoint.module("energy", self.energy.clone())?;
        self.generator = checkpoint.module("generator", self.generator.clone())?;
        self.energy_optimizer = energy_optimizer;
        self.generator_optimizer = generator_optimizer;
        Ok(())
    }

    /// The mean energy of 64 generator samples under the current networks.
    fn state_monitors(&mut self) -> Vec<(&'static str, f64)> {
        let (energy, generator) = self.inference();
        let device = generator.output.weight.device();
        let e = energy.energy(generator.sample(64, &device)).mean();
        vec![("energy_of_samples", to_vec_f32(e)[0] as f64)]
    }

    fn samples(&mut self, n: usize, _step: u64) -> Option<Tensor<2>> {
        let generator = self.generator.valid();
        let device = generator.output.weight.device();
        Some(generator.sample(n, &device))
    }
}
