//! CycleGAN's learning-rate schedule (Zhu et al. 2017, Sec. 4: "We keep the same learning rate
//! for the first 100 epochs and linearly decay the rate to zero over the next 100 epochs").
//! The reference's `lambda_rule`: in epoch `e` (counted from 0) the rate is the base rate times
//! `1 - max(0, e + 1 - constant) / (decay + 1)`, so the last epoch still trains at
//! `1 / (decay + 1)` of it.

use serde::{Deserialize, Serialize};

/// Epochs at the base rate, then epochs of linear decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinearDecay {
    /// Epochs at the base rate (`--n_epochs 100`).
    pub constant_epochs: u64,
    /// Epochs of decay (`--n_epochs_decay 100`).
    pub decay_epochs: u64,
}

impl LinearDecay {
    /// `epochs` in all, the last `decay_fraction` of them (rounded) decaying: the reference's
    /// 100 + 100 is `split(200, 0.5)`.
    pub fn split(epochs: u64, decay_fraction: f64) -> Self {
        let decay_epochs = ((epochs as f64) * decay_fraction.clamp(0.0, 1.0)).round() as u64;
        Self {
            constant_epochs: epochs - decay_epochs,
            decay_epochs,
        }
    }

    /// Epochs in all.
    pub fn epochs(&self) -> u64 {
        self.constant_epochs + self.decay_epochs
    }

    /// The multiplier of the base rate in epoch `epoch` (from 0).
    pub fn factor(&self, epoch: u64) -> f64 {
        let decayed = (epoch + 1).saturating_sub(self.constant_epochs) as f64;
        (1.0 - decayed / (self.decay_epochs + 1) as f64).max(0.0)
    }
}
