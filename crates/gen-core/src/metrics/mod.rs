//! Evaluation metrics every sample-generating method shares (docs/evaluation.md).

pub mod class_histogram;
pub mod frechet;
pub mod grid2d;
pub mod metric;
pub mod modes;
pub mod parzen;
pub mod sample_eval;
pub mod symmetric_eigen;
pub mod two_sample;

pub use metric::Metric;
