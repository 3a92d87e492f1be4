//! The deep energy of Kim & Bengio (2016, Eq. 9), a product of experts on learned features:
//!
//! `E(x) = |x|² / σ² - b·x - Σ_i softplus(w_i · f(x) + c_i)`,
//!
//! with `f` a deep network ([`crate::features`]). The quadratic term makes `exp(-E)`
//! normalisable whatever the experts learn (each softplus grows at most linearly in `f`, and
//! `f` at most linearly in `x`), so on 2-D data the model's exact likelihood can be computed on a
//! grid. It implements gen-core's [`EnergyModel`], the interface the RBM's free energy shares.

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::activation::softplus;
use burn::tensor::{Device, Tensor};
use gen_core::energy::EnergyModel;
use gen_core::validate::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::features::{FeatureConfig, Features};

/// Shape of the deep energy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepEnergyConfig {
    /// Width of one example.
    pub input: usize,
    /// The feature network `f`.
    pub features: FeatureConfig,
    /// Number of experts `softplus(w_i · f(x) + c_i)`.
    pub experts: usize,
    /// `σ` of the quadratic term `|x|² / σ²` (fixed, not learned).
    pub sigma: f64,
}

impl DeepEnergyConfig {
    /// Checks every setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.input == 0 {
            return Err(ConfigError::Invalid(
                "the energy needs a positive input width".into(),
            ));
        }
        validate::positive("sigma", self.sigma)?;
        validate::at_least("experts", self.experts, 1)?;
        self.features.validate(self.input)
    }

    /// Fresh weights: burn's defaults for the features and experts, `b = 0`.
    pub fn init(&self, device: &Device) -> DeepEnergy {
        let width = self.features.output_width(self.input);
        DeepEnergy {
            features: self.features.init(self.input, device),
            experts: LinearConfig::new(width, self.experts).init(device),
            visible: LinearConfig::new(self.input, 1)
                .with_bias(false)
                .with_initializer(Initializer::Zeros)
                .init(device),
            inverse_variance: 1.0 / (self.sigma * self.sigma),
        }
    }
}

/// The energy network.
#[derive(Module, Debug)]
pub struct DeepEnergy {
    /// The feature network `φ(x)`.
    pub features: Features,
    /// `w_i` and `c_i` of the experts.
    pub experts: Linear,
    /// `b` of the linear term, as a bias-free layer `[input, 1]`.
    pub visible: Linear,
    /// `1 / σ²`.
    #[module(skip)]
    pub inverse_variance: f64,
}

impl DeepEnergy {
    /// Width of one example.
    pub fn input_dim(&self) -> usize {
        self.visible.weight.dims()[0]
    }
}

impl EnergyModel for DeepEnergy {
    fn energy(&self, x: Tensor<2>) -> Tensor<1> {
        let quadratic = x
            .clone()
            .powi_scalar(2)
            .sum_dim(1)
            .mul_scalar(self.inverse_variance);
        let linear = self.visible.forward(x.clone());
        let experts = softplus(self.experts.forward(self.features.forward(x)), 1.0).sum_dim(1);
        (quadratic - linear - experts).squeeze_dim(1)
    }
}
