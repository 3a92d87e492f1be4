//! One vocabulary for the checks every method runs on its settings before training: learning
//! rates, batch sizes, momenta, weights and probabilities.
//!
//! Each check names the setting by its configuration key (`learning_rate`), so a message tells
//! the user what to pass to `--set`; [`ConfigError::within`] prefixes the section the setting
//! lives in (`train.learning_rate`). Settings that contradict each other, or the data, are
//! [`ConfigError::Invalid`], with a sentence saying why.

use std::fmt;

/// A setting outside what the method accepts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A rate or scale that must be greater than zero and finite.
    #[error("{key} must be positive and finite, got {value}")]
    NotPositive {
        /// The setting's key.
        key: String,
        /// The value given.
        value: f64,
    },
    /// A weight or penalty that may be zero but not negative, infinite or NaN.
    #[error("{key} must be finite and non-negative, got {value}")]
    Negative {
        /// The setting's key.
        key: String,
        /// The value given.
        value: f64,
    },
    /// A count below its least meaningful value.
    #[error("{key} must be at least {least}, got {value}")]
    TooSmall {
        /// The setting's key.
        key: String,
        /// The smallest value accepted.
        least: usize,
        /// The value given.
        value: usize,
    },
    /// A value that may take any sign but must be a number (not NaN or infinite).
    #[error("{key} must be a finite number, got {value}")]
    NotFinite {
        /// The setting's key.
        key: String,
        /// The value given.
        value: f64,
    },
    /// A value outside the interval it must lie in.
    #[error("{key} must lie in {interval}, got {value}")]
    OutOfRange {
        /// The setting's key.
        key: String,
        /// The accepted interval.
        interval: Interval,
        /// The value given.
        value: f64,
    },
    /// A setting the method cannot build or run with, or settings that contradict each other
    /// or the data; the sentence says why.
    #[error("{0}")]
    Invalid(String),
}

impl ConfigError {
    /// A part's own typed check (a kernel's, a corruption's) as a settings error, keeping its
    /// message.
    pub fn invalid(error: impl fmt::Display) -> Self {
        ConfigError::Invalid(error.to_string())
    }

    /// The same error with `section.` before its key (a check of `[train]` reports
    /// `train.learning_rate`).
    pub fn within(self, section: &str) -> Self {
        let prefixed = |key: String| format!("{section}.{key}");
        match self {
            ConfigError::NotPositive { key, value } => ConfigError::NotPositive {
                key: prefixed(key),
                value,
            },
            ConfigError::Negative { key, value } => ConfigError::Negative {
                key: prefixed(key),
                value,
            },
            ConfigError::NotFinite { key, value } => ConfigError::NotFinite {
                key: prefixed(key),
                value,
            },
            ConfigError::TooSmall { key, least, value } => ConfigError::TooSmall {
                key: prefixed(key),
                least,
                value,
            },
            ConfigError::OutOfRange {
                key,
                interval,
                value,
            } => ConfigError::OutOfRange {
                key: prefixed(key),
                interval,
                value,
            },
            invalid @ ConfigError::Invalid(_) => invalid,
        }
    }
}

/// A name that is not one of a setting's choices (a method, an engine, a loss).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}': use {choices}")]
pub struct UnknownName {
    /// What the name should have named ("RBM method").
    pub what: &'static str,
    /// The name given.
    pub given: String,
    /// The accepted names, as a phrase ("cd, pcd, fpcd or pt").
    pub choices: &'static str,
}

/// The intervals settings are checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// `[0, 1)`: momenta, Adam's β₁, dropout rates (1 would never forget or never keep).
    UnitHalfOpen,
    /// `[0, 1]`: probabilities and shares.
    Unit,
}

impl Interval {
    fn contains(self, value: f64) -> bool {
        match self {
            Interval::UnitHalfOpen => (0.0..1.0).contains(&value),
            Interval::Unit => (0.0..=1.0).contains(&value),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Interval::UnitHalfOpen => "[0, 1)",
            Interval::Unit => "[0, 1]",
        })
    }
}

/// A quantity that must be greater than zero and finite (a step size, a bandwidth, a scale).
pub fn positive(key: &str, value: f64) -> Result<(), ConfigError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(ConfigError::NotPositive {
            key: key.to_string(),
            value,
        })
    }
}

/// A learning rate: positive and finite.
pub fn learning_rate(key: &str, value: f64) -> Result<(), ConfigError> {
    positive(key, value)
}

/// A weight, penalty or noise level: finite and at least zero.
pub fn non_negative(key: &str, value: f64) -> Result<(), ConfigError> {
    if value >= 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(ConfigError::Negative {
            key: key.to_string(),
            value,
        })
    }
}

/// A number of any sign, not NaN or infinite (a threshold, an offset).
pub fn finite(key: &str, value: f64) -> Result<(), ConfigError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ConfigError::NotFinite {
            key: key.to_string(),
            value,
        })
    }
}

/// A count that must be at least `least`.
pub fn at_least(key: &str, value: usize, least: usize) -> Result<(), ConfigError> {
    if value >= least {
        Ok(())
    } else {
        Err(ConfigError::TooSmall {
            key: key.to_string(),
            least,
            value,
        })
    }
}

/// A batch size: at least one example.
pub fn batch_size(key: &str, value: usize) -> Result<(), ConfigError> {
    at_least(key, value, 1)
}

/// A momentum coefficient (or Adam's β₁) in `[0, 1)`: at 1 the velocity never forgets.
pub fn momentum(key: &str, value: f64) -> Result<(), ConfigError> {
    within_interval(key, value, Interval::UnitHalfOpen)
}

/// A probability or share in `[0, 1]`.
pub fn probability(key: &str, value: f64) -> Result<(), ConfigError> {
    within_interval(key, value, Interval::Unit)
}

/// A dropout rate in `[0, 1)`: at 1 nothing would pass.
pub fn dropout(key: &str, value: f64) -> Result<(), ConfigError> {
    within_interval(key, value, Interval::UnitHalfOpen)
}

fn within_interval(key: &str, value: f64, interval: Interval) -> Result<(), ConfigError> {
    if interval.contains(value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            key: key.to_string(),
            interval,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_accepts_its_bounds_and_refuses_beyond_them() {
        assert!(learning_rate("lr", 1e-30).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(learning_rate("lr", bad).is_err(), "{bad}");
        }
        assert!(non_negative("w", 0.0).is_ok());
        assert!(non_negative("w", -1e-12).is_err());
        assert!(non_negative("w", f64::NAN).is_err());
        assert!(momentum("m", 0.0).is_ok());
        assert!(momentum("m", 0.999).is_ok());
        assert!(momentum("m", 1.0).is_err());
        assert!(probability("p", 1.0).is_ok());
        assert!(probability("p", 1.0 + 1e-12).is_err());
        assert!(probability("p", f64::NAN).is_err());
        assert!(batch_size("b", 1).is_ok());
        assert!(batch_size("b", 0).is_err());
        assert!(at_least("t", 1, 2).is_err());
    }

    #[test]
    fn messages_name_the_key_with_its_section() {
        let e = learning_rate("learning_rate", -1.0)
            .unwrap_err()
            .within("train");
        assert_eq!(
            e.to_string(),
            "train.learning_rate must be positive and finite, got -1"
        );
        let e = momentum("momentum", 1.5).unwrap_err();
        assert_eq!(e.to_string(), "momentum must lie in [0, 1), got 1.5");
        let e = at_least("k", 0, 1).unwrap_err().within("train");
        assert_eq!(e.to_string(), "train.k must be at least 1, got 0");
        let e = ConfigError::Invalid("two things disagree".into()).within("model");
        assert_eq!(e.to_string(), "two things disagree");
    }
}
