//! One error type for every data source: each variant names the file (or folder) and what was
//! wrong with it, so a user can fix the input without reading code.

use std::path::PathBuf;

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be opened or read at all.
    #[error("{path}: cannot read: {error}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Shown in the message, not as a separate cause: a chain printed with `{:#}` would
        /// repeat it ("No such file...: No such file...").
        error: std::io::Error,
    },
    /// The first bytes are not the magic number of the expected format.
    #[error("{path}: wrong magic number {found:#010x}; expected {expected}")]
    WrongMagic {
        /// The file.
        path: PathBuf,
        /// The number read.
        found: u32,
        /// The format expected, in words.
        expected: &'static str,
    },
    /// The file ends before the data its header announces.
    #[error(
        "{path}: truncated: the header announces {expected} bytes of data, the file holds {found}"
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// The header's count does not match the bytes that follow (more bytes than announced).
    #[error("{path}: the header says {header} items but the file holds data for {found}")]
    CountMismatch {
        /// The file.
        path: PathBuf,
        /// Items the header announces.
        header: usize,
        /// Items the bytes hold.
        found: usize,
    },
    /// Images and labels disagree on how many examples there are.
    #[error("{path}: {labels} labels for {images} images")]
    LabelCountMismatch {
        /// The labels file.
        path: PathBuf,
        /// How many labels.
        labels: usize,
        /// How many images.
        images: usize,
    },
    /// An image file that could not be decoded.
    #[error("{path}: unreadable image: {reason}")]
    UnreadableImage {
        /// The image file.
        path: PathBuf,
        /// The decoder's reason.
        reason: String,
    },
    /// An image whose size differs from the others (or from the size asked for).
    #[error("{path}: image is {found_w}x{found_h}, expected {expected_w}x{expected_h}")]
    WrongImageSize {
        /// The image file.
        path: PathBuf,
        /// Its width.
        found_w: u32,
        /// Its height.
        found_h: u32,
        /// The width expected.
        expected_w: u32,
        /// The height expected.
        expected_h: u32,
    },
    /// A folder that should hold images holds none.
    #[error("{path}: no PNG or JPEG images in this folder")]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A file or folder that is not where the dataset should be.
    #[error("{path}: not found ({hint})")]
    NotFound {
        /// Where it was looked for.
        path: PathBuf,
        /// How to get it (the download command, say).
        hint: String,
    },
    /// Anything else that is malformed, with a sentence saying what.
    #[error("{path}: {problem}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A dataset name that is not known.
    #[error("unknown dataset '{name}'; known: {known}")]
    UnknownName {
        /// The name given.
        name: String,
        /// The names the registry knows.
        known: String,
    },
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
