//! # gen-mmd
//!
//! Maximum mean discrepancy and generative moment matching networks (Li, Swersky & Zemel 2015).
//!
//! - [`mmd`]: the biased, unbiased and linear-time MMD² estimates of two batches over any
//!   gen-core [`Kernel`](gen_core::kernel::Kernel), and the GMMN loss `sqrt(MMD²)`;
//! - [`two_sample`]: MMD between sets of any size in bounded memory, the permutation
//!   two-sample test, the median-heuristic kernel (gen-core's evaluation metric, re-exported:
//!   every method's `eval --metric mmd` uses it);
//! - [`model`]: the GMMN generator (uniform noise, ReLU MLP, sigmoid outputs);
//! - [`autoencoder`], [`autoencoder_train`]: the auto-encoder of GMMN+AE, trained with
//!   burn-train's `Learner`;
//! - [`train`]: the GMMN update and the [`Trainer`](gen_core::training::Trainer) the shared
//!   training loop drives.
//!
//! The lecture's formulas mapped to this code: docs/mmd.md.

pub mod autoencoder;
pub mod autoencoder_train;
pub mod mmd;
pub mod model;
pub mod run;
pub mod train;
pub use gen_core::metrics::two_sample;

pub use autoencoder::{Autoencoder, AutoencoderConfig};
pub use model::{Gmmn, GmmnConfig};
pub use train::{GmmnTrainConfig, GmmnTrainer};
