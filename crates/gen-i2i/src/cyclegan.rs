//! CycleGAN (Zhu et al. 2017): two translators `G: A → B`, `F: B → A` and two discriminators,
//! `D_B` telling real B images from `G`'s and `D_A` real A images from `F`'s. The lecture's
//! full objective is `L_GAN(G, D_B) + L_GAN(F, D_A) + λ L_cyc(G, F)` with
//! `L_cyc = E_a ‖F(G(a)) - a‖₁ + E_b ‖G(F(b)) - b‖₁`; the losses are in [`crate::gan_loss`], the
//! updates in [`crate::cyclegan_train`].

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use gen_core::data::Dataset;
use serde::{Deserialize, Serialize};

use crate::images::{to_signed, to_unit};
use crate::patch_discriminator::{PatchDiscriminator, PatchDiscriminatorConfig};
use crate::resnet_generator::{ResnetGenerator, ResnetGeneratorConfig};

/// The shapes of the four networks (both translators alike, both discriminators alike).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleGanConfig {
    pub generator: ResnetGeneratorConfig,
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
    pub fn validate(&self, image: [usize; 3]) -> Result<(), String> {
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

/// Which way to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    AToB,
    BToA,
}

/// `G: A → B` and `F: B → A`, one module so that one optimiser updates both (the reference's
/// `optimizer_G` over `netG_A` and `netG_B`).
#[derive(Module, Debug)]
pub struct Translators {
    pub a_to_b: ResnetGenerator,
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

    /// Translates flat `[n, c·h·w]` rows in `[0, 1]` of `[c, h, w]` images, returning rows in
    /// `[0, 1]`.
    pub fn translate_rows(
        &self,
        direction: Direction,
        rows: Tensor<2>,
        image: [usize; 3],
    ) -> Tensor<2> {
        to_unit(self.get(direction).forward(to_signed(rows, image)))
    }

    /// `n / 3` triplets `input | translation | reconstruction` as `[0, 1]` rows: the first
    /// images of `a` (`a | G(a) | F(G(a))`, half of the triplets, rounded up), then of `b`
    /// (`b | F(b) | G(F(b))`). In a grid of 6 columns each row shows two triplets.
    pub fn triplet_rows(
        &self,
        a: &Dataset,
        b: &Dataset,
        n: usize,
        image: [usize; 3],
        device: &Device,
    ) -> Option<Tensor<2>> {
        let triplets = (n / 3).max(1);
        let mut rows = Vec::new();
        for (images, forward, backward, count) in [
            (a, Direction::AToB, Direction::BToA, triplets.div_ceil(2)),
            (b, Direction::BToA, Direction::AToB, triplets / 2),
        ] {
            let count = count.min(images.len());
            if count == 0 {
                continue;
            }
            let indices: Vec<usize> = (0..count).collect();
            let input = to_signed(images.batch(&indices, device), image);
            let translated = self.get(forward).forward(input.clone());
            let back = self.get(backward).forward(translated.clone());
            // Interleaved per image: input, translation, reconstruction.
            let stacked = Tensor::stack::<5>(vec![input, translated, back], 1);
            let [k, three, c, h, w] = stacked.dims();
            rows.push(to_unit(stacked.reshape([k * three, c, h, w])));
        }
        (!rows.is_empty()).then(|| Tensor::cat(rows, 0))
    }
}

/// `D_A` (real A against `F`'s output) and `D_B` (real B against `G`'s), one module for the
/// reference's `optimizer_D`.
#[derive(Module, Debug)]
pub struct Critics {
    pub a: PatchDiscriminator,
    pub b: PatchDiscriminator,
}
