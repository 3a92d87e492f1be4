//! CycleGAN's generator: the residual network of Johnson et al. (2016) as Zhu et al. (2017,
//! Appendix 7.2) use it, `c7s1-64, d128, d256, R256 × n, u128, u64, c7s1-3`: a 7x7 stem on a
//! reflection-padded image, stride-2 downsamplings, residual blocks, transposed-convolution
//! upsamplings and a 7x7 head with tanh. Every convolution but the head is followed by instance
//! normalisation (no affine parameters) and ReLU. Images are `[n, c, h, w]` in `[-1, 1]`.

use burn::module::Module;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

use crate::layers::{conv, instance_norm, reflect_pad, upsample_conv};

/// The generator's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResnetGeneratorConfig {
    /// Image channels, in and out (3: RGB).
    pub channels: usize,
    /// Filters of the stem; each downsampling doubles them (64: `--ngf 64`).
    pub filters: usize,
    /// Stride-2 downsamplings, mirrored by as many upsamplings (2 in the reference).
    pub downsamplings: usize,
    /// Residual blocks (9 for 256x256 images, 6 for 128x128: `resnet_9blocks`,
    /// `resnet_6blocks`).
    pub blocks: usize,
}

impl ResnetGeneratorConfig {
    /// The reference preset for images of side `side`: 9 blocks from 256 pixels up, 6 from 128,
    /// and (ours, for the small images of the offline sets) 3 blocks of 32 filters below that,
    /// without downsampling below 16 pixels: two of them leave an 8x8 digit as 2x2 maps, which
    /// instance normalisation reduces to little more than signs, and a CycleGAN trained so kept
    /// 4% of the digits' labels where one without downsampling kept 94% (docs/i2i.md).
    pub fn for_side(channels: usize, side: usize) -> Self {
        let (filters, blocks) = match side {
            256.. => (64, 9),
            128.. => (64, 6),
            _ => (32, 3),
        };
        Self {
            channels,
            filters,
            downsamplings: if side >= 16 { 2 } else { 0 },
            blocks,
        }
    }

    /// Checks the shape against images of `[channels, height, width]`.
    pub fn validate(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        let [c, h, w] = image;
        if self.channels == 0 || self.filters == 0 {
            return Err(ConfigError::Invalid(
                "the generator needs positive channel and filter counts".into(),
            ));
        }
        if c != self.channels {
            return Err(ConfigError::Invalid(format!(
                "the generator is built for {}-channel images but the data has {c} channels",
                self.channels
            )));
        }
        let factor = 1usize << self.downsamplings;
        // Reflection padding by 3 needs a side of at least 4; the residual blocks' padding by 1
        // needs the smallest level to keep at least 2 pixels.
        let smallest = (2 * factor).max(4);
        if h % factor != 0 || w % factor != 0 || h.min(w) < smallest {
            return Err(ConfigError::Invalid(format!(
                "{} downsamplings need image sides that are multiples of {factor} and at least {smallest}, got {h}x{w}",
                self.downsamplings
            )));
        }
        Ok(())
    }

    /// A generator with weights `N(0, 0.02²)` and zero biases.
    pub fn init(&self, device: &Device) -> ResnetGenerator {
        let f = self.filters;
        let widest = f << self.downsamplings;
        ResnetGenerator {
            stem: conv(self.channels, f, 7, 1, 0, device),
            down: (0..self.downsamplings)
                .map(|i| conv(f << i, f << (i + 1), 3, 2, 1, device))
                .collect(),
            blocks: (0..self.blocks)
                .map(|_| ResidualBlock {
                    first: conv(widest, widest, 3, 1, 0, device),
                    second: conv(widest, widest, 3, 1, 0, device),
                })
                .collect(),
            up: (0..self.downsamplings)
                .rev()
                .map(|i| upsample_conv(f << (i + 1), f << i, device))
                .collect(),
            head: conv(f, self.channels, 7, 1, 0, device),
        }
    }
}

/// `x + IN(conv(pad(ReLU(IN(conv(pad(x)))))))`: two 3x3 convolutions on reflection-padded input
/// with a skip connection (Johnson et al.'s block as CycleGAN's `ResnetBlock`, no dropout).
#[derive(Module, Debug)]
pub struct ResidualBlock {
    /// The first 3x3 convolution.
    pub first: Conv2d,
    /// The second 3x3 convolution.
    pub second: Conv2d,
}

impl ResidualBlock {
    /// `x` plus the block's residual.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let h = relu(instance_norm(self.first.forward(reflect_pad(x.clone(), 1))));
        let h = instance_norm(self.second.forward(reflect_pad(h, 1)));
        x + h
    }
}

/// The translator `G: X → Y` of CycleGAN.
#[derive(Module, Debug)]
pub struct ResnetGenerator {
    /// The 7x7 convolution on the reflection-padded input.
    pub stem: Conv2d,
    /// The stride-2 downsampling convolutions.
    pub down: Vec<Conv2d>,
    /// The residual blocks at the lowest resolution.
    pub blocks: Vec<ResidualBlock>,
    /// The transposed convolutions back up.
    pub up: Vec<ConvTranspose2d>,
    /// The 7x7 convolution to the output channels (then `tanh`).
    pub head: Conv2d,
}

impl ResnetGenerator {
    /// Translates `[n, c, h, w]` images in `[-1, 1]` to images of the same shape in `(-1, 1)`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut h = relu(instance_norm(self.stem.forward(reflect_pad(x, 3))));
        for layer in &self.down {
            h = relu(instance_norm(layer.forward(h)));
        }
        for block in &self.blocks {
            h = block.forward(h);
        }
        for layer in &self.up {
            h = relu(instance_norm(layer.forward(h)));
        }
        self.head.forward(reflect_pad(h, 3)).tanh()
    }
}
