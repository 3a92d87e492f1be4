//! The denoising network: any module mapping a corrupted batch to the reconstruction
//! distribution's parameters ([`Denoiser`]), and the default one of the original code
//! (Bengio et al. 2013; `yaoli/GSN`, `run_dae_walkback.py`): one hidden layer of 2,000 sigmoid
//! units with tied weights, `h = σ(x' W + c)`, parameters `h Wᵀ + b`.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Distribution, Tensor};

/// A network usable as a DAE: corrupted `[batch, d]` in, distribution parameters `[batch, d]` out
/// (logits for the Bernoulli reconstruction, means for the Gaussian one).
pub trait Denoiser: Module {
    /// The parameters of `P(X | X' = corrupted)`.
    fn reconstruct(&self, corrupted: Tensor<2>) -> Tensor<2>;
}

/// Shape of the tied-weight DAE.
#[derive(Config, Debug, PartialEq)]
pub struct TiedDaeConfig {
    /// Width of the data.
    pub input: usize,
    /// Hidden sigmoid units (`hidden_size=2000`).
    #[config(default = 2000)]
    pub hidden: usize,
}

/// One hidden sigmoid layer, decoder weights tied to the encoder's (`W` and `Wᵀ`).
#[derive(Module, Debug)]
pub struct TiedDae {
    /// `[input, hidden]`.
    pub weight: Param<Tensor<2>>,
    /// `[hidden]`: the encoder's biases.
    pub hidden_bias: Param<Tensor<1>>,
    /// `[input]`: the decoder's biases (logits).
    pub visible_bias: Param<Tensor<1>>,
}

impl TiedDaeConfig {
    /// Weights uniform in `±sqrt(6 / (input + hidden))` (the original code's
    /// `get_shared_weights`), biases zero.
    pub fn init(&self, device: &Device) -> TiedDae {
        let bound = (6.0 / (self.input + self.hidden) as f64).sqrt();
        TiedDae {
            weight: Param::from_tensor(Tensor::random(
                [self.input, self.hidden],
                Distribution::Uniform(-bound, bound),
                device,
            )),
            hidden_bias: Param::from_tensor(Tensor::zeros([self.hidden], device)),
            visible_bias: Param::from_tensor(Tensor::zeros([self.input], device)),
        }
    }
}

impl TiedDae {
    /// `h = σ(x' W + c)`.
    pub fn hidden(&self, corrupted: Tensor<2>) -> Tensor<2> {
        sigmoid(corrupted.matmul(self.weight.val()) + self.hidden_bias.val().unsqueeze_dim(0))
    }
}

impl Denoiser for TiedDae {
    fn reconstruct(&self, corrupted: Tensor<2>) -> Tensor<2> {
        let h = self.hidden(corrupted);
        h.matmul(self.weight.val().transpose()) + self.visible_bias.val().unsqueeze_dim(0)
    }
}
