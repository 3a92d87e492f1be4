//! Reconstruction distributions `P(X | X')` of the lecture's DAE slides: the network maps a
//! corrupted `X'` to the parameters of a factorised distribution over the clean `X`, trained by
//! maximum likelihood `-log P(X | X')` (Bengio et al. 2013, Algorithm 1).
//!
//! - Bernoulli (binary or [0, 1] data): the parameters are logits `a`; `-log P = Σ BCE(a, x)`.
//! - Gaussian (real data) with a fixed standard deviation `s`: the parameters are the means
//!   `μ`; `-log P = Σ (x - μ)² / (2 s²) + d log(s √(2π))`, squared error up to constants.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Distribution, Tensor};
use gen_core::loss::binary_cross_entropy_with_logits;
use serde::{Deserialize, Serialize};

/// A factorised reconstruction distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Reconstruction {
    /// Independent Bernoulli per value; parameters are logits.
    Bernoulli,
    /// Independent Gaussians of standard deviation `std`; parameters are the means.
    Gaussian {
        /// The Gaussians' standard deviation.
        std: f64,
    },
}

/// Data or settings a reconstruction distribution cannot take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReconstructionError {
    #[error(
        "the Bernoulli reconstruction models values in [0, 1], but the data holds {value} (use the Gaussian reconstruction for real-valued data)"
    )]
    /// Data outside `[0, 1]` for the Bernoulli reconstruction.
    OutsideUnitInterval {
        /// The first value outside `[0, 1]`.
        value: f32,
    },
    #[error("the Gaussian reconstruction needs a positive, finite standard deviation, got {0}")]
    /// A standard deviation that is not positive and finite.
    Std(f64),
}

impl Reconstruction {
    /// Checks the distribution's own setting and that `data` lies in its support.
    pub fn validate(&self, data: &[f32]) -> Result<(), ReconstructionError> {
        match *self {
            Reconstruction::Bernoulli => match data.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                Some(&value) => Err(ReconstructionError::OutsideUnitInterval { value }),
                None => Ok(()),
            },
            Reconstruction::Gaussian { std } if std > 0.0 && std.is_finite() => Ok(()),
            Reconstruction::Gaussian { std } => Err(ReconstructionError::Std(std)),
        }
    }

    /// `-log P(x | params)` summed over the values of each example: `[batch]`, nats.
    pub fn negative_log_likelihood(&self, params: Tensor<2>, x: Tensor<2>) -> Tensor<1> {
        let per_value = match *self {
            Reconstruction::Bernoulli => binary_cross_entropy_with_logits(params, x),
            Reconstruction::Gaussian { std } => {
                let log_norm = std.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln();
                (x - params)
                    .powi_scalar(2)
                    .div_scalar(2.0 * std * std)
                    .add_scalar(log_norm)
            }
        };
        per_value.sum_dim(1).squeeze_dim(1)
    }

    /// The mean of the distribution: `σ(a)` or `μ`.
    pub fn mean(&self, params: Tensor<2>) -> Tensor<2> {
        match self {
            Reconstruction::Bernoulli => sigmoid(params),
            Reconstruction::Gaussian { .. } => params,
        }
    }

    /// One draw `X* ~ P(X | params)` (device generator).
    pub fn sample(&self, params: Tensor<2>) -> Tensor<2> {
        let device = params.device();
        match *self {
            Reconstruction::Bernoulli => {
                let u = Tensor::random(params.shape(), Distribution::Default, &device);
                u.lower(sigmoid(params)).float()
            }
            Reconstruction::Gaussian { std } => {
                let noise = Tensor::random(params.shape(), Distribution::Normal(0.0, std), &device);
                params + noise
            }
        }
    }
}
