//! Corruption processes `C(X' | X)` of the lecture's denoising auto-encoder slides
//! (Bengio, Yao, Alain & Vincent 2013): additive Gaussian noise, salt-and-pepper noise and
//! masking noise, each a random map from a clean batch to a corrupted one.

use burn::tensor::{Distribution, Tensor};

/// A corruption process `X' ~ C(X' | X)`.
pub trait Corruption {
    /// Draws one corrupted version of every row of `x` (device generator).
    fn corrupt(&self, x: Tensor<2>) -> Tensor<2>;
}

/// Why a corruption level was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CorruptionError {
    #[error("Gaussian noise needs a finite standard deviation >= 0, got {0}")]
    /// A noise standard deviation that is negative or not finite.
    NoiseStd(f64),
    #[error("a corruption probability must lie in [0, 1], got {0}")]
    /// A probability outside `[0, 1]`.
    Probability(f64),
}

/// `X' = X + ε`, `ε ~ N(0, σ²)`: the slide's corruption for real-valued data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussianNoise {
    std: f64,
}

impl GaussianNoise {
    /// Noise of standard deviation `std` (finite, at least 0).
    pub fn new(std: f64) -> Result<Self, CorruptionError> {
        if !(std.is_finite() && std >= 0.0) {
            return Err(CorruptionError::NoiseStd(std));
        }
        Ok(Self { std })
    }
}

impl Corruption for GaussianNoise {
    fn corrupt(&self, x: Tensor<2>) -> Tensor<2> {
        let noise = Tensor::random(x.shape(), Distribution::Normal(0.0, self.std), &x.device());
        x + noise
    }
}

fn check_probability(p: f64) -> Result<f64, CorruptionError> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(CorruptionError::Probability(p))
    }
}

/// Each value is, with probability `p`, replaced by 0 or 1 with equal chance (the original
/// walkback code's corruption for MNIST, p = 0.4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaltAndPepper {
    p: f64,
}

impl SaltAndPepper {
    /// Salt-and-pepper noise hitting each value with probability `p` in `[0, 1]`.
    pub fn new(p: f64) -> Result<Self, CorruptionError> {
        Ok(Self {
            p: check_probability(p)?,
        })
    }
}

impl Corruption for SaltAndPepper {
    fn corrupt(&self, x: Tensor<2>) -> Tensor<2> {
        let device = x.device();
        let hit = Tensor::<2>::random(x.shape(), Distribution::Default, &device).lower_elem(self.p);
        let salt = Tensor::<2>::random(x.shape(), Distribution::Default, &device)
            .lower_elem(0.5)
            .float();
        x.mask_where(hit, salt)
    }
}

/// Each value is set to 0 with probability `p` (masking noise, Vincent et al. 2008).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Masking {
    p: f64,
}

impl Masking {
    /// Masking noise zeroing each value with probability `p` in `[0, 1]`.
    pub fn new(p: f64) -> Result<Self, CorruptionError> {
        Ok(Self {
            p: check_probability(p)?,
        })
    }
}

impl Corruption for Masking {
    fn corrupt(&self, x: Tensor<2>) -> Tensor<2> {
        let keep = Tensor::<2>::random(x.shape(), Distribution::Default, &x.device())
            .greater_equal_elem(self.p)
            .float();
        x * keep
    }
}

/// A corruption process as configured (`[train.corruption]` in a run's config.toml).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CorruptionConfig {
    /// Additive Gaussian noise of standard deviation `std`.
    Gaussian {
        /// The noise's standard deviation.
        std: f64,
    },
    /// Salt-and-pepper noise hitting each value with probability `p`.
    SaltAndPepper {
        /// Probability that a value is replaced by 0 or 1 (each half the time).
        p: f64,
    },
    /// Masking noise zeroing each value with probability `p`.
    Masking {
        /// Probability that a value is set to 0.
        p: f64,
    },
}

impl CorruptionConfig {
    /// Checks the level (the same checks as the constructors).
    pub fn validate(&self) -> Result<(), CorruptionError> {
        match *self {
            CorruptionConfig::Gaussian { std } => GaussianNoise::new(std).map(|_| ()),
            CorruptionConfig::SaltAndPepper { p } => SaltAndPepper::new(p).map(|_| ()),
            CorruptionConfig::Masking { p } => Masking::new(p).map(|_| ()),
        }
    }
}

impl Corruption for CorruptionConfig {
    fn corrupt(&self, x: Tensor<2>) -> Tensor<2> {
        match *self {
            CorruptionConfig::Gaussian { std } => GaussianNoise { std }.corrupt(x),
            CorruptionConfig::SaltAndPepper { p } => SaltAndPepper { p }.corrupt(x),
            CorruptionConfig::Masking { p } => Masking { p }.corrupt(x),
        }
    }
}
