//! The feature network `f(x)` inside the deep energy (Kim & Bengio 2016, Section 3.1): an MLP
//! for vectors, or a small convolutional network for images. Its output feeds the experts
//! `softplus(w_i · f(x) + c_i)` of [`crate::energy`].

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::leaky_relu;
use burn::tensor::{Device, Tensor};
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

/// Slope of the leaky ReLU on the negative side (0.2, the DCGAN discriminator's, Radford et al.
/// 2016: the energy plays the part a discriminator plays in a GAN).
const LEAKY_SLOPE: f64 = 0.2;

/// Which feature network the energy uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FeatureConfig {
    /// Fully connected leaky-ReLU layers of these widths.
    Mlp {
        /// Widths, bottom-up.
        hidden: Vec<usize>,
    },
    /// Convolutions with 4x4 kernels, stride 2 and padding 1 (each halves the image side), with
    /// these output channels, on `[channels, height, width]` images flattened row-major.
    Conv {
        /// Output channels of each convolution.
        channels: Vec<usize>,
        /// `[channels, height, width]` of the input images.
        image: [usize; 3],
    },
}

impl FeatureConfig {
    /// Checks the widths against the input width `input`.
    pub fn validate(&self, input: usize) -> Result<(), ConfigError> {
        match self {
            FeatureConfig::Mlp { hidden } => {
                if hidden.is_empty() || hidden.contains(&0) {
                    return Err(ConfigError::Invalid(format!(
                        "the energy's MLP needs at least one layer and positive widths, got {hidden:?}"
                    )));
                }
            }
            FeatureConfig::Conv { channels, image } => {
                let [c, h, w] = *image;
                if c * h * w != input {
                    return Err(ConfigError::Invalid(format!(
                        "the energy's convolutions expect images of {c}x{h}x{w} = {} values, but the data has {input}",
                        c * h * w
                    )));
                }
                if channels.is_empty() || channels.contains(&0) {
                    return Err(ConfigError::Invalid(format!(
                        "the energy's convolutions need at least one layer and positive channel counts, got {channels:?}"
                    )));
                }
                let halvings = channels.len() as u32;
                if h < 2usize.pow(halvings) || w < 2usize.pow(halvings) {
                    return Err(ConfigError::Invalid(format!(
                        "{} stride-2 convolutions need images of at least {}x{} pixels, got {h}x{w}",
                        channels.len(),
                        2usize.pow(halvings),
                        2usize.pow(halvings)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Width of `f(x)`.
    pub fn output_width(&self, input: usize) -> usize {
        match self {
            FeatureConfig::Mlp { hidden } => *hidden.last().unwrap_or(&input),
            FeatureConfig::Conv { channels, image } => {
                let [_, mut h, mut w] = *image;
                for _ in channels {
                    // 4x4 kernel, stride 2, padding 1: floor((n + 2 - 4) / 2) + 1 = floor(n / 2).
                    h /= 2;
                    w /= 2;
                }
                channels.last().copied().unwrap_or(0) * h * w
            }
        }
    }

    /// Fresh weights (burn's default initialisation).
    pub fn init(&self, input: usize, device: &Device) -> Features {
        match self {
            FeatureConfig::Mlp { hidden } => {
                let mut widths = vec![input];
                widths.extend(hidden);
                Features {
                    conv: Vec::new(),
                    dense: widths
                        .windows(2)
                        .map(|w| LinearConfig::new(w[0], w[1]).init(device))
                        .collect(),
                    image: None,
                }
            }
            FeatureConfig::Conv { channels, image } => {
                let mut from = image[0];
                let conv = channels
                    .iter()
                    .map(|&to| {
                        let layer = Conv2dConfig::new([from, to], [4, 4])
                            .with_stride([2, 2])
                            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                            .init(device);
                        from = to;
                        layer
                    })
                    .collect();
                Features {
                    conv,
                    dense: Vec::new(),
                    image: Some(*image),
                }
            }
        }
    }
}

/// The feature network: convolutions (images) or dense layers (vectors), each followed by a
/// leaky ReLU.
#[derive(Module, Debug)]
pub struct Features {
    /// The convolutions (empty for vectors).
    pub conv: Vec<Conv2d>,
    /// The dense layers (empty for images).
    pub dense: Vec<Linear>,
    /// `[channels, height, width]` of the convolutions' input.
    #[module(skip)]
    pub image: Option<[usize; 3]>,
}

impl Features {
    /// `f(x)` for rows `x` (`[batch, input]` to `[batch, features]`).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self.image {
            Some([c, h, w]) => {
                let [batch, _] = x.dims();
                let maps = self
                    .conv
                    .iter()
                    .fold(x.reshape([batch, c, h, w]), |m, layer| {
                        leaky_relu(layer.forward(m), LEAKY_SLOPE)
                    });
                maps.flatten(1, 3)
            }
            None => self
                .dense
                .iter()
                .fold(x, |h, layer| leaky_relu(layer.forward(h), LEAKY_SLOPE)),
        }
    }
}
