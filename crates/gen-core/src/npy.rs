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

/// Decodes `.npy` bytes written by [`encode_npy`] (version 1.0, `<f4`, C order).
pub fn decode_npy(bytes: &[u8]) -> Result<(Vec<usize>, Vec<f32>), String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file (bad magic)".to_string());
    }
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(bytes.get(10..10 + header_len).ok_or("truncated header")?)
        .map_err(|_| "header is not UTF-8")?;
    if !header.contains("'descr': '<f4'") || !header.contains("'fortran_order': False") {
        return Err(format!("unsupported array type: {header}"));
    }
    let open = header.find("'shape': (").ok_or("no shape in header")? + "'shape': (".len();
    let close = open + header[open..].find(')').ok_or("unterminated shape")?;
    let shape: Vec<usize> = header[open..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("bad dimension '{s}'")))
        .collect::<Result<_, _>>()?;
    let data = &bytes[10 + header_len..];
    // The shape is checked against the bytes present before anything is allocated, so a shape
    // whose product overflows or exceeds the file is an error, not a panic or an abort.
    let n_bytes = shape
        .iter()
        .try_fold(4usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("shape {shape:?} overflows"))?;
    if data.len() != n_bytes {
        return Err(format!(
            "shape {shape:?} needs {n_bytes} data bytes, found {}",
            data.len()
        ));
    }
    let values = data
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((shape, values))
}
