//! UNIT's training step (Liu et al. 2017, Eq. 2-5; the reference's `UNIT_Trainer`): first the
//! discriminators on real images against translations, then both VAEs on the lecture's
//!
//! `L = L_VAE(E_A, G_A) + L_GAN(E_B, G_A, D_A) + L_CC(E_A, G_A, E_B, G_B) + (the same for B)`
//!
//! with
//! - `L_VAE`: `λ₁ KL(q(z|a) ‖ N(0, I)) + λ₂ ‖G_A(z_a) - a‖₁`, `z_a = μ_A(a) + ε` (the latent
//!   of `q(z|a) = N(μ_A(a), I)`; the KL is `½ ‖μ‖²`, written as the reference's `mean μ²`);
//! - `L_GAN`: `D_A` judges `G_A(z_b)`, the translation of `b` (least squares by default);
//! - `L_CC`: `λ₃ KL(q(z|b→a)) + λ₄ ‖G_B(z_{a→b→}) - b‖₁`: the translation encoded again and
//!   decoded back to where it came from.
//!
//! The defaults are the reference's weights (GAN 1, reconstruction 10, KL 0.01, cycle 10,
//! cycle KL 0.01), the paper's `λ₀..λ₄ = 10, 0.1, 100, 0.1, 100` divided by 10.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Distribution, Tensor};
use gen_core::loss::{GanLoss, l1};
use gen_core::module_bytes::{module_bytes, optimizer_bytes};
use gen_core::run::{Checkpoint, CheckpointError};
use gen_core::training::Trainer;
use gen_core::validate::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::adam::{adam, check_settings, check_weights};
use crate::critics::Critics;
use crate::images::Augmentation;
use crate::translator::triplet_rows;
use crate::unit::{Domain, Unit, UnitConfig};
use crate::unpaired::TranslationData;

/// Optimisation settings and loss weights, defaults from the reference's
/// `unit_*_folder.yaml` configurations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitTrainConfig {
    /// Images of each domain per step (1: `batch_size: 1`).
    pub batch_size: usize,
    /// Adam's learning rate (1e-4: `lr: 0.0001`).
    pub learning_rate: f64,
    /// Adam β₁ (0.5: `beta1: 0.5`).
    pub beta1: f64,
    /// L2 weight decay (1e-4: `weight_decay: 0.0001`).
    pub weight_decay: f64,
    /// Steps between halvings of the learning rate (100,000: `step_size`, `gamma: 0.5`).
    pub halve_every: u64,
    /// Weight of the adversarial terms (`gan_w: 1`; the paper's `λ₀ = 10`).
    pub gan_weight: f64,
    /// Weight of the reconstructions `‖G_A(z_a) - a‖₁` (`recon_x_w: 10`; `λ₂ = 100`).
    pub reconstruction_weight: f64,
    /// Weight of the KL terms of the VAEs (`recon_kl_w: 0.01`; `λ₁ = 0.1`).
    pub kl_weight: f64,
    /// Weight of the cycle reconstructions (`recon_x_cyc_w: 10`; `λ₄ = 100`).
    pub cycle_weight: f64,
    /// Weight of the KL terms of the cycle's second encoding (`recon_kl_cyc_w: 0.01`;
    /// `λ₃ = 0.1`).
    pub cycle_kl_weight: f64,
    /// Least squares (the reference's `gan_type: lsgan`) or the log-loss.
    pub objective: GanLoss,
    /// Random crop and flip of the training images.
    pub augmentation: Augmentation,
}

impl Default for UnitTrainConfig {
    fn default() -> Self {
        Self {
            batch_size: 1,
            learning_rate: 1e-4,
            beta1: 0.5,
            weight_decay: 1e-4,
            halve_every: 100_000,
            gan_weight: 1.0,
            reconstruction_weight: 10.0,
            kl_weight: 0.01,
            cycle_weight: 10.0,
            cycle_kl_weight: 0.01,
            objective: GanLoss::LeastSquares,
            augmentation: Augmentation {
                crop: 0,
                flip: true,
            },
        }
    }
}

impl UnitTrainConfig {
    /// Checks every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_settings(self.batch_size, self.learning_rate, self.beta1)?;
        validate::at_least("halve_every", self.halve_every as usize, 1)?;
        check_weights(&[
            ("weight_decay", self.weight_decay),
            ("gan_weight", self.gan_weight),
            ("reconstruction_weight", self.reconstruction_weight),
            ("kl_weight", self.kl_weight),
            ("cycle_weight", self.cycle_weight),
            ("cycle_kl_weight", self.cycle_kl_weight),
        ])
    }

    fn optimizer(&self) -> ModuleOptimizer {
        adam(self.beta1, self.weight_decay)
    }

    /// The learning rate at step `step`: halved every `halve_every` steps.
    pub fn learning_rate_at(&self, step: u64) -> f64 {
        self.learning_rate * 0.5f64.powi((step / self.halve_every).min(1_000) as i32)
    }
}

/// The VAEs' loss terms of one step (means per value, before weighting).
#[derive(Debug, Clone)]
pub struct UnitLosses {
    /// The weighted sum: what the VAEs descended.
    pub total: Tensor<1>,
    /// `D_A` on `G_A(z_b)` and `D_B` on `G_B(z_a)`, each wanting "real".
    pub adversarial_a: Tensor<1>,
    /// Domain B's adversarial term.
    pub adversarial_b: Tensor<1>,
    /// `‖G_A(z_a) - a‖₁`, `‖G_B(z_b) - b‖₁`.
    pub reconstruction_a: Tensor<1>,
    /// Domain B's reconstruction term.
    pub reconstruction_b: Tensor<1>,
    /// `mean μ_A(a)²`, `mean μ_B(b)²`.
    pub kl_a: Tensor<1>,
    /// Domain B's KL term.
    pub kl_b: Tensor<1>,
    /// `‖G_A(μ_B(a→b) + ε) - a‖₁` and its B counterpart.
    pub cycle_a: Tensor<1>,
    /// Domain B's cycle term.
    pub cycle_b: Tensor<1>,
    /// `mean μ_B(a→b)²` and `mean μ_A(b→a)²`.
    pub cycle_kl_a: Tensor<1>,
    /// Domain B's cycle KL term.
    pub cycle_kl_b: Tensor<1>,
}

/// The standard deviation of the latent `q(z|x) = N(μ(x), I)`: 1 in training.
pub const LATENT_STD: f64 = 1.0;

/// `μ + std · ε`, `ε ~ N(0, I)` from the device's generator; `μ` itself when `std` is 0.
fn sample_latent(mean: Tensor<4>, std: f64) -> Tensor<4> {
    if std == 0.0 {
        return mean;
    }
    let noise = Tensor::random(mean.dims(), Distribution::Normal(0.0, std), &mean.device());
    mean + noise
}

/// The VAEs' objective on a pair of batches, with latents drawn around their means with
/// standard deviation `latent_std` ([`LATENT_STD`] in training; 0 decodes the means) from the
/// device's generator.
pub fn unit_losses(
    unit: &Unit,
    critics: &Critics,
    config: &UnitTrainConfig,
    real_a: Tensor<4>,
    real_b: Tensor<4>,
    latent_std: f64,
) -> UnitLosses {
    let mean_a = unit.encode(Domain::A, real_a.clone());
    let mean_b = unit.encode(Domain::B, real_b.clone());
    let z_a = sample_latent(mean_a.clone(), latent_std);
    let z_b = sample_latent(mean_b.clone(), latent_std);
    let reconstruction_a = l1(unit.decode(Domain::A, z_a.clone()), real_a.clone());
    let reconstruction_b = l1(unit.decode(Domain::B, z_b.clone()), real_b.clone());
    let a_to_b = unit.decode(Domain::B, z_a);
    let b_to_a = unit.decode(Domain::A, z_b);
    let mean_a_to_b = unit.encode(Domain::B, a_to_b.clone());
    let mean_b_to_a = unit.encode(Domain::A, b_to_a.clone());
    let cycle_a = l1(
        unit.decode(Domain::A, sample_latent(mean_a_to_b.clone(), latent_std)),
        real_a,
    );
    let cycle_b = l1(
        unit.decode(Domain::B, sample_latent(mean_b_to_a.clone(), latent_std)),
        real_b,
    );
    let objective = config.objective;
    let adversarial_a = objective.generator(critics.a.forward(b_to_a));
    let adversarial_b = objective.generator(critics.b.forward(a_to_b));
    let square_mean = |m: Tensor<4>| m.powi_scalar(2).mean();
    let (kl_a, kl_b) = (square_mean(mean_a), square_mean(mean_b));
    let (cycle_kl_a, cycle_kl_b) = (square_mean(mean_a_to_b), square_mean(mean_b_to_a));
    let total = (adversarial_a.clone() + adversarial_b.clone()).mul_scalar(config.gan_weight)
        + (reconstruction_a.clone() + reconstruction_b.clone())
            .mul_scalar(config.reconstruction_weight)
        + (kl_a.clone() + kl_b.clone()).mul_scalar(config.kl_weight)
        + (cycle_a.clone() + cycle_b.clone()).mul_scalar(config.cycle_weight)
        + (cycle_kl_a.clone() + cycle_kl_b.clone()).mul_scalar(config.cycle_kl_weight);
    UnitLosses {
        total,
        adversarial_a,
        adversarial_b,
        reconstruction_a,
        reconstruction_b,
        kl_a,
        kl_b,
        cycle_a,
        cycle_b,
        cycle_kl_a,
        cycle_kl_b,
    }
}

/// The discriminators' objective: real images against translations made with fresh latent
/// noise, `gan_weight · (loss of D_A + loss of D_B)`, each the unhalved sum of the real and fake
/// terms as in the reference's `calc_dis_loss`. Returns `(total, D_A's, D_B's)`.
pub fn unit_critic_losses(
    unit: &Unit,
    critics: &Critics,
    config: &UnitTrainConfig,
    real_a: Tensor<4>,
    real_b: Tensor<4>,
) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
    let b_to_a = unit
        .decode(
            Domain::A,
            sample_latent(unit.encode(Domain::B, real_b.clone()), LATENT_STD),
        )
        .detach();
    let a_to_b = unit
        .decode(
            Domain::B,
            sample_latent(unit.encode(Domain::A, real_a.clone()), LATENT_STD),
        )
        .detach();
    let objective = config.objective;
    let loss_a = objective
        .discriminator(critics.a.forward(real_a), critics.a.forward(b_to_a))
        .mul_scalar(2.0);
    let loss_b = objective
        .discriminator(critics.b.forward(real_b), critics.b.forward(a_to_b))
        .mul_scalar(2.0);
    let total = (loss_a.clone() + loss_b.clone()).mul_scalar(config.gan_weight);
    (total, loss_a, loss_b)
}

/// Both VAEs, both discriminators and their optimisers.
pub struct UnitTrainer {
    /// On the autodiff device.
    pub unit: Unit,
    /// On the autodiff device.
    pub critics: Critics,
    /// The training settings.
    pub config: UnitTrainConfig,
    data: TranslationData,
    /// Domain B's training images on the device ([`TranslationData::train_b_on`]).
    train_b: Tensor<2>,
    unit_optimizer: ModuleOptimizer,
    critic_optimizer: ModuleOptimizer,
    seed: u64,
    device: Device,
}

impl UnitTrainer {
    /// A trainer for the networks of `model` (moved to the autodiff version of `device`).
    pub fn new(
        model: &UnitConfig,
        unit: Unit,
        critics: Critics,
        config: UnitTrainConfig,
        data: TranslationData,
        seed: u64,
        device: &Device,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        data.validate(config.augmentation, |image| model.validate(image))?;
        if unit.is_shared() != model.share {
            return Err(ConfigError::Invalid(
                "the networks' weight sharing does not match the configuration".into(),
            ));
        }
        let device = device.clone().autodiff();
        Ok(Self {
            train_b: data.train_b_on(&device),
            unit: unit.train().fork(&device),
            critics: critics.train().fork(&device),
            unit_optimizer: config.optimizer(),
            critic_optimizer: config.optimizer(),
            config,
            data,
            seed,
            device,
        })
    }

    /// The autodiff device the trainer works on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The step's two augmented batches ([`TranslationData::step_batches`]).
    pub fn step_batches(&self, rows_a: Tensor<2>, step: u64) -> (Tensor<4>, Tensor<4>) {
        self.data.step_batches(
            rows_a,
            &self.train_b,
            step,
            self.seed,
            self.config.augmentation,
        )
    }

    /// One update of both discriminators; returns the losses of `D_A` and `D_B` before it.
    pub fn critic_step(
        &mut self,
        real_a: Tensor<4>,
        real_b: Tensor<4>,
        learning_rate: f64,
    ) -> (Tensor<1>, Tensor<1>) {
        // The translations are made without gradient tracking on the VAEs' weights.
        let fixed = self.unit.clone().no_grad();
        let (total, loss_a, loss_b) =
            unit_critic_losses(&fixed, &self.critics, &self.config, real_a, real_b);
        let grads = GradientsParams::from_grads(total.backward(), &self.critics);
        self.critics = self
            .critic_optimizer
            .step(learning_rate, self.critics.clone(), grads);
        (loss_a.detach(), loss_b.detach())
    }

    /// One update of both VAEs with the discriminators held fixed.
    pub fn unit_step(
        &mut self,
        real_a: Tensor<4>,
        real_b: Tensor<4>,
        learning_rate: f64,
    ) -> UnitLosses {
        let fixed_critics = self.critics.clone().no_grad();
        let losses = unit_losses(
            &self.unit,
            &fixed_critics,
            &self.config,
            real_a,
            real_b,
            LATENT_STD,
        );
        let grads = GradientsParams::from_grads(losses.total.backward(), &self.unit);
        self.unit = self
            .unit_optimizer
            .step(learning_rate, self.unit.clone(), grads);
        losses
    }

    /// The VAEs for inference, without gradient tracking.
    pub fn inference(&self) -> Unit {
        self.unit.valid()
    }
}

impl Trainer for UnitTrainer {
    /// The reference's order: the discriminators first, then the VAEs.
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        _total_steps: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let learning_rate = self.config.learning_rate_at(step);
        let (real_a, real_b) = self.step_batches(batch, step);
        let (critic_a, critic_b) = self.critic_step(real_a.clone(), real_b.clone(), learning_rate);
        let l = self.unit_step(real_a, real_b, learning_rate);
        if !log {
            return Vec::new();
        }
        vec![
            ("vaes", l.total.detach()),
            ("adversarial_a", l.adversarial_a.detach()),
            ("adversarial_b", l.adversarial_b.detach()),
            ("reconstruction_a", l.reconstruction_a.detach()),
            ("reconstruction_b", l.reconstruction_b.detach()),
            ("kl_a", l.kl_a.detach()),
            ("kl_b", l.kl_b.detach()),
            ("cycle_a", l.cycle_a.detach()),
            ("cycle_b", l.cycle_b.detach()),
            ("cycle_kl_a", l.cycle_kl_a.detach()),
            ("cycle_kl_b", l.cycle_kl_b.detach()),
            ("critic_a", critic_a),
            ("critic_b", critic_b),
        ]
    }

    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            ("unit".to_string(), module_bytes(&self.unit)),
            ("critics".to_string(), module_bytes(&self.critics)),
            (
                "unit_optimizer".to_string(),
                optimizer_bytes(&self.unit_optimizer),
            ),
            (
                "critic_optimizer".to_string(),
                optimizer_bytes(&self.critic_optimizer),
            ),
        ]
    }

    fn load_state(&mut self, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let unit_optimizer = checkpoint.optimizer("unit_optimizer", self.config.optimizer())?;
        let critic_optimizer = checkpoint.optimizer("critic_optimizer", self.config.optimizer())?;
        self.unit = checkpoint.module("unit", self.unit.clone())?;
        self.critics = checkpoint.module("critics", self.critics.clone())?;
        self.unit_optimizer = unit_optimizer;
        self.critic_optimizer = critic_optimizer;
        Ok(())
    }

    /// Triplets `a | G_B(μ_A(a)) | back to A`, then the same from B.
    fn samples(&mut self, n: usize, _step: u64) -> Option<Tensor<2>> {
        let unit = self.inference();
        let device = unit.generator_a.head.weight.device();
        triplet_rows(
            &unit,
            &self.data.preview_a,
            &self.data.preview_b,
            n,
            self.data.image,
            &device,
        )
    }
}
