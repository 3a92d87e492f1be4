//! # gen-core
//!
//! The parts every method of `gen` shares:
//!
//! - [`energy`], [`kernel`], [`loss`]: the traits and losses the method crates implement or call
//!   (an energy model's energy of a batch, a kernel's Gram matrix, BCE / L1 / adversarial losses);
//! - [`data`]: datasets (IDX files, CycleGAN image folders, the shipped UCI digits, bars and
//!   stripes, exact 2-D densities, a two-domain image set with known counterparts), binarisation,
//!   seeded batching;
//! - [`metrics`]: evaluation shared by every method (Parzen, MMD, Fréchet distance);
//! - [`run`]: run directories, metrics logs and atomic checkpoints;
//! - [`image_grid`], [`plot`], [`progress`], [`npy`], [`safetensors`]: what a run writes for people
//!   and for other tools;
//! - [`seed`]: reproducible randomness that survives a resume;
//! - [`method`]: the trait each method crate implements for `gen` (configure, train, load,
//!   sample, evaluate, export), with [`run::setup`], [`backend`] and
//!   [`metrics::sample_eval`] as its shared plumbing;
//! - [`sgd_momentum`], [`denormals`]: SGD momentum as the papers' code applies it, and flushing
//!   subnormal floats, which otherwise slow CPU training several times over.
//!
//! Library code takes a [`burn::tensor::Device`] and enables no backend; binaries choose.

pub mod backend;
pub mod classifier;
pub mod config_override;
pub mod data;
pub mod denormals;
pub mod direction;
pub mod energy;
pub mod host_device;
pub mod image_file;
pub mod image_grid;
pub mod kernel;
pub mod kernel_sum;
pub mod learner_progress;
pub mod loss;
pub mod method;
pub mod metrics;
pub mod module_bytes;
pub mod npy;
pub mod plot;
pub mod progress;
pub mod run;
pub mod safetensors;
pub mod seed;
pub mod sgd_momentum;
pub mod tensor_io;
pub mod training;
pub mod validate;

pub use energy::EnergyModel;
pub use kernel::{GaussianKernel, Kernel, MixtureKernel};
