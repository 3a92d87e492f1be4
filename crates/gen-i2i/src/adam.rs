//! The optimiser both translation models train with: Adam with the reference implementations'
//! PyTorch settings, and the checks of its settings.

use burn::optim::{AdamConfig, ModuleOptimizer, decay::WeightDecayConfig};

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
pub fn check_settings(batch_size: usize, learning_rate: f64, beta1: f64) -> Result<(), String> {
    if batch_size == 0 {
        return Err("the batch size must be at least 1".into());
    }
    if !(learning_rate > 0.0 && learning_rate.is_finite()) {
        return Err(format!(
            "the learning rate must be positive and finite, got {learning_rate}"
        ));
    }
    if !(0.0..1.0).contains(&beta1) {
        return Err(format!("Adam's beta1 must lie in [0, 1), got {beta1}"));
    }
    Ok(())
}

/// Checks that every named weight is finite and non-negative.
pub fn check_weights(weights: &[(&str, f64)]) -> Result<(), String> {
    for (name, w) in weights {
        if !(w.is_finite() && *w >= 0.0) {
            return Err(format!(
                "the {name} must be finite and non-negative, got {w}"
            ));
        }
    }
    Ok(())
}
