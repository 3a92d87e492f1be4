//! The Parzen-window log-likelihood protocol of the GAN paper (Goodfellow et al. 2014, after
//! Breuleux et al. 2011), used by GMMN, the DAE walkback paper and the GAN paper on MNIST:
//! fit an isotropic Gaussian kernel density to `n` model samples,
//!
//! `log p(x) = logsumexp_i(-|x - s_i|^2 / (2 σ^2)) - log n - (d / 2) log(2 π σ^2)`,
//!
//! choose σ on a validation set from a grid, report the mean test log-likelihood ± its standard
//! error. Computed in blocks of test rows by blocks of samples (the full pairwise matrix is never
//! held), with every σ of the grid evaluated from the same distance block.

use burn::tensor::{Device, Tensor};

use crate::kernel::squared_distances;
use crate::tensor_io::{matrix, to_vec_f32};

/// Why a Parzen evaluation cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParzenError {
    #[error("the Parzen estimate needs at least one {0} point")]
    /// No points in the named set.
    Empty(&'static str),
    #[error("{what} has {len} values, not a whole number of {dim}-dimensional points")]
    /// A set whose values do not split into whole points.
    Ragged {
        /// Which set.
        what: &'static str,
        /// Values given.
        len: usize,
        /// Values per point.
        dim: usize,
    },
    #[error("the protocol asks for {wanted} model samples but only {got} were given")]
    /// Fewer model samples than the protocol uses.
    TooFewSamples {
        /// Samples the protocol uses.
        wanted: usize,
        /// Samples given.
        got: usize,
    },
    #[error("a Parzen bandwidth must be positive and finite, got {0}")]
    /// A bandwidth that is zero, negative or not finite.
    Sigma(f64),
    #[error("the Parzen protocol needs at least one bandwidth in its grid")]
    /// An empty bandwidth grid.
    NoSigma,
    #[error(
        "the kernel density is zero at a test point for every bandwidth (sigma {0} is far too small)"
    )]
    /// The density underflowed at the best bandwidth.
    NonFinite(f64),
}

/// The protocol's settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParzenConfig {
    /// Model samples in the density (10,000: Goodfellow et al. 2014; Li et al. 2015).
    pub samples: usize,
    /// The bandwidth grid σ searched on the validation set: 0.10, 0.11, ..., 0.29, the grid of
    /// the GMMN evaluation code (`kde_eval_mnist`, Li et al. 2015) for data in [0, 1].
    pub sigmas: Vec<f64>,
    /// Test rows per block.
    pub test_block: usize,
    /// Model samples per block.
    pub sample_block: usize,
}

impl Default for ParzenConfig {
    fn default() -> Self {
        Self {
            samples: 10_000,
            sigmas: (0..20).map(|i| 0.10 + 0.01 * i as f64).collect(),
            test_block: 256,
            sample_block: 2048,
        }
    }
}

/// The protocol's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParzenEstimate {
    /// Mean test log-likelihood in nats per example.
    pub mean: f64,
    /// Its standard error (sample standard deviation / sqrt(n)).
    pub se: f64,
    /// The bandwidth chosen on the validation set.
    pub sigma: f64,
}

fn rows(values: &[f32], dim: usize, what: &'static str) -> Result<usize, ParzenError> {
    if values.is_empty() || dim == 0 {
        return Err(ParzenError::Empty(what));
    }
    if !values.len().is_multiple_of(dim) {
        return Err(ParzenError::Ragged {
            what,
            len: values.len(),
            dim,
        });
    }
    Ok(values.len() / dim)
}

/// Running `(max, sum of exp(v - max))` of a log-sum-exp, merged block by block.
#[derive(Clone, Copy)]
struct LogSumExp {
    max: f64,
    sum: f64,
}

impl LogSumExp {
    const EMPTY: Self = Self {
        max: f64::NEG_INFINITY,
        sum: 0.0,
    };

    fn merge(&mut self, max: f64, sum: f64) {
        if max == f64::NEG_INFINITY {
            return;
        }
        if max > self.max {
            self.sum = self.sum * (self.max - max).exp() + sum;
            self.max = max;
        } else {
            self.sum += sum * (max - self.max).exp();
        }
    }

    fn value(&self) -> f64 {
        self.max + self.sum.ln()
    }
}

/// `log p(x)` of every test point under the Parzen window of `samples`, for every σ of `sigmas`:
/// `result[s][i]` is the log density of test point `i` at `sigmas[s]`.
pub fn parzen_log_densities(
    samples: &[f32],
    test: &[f32],
    dim: usize,
    sigmas: &[f64],
    config: &ParzenConfig,
    device: &Device,
) -> Result<Vec<Vec<f64>>, ParzenError> {
    let n_samples = rows(samples, dim, "sample")?;
    let n_test = rows(test, dim, "test")?;
    if sigmas.is_empty() {
        return Err(ParzenError::NoSigma);
    }
    if let Some(&bad) = sigmas.iter().find(|s| !(**s > 0.0 && s.is_finite())) {
        return Err(ParzenError::Sigma(bad));
    }
    let (test_block, sample_block) = (config.test_block.max(1), config.sample_block.max(1));
    let sample_blocks: Vec<Tensor<2>> = (0..n_samples)
        .step_by(sample_block)
        .map(|start| {
            let len = sample_block.min(n_samples - start);
            let values = samples[start * dim..(start + len) * dim].to_vec();
            matrix(values, len, dim, device)
        })
        .collect();
    let mut acc = vec![vec![LogSumExp::EMPTY; n_test]; sigmas.len()];
    for start in (0..n_test).step_by(test_block) {
        let len = test_block.min(n_test - start);
        let x = matrix(
            test[start * dim..(start + len) * dim].to_vec(),
            len,
            dim,
            device,
        );
        for s in &sample_blocks {
            let d2 = squared_distances(x.clone(), s.clone());
            let (maxes, sums): (Vec<Tensor<2>>, Vec<Tensor<2>>) = sigmas
                .iter()
                .map(|&sigma| {
                    let v = d2.clone().mul_scalar(-1.0 / (2.0 * sigma * sigma));
                    let m = v.clone().max_dim(1);
                    let e = (v - m.clone()).exp().sum_dim(1);
                    (m, e)
                })
                .unzip();
            // [len, n_sigmas] each: two transfers per block pair.
            let maxes = to_vec_f32(Tensor::cat(maxes, 1));
            let sums = to_vec_f32(Tensor::cat(sums, 1));
            for (k, lse) in acc.iter_mut().enumerate() {
                for i in 0..len {
                    let j = i * sigmas.len() + k;
                    lse[start + i].merge(maxes[j] as f64, sums[j] as f64);
                }
            }
        }
    }
    let log_n = (n_samples as f64).ln();
    sigmas
        .iter()
        .zip(acc)
        .map(|(&sigma, lse)| {
            let norm = log_n + 0.5 * dim as f64 * (2.0 * std::f64::consts::PI * sigma * sigma).ln();
            lse.iter()
                .map(|l| {
                    let v = l.value() - norm;
                    if v.is_finite() {
                        Ok(v)
                    } else {
                        Err(ParzenError::NonFinite(sigma))
                    }
                })
                .collect()
        })
        .collect()
}

/// Mean and standard error of the mean.
pub fn mean_and_standard_error(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The whole protocol: the first `config.samples` rows of `samples` form the density, σ is the
/// grid value with the highest mean validation log-likelihood, and the test log-likelihood is
/// reported at that σ.
pub fn parzen_protocol(
    samples: &[f32],
    validation: &[f32],
    test: &[f32],
    dim: usize,
    config: &ParzenConfig,
    device: &Device,
) -> Result<ParzenEstimate, ParzenError> {
    let got = rows(samples, dim, "sample")?;
    if got < config.samples {
        return Err(ParzenError::TooFewSamples {
            wanted: config.samples,
            got,
        });
    }
    let samples = &samples[..config.samples * dim];
    let on_validation =
        parzen_log_densities(samples, validation, dim, &config.sigmas, config, device)?;
    let (best, _) = on_validation
        .iter()
        .map(|ll| mean_and_standard_error(ll).0)
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |(bi, bv), (i, v)| {
            if v > bv { (i, v) } else { (bi, bv) }
        });
    let sigma = config.sigmas[best];
    let on_test = parzen_log_densities(samples, test, dim, &[sigma], config, device)?;
    let (mean, se) = mean_and_standard_error(&on_test[0]);
    Ok(ParzenEstimate { mean, se, sigma })
}
