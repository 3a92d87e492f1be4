//! # gen-ebm
//!
//! Deep energy models trained against a generator (Kim & Bengio 2016). So far: the entropy
//! approximation of the lecture's slide ([`entropy::gaussian_activation_entropy`]). The energy
//! network, the generator and the alternating training arrive with their issue.

pub mod entropy;
