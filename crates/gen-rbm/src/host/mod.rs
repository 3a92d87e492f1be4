//! The RBM on host memory, for CPU backends (burn-flex, burn-ndarray).
//!
//! On a CPU every burn operation is a pass over memory of its own: a CD-1 step on flex spent
//! about as long in the element-wise passes, allocations and copies around its five matrix
//! products as in the products themselves. Here the products are the `gemm` crate's, called
//! directly with the update folded in, and each layer's sigmoid and Bernoulli draw are one
//! parallel pass whose random numbers come from a counter-based generator, so a result depends
//! on the seed and the step, never on the number of threads. The burn path of
//! [`crate::train`] stays for GPUs; the two agree to float tolerance (tests/host_engine.rs).

pub mod annealing;
pub mod binary_product;
pub mod conditional;
pub mod counter_rng;
pub mod fast_math;
pub mod gemm;
pub mod gibbs;
pub mod params;
pub mod update;

pub use annealing::HostAnnealingPath;
pub use counter_rng::CounterRng;
pub use params::HostParams;
pub use update::{HostTraining, NegativePhase, UpdateRule};
