//! # gen-rbm
//!
//! Bernoulli restricted Boltzmann machines and the lecture's training algorithms:
//! contrastive divergence (CD-k), persistent CD (Tieleman 2008), fast-weights PCD (Tieleman &
//! Hinton 2009), and parallel tempering; the exact log partition function by enumeration.
//!
//! | lecture | code |
//! |---|---|
//! | energy `E(v,h)`, free energy, conditionals | [`model::Rbm`] |
//! | CD-k / PCD / FPCD update `θ := θ + α[∇E(X⁻) - ∇E(X⁺)]` | [`train::RbmTrainer::update`] |
//! | fast weights `θ_f := ρ θ_f + β g` | [`train::RbmTrainer`]; on CPUs [`host::HostTraining::fast`] |
//! | the same updates, AIS and RAISE on host buffers (CPU backends) | [`host`], chosen by [`engine::Engine`] |
//! | exact log-likelihood (Figure 1, 25 hidden units) | [`eval::log_partition_exact`] |

pub mod ais;
pub mod engine;
pub mod enumeration;
pub mod eval;
pub mod exact_cpu;
pub mod host;
pub mod model;
pub mod raise;
pub mod run;
pub mod sample;
pub mod train;

pub use model::{Rbm, RbmConfig};
pub use train::{Method, RbmTrainConfig, RbmTrainer};
