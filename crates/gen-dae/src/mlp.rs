//! An untied multi-layer denoiser for real-valued data with the Gaussian reconstruction (the
//! 2-D densities, or any user data where the original code's tied sigmoid layer is too rigid):
//! `r(x') = x' + g(x')`, with `g` a `tanh` MLP and a linear output. Learning the correction
//! `g = r(x') - x'` rather than `r` itself puts the network's capacity where the theory does:
//! for small Gaussian corruption `r(x') - x' ≈ σ² ∇ log p(x')` (Alain & Bengio 2014).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::tanh;
use burn::tensor::{Device, Tensor};

use gen_core::validate::ConfigError;

use crate::model::Denoiser;

/// Shape of the MLP denoiser.
#[derive(Config, Debug, PartialEq)]
pub struct MlpDenoiserConfig {
    /// Width of the data.
    pub input: usize,
    /// Hidden `tanh` layers (two of 128 suit the 2-D densities: our choice, not a paper's).
    #[config(default = "vec![128, 128]")]
    pub hidden: Vec<usize>,
}

/// Hidden `tanh` layers, then a linear output as wide as the input, added to the input.
#[derive(Module, Debug)]
pub struct MlpDenoiser {
    /// The `tanh` layers, bottom-up.
    pub hidden: Vec<Linear>,
    /// The linear layer back to the input's width.
    pub output: Linear,
}

impl MlpDenoiserConfig {
    /// Checks the widths.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.input == 0 || self.hidden.contains(&0) {
            return Err(ConfigError::Invalid(format!(
                "the MLP denoiser needs positive widths, got input {} and hidden {:?}",
                self.input, self.hidden
            )));
        }
        Ok(())
    }

    /// Fresh weights (burn's default initialisation).
    pub fn init(&self, device: &Device) -> MlpDenoiser {
        let mut widths = vec![self.input];
        widths.extend(&self.hidden);
        let hidden = widths
            .windows(2)
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        let last = *widths.last().expect("widths start with the input");
        MlpDenoiser {
            hidden,
            output: LinearConfig::new(last, self.input).init(device),
        }
    }
}

impl Denoiser for MlpDenoiser {
    fn reconstruct(&self, corrupted: Tensor<2>) -> Tensor<2> {
        let h = self
            .hidden
            .iter()
            .fold(corrupted.clone(), |h, layer| tanh(layer.forward(h)));
        corrupted + self.output.forward(h)
    }
}
