//! CycleGAN's training step as the reference does it (`CycleGANModel.optimize_parameters`):
//! translate both ways, update both translators on the adversarial, cycle and identity losses
//! with the discriminators held fixed, then update both discriminators on real images and on
//! generated ones drawn through the image pools. Adam 2e-4, β₁ 0.5; the rate constant, then
//! decaying linearly ([`crate::schedule`]).
//!
//! One step of the shared training loop takes a batch of domain A from the loop and draws its
//! unpaired partners from domain B at random, as the reference's `UnalignedDataset` does; an
//! epoch is a pass over domain A.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};
use gen_core::loss::{GanLoss, l1};
use gen_core::module_bytes::{module_bytes, optimizer_bytes};
use gen_core::run::{Checkpoint, CheckpointError};
use gen_core::seed::{Stream, derive};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::Trainer;
use gen_core::validate::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::adam::{adam, check_settings, check_weights};
use crate::critics::Critics;
use crate::cyclegan::{CycleGanConfig, Translators};
use crate::images::Augmentation;
use crate::pool::ImagePool;
use crate::schedule::LinearDecay;
use crate::translator::triplet_rows;
use crate::unpaired::TranslationData;

/// Optimisation settings, defaults from the reference's `train_options.py` and
/// `cycle_gan_model.py`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleGanTrainConfig {
    /// Images of each domain per step (1: `--batch_size 1`).
    pub batch_size: usize,
    /// Adam's base learning rate (2e-4: `--lr 0.0002`).
    pub learning_rate: f64,
    /// Adam β₁ (0.5: `--beta1 0.5`).
    pub beta1: f64,
    /// The share of the run's epochs over which the rate decays linearly after a constant
    /// start (0.5: the reference's `--n_epochs 100 --n_epochs_decay 100`).
    pub decay_fraction: f64,
    /// `λ` of the cycle losses, both directions (10: `--lambda_A 10 --lambda_B 10`).
    pub cycle_weight: f64,
    /// The identity loss's weight as a fraction of `λ` (0.5: `--lambda_identity 0.5`; 0 turns
    /// it off).
    pub identity_weight: f64,
    /// Generated images the discriminators draw from (50: `--pool_size 50`).
    pub pool_size: usize,
    /// Least squares (the reference's `--gan_mode lsgan`) or the slide's log-loss.
    pub objective: GanLoss,
    /// Random crop and flip of the training images.
    pub augmentation: Augmentation,
}

impl Default for CycleGanTrainConfig {
    fn default() -> Self {
        Self {
            batch_size: 1,
            learning_rate: 2e-4,
            beta1: 0.5,
            decay_fraction: 0.5,
            cycle_weight: 10.0,
            identity_weight: 0.5,
            pool_size: 50,
            objective: GanLoss::LeastSquares,
            augmentation: Augmentation {
                crop: 0,
                flip: true,
            },
        }
    }
}

impl CycleGanTrainConfig {
    /// Checks every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_settings(self.batch_size, self.learning_rate, self.beta1)?;
        check_weights(&[
            ("cycle_weight", self.cycle_weight),
            ("identity_weight", self.identity_weight),
        ])?;
        validate::probability("decay_fraction", self.decay_fraction)
    }

    fn optimizer(&self) -> ModuleOptimizer {
        adam(self.beta1, 0.0)
    }
}

/// The translators' losses of one step, each a mean over values (before weighting).
#[derive(Debug, Clone)]
pub struct TranslatorLosses {
    /// `λ`-weighted sum of everything below: what the translators descended.
    pub total: Tensor<1>,
    /// `L_GAN(G, D_B)`: `G`'s images judged by `D_B`.
    pub adversarial_a_to_b: Tensor<1>,
    /// `L_GAN(F, D_A)`.
    pub adversarial_b_to_a: Tensor<1>,
    /// `E ‖F(G(a)) - a‖₁`.
    pub cycle_a: Tensor<1>,
    /// `E ‖G(F(b)) - b‖₁`.
    pub cycle_b: Tensor<1>,
    /// `E ‖F(a) - a‖₁` (zero when the identity weight is 0).
    pub identity_a: Tensor<1>,
    /// `E ‖G(b) - b‖₁`.
    pub identity_b: Tensor<1>,
}

/// The images a translator step made, for the discriminators.
pub struct Translated {
    /// `G(a)`, detached.
    pub fake_b: Tensor<4>,
    /// `F(b)`, detached.
    pub fake_a: Tensor<4>,
}

/// The translators' objective on a pair of batches: the lecture's full loss plus the identity
/// term, `L_GAN(G, D_B) + L_GAN(F, D_A) + λ (L_cyc,A + L_cyc,B) + λ·w_id (L_id,A + L_id,B)`.
pub fn translator_losses(
    translators: &Translators,
    critics: &Critics,
    config: &CycleGanTrainConfig,
    real_a: Tensor<4>,
    real_b: Tensor<4>,
) -> (TranslatorLosses, Translated) {
    let fake_b = translators.a_to_b.forward(real_a.clone());
    let cycled_a = translators.b_to_a.forward(fake_b.clone());
    let fake_a = translators.b_to_a.forward(real_b.clone());
    let cycled_b = translators.a_to_b.forward(fake_a.clone());
    let objective = config.objective;
    let adversarial_a_to_b = objective.generator(critics.b.forward(fake_b.clone()));
    let adversarial_b_to_a = objective.generator(critics.a.forward(fake_a.clone()));
    let cycle_a = l1(cycled_a, real_a.clone());
    let cycle_b = l1(cycled_b, real_b.clone());
    let device = real_a.device();
    let (identity_a, identity_b) = if config.identity_weight > 0.0 {
        (
            l1(translators.b_to_a.forward(real_a.clone()), real_a),
            l1(translators.a_to_b.forward(real_b.clone()), real_b),
        )
    } else {
        (Tensor::zeros([1], &device), Tensor::zeros([1], &device))
    };
    let lambda = config.cycle_weight;
    let total = adversarial_a_to_b.clone()
        + adversarial_b_to_a.clone()
        + (cycle_a.clone() + cycle_b.clone()).mul_scalar(lambda)
        + (identity_a.clone() + identity_b.clone()).mul_scalar(lambda * config.identity_weight);
    (
        TranslatorLosses {
            total,
            adversarial_a_to_b,
            adversarial_b_to_a,
            cycle_a,
            cycle_b,
            identity_a,
            identity_b,
        },
        Translated {
            fake_b: fake_b.detach(),
            fake_a: fake_a.detach(),
        },
    )
}

/// The discriminators' objective: each halved log- or least-squares loss on real images of its
/// domain against generated ones (`D_A`: real A against `fake_a`; `D_B`: real B against
/// `fake_b`). Returns `(loss of D_A, loss of D_B)`.
pub fn critic_losses(
    critics: &Critics,
    objective: GanLoss,
    real_a: Tensor<4>,
    real_b: Tensor<4>,
    fake_a: Tensor<4>,
    fake_b: Tensor<4>,
) -> (Tensor<1>, Tensor<1>) {
    (
        objective.discriminator(critics.a.forward(real_a), critics.a.forward(fake_a)),
        objective.discriminator(critics.b.forward(real_b), critics.b.forward(fake_b)),
    )
}

/// Both translators, both discriminators, their optimisers and the image pools.
pub struct CycleGanTrainer {
    /// On the autodiff device.
    pub translators: Translators,
    /// On the autodiff device.
    pub critics: Critics,
    /// The training settings.
    pub config: CycleGanTrainConfig,
    data: TranslationData,
    /// Domain B's training images on the device ([`TranslationData::train_b_on`]).
    train_b: Tensor<2>,
    translator_optimizer: ModuleOptimizer,
    critic_optimizer: ModuleOptimizer,
    /// Generated A images (`F`'s) for `D_A`, and generated B images for `D_B`, each a
    /// `[c, h, w]` tensor on the device.
    pool_a: ImagePool<Tensor<3>>,
    pool_b: ImagePool<Tensor<3>>,
    seed: u64,
    device: Device,
}

impl CycleGanTrainer {
    /// A trainer for the networks of `model` (moved to the autodiff version of `device`).
    pub fn new(
        model: &CycleGanConfig,
        translators: Translators,
        critics: Critics,
        config: CycleGanTrainConfig,
        data: TranslationData,
        seed: u64,
        device: &Device,
    ) -> Result<Self, ConfigError> {
        config.validate()?;
        data.validate(config.augmentation, |image| model.validate(image))?;
        let device = device.clone().autodiff();
        Ok(Self {
            train_b: data.train_b_on(&device),
            translators: translators.train().fork(&device),
            critics: critics.train().fork(&device),
            translator_optimizer: config.optimizer(),
            critic_optimizer: config.optimizer(),
            pool_a: ImagePool::new(config.pool_size, derive(seed, Stream::Host, u64::MAX)),
            pool_b: ImagePool::new(config.pool_size, derive(seed, Stream::Host, u64::MAX - 1)),
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

    /// Training steps per epoch (batches of domain A).
    pub fn steps_per_epoch(&self) -> u64 {
        self.data.steps_per_epoch(self.config.batch_size)
    }

    /// The learning rate of step `step` of a run of `total_steps`.
    pub fn learning_rate(&self, step: u64, total_steps: u64) -> f64 {
        let per_epoch = self.steps_per_epoch();
        let schedule =
            LinearDecay::split(total_steps.div_ceil(per_epoch), self.config.decay_fraction);
        self.config.learning_rate * schedule.factor(step / per_epoch)
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

    /// One update of both translators with the discriminators held fixed.
    pub fn translator_step(
        &mut self,
        real_a: Tensor<4>,
        real_b: Tensor<4>,
        learning_rate: f64,
    ) -> (TranslatorLosses, Translated) {
        // Gradients flow through the discriminators into the translators, but none is kept
        // for the discriminators' own weights (the reference's `set_requires_grad(D, False)`).
        let fixed_critics = self.critics.clone().no_grad();
        let (losses, translated) = translator_losses(
            &self.translators,
            &fixed_critics,
            &self.config,
            real_a,
            real_b,
        );
        let grads = GradientsParams::from_grads(losses.total.backward(), &self.translators);
        self.translators =
            self.translator_optimizer
                .step(learning_rate, self.translators.clone(), grads);
        (losses, translated)
    }

    /// One update of both discriminators on the real batches and the pools' answer to the
    /// translated ones. Returns the losses of `D_A` and `D_B` before the update.
    pub fn critic_step(
        &mut self,
        real_a: Tensor<4>,
        real_b: Tensor<4>,
        translated: Translated,
        learning_rate: f64,
    ) -> (Tensor<1>, Tensor<1>) {
        let fake_a = through_pool(&mut self.pool_a, translated.fake_a);
        let fake_b = through_pool(&mut self.pool_b, translated.fake_b);
        let (loss_a, loss_b) = critic_losses(
            &self.critics,
            self.config.objective,
            real_a.detach(),
            real_b.detach(),
            fake_a,
            fake_b,
        );
        let grads = GradientsParams::from_grads(
            (loss_a.clone() + loss_b.clone()).backward(),
            &self.critics,
        );
        self.critics = self
            .critic_optimizer
            .step(learning_rate, self.critics.clone(), grads);
        (loss_a.detach(), loss_b.detach())
    }

    /// The translators for inference, without gradient tracking.
    pub fn inference(&self) -> Translators {
        self.translators.valid()
    }
}

/// Sends a batch of generated images through `pool`, image by image, on their device.
fn through_pool(pool: &mut ImagePool<Tensor<3>>, images: Tensor<4>) -> Tensor<4> {
    let [n, c, h, w] = images.dims();
    let singles: Vec<Tensor<3>> = (0..n)
        .map(|i| images.clone().narrow(0, i, 1).reshape([c, h, w]))
        .collect();
    Tensor::stack(pool.query(singles), 0)
}

/// A pool of device images as flat vectors, for a checkpoint.
fn pool_bytes(pool: &ImagePool<Tensor<3>>) -> Vec<u8> {
    pool.map(|image| to_vec_f32(image.clone())).to_bytes()
}

/// The pool saved as blob `name` of `checkpoint`, back on `device` as `[c, h, w]` images (the
/// training crop's size).
fn pool_from_checkpoint(
    checkpoint: &Checkpoint,
    name: &str,
    capacity: usize,
    image: [usize; 3],
    device: &Device,
) -> Result<ImagePool<Tensor<3>>, CheckpointError> {
    let pool = ImagePool::from_bytes(checkpoint.required(name)?)
        .map_err(|e| CheckpointError::part(name, e))?;
    if pool.capacity() != capacity {
        return Err(CheckpointError::Mismatch(format!(
            "the image pool was saved with capacity {}, but the run's pool_size is {capacity}",
            pool.capacity()
        )));
    }
    let width: usize = image.iter().product();
    if let Some(other) = pool.images().iter().map(Vec::len).find(|&w| w != width) {
        return Err(CheckpointError::Mismatch(format!(
            "the image pool holds images of {other} values, but the run trains on {image:?} = {width}"
        )));
    }
    Ok(pool.map(|values| Tensor::<1>::from_floats(values.as_slice(), device).reshape(image)))
}

impl Trainer for CycleGanTrainer {
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        total_steps: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)> {
        let learning_rate = self.learning_rate(step, total_steps);
        let (real_a, real_b) = self.step_batches(batch, step);
        let (losses, translated) =
            self.translator_step(real_a.clone(), real_b.clone(), learning_rate);
        let (critic_a, critic_b) = self.critic_step(real_a, real_b, translated, learning_rate);
        if !log {
            return Vec::new();
        }
        vec![
            ("translators", losses.total.detach()),
            ("adversarial_a_to_b", losses.adversarial_a_to_b.detach()),
            ("adversarial_b_to_a", losses.adversarial_b_to_a.detach()),
            ("cycle_a", losses.cycle_a.detach()),
            ("cycle_b", losses.cycle_b.detach()),
            ("identity_a", losses.identity_a.detach()),
            ("identity_b", losses.identity_b.detach()),
            ("critic_a", critic_a),
            ("critic_b", critic_b),
            (
                "learning_rate",
                Tensor::from_floats([learning_rate as f32], &self.device),
            ),
        ]
    }

    fn save_state(&self) -> Vec<(String, Vec<u8>)> {
        vec![
            ("translators".to_string(), module_bytes(&self.translators)),
            ("critics".to_string(), module_bytes(&self.critics)),
            (
                "translator_optimizer".to_string(),
                optimizer_bytes(&self.translator_optimizer),
            ),
            (
                "critic_optimizer".to_string(),
                optimizer_bytes(&self.critic_optimizer),
            ),
            ("pool_a".to_string(), pool_bytes(&self.pool_a)),
            ("pool_b".to_string(), pool_bytes(&self.pool_b)),
        ]
    }

    fn load_state(&mut self, checkpoint: &Checkpoint) -> Result<(), CheckpointError> {
        let translator_optimizer =
            checkpoint.optimizer("translator_optimizer", self.config.optimizer())?;
        let critic_optimizer = checkpoint.optimizer("critic_optimizer", self.config.optimizer())?;
        let pooled = self.config.augmentation.output(self.data.image);
        let capacity = self.config.pool_size;
        let pool_a = pool_from_checkpoint(checkpoint, "pool_a", capacity, pooled, &self.device)?;
        let pool_b = pool_from_checkpoint(checkpoint, "pool_b", capacity, pooled, &self.device)?;
        self.translators = checkpoint.module("translators", self.translators.clone())?;
        self.critics = checkpoint.module("critics", self.critics.clone())?;
        self.translator_optimizer = translator_optimizer;
        self.critic_optimizer = critic_optimizer;
        self.pool_a = pool_a;
        self.pool_b = pool_b;
        Ok(())
    }

    /// Triplets `a | G(a) | F(G(a))` of the preview images of A, then `b | F(b) | G(F(b))` of
    /// B ([`triplet_rows`]).
    fn samples(&mut self, n: usize, _step: u64) -> Option<Tensor<2>> {
        let translators = self.inference();
        let device = translators.a_to_b.head.weight.device();
        triplet_rows(
            &translators,
            &self.data.preview_a,
            &self.data.preview_b,
            n,
            self.data.image,
            &device,
        )
    }
}
