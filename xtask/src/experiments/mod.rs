//! The reproducible experiments, one module each.

pub mod rbm;

use crate::reproduce::Experiment;

/// Every experiment, in report order.
pub fn all() -> Vec<Box<dyn Experiment>> {
    vec![Box::new(rbm::RbmLikelihood)]
}
