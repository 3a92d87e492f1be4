//! CycleGAN (Zhu et al. 2017): two translators `G: A → B`, `F: B → A` and two discriminators,
//! `D_B` telling real B images from `G`'s and `D_A` real A images from `F`'s. The lecture's
//! full objective is `L_GAN(G, D_B) + L_GAN(F, D_A) + λ L_cyc(G, F)` with
//! `L_cyc = E_a ‖F(G(a)) - a‖₁ + E_b ‖G(F(b)) - b‖₁`; the losses are [`gen_core::loss::GanLoss`] and [`gen_core::loss::l1`], the
//! updates in [`crate::cyclegan_train`].

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

use crate::critics::Critics;
use crate::patch_discriminator::PatchDiscriminatorConfig;
use crate::resnet_generator::{ResnetGenerator, ResnetGeneratorConfig};
use crate::translator::{Direction, ImageTranslator};

/// The shapes of the four networks (both translators alike, both discriminators alike).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleGanConfig {
    /// Both translators' shape.
    pub generator: ResnetGeneratorConfig,
    /// Both discriminators' shape.
    pub discriminator: PatchDiscriminatorConfig,
}

impl CycleGanConfig {
    /// The reference presets for `[c, side, side]` images (see the two configs' `for_side`).
    pub fn for_image(channels: usize, side: usize) -> Self {
        Self {
            generator: ResnetGeneratorConfig::for_side(channels, side),
            discriminator: PatchDiscriminatorConfig::for_side(channels, side),
        }
    }

    /// Checks both networks against images of `[c, h, w]`.
    pub fn validate(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        self.generator.validate(image)?;
        self.discriminator.validate(image)
    }

    /// Both translators, freshly initialised.
    pub fn init_translators(&self, device: &Device) -> Translators {
        Translators {
            a_to_b: self.generator.init(device),
            b_to_a: self.generator.init(device),
        }
    }

    /// Both discriminators, freshly initialised.
    pub fn init_critics(&self, device: &Device) -> Critics {
        Critics {
            a: self.discriminator.init(device),
            b: self.discriminator.init(device),
        }
    }
}

/// `G: A → B` and `F: B → A`, one module so that one optimiser updates both (the reference's
/// `optimizer_G` over `netG_A` and `netG_B`).
#[derive(Module, Debug)]
pub struct Translators {
    /// `G: A → B`.
    pub a_to_b: ResnetGenerator,
    /// `F: B → A`.
    pub b_to_a: ResnetGenerator,
}

impl Translators {
    /// The translator of `direction`.
    pub fn get(&self, direction: Direction) -> &ResnetGenerator {
        match direction {
            Direction::AToB => &self.a_to_b,
            Direction::BToA => &self.b_to_a,
        }
    }
}

impl ImageTranslator for Translators {
    fn translate(&self, direction: Direction, images: Tensor<4>) -> Tensor<4> {
        self.get(direction).forward(images)
    }
}
