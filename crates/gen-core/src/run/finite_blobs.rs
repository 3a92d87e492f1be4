//! The check that a checkpoint holds only finite numbers, run by the shared training loop on
//! every blob a trainer saves, before anything is written: a model that diverged between two
//! logged steps (a learning rate far too large, say) must not replace the last good checkpoint.
//!
//! Blobs are recognised by their magic bytes: burn's record format (burnpack: module and
//! optimiser records) and NumPy's `.npy` (the RBM's parameters and chains). Their `f32` and
//! `f64` tensors are scanned; other blobs (counters, an image pool of generator outputs) hold
//! nothing that the parameters' check does not already cover.

use burn_pack::{Bytes, DType};

use crate::npy::decode_npy;

/// The burnpack magic number, as the format stores it (little-endian `u32` 0x4255524E).
const BURNPACK_MAGIC: [u8; 4] = 0x4255524Eu32.to_le_bytes();
/// The `.npy` magic.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// Where a saved state holds a value that is not finite.
#[derive(Debug, Clone, PartialEq)]
pub struct NonFiniteValue {
    /// The blob (`"gmmn"`, `"weights"`, `"optimizer"`, ...).
    pub blob: String,
    /// The tensor inside it (empty for a `.npy` blob, which holds one array).
    pub tensor: String,
    /// How many of its values are NaN or infinite, out of how many.
    pub count: usize,
    pub total: usize,
    /// The first such value.
    pub first: f64,
}

impl std::fmt::Display for NonFiniteValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = if self.tensor.is_empty() {
            format!("'{}'", self.blob)
        } else {
            format!("'{}' of '{}'", self.tensor, self.blob)
        };
        write!(
            f,
            "{name} holds {} non-finite values of {} (the first is {})",
            self.count, self.total, self.first
        )
    }
}

/// Counts the non-finite values of little-endian floats of `width` bytes.
fn scan(bytes: &[u8], width: usize) -> (usize, usize, Option<f64>) {
    let mut count = 0;
    let mut first = None;
    for chunk in bytes.chunks_exact(width) {
        let value = match width {
            4 => f32::from_le_bytes(chunk.try_into().expect("4 bytes")) as f64,
            _ => f64::from_le_bytes(chunk.try_into().expect("8 bytes")),
        };
        if !value.is_finite() {
            count += 1;
            first.get_or_insert(value);
        }
    }
    (count, bytes.len() / width, first)
}

/// The first tensor of the blob `name` that holds a NaN or an infinity, if any. A blob that
/// claims a known format but cannot be read is reported too (as one NaN): a checkpoint that
/// cannot be checked is not written.
pub fn first_non_finite(name: &str, bytes: &[u8]) -> Option<NonFiniteValue> {
    let found = |tensor: String, (count, total, first): (usize, usize, Option<f64>)| {
        first.map(|first| NonFiniteValue {
            blob: name.to_string(),
            tensor,
            count,
            total,
            first,
        })
    };
    let unreadable = |problem: String| NonFiniteValue {
        blob: name.to_string(),
        tensor: format!("(unreadable: {problem})"),
        count: 1,
        total: 1,
        first: f64::NAN,
    };
    if bytes.starts_with(NPY_MAGIC) {
        return match decode_npy(bytes) {
            Ok((_, values)) => {
                let first = values.iter().find(|v| !v.is_finite());
                first.map(|&first| NonFiniteValue {
                    blob: name.to_string(),
                    tensor: String::new(),
                    count: values.iter().filter(|v| !v.is_finite()).count(),
                    total: values.len(),
                    first: first as f64,
                })
            }
            Err(e) => Some(unreadable(e)),
        };
    }
    if bytes.starts_with(&BURNPACK_MAGIC) {
        let tensors = burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .and_then(|reader| reader.into_tensors());
        let tensors = match tensors {
            Ok(t) => t,
            Err(e) => return Some(unreadable(e.to_string())),
        };
        for tensor in tensors {
            let (tensor_name, dtype, _, _, data) = match tensor.into_parts() {
                Ok(parts) => parts,
                Err(e) => return Some(unreadable(e.to_string())),
            };
            let width = match dtype {
                DType::F32 => 4,
                DType::F64 => 8,
                _ => continue,
            };
            if let Some(bad) = found(tensor_name, scan(&data, width)) {
                return Some(bad);
            }
        }
    }
    None
}
