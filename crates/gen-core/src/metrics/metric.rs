//! The names `gen eval --metric` takes, parsed once: each method then matches the metrics it
//! computes and refuses the others with a message listing its own.

use std::fmt;
use std::str::FromStr;

use crate::validate::UnknownName;

/// A metric `gen eval` can compute (which ones a run offers depends on its method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// RBM: the exact log-likelihood (log Z by enumeration; small models).
    Exact,
    /// RBM: log-likelihood with log Z from annealed importance sampling.
    Ais,
    /// RBM: the RAISE lower-bound-style estimate of the test log-likelihood.
    Raise,
    /// RBM: one-step reconstruction error.
    Recon,
    /// RBM: the stochastic pseudo-log-likelihood.
    PseudoLikelihood,
    /// Sampling models: the Parzen-window log-likelihood of the test set.
    Parzen,
    /// Sampling models: MMD² against the test set, with a permutation test.
    Mmd,
    /// Sampling models on images: the Fréchet distance in the evaluation classifier's features.
    Fd,
    /// The deep energy model on 2-D data: the likelihood normalised on a grid.
    Exact2d,
    /// Translation models: the error of each translation against its paired target.
    Translation,
    /// Translation models: the share of translations the evaluation classifier labels as the input.
    Labels,
    /// The evaluation classifier: its test accuracy.
    Accuracy,
}

impl Metric {
    /// Every metric, in the order `--help` names them.
    pub const ALL: [Metric; 12] = [
        Metric::Exact,
        Metric::Ais,
        Metric::Raise,
        Metric::Recon,
        Metric::PseudoLikelihood,
        Metric::Parzen,
        Metric::Mmd,
        Metric::Fd,
        Metric::Exact2d,
        Metric::Translation,
        Metric::Labels,
        Metric::Accuracy,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Exact => "exact",
            Metric::Ais => "ais",
            Metric::Raise => "raise",
            Metric::Recon => "recon",
            Metric::PseudoLikelihood => "pseudo-likelihood",
            Metric::Parzen => "parzen",
            Metric::Mmd => "mmd",
            Metric::Fd => "fd",
            Metric::Exact2d => "exact2d",
            Metric::Translation => "translation",
            Metric::Labels => "labels",
            Metric::Accuracy => "accuracy",
        }
    }

    /// Whether it is one of the metrics every sampling model offers (parzen, mmd, fd).
    pub fn is_sample_metric(self) -> bool {
        matches!(self, Metric::Parzen | Metric::Mmd | Metric::Fd)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| UnknownName {
                what: "metric",
                given: s.to_string(),
                choices: "exact, ais, raise, recon, pseudo-likelihood, parzen, mmd, fd, exact2d, translation, labels or accuracy",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_metric() {
        for m in Metric::ALL {
            assert_eq!(m.name().parse::<Metric>(), Ok(m));
        }
        let err = "fid".parse::<Metric>().unwrap_err().to_string();
        assert!(err.starts_with("unknown metric 'fid': use exact"), "{err}");
    }
}
