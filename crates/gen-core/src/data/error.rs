//! One error type for every data source: each variant names the file (or folder) and what was
//! wrong with it, so a user can fix the input without reading code.

use std::path::PathBuf;

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read at all.
    #[error("{path}: cannot read: {error}")]
    Io {
        path: PathBuf,
        /// Shown in the message, not as a separate cause: a chain printed with `{:#}` would
        /// repeat it ("No such file...: No such file...").
        error: std::io::Error,
    },
    /// The first bytes are not the magic number of the expected format.
    #[error("{path}: wrong magic number {found:#010x}; expected {expected}")]
    WrongMagic {
        path: PathBuf,
        found: u32,
        expected: &'static str,
    },
    /// The file ends before the data its header announces.
    #[error(
        "{path}: truncated: the header announces {expected} bytes of data, the file holds {found}"
    )]
    Truncated {
        path: PathBuf,
        expected: usize,
        found: usize,
    },
    /// The header's count does not match the bytes that follow (more bytes than announced).
    #[error("{path}: the header says {header} items but the file holds data for {found}")]
    CountMismatch {
        path: PathBuf,
        header: usize,
        found: usize,
    },
    /// Images and labels disagree on how many examples there are.
    #[error("{path}: {labels} labels for {images} images")]
    LabelCountMismatch {
        path: PathBuf,
        labels: usize,
        images: usize,
    },
    /// An image file that could not be decoded.
    #[error("{path}: unreadable image: {reason}")]
    UnreadableImage { path: PathBuf, reason: String },
    /// An image whose size differs from the others (or from the size asked for).
    #[error("{path}: image is {found_w}x{found_h}, expected {expected_w}x{expected_h}")]
    WrongImageSize {
        path: PathBuf,
        found_w: u32,
        found_h: u32,
        expected_w: u32,
        expected_h: u32,
    },
    /// A folder that should hold images holds none.
    #[error("{path}: no PNG or JPEG images in this folder")]
    EmptyFolder { path: PathBuf },
    /// A file or folder that is not where the dataset should be.
    #[error("{path}: not found ({hint})")]
    NotFound { path: PathBuf, hint: String },
    /// Anything else that is malformed, with a sentence saying what.
    #[error("{path}: {problem}")]
    Malformed { path: PathBuf, problem: String },
    /// A dataset name that is not known.
    #[error("unknown dataset '{name}'; known: {known}")]
    UnknownName { name: String, known: String },
}

impl DataError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.into(),
            error: source,
        }
    }
}
