//! Why a checkpoint could not be loaded into a trainer or a trained model.

/// A checkpoint that is complete on disk but cannot give a method what it needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A part the method always saves is absent (a checkpoint of another method).
    #[error("checkpoint has no '{0}'")]
    Missing(String),
    /// A part whose bytes cannot be decoded, or belong to another architecture or optimiser.
    #[error("'{part}': {problem}")]
    Part {
        /// The blob's name.
        part: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Readable parts that disagree with the run's configuration (another size, say).
    #[error("{0}")]
    Mismatch(String),
}

impl CheckpointError {
    /// The blob `part` could not be read: `problem` says why.
    pub fn part(part: &str, problem: impl std::fmt::Display) -> Self {
        CheckpointError::Part {
            part: part.to_string(),
            problem: problem.to_string(),
        }
    }
}
