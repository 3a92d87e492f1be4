//! Evaluation metrics every sample-generating method shares (DESIGN.md, "Evaluation").

pub mod parzen;
