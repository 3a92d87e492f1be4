//! The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
//! mapping each tensor name to `{dtype, shape, data_offsets}`, then the raw little-endian data.
//! `gen export RUN --format safetensors` writes this so models load from Python with
//! `safetensors.numpy.load_file`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::run::atomic::write_atomic;

/// A named `float32` tensor to export.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// The key in the file.
    pub name: String,
    /// Its shape, row-major.
    pub shape: Vec<usize>,
    /// Its values.
    pub values: Vec<f32>,
}

/// Encodes tensors (sorted by name, as the reference writer does) into safetensors bytes.
pub fn encode_safetensors(tensors: &[NamedTensor]) -> Vec<u8> {
    let mut sorted: Vec<&NamedTensor> = tensors.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut header = BTreeMap::new();
    let mut offset = 0usize;
    for t in &sorted {
        assert_eq!(
            t.shape.iter().product::<usize>(),
            t.values.len(),
            "{}: shape mismatch",
            t.name
        );
        let end = offset + 4 * t.values.len();
        header.insert(
            t.name.clone(),
            serde_json::json!({"dtype": "F32", "shape": t.shape, "data_offsets": [offset, end]}),
        );
        offset = end;
    }
    let mut json = serde_json::to_string(&header).expect("a map of JSON values serialises");
    // Pad the header with spaces so the data starts 8-byte aligned.
    json.push_str(&" ".repeat((8 - json.len() % 8) % 8));
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    for t in sorted {
        for v in &t.values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Writes a safetensors file atomically.
pub fn write_safetensors(path: &Path, tensors: &[NamedTensor]) -> std::io::Result<()> {
    write_atomic(path, &encode_safetensors(tensors))
}
