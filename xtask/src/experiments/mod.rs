//! The reproducible experiments, one module per method.

pub mod rbm;

use crate::reproduce::Experiment;

/// Every experiment, in report order.
pub fn all() -> Vec<Box<dyn Experiment>> {
    vec![Box::new(rbm::RbmFigure1), Box::new(rbm::RbmFigure2)]
}
