//! Sampling a denoising auto-encoder: the Markov chain of the lecture's slide,
//! `X'_t ~ C(X' | X_t)`, `X_{t+1} ~ P_θ(X | X'_t)`, which converges to the data distribution
//! when `P_θ(X | X')` is a consistent estimator of the true `P(X | X')` (Bengio et al. 2013,
//! Theorem 1). Many chains run in parallel as one batch on the device.
//!
//! What a state shows: for the Bernoulli reconstruction the mean `σ(a)` of `P_θ(X | X'_t)` (the
//! original code's sample grids and Parzen evaluation use these means); for the Gaussian one
//! the sample itself (the mean would shrink the samples towards the manifold).

use burn::tensor::{Distribution, Tensor};
use gen_core::validate::{self, ConfigError};
use serde::{Deserialize, Serialize};

use crate::corruption::Corruption;
use crate::model::Denoiser;
use crate::reconstruction::Reconstruction;

/// Where the chains start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainStart {
    /// Noise: uniform pixels for the Bernoulli reconstruction, a Gaussian with the data's mean
    /// and standard deviation per value for the Gaussian one.
    Noise,
    /// Random training examples (the original code starts from a test digit).
    Data,
}

/// How samples are drawn from the chain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// Chains run in parallel.
    pub chains: usize,
    /// Transitions discarded before the first recorded state.
    pub burn_in: usize,
    /// Transitions between recorded states (1: every state, as the original code records).
    pub thinning: usize,
    /// What the chains start from.
    pub start: ChainStart,
}

impl Default for ChainConfig {
    /// 100 chains from noise, 100 transitions of burn-in, every state recorded (our choice; the
    /// original code runs one chain of 10,000 consecutive states from a test digit).
    fn default() -> Self {
        Self {
            chains: 100,
            burn_in: 100,
            thinning: 1,
            start: ChainStart::Noise,
        }
    }
}

impl ChainConfig {
    /// Checks the counts.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::at_least("chains", self.chains, 1)?;
        validate::at_least("thinning", self.thinning, 1)
    }
}

/// A batch of chains and the denoising model that moves them.
pub struct Chain<'a, D: Denoiser, C: Corruption> {
    /// The denoising model `P(X | X')`.
    pub denoiser: &'a D,
    /// The corruption `C(X' | X)`.
    pub corruption: &'a C,
    /// The distribution the denoiser's outputs parametrise.
    pub reconstruction: Reconstruction,
    /// The current states `X_t`, `[chains, d]`.
    pub state: Tensor<2>,
    /// What the last transition shows (see the module notes); the start state before any.
    pub shown: Tensor<2>,
}

impl<'a, D: Denoiser, C: Corruption> Chain<'a, D, C> {
    /// Chains at `start` (`[chains, d]`).
    pub fn new(
        denoiser: &'a D,
        corruption: &'a C,
        reconstruction: Reconstruction,
        start: Tensor<2>,
    ) -> Self {
        Self {
            denoiser,
            corruption,
            reconstruction,
            shown: start.clone(),
            state: start,
        }
    }

    /// One transition: corrupt, reconstruct, sample.
    pub fn step(&mut self) {
        let corrupted = self.corruption.corrupt(self.state.clone());
        let params = self.denoiser.reconstruct(corrupted).detach();
        self.state = self.reconstruction.sample(params.clone());
        self.shown = match self.reconstruction {
            Reconstruction::Bernoulli => self.reconstruction.mean(params),
            Reconstruction::Gaussian { .. } => self.state.clone(),
        };
    }

    /// Runs `burn_in` transitions, then records `records` shown states `thinning` transitions
    /// apart; returns them in order, each `[chains, d]`.
    pub fn record(&mut self, burn_in: usize, thinning: usize, records: usize) -> Vec<Tensor<2>> {
        for _ in 0..burn_in {
            self.step();
        }
        let mut out = Vec::with_capacity(records);
        for _ in 0..records {
            for _ in 0..thinning.max(1) {
                self.step();
            }
            out.push(self.shown.clone());
        }
        out
    }
}

/// A noise start for `chains` chains of width `dim`: uniform pixels for the Bernoulli
/// reconstruction (then drawn as bits), `N(mean_j, std_j²)` per value for the Gaussian one.
pub fn noise_start(
    reconstruction: Reconstruction,
    chains: usize,
    mean: &[f32],
    std: &[f32],
    device: &burn::tensor::Device,
) -> Tensor<2> {
    let dim = mean.len();
    match reconstruction {
        Reconstruction::Bernoulli => {
            Tensor::<2>::random([chains, dim], Distribution::Default, device)
                .lower_elem(0.5)
                .float()
        }
        Reconstruction::Gaussian { .. } => {
            let z = Tensor::<2>::random([chains, dim], Distribution::Normal(0.0, 1.0), device);
            let m = Tensor::<1>::from_floats(mean, device).unsqueeze_dim(0);
            let s = Tensor::<1>::from_floats(std, device).unsqueeze_dim(0);
            z * s + m
        }
    }
}
