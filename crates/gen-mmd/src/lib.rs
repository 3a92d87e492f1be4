//! # gen-mmd
//!
//! Maximum mean discrepancy and generative moment matching networks (Li, Swersky & Zemel 2015).
//! So far: the biased MMD² estimate of the lecture's slide ([`mmd::mmd2_biased`]) over any
//! gen-core [`Kernel`](gen_core::kernel::Kernel). The unbiased and linear-time estimates, the
//! permutation test and the GMMN / GMMN+AE models arrive with their issue.

pub mod mmd;
