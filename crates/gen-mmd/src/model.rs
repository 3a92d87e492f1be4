//! The generative moment matching network (Li, Swersky & Zemel 2015, Section 3 and the
//! lecture's GMMN figure): uniform noise `h ~ U[-1, 1]^H` through a ReLU MLP to sigmoid
//! outputs, `x = f(h; w)`. Nothing is inferred; the network is trained only by matching the
//! moments of its samples to the data's (`crate::train`).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Distribution, Tensor};

/// A linear layer initialised as the reference code's library does (pynn `LayerParams`, default
/// `init_scale=1`): weights `N(0, 1/fan_in)`, biases zero.
pub fn reference_linear(fan_in: usize, fan_out: usize, device: &Device) -> Linear {
    let std = (1.0 / fan_in as f64).sqrt();
    let layer = LinearConfig::new(fan_in, fan_out)
        .with_initializer(Initializer::Normal { mean: 0.0, std })
        .init(device);
    Linear {
        weight: layer.weight,
        bias: layer
            .bias
            .map(|b| b.map(|t| Tensor::zeros(t.shape(), &t.device()))),
    }
}

/// Shape of a GMMN.
#[derive(Config, Debug, PartialEq)]
pub struct GmmnConfig {
    /// Width of one generated point (784 for MNIST; 32 for the code layer of GMMN+AE).
    pub output: usize,
    /// Dimension of the uniform noise (10 for MNIST: `mnist_mmd_input_space(n_hids=[10, ...])`,
    /// Li et al.'s reference code).
    #[config(default = 10)]
    pub noise: usize,
    /// ReLU hidden layers, bottom-up from the noise (64-256-256-1024 for MNIST, the reference
    /// code's `n_hids`).
    #[config(default = "vec![64, 256, 256, 1024]")]
    pub hidden: Vec<usize>,
}

/// The generator network: ReLU layers, then a sigmoid output layer.
#[derive(Module, Debug)]
pub struct Gmmn {
    /// The ReLU layers, bottom-up from the noise.
    pub hidden: Vec<Linear>,
    /// The sigmoid output layer.
    pub output: Linear,
}

impl GmmnConfig {
    /// Fresh weights, initialised as the reference code's ([`reference_linear`]).
    pub fn init(&self, device: &Device) -> Gmmn {
        let mut width = self.noise;
        let hidden = self
            .hidden
            .iter()
            .map(|&h| {
                let layer = reference_linear(width, h, device);
                width = h;
                layer
            })
            .collect();
        Gmmn {
            hidden,
            output: reference_linear(width, self.output, device),
        }
    }
}

impl Gmmn {
    /// The noise width the network takes.
    pub fn noise_dim(&self) -> usize {
        match self.hidden.first() {
            Some(layer) => layer.weight.dims()[0],
            None => self.output.weight.dims()[0],
        }
    }

    /// Width of one generated point.
    pub fn output_dim(&self) -> usize {
        self.output.weight.dims()[1]
    }

    /// `n` noise vectors, uniform on `[-1, 1]` (the reference code's `sample_hiddens`).
    pub fn noise(&self, n: usize, device: &Device) -> Tensor<2> {
        Tensor::random(
            [n, self.noise_dim()],
            Distribution::Uniform(-1.0, 1.0),
            device,
        )
    }

    /// `x = f(h)`: the generated points for noise `h`.
    pub fn forward(&self, noise: Tensor<2>) -> Tensor<2> {
        let h = self
            .hidden
            .iter()
            .fold(noise, |h, layer| relu(layer.forward(h)));
        sigmoid(self.output.forward(h))
    }

    /// `n` samples.
    pub fn sample(&self, n: usize, device: &Device) -> Tensor<2> {
        self.forward(self.noise(n, device))
    }
}
