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
    /// Values in the tensor.
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

/// How many of `values` are NaN or infinite, how many there are, and the first such one.
fn scan(values: impl Iterator<Item = f64>) -> (usize, usize, Option<f64>) {
    let (mut count, mut total, mut first) = (0, 0, None);
    for value in values {
        total += 1;
        if !value.is_finite() {
            count += 1;
            first.get_or_insert(value);
        }
    }
    (count, total, first)
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
            Ok((_, values)) => found(String::new(), scan(values.iter().map(|&v| v as f64))),
            Err(e) => Some(unreadable(e.to_string())),
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
            let counts = match dtype {
                DType::F32 => scan(
                    data.chunks_exact(4)
                        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64),
                ),
                DType::F64 => scan(
                    data.chunks_exact(8)
                        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))),
                ),
                _ => continue,
            };
            if let Some(bad) = found(tensor_name, counts) {
                return Some(bad);
            }
        }
    }
    None
}
