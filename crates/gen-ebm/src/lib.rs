//! # gen-ebm
//!
//! Deep energy models trained against a generator (Kim & Bengio 2016; the lecture's "From RBM to
//! deep energy models"): an energy `E(x)` given by a deep network in product-of-experts form
//! ([`energy`]), a batch-normalised generator `G(z)` ([`generator`]) whose samples replace the
//! model expectation in the log-likelihood gradient, and the alternating training of the two
//! ([`train`]) with the generator's entropy approximated from its batch statistics
//! ([`entropy`]). The energy implements gen-core's [`gen_core::energy::EnergyModel`], the
//! interface the RBM's free energy shares.

pub mod energy;
pub mod entropy;
pub mod features;
pub mod generator;
pub mod run;
pub mod train;

pub use energy::{DeepEnergy, DeepEnergyConfig};
pub use features::{FeatureConfig, Features};
pub use generator::{Generator, GeneratorConfig, NoiseKind, OutputKind};
pub use train::{EbmOptimizer, EbmTrainConfig, EbmTrainer};
