//! Binarisation for Bernoulli models (RBMs, Bernoulli DAEs): a fixed threshold, or one
//! stochastic draw per pixel with the grey level as probability (Salakhutdinov & Murray 2008
//! binarise MNIST stochastically; most RBM code thresholds at 0.5).

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use super::dataset::Dataset;

/// How grey levels become 0/1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Binarize {
    /// Keep the grey levels.
    None,
    /// `x >= threshold` becomes 1 (0.5 by default).
    Threshold {
        /// Values above it become 1, the others 0.
        threshold: f32,
    },
    /// `x` becomes 1 with probability `x`, drawn once with this seed.
    Stochastic {
        /// Seed of the fixed draw, so the binarised set is the same in every run.
        seed: u64,
    },
}

impl Default for Binarize {
    fn default() -> Self {
        Binarize::Threshold { threshold: 0.5 }
    }
}

impl Binarize {
    /// Rejects a threshold that is not a number: NaN compares false with every pixel and would
    /// silently zero the whole dataset.
    pub fn validate(&self) -> Result<(), crate::validate::ConfigError> {
        match *self {
            Binarize::Threshold { threshold } => {
                crate::validate::finite("threshold", f64::from(threshold))
            }
            _ => Ok(()),
        }
    }

    /// Applies the binarisation to every value of `data`.
    pub fn apply(&self, data: &Dataset) -> Dataset {
        let mut out = data.clone();
        match *self {
            Binarize::None => {}
            Binarize::Threshold { threshold } => {
                for v in &mut out.values {
                    *v = if *v >= threshold { 1.0 } else { 0.0 };
                }
            }
            Binarize::Stochastic { seed } => {
                let mut rng = StdRng::seed_from_u64(seed);
                for v in &mut out.values {
                    *v = if rng.random::<f32>() < *v { 1.0 } else { 0.0 };
                }
            }
        }
        out
    }
}
