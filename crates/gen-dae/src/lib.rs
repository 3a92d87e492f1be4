//! # gen-dae
//!
//! Denoising auto-encoders as generative models (Bengio, Yao, Alain & Vincent 2013). So far:
//! the corruption processes `C(X' | X)` ([`corruption`]). The reconstruction distributions,
//! simple and walkback training and the sampling chain arrive with their issue.

pub mod corruption;
