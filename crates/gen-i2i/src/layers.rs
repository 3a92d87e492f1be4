//! The building blocks both translation models share: convolutions initialised as the reference
//! implementations do, reflection padding and instance normalisation without affine parameters.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Initializer, PaddingConfig2d};
use burn::tensor::ops::PadMode;
use burn::tensor::{Device, Tensor};

/// Standard deviation of the initial weights (CycleGAN's `--init_type normal --init_gain 0.02`,
/// the DCGAN initialisation).
pub const INIT_STD: f64 = 0.02;

/// `ε` added to the variance in instance normalisation (PyTorch's `InstanceNorm2d` default).
pub const NORM_EPSILON: f64 = 1e-5;

fn initializer() -> Initializer {
    Initializer::Normal {
        mean: 0.0,
        std: INIT_STD,
    }
}

fn zero_bias(shape: usize, device: &Device) -> Option<Param<Tensor<1>>> {
    Some(Param::from_tensor(Tensor::zeros([shape], device)))
}

/// A `kernel`x`kernel` convolution from `input` to `output` channels with zero padding `padding`
/// (0 where the caller pads by reflection), weights `N(0, 0.02²)`, biases zero.
pub fn conv(
    input: usize,
    output: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    device: &Device,
) -> Conv2d {
    let mut layer = Conv2dConfig::new([input, output], [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(
            padding, padding, padding, padding,
        ))
        .with_initializer(initializer())
        .init(device);
    layer.bias = zero_bias(output, device);
    layer
}

/// A 3x3 transposed convolution with stride 2, padding 1 and output padding 1: it doubles the
/// image side exactly (CycleGAN's and UNIT's upsampling layers).
pub fn upsample_conv(input: usize, output: usize, device: &Device) -> ConvTranspose2d {
    let mut layer = ConvTranspose2dConfig::new([input, output], [3, 3])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .with_padding_out([1, 1])
        .with_initializer(initializer())
        .init(device);
    layer.bias = zero_bias(output, device);
    layer
}

/// Pads the two spatial dimensions of `[n, c, h, w]` by `p` on each side, mirroring the image
/// without repeating its border (PyTorch's `ReflectionPad2d`).
pub fn reflect_pad(x: Tensor<4>, p: usize) -> Tensor<4> {
    if p == 0 {
        return x;
    }
    x.pad([(p, p), (p, p)], PadMode::Reflect)
}

/// Instance normalisation without affine parameters (Ulyanov et al. 2016; CycleGAN's
/// `--norm instance`): each channel of each image is shifted and scaled to mean 0 and variance 1
/// over its pixels, `(x - μ) / sqrt(σ² + ε)` with the biased variance.
pub fn instance_norm(x: Tensor<4>) -> Tensor<4> {
    let [n, c, h, w] = x.dims();
    let flat = x.reshape([n, c, h * w]);
    let mean = flat.clone().mean_dim(2);
    let centred = flat - mean;
    let variance = centred.clone().powi_scalar(2).mean_dim(2);
    let normalised = centred / variance.add_scalar(NORM_EPSILON).sqrt();
    normalised.reshape([n, c, h, w])
}
