//! A module's parameters and an optimiser's state as bytes (burn's burnpack record), for
//! checkpoint blobs, and loading them back with a clear error when the checkpoint belongs to
//! another architecture or optimiser.

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

/// The bytes of `module`'s record.
pub fn module_bytes<M: Module>(module: &M) -> Vec<u8> {
    module
        .clone()
        .into_record()
        .into_bytes()
        .expect("a module record serialises")
        .to_vec()
}

/// Why stored bytes could not be loaded into a module or an optimiser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The bytes are not a burnpack module record (truncated, another format).
    #[error("unreadable model record: {0}")]
    UnreadableModule(String),
    /// A readable record whose tensors differ from the module's (another architecture).
    #[error("the checkpoint does not fit this model's architecture: {0}")]
    Architecture(String),
    /// The bytes are not this optimiser's state (Adam's record given to SGD, say).
    #[error("unreadable optimiser state: {0}")]
    UnreadableOptimizer(String),
}

/// Loads a record written by [`module_bytes`] into `module`; a record of another shape (a
/// checkpoint of another architecture) is an error naming the mismatched tensors.
pub fn load_module_bytes<M: Module>(module: M, bytes: &[u8]) -> Result<M, RecordError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| RecordError::UnreadableModule(e.to_string()))?;
    module
        .try_load_record(record)
        .map_err(|e| RecordError::Architecture(e.to_string()))
}

/// The bytes of `optimizer`'s state (Adam's moments, SGD's momentum buffers, ...).
pub fn optimizer_bytes(optimizer: &ModuleOptimizer) -> Vec<u8> {
    optimizer
        .into_bytes()
        .expect("an optimiser state serialises")
        .to_vec()
}

/// `fresh` with the state written by [`optimizer_bytes`]; state of another optimiser (Adam's
/// record given to SGD) is an error.
pub fn load_optimizer_bytes(
    fresh: ModuleOptimizer,
    bytes: &[u8],
) -> Result<ModuleOptimizer, RecordError> {
    fresh
        .from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| RecordError::UnreadableOptimizer(e.to_string()))
}
