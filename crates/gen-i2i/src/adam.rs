//! The optimiser both translation models train with: Adam with the reference implementations'
//! PyTorch settings, and the checks of its settings.

use burn::optim::{AdamConfig, ModuleOptimizer, decay::WeightDecayConfig};
use gen_core::validate::{self, ConfigError};

/// Adam with `β₁ = beta1`, β₂ 0.999, ε 1e-8 (PyTorch's default, which the references train
/// with; burn's is 1e-5) and L2 weight decay `weight_decay` (0: none).
pub fn adam(beta1: f64, weight_decay: f64) -> ModuleOptimizer {
    AdamConfig::new()
        .with_beta_1(beta1 as f32)
        .with_epsilon(1e-8)
        .with_weight_decay(
            (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay as f32)),
        )
        .init()
}

/// Checks a batch size, a learning rate and Adam's β₁.
pub fn check_settings(
    batch_size: usize,
    learning_rate: f64,
    beta1: f64,
) -> Result<(), ConfigError> {
    validate::batch_size("batch_size", batch_size)?;
    validate::learning_rate("learning_rate", learning_rate)?;
    validate::momentum("beta1", beta1)
}

/// Checks that every named weight (by its configuration key) is finite and non-negative.
pub fn check_weights(weights: &[(&str, f64)]) -> Result<(), ConfigError> {
    for &(key, w) in weights {
        validate::non_negative(key, w)?;
    }
    Ok(())
}
