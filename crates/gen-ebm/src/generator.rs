//! The generator `G(z)`, `z ~ N(0, I)`, of Kim & Bengio (2016): linear layers each followed by
//! batch normalisation and a ReLU, then a linear output (sigmoid for images in [0, 1]). The
//! batch-normalised activations are also what the entropy approximation reads
//! ([`crate::entropy`]): their batch variances are the `σ_i²` of the lecture's
//! `H ≈ Σ_i ½ log(2 π e σ_i²)`.

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Distribution, Tensor};
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

use crate::entropy::gaussian_activation_entropy;

/// What the generator's last layer outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    /// Values in (0, 1): grey levels.
    Sigmoid,
    /// Unbounded values: points.
    Linear,
}

/// Shape of the generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratorConfig {
    /// Width of the Gaussian noise `z`.
    pub noise: usize,
    /// Hidden layers (linear, batch norm, ReLU), bottom-up from the noise.
    pub hidden: Vec<usize>,
    /// Width of one generated example.
    pub output: usize,
    /// What the output layer produces (sigmoid pixels or linear values).
    pub output_kind: OutputKind,
    /// The distribution of `z`.
    #[serde(default)]
    pub noise_kind: NoiseKind,
}

/// The distribution of the generator's input `z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseKind {
    /// `N(0, I)`, as the lecture writes it.
    #[default]
    Normal,
    /// Uniform on `[-1, 1]` per coordinate (DCGAN's and Kim's code's).
    Uniform,
}

impl GeneratorConfig {
    /// Checks the widths. Batch normalisation needs at least one hidden layer: without one there
    /// is no activation to take the entropy of.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.noise == 0 || self.output == 0 {
            return Err(ConfigError::Invalid(format!(
                "the generator needs positive noise and output widths, got {} and {}",
                self.noise, self.output
            )));
        }
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(ConfigError::Invalid(format!(
                "the generator needs at least one hidden layer and positive widths (its batch-normalised activations carry the entropy term), got {:?}",
                self.hidden
            )));
        }
        Ok(())
    }

    /// Fresh weights (burn's defaults; batch norm starts at γ = 1, β = 0).
    pub fn init(&self, device: &Device) -> Generator {
        let mut widths = vec![self.noise];
        widths.extend(&self.hidden);
        let layers = widths
            .windows(2)
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        let norms = self
            .hidden
            .iter()
            .map(|&h| BatchNormConfig::new(h).init(device))
            .collect();
        Generator {
            layers,
            norms,
            output: LinearConfig::new(*widths.last().expect("non-empty"), self.output).init(device),
            sigmoid_output: self.output_kind == OutputKind::Sigmoid,
            uniform_noise: self.noise_kind == NoiseKind::Uniform,
        }
    }
}

/// The generator network.
#[derive(Module, Debug)]
pub struct Generator {
    /// The hidden linear layers.
    pub layers: Vec<Linear>,
    /// The batch norm after each hidden layer (whose activations carry the entropy term).
    pub norms: Vec<BatchNorm>,
    /// The output layer.
    pub output: Linear,
    #[module(skip)]
    /// Whether the output goes through a sigmoid.
    pub sigmoid_output: bool,
    #[module(skip)]
    /// Whether `z` is uniform on `[-1, 1]` (else standard normal).
    pub uniform_noise: bool,
}

impl Generator {
    /// Width of the noise.
    pub fn noise_dim(&self) -> usize {
        self.layers[0].weight.dims()[0]
    }

    /// Width of one generated example.
    pub fn output_dim(&self) -> usize {
        self.output.weight.dims()[1]
    }

    /// `n` noise vectors `z`, standard normal or uniform on `[-1, 1]`.
    pub fn noise(&self, n: usize, device: &Device) -> Tensor<2> {
        let distribution = if self.uniform_noise {
            Distribution::Uniform(-1.0, 1.0)
        } else {
            Distribution::Normal(0.0, 1.0)
        };
        Tensor::random([n, self.noise_dim()], distribution, device)
    }

    /// `G(z)` and the entropy approximation `Σ_layers Σ_i ½ log(2 π e σ_i²)` over the
    /// batch-normalised activations (before the ReLU). On an autodiff device batch norm uses the
    /// batch's own statistics, as in training; elsewhere its running averages.
    pub fn forward_with_entropy(&self, z: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let device = z.device();
        let mut entropy = Tensor::<1>::zeros([1], &device);
        let mut h = z;
        for (layer, norm) in self.layers.iter().zip(&self.norms) {
            let normalised = norm.forward(layer.forward(h));
            entropy = entropy + gaussian_activation_entropy(normalised.clone());
            h = relu(normalised);
        }
        let out = self.output.forward(h);
        let x = if self.sigmoid_output {
            sigmoid(out)
        } else {
            out
        };
        (x, entropy)
    }

    /// `G(z)`.
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let mut h = z;
        for (layer, norm) in self.layers.iter().zip(&self.norms) {
            h = relu(norm.forward(layer.forward(h)));
        }
        let out = self.output.forward(h);
        if self.sigmoid_output {
            sigmoid(out)
        } else {
            out
        }
    }

    /// `n` samples.
    pub fn sample(&self, n: usize, device: &Device) -> Tensor<2> {
        self.forward(self.noise(n, device))
    }
}
