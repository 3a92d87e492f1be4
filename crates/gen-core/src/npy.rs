//! NumPy `.npy` (format version 1.0) for `float32` arrays, little-endian, C order: how `gen
//! sample --out FILE.npy` hands samples to other tools, and how run state such as persistent
//! Markov chains is stored in checkpoints.

use std::path::Path;

use crate::run::atomic::write_atomic;

const MAGIC: &[u8] = b"\x93NUMPY";

/// Encodes `values` with `shape` as `.npy` bytes.
pub fn encode_npy(shape: &[usize], values: &[f32]) -> Vec<u8> {
    assert_eq!(
        shape.iter().product::<usize>(),
        values.len(),
        "shape {shape:?} does not match {} values",
        values.len()
    );
    let dims = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}");
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
    // of 64 bytes and ended by a newline.
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 4 * values.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Writes a `float32` `.npy` file atomically.
pub fn write_npy(path: &Path, shape: &[usize], values: &[f32]) -> std::io::Result<()> {
    write_atomic(path, &encode_npy(shape, values))
}

/// Why bytes are not an array [`encode_npy`] could have written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NpyError {
    /// The bytes do not start with `\x93NUMPY` and a header length.
    #[error("not a .npy file (bad magic)")]
    BadMagic,
    /// The header is cut short, not text, or lacks the fields read here.
    #[error("{0}")]
    BadHeader(String),
    /// Another element type or Fortran order.
    #[error("unsupported array type: {0}")]
    Unsupported(String),
    /// The shape's size does not fit in memory's address range.
    #[error("shape {0:?} overflows")]
    Overflow(Vec<usize>),
    /// The data holds more or fewer bytes than the shape needs.
    #[error("shape {shape:?} needs {needed} data bytes, found {found}")]
    Length {
        /// The header's shape.
        shape: Vec<usize>,
        /// Bytes the shape needs.
        needed: usize,
        /// Bytes present.
        found: usize,
    },
}

/// Decodes `.npy` bytes written by [`encode_npy`] (version 1.0, `<f4`, C order).
pub fn decode_npy(bytes: &[u8]) -> Result<(Vec<usize>, Vec<f32>), NpyError> {
    let bad = |what: &str| NpyError::BadHeader(what.to_string());
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(NpyError::BadMagic);
    }
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(
        bytes
            .get(10..10 + header_len)
            .ok_or_else(|| bad("truncated header"))?,
    )
    .map_err(|_| bad("header is not UTF-8"))?;
    if !header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False") {
        return Err(NpyError::Unsupported(header.to_string()));
    }
    let open = header
        .find("'shape': (")
        .ok_or_else(|| bad("no shape in header"))?
        + "'shape': (".len();
    let close = open
        + header[open..]
            .find(')')
            .ok_or_else(|| bad("unterminated shape"))?;
    let shape: Vec<usize> = header[open..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| bad(&format!("bad dimension '{s}'"))))
        .collect::<Result<_, _>>()?;
    let data = &bytes[10 + header_len..];
    // The shape is checked against the bytes present before anything is allocated, so a shape
    // whose product overflows or exceeds the file is an error, not a panic or an abort.
    let needed = shape
        .iter()
        .try_fold(4usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| NpyError::Overflow(shape.clone()))?;
    if data.len() != needed {
        return Err(NpyError::Length {
            shape,
            needed,
            found: data.len(),
        });
    }
    let values = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((shape, values))
}
