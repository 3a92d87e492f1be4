//! # gen-dae
//!
//! Denoising auto-encoders as generative models (Bengio, Yao, Alain & Vincent 2013):
//!
//! - [`corruption`]: the corruption processes `C(X' | X)` (Gaussian, salt-and-pepper, masking);
//! - [`reconstruction`]: the reconstruction distributions `P_θ(X | X')` (Bernoulli, Gaussian);
//! - [`model`], [`mlp`]: the [`Denoiser`] trait any module can implement, the original code's
//!   tied sigmoid DAE and an untied MLP for real-valued data;
//! - [`walkback`]: simple and walkback training criteria;
//! - [`train`]: SGD on that criterion as a [`Trainer`](gen_core::training::Trainer);
//! - [`chain`]: the sampling chain `X'_t ~ C(X' | X_t)`, `X_{t+1} ~ P_θ(X | X'_t)`.
//!
//! The lecture's slides mapped to this code: docs/dae.md.

pub mod chain;
pub mod corruption;
pub mod mlp;
pub mod model;
pub mod reconstruction;
pub mod run;
pub mod train;
pub mod walkback;

pub use chain::{Chain, ChainConfig, ChainStart};
pub use corruption::{Corruption, CorruptionConfig};
pub use mlp::{MlpDenoiser, MlpDenoiserConfig};
pub use model::{Denoiser, TiedDae, TiedDaeConfig};
pub use reconstruction::Reconstruction;
pub use train::{DaeTrainConfig, DaeTrainer};
pub use walkback::{Walkback, denoising_loss};
