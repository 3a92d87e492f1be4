//! SGD with classical momentum as the papers' code and PyTorch's `SGD` apply it:
//! `v ← μ v + g`, `θ ← θ - η v`. burn's `MomentumConfig` damps the gradient by default
//! (`v ← μ v + (1 - 0.1) g` from the second step on), a step 10% smaller in steady state than
//! the GMMN reference code's (`dW = momentum dW - learn_rate grad`), the GSN code's, or
//! PyTorch's `SGD(momentum=μ)` (dampening 0) take.

use burn::optim::momentum::MomentumConfig;

/// Classical momentum `μ` without dampening.
pub fn classical_momentum(momentum: f64) -> MomentumConfig {
    MomentumConfig::new()
        .with_momentum(momentum)
        .with_dampening(0.0)
}
