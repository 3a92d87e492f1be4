//! UNIT (Liu, Breuel & Kautz 2017): a VAE-GAN per domain whose encoders and generators share
//! their high-level layers, so that an image of either domain maps to one shared latent space
//! (the paper's shared-latent assumption). `E_A`, `E_B` map images to the mean of a Gaussian
//! latent `q(z|x) = N(μ(x), I)`; `G_A`, `G_B` decode a latent to their domain; translation
//! A → B is `G_B(E_A(a))`.
//!
//! Layers, as the reference's ResNet translators: a 7x7 stem, stride-2 downsamplings and
//! residual blocks in the encoder; residual blocks, transposed-convolution upsamplings and a
//! 7x7 tanh head in the generator; instance normalisation throughout. The last `shared_blocks`
//! residual blocks of the encoders and the first `shared_blocks` of the generators are one set
//! of weights when `share` is on (the paper); the reference code's public master branch gives
//! each domain its own (`share = false`).

use burn::module::Module;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

use crate::critics::Critics;
use crate::layers::{conv, instance_norm, reflect_pad, upsample_conv};
use crate::patch_discriminator::PatchDiscriminatorConfig;
use crate::resnet_generator::ResidualBlock;
use crate::translator::{Direction, ImageTranslator};

/// The two VAEs' shape, and the discriminators'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitConfig {
    /// Image channels, in and out.
    pub channels: usize,
    /// Filters of the stem, doubled by each downsampling (64: the reference's `gen.dim`).
    pub filters: usize,
    /// Stride-2 downsamplings, mirrored in the generators (2: `n_downsample`).
    pub downsamplings: usize,
    /// Residual blocks of each domain's own at the encoder's end and the generator's start
    /// (3, with the shared one 4 a side: the reference's `n_res 4`).
    pub private_blocks: usize,
    /// Residual blocks at the high-level end (1: the paper found one shared layer enough).
    pub shared_blocks: usize,
    /// Whether the high-level blocks are one set of weights for both domains (the paper) or
    /// one per domain (the reference's public code).
    pub share: bool,
    /// The discriminators (the reference uses a multi-scale discriminator; `gen` the CycleGAN
    /// PatchGAN at one scale).
    pub discriminator: PatchDiscriminatorConfig,
}

impl UnitConfig {
    /// The reference's widths from 128 pixels up; half of them (ours) for small images, and no
    /// downsampling below 16 pixels (see [`ResnetGeneratorConfig::for_side`]).
    ///
    /// [`ResnetGeneratorConfig::for_side`]: crate::resnet_generator::ResnetGeneratorConfig::for_side
    pub fn for_image(channels: usize, side: usize) -> Self {
        Self {
            channels,
            filters: if side >= 128 { 64 } else { 32 },
            downsamplings: if side >= 16 { 2 } else { 0 },
            private_blocks: 3,
            shared_blocks: 1,
            share: true,
            discriminator: PatchDiscriminatorConfig::for_side(channels, side),
        }
    }

    /// Checks the shape against images of `[c, h, w]` (the same rules as the CycleGAN
    /// generator's).
    pub fn validate(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        if self.shared_blocks == 0 && self.share {
            return Err(ConfigError::Invalid(
                "sharing needs at least one shared block (set shared_blocks, or share = false)"
                    .into(),
            ));
        }
        crate::resnet_generator::ResnetGeneratorConfig {
            channels: self.channels,
            filters: self.filters,
            downsamplings: self.downsamplings,
            blocks: self.private_blocks + self.shared_blocks,
        }
        .validate(image)?;
        self.discriminator.validate(image)
    }

    fn blocks(&self, n: usize, device: &Device) -> Vec<ResidualBlock> {
        let width = self.filters << self.downsamplings;
        (0..n)
            .map(|_| ResidualBlock {
                first: conv(width, width, 3, 1, 0, device),
                second: conv(width, width, 3, 1, 0, device),
            })
            .collect()
    }

    fn encoder(&self, device: &Device) -> UnitEncoder {
        let f = self.filters;
        UnitEncoder {
            stem: conv(self.channels, f, 7, 1, 0, device),
            down: (0..self.downsamplings)
                .map(|i| conv(f << i, f << (i + 1), 3, 2, 1, device))
                .collect(),
            blocks: self.blocks(self.private_blocks, device),
        }
    }

    fn generator(&self, device: &Device) -> UnitGenerator {
        let f = self.filters;
        UnitGenerator {
            blocks: self.blocks(self.private_blocks, device),
            up: (0..self.downsamplings)
                .rev()
                .map(|i| upsample_conv(f << (i + 1), f << i, device))
                .collect(),
            head: conv(f, self.channels, 7, 1, 0, device),
        }
    }

    /// Both VAEs, freshly initialised (weights `N(0, 0.02²)`).
    pub fn init(&self, device: &Device) -> Unit {
        let copies = if self.share { 1 } else { 2 };
        Unit {
            encoder_a: self.encoder(device),
            encoder_b: self.encoder(device),
            generator_a: self.generator(device),
            generator_b: self.generator(device),
            shared_encoder: (0..copies)
                .map(|_| self.blocks(self.shared_blocks, device))
                .collect(),
            shared_generator: (0..copies)
                .map(|_| self.blocks(self.shared_blocks, device))
                .collect(),
        }
    }

    /// Both discriminators.
    pub fn init_critics(&self, device: &Device) -> Critics {
        Critics {
            a: self.discriminator.init(device),
            b: self.discriminator.init(device),
        }
    }
}

/// A domain's own low-level encoder layers.
#[derive(Module, Debug)]
pub struct UnitEncoder {
    /// The 7x7 convolution on the reflection-padded input.
    pub stem: Conv2d,
    /// The stride-2 downsampling convolutions.
    pub down: Vec<Conv2d>,
    /// The domain's own residual blocks.
    pub blocks: Vec<ResidualBlock>,
}

impl UnitEncoder {
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut h = relu(instance_norm(self.stem.forward(reflect_pad(x, 3))));
        for layer in &self.down {
            h = relu(instance_norm(layer.forward(h)));
        }
        run_blocks(&self.blocks, h)
    }
}

/// A domain's own low-level generator layers.
#[derive(Module, Debug)]
pub struct UnitGenerator {
    /// The domain's own residual blocks.
    pub blocks: Vec<ResidualBlock>,
    /// The transposed convolutions back up.
    pub up: Vec<ConvTranspose2d>,
    /// The 7x7 convolution to the output channels (then `tanh`).
    pub head: Conv2d,
}

impl UnitGenerator {
    fn forward(&self, z: Tensor<4>) -> Tensor<4> {
        let mut h = run_blocks(&self.blocks, z);
        for layer in &self.up {
            h = relu(instance_norm(layer.forward(h)));
        }
        self.head.forward(reflect_pad(h, 3)).tanh()
    }
}

fn run_blocks(blocks: &[ResidualBlock], x: Tensor<4>) -> Tensor<4> {
    blocks.iter().fold(x, |h, block| block.forward(h))
}

/// The domains, for indexing the per-domain parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// Domain A.
    A,
    /// Domain B.
    B,
}

/// Both VAEs. The high-level blocks are `shared_encoder[0]` and `shared_generator[0]` for both
/// domains when shared, else index 0 for A and 1 for B.
#[derive(Module, Debug)]
pub struct Unit {
    /// `E_A`'s own layers.
    pub encoder_a: UnitEncoder,
    /// `E_B`'s own layers.
    pub encoder_b: UnitEncoder,
    /// `G_A`'s own layers.
    pub generator_a: UnitGenerator,
    /// `G_B`'s own layers.
    pub generator_b: UnitGenerator,
    /// The high-level encoder blocks: one set when shared, else one per domain.
    pub shared_encoder: Vec<Vec<ResidualBlock>>,
    /// The high-level generator blocks: one set when shared, else one per domain.
    pub shared_generator: Vec<Vec<ResidualBlock>>,
}

impl Unit {
    fn high_level(blocks: &[Vec<ResidualBlock>], domain: Domain) -> &[ResidualBlock] {
        match (domain, blocks.len()) {
            (Domain::B, 2) => &blocks[1],
            _ => &blocks[0],
        }
    }

    /// The latent mean `μ = E(x)` of `[n, c, h, w]` images of `domain` in `[-1, 1]`: a map of
    /// `filters · 2^downsamplings` channels at `1 / 2^downsamplings` of the image side.
    pub fn encode(&self, domain: Domain, x: Tensor<4>) -> Tensor<4> {
        let low = match domain {
            Domain::A => &self.encoder_a,
            Domain::B => &self.encoder_b,
        };
        run_blocks(
            Self::high_level(&self.shared_encoder, domain),
            low.forward(x),
        )
    }

    /// `G(z)`: a latent decoded to an image of `domain`.
    pub fn decode(&self, domain: Domain, z: Tensor<4>) -> Tensor<4> {
        let h = run_blocks(Self::high_level(&self.shared_generator, domain), z);
        match domain {
            Domain::A => self.generator_a.forward(h),
            Domain::B => self.generator_b.forward(h),
        }
    }

    /// Whether the high-level blocks are one set for both domains.
    pub fn is_shared(&self) -> bool {
        self.shared_encoder.len() == 1
    }
}

impl ImageTranslator for Unit {
    /// `G_B(μ_A(a))` or `G_A(μ_B(b))`: the latent mean, no sampling (as the reference's test).
    fn translate(&self, direction: Direction, images: Tensor<4>) -> Tensor<4> {
        let (from, to) = match direction {
            Direction::AToB => (Domain::A, Domain::B),
            Direction::BToA => (Domain::B, Domain::A),
        };
        self.decode(to, self.encode(from, images))
    }
}
