//! CycleGAN's discriminator: the PatchGAN of Isola et al. (2017), which classifies overlapping
//! patches as real or fake (Zhu et al. 2017, Appendix 7.2: `C64-C128-C256-C512` for the 70x70
//! patches of 3 layers). 4x4 convolutions with stride 2 and padding 1, then one with stride 1,
//! each followed by instance normalisation (not the first) and leaky ReLU 0.2, and a last 4x4
//! convolution to one logit per patch.

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::tensor::activation::leaky_relu;
use burn::tensor::{Device, Tensor};
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

use crate::layers::{conv, instance_norm};

/// Slope of the leaky ReLU (0.2, as in the reference's `NLayerDiscriminator`).
const LEAKY_SLOPE: f64 = 0.2;

/// Filter counts stop doubling at 8 times the first layer's (`nf_mult = min(2^n, 8)`).
const MAX_MULTIPLIER: usize = 8;

/// The discriminator's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchDiscriminatorConfig {
    /// Image channels.
    pub channels: usize,
    /// Filters of the first layer (64: `--ndf 64`).
    pub filters: usize,
    /// Stride-2 layers (3: the 70x70 PatchGAN, `--netD basic`).
    pub layers: usize,
}

impl PatchDiscriminatorConfig {
    /// The reference's 70x70 PatchGAN from 128 pixels up; for smaller images (ours) 2 layers of
    /// 32 filters, a 34x34 receptive field, and below 16 pixels (the 8x8 digits) one layer, a
    /// 16x16 field.
    pub fn for_side(channels: usize, side: usize) -> Self {
        let (filters, layers) = match side {
            128.. => (64, 3),
            16.. => (32, 2),
            _ => (32, 1),
        };
        Self {
            channels,
            filters,
            layers,
        }
    }

    /// Side of the patch each output logit sees: `1 + 3·(4-1)·1 + ...`, computed backwards
    /// through the two stride-1 and `layers` stride-2 4x4 convolutions (70 for 3 layers).
    pub fn receptive_field(&self) -> usize {
        let mut field = 1;
        for _ in 0..2 {
            field += 3;
        }
        for _ in 0..self.layers {
            field = 2 * field + 2;
        }
        field
    }

    /// Side of the logit map for an input side `side`, or `None` when the image is too small.
    pub fn output_side(&self, side: usize) -> Option<usize> {
        let mut s = side;
        for _ in 0..self.layers {
            // 4x4, stride 2, padding 1: floor((s + 2 - 4) / 2) + 1.
            if s < 2 {
                return None;
            }
            s = (s - 2) / 2 + 1;
        }
        // Two 4x4 convolutions of stride 1 and padding 1 each remove one pixel.
        s.checked_sub(2).filter(|&o| o > 0)
    }

    /// Checks the shape against images of `[channels, height, width]`.
    pub fn validate(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        let [c, h, w] = image;
        if self.filters == 0 || self.layers == 0 {
            return Err(ConfigError::Invalid(format!(
                "the discriminator needs positive filter and layer counts, got {} filters and {} layers",
                self.filters, self.layers
            )));
        }
        if c != self.channels {
            return Err(ConfigError::Invalid(format!(
                "the discriminator is built for {}-channel images but the data has {c} channels",
                self.channels
            )));
        }
        if self.output_side(h.min(w)).is_none() {
            return Err(ConfigError::Invalid(format!(
                "a PatchGAN discriminator of {} stride-2 layers needs images of at least {} pixels a side, got {h}x{w}",
                self.layers,
                (1..)
                    .find(|&s| self.output_side(s).is_some())
                    .unwrap_or(usize::MAX)
            )));
        }
        Ok(())
    }

    /// A discriminator with weights `N(0, 0.02²)` and zero biases.
    pub fn init(&self, device: &Device) -> PatchDiscriminator {
        let width = |n: usize| self.filters * (1usize << n).min(MAX_MULTIPLIER);
        let mut layers = vec![conv(self.channels, self.filters, 4, 2, 1, device)];
        for n in 1..self.layers {
            layers.push(conv(width(n - 1), width(n), 4, 2, 1, device));
        }
        layers.push(conv(
            width(self.layers - 1),
            width(self.layers),
            4,
            1,
            1,
            device,
        ));
        PatchDiscriminator {
            layers,
            head: conv(width(self.layers), 1, 4, 1, 1, device),
        }
    }
}

/// `D: image → a map of logits, one per patch`.
#[derive(Module, Debug)]
pub struct PatchDiscriminator {
    /// The strided layers and the stride-1 layer, each followed by a leaky ReLU (instance norm
    /// on all but the first).
    pub layers: Vec<Conv2d>,
    /// The last convolution, to one channel.
    pub head: Conv2d,
}

impl PatchDiscriminator {
    /// Logits `[n, 1, s, s]` for `[n, c, h, w]` images in `[-1, 1]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i > 0 {
                h = instance_norm(h);
            }
            h = leaky_relu(h, LEAKY_SLOPE);
        }
        self.head.forward(h)
    }
}
