//! The training criterion of a denoising auto-encoder, simple or with walkback (Bengio, Yao,
//! Alain & Vincent 2013, Section 3.3 and the lecture's two training slides).
//!
//! Simple: corrupt `X' ~ C(X' | X)`, reconstruct, minimise `-log P_θ(X | X')`.
//! Walkback: from `X* := X`, repeat "corrupt `X' ~ C(X' | X*)`, keep `X'`, sample
//! `X* ~ P_θ(X | X')`" while a coin with probability `p` says so (or a fixed number of times, as
//! the original code does), and minimise `-log P_θ(X | X')` over every kept `X'`, always against
//! the clean `X`. The walks visit the spurious modes the model would wander into when sampling
//! and teach it to walk back from them.
//!
//! The objective is the original code's: the negative log-likelihood summed over each example's
//! walk, averaged over examples and over values (`cost = Σ_steps mean(BCE)`), so that its
//! learning rate (10) carries over. Samples `X*` are not differentiated through.

use burn::tensor::{Distribution, Tensor};
use serde::{Deserialize, Serialize};

use crate::corruption::Corruption;
use crate::model::Denoiser;
use crate::reconstruction::Reconstruction;

/// How many corruption-reconstruction pairs each training example contributes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Walkback {
    /// Simple training: one pair.
    None,
    /// Always `steps` pairs (the original code's `walkbacks`, 5 for MNIST).
    Fixed {
        /// Pairs per example.
        steps: usize,
    },
    /// The lecture's coin: after each pair, continue with probability `p`, at most `max_steps`
    /// pairs (the number of pairs is geometric, truncated).
    Coin {
        /// Probability of another pair.
        p: f64,
        /// The most pairs per example.
        max_steps: usize,
    },
}

/// A walkback setting that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WalkbackError {
    #[error("the walkback continuation probability must lie in [0, 1), got {0}")]
    /// A continuation probability outside `[0, 1)`.
    Probability(f64),
    #[error("a walkback needs at least one step")]
    /// Zero walkback steps.
    NoSteps,
}

impl Walkback {
    /// Checks the probability and the step counts.
    pub fn validate(&self) -> Result<(), WalkbackError> {
        match *self {
            Walkback::None => Ok(()),
            Walkback::Fixed { steps: 0 } => Err(WalkbackError::NoSteps),
            Walkback::Fixed { .. } => Ok(()),
            Walkback::Coin { p, .. } if !(0.0..1.0).contains(&p) => {
                Err(WalkbackError::Probability(p))
            }
            Walkback::Coin { max_steps: 0, .. } => Err(WalkbackError::NoSteps),
            Walkback::Coin { .. } => Ok(()),
        }
    }

    /// The most pairs one example can contribute.
    pub fn max_steps(&self) -> usize {
        match *self {
            Walkback::None => 1,
            Walkback::Fixed { steps } => steps,
            Walkback::Coin { max_steps, .. } => max_steps,
        }
    }

    /// The expected number of pairs per example: `Σ_{j<max} p^j` for the coin.
    pub fn expected_steps(&self) -> f64 {
        match *self {
            Walkback::Coin { p, max_steps } => (0..max_steps).map(|j| p.powi(j as i32)).sum(),
            other => other.max_steps() as f64,
        }
    }
}

/// The criterion of one batch.
pub struct DenoisingLoss {
    /// What is differentiated: the walk's summed NLL, averaged over examples and values.
    pub objective: Tensor<1>,
    /// `-log P_θ(X | X')` of the first pair, nats per example (a monitor comparable between
    /// simple and walkback training).
    pub first_nll: Tensor<1>,
    /// Pairs used, averaged over the batch.
    pub mean_steps: Tensor<1>,
}

/// The denoising criterion of `x` (`[batch, d]`, clean data) under `walkback`.
pub fn denoising_loss<D: Denoiser, C: Corruption>(
    denoiser: &D,
    corruption: &C,
    reconstruction: Reconstruction,
    walkback: Walkback,
    x: Tensor<2>,
) -> DenoisingLoss {
    let [batch, dim] = x.dims();
    let device = x.device();
    let steps = walkback.max_steps();
    let mut walker = x.clone();
    // `active[i]` is 1 while example i's walk goes on (the coin); None: every walk goes on.
    let mut active: Option<Tensor<1>> = None;
    let mut total: Option<Tensor<1>> = None;
    let mut first_nll = None;
    let mut pairs = Tensor::<1>::full([1], batch as f64, &device);
    for step in 0..steps {
        let params = denoiser.reconstruct(corruption.corrupt(walker));
        let nll = reconstruction.negative_log_likelihood(params.clone(), x.clone());
        if step == 0 {
            first_nll = Some(nll.clone().mean().detach());
        }
        let weighted = match &active {
            Some(mask) => nll * mask.clone(),
            None => nll,
        };
        let sum = weighted.sum();
        total = Some(match total {
            Some(t) => t + sum,
            None => sum,
        });
        if step + 1 == steps {
            break;
        }
        walker = reconstruction.sample(params.detach());
        if let Walkback::Coin { p, .. } = walkback {
            let heads = Tensor::<1>::random([batch], Distribution::Default, &device)
                .lower_elem(p)
                .float();
            let mask = match active {
                Some(mask) => mask * heads,
                None => heads,
            };
            pairs = pairs + mask.clone().sum();
            active = Some(mask);
        } else {
            pairs = pairs.add_scalar(batch as f64);
        }
    }
    DenoisingLoss {
        objective: total
            .expect("a walk has at least one step")
            .div_scalar((batch * dim) as f64),
        first_nll: first_nll.expect("a walk has at least one step"),
        mean_steps: pairs.div_scalar(batch as f64),
    }
}
