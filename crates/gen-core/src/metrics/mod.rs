//! Evaluation metrics every sample-generating method shares (DESIGN.md, "Evaluation").

pub mod frechet;
pub mod grid2d;
pub mod modes;
pub mod parzen;
pub mod symmetric_eigen;
