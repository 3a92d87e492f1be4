//! The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a 4-byte magic
//! `0x00 0x00 <type> <ndims>`, `ndims` big-endian u32 sizes, then the values.
//! Files may be gzipped (detected by the gzip magic, not by the name). The count is read
//! from the header, so subsets and the full 60,000/10,000 sets load the same way.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::dataset::{Dataset, ItemShape, Splits};
use super::error::DataError;

/// IDX type code for unsigned bytes, the only one MNIST-style files use.
const IDX_UBYTE: u8 = 0x08;

/// A decoded IDX array of unsigned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    /// The sizes from the header, outermost first (e.g. `[60000, 28, 28]`).
    pub dims: Vec<usize>,
    /// `dims.iter().product()` bytes.
    pub data: Vec<u8>,
}

/// Reads a whole file, un-gzipping it when it starts with the gzip magic.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    if raw.len() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| DataError::Malformed {
                path: path.to_path_buf(),
                problem: format!("corrupt gzip stream: {e}"),
            })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parses IDX bytes; `path` is only used in error messages.
pub fn parse_idx(bytes: &[u8], path: &Path, expected_ndims: u8) -> Result<IdxArray, DataError> {
    let expected = match expected_ndims {
        1 => "0x00000801 (IDX unsigned-byte labels)",
        3 => "0x00000803 (IDX unsigned-byte images)",
        _ => "an IDX unsigned-byte header",
    };
    if bytes.len() < 4 {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: 4,
            found: bytes.len(),
        });
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if bytes[0] != 0 || bytes[1] != 0 || bytes[2] != IDX_UBYTE || bytes[3] != expected_ndims {
        return Err(DataError::WrongMagic {
            path: path.to_path_buf(),
            found: magic,
            expected,
        });
    }
    let ndims = expected_ndims as usize;
    let header_len = 4 + 4 * ndims;
    if bytes.len() < header_len {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: header_len,
            found: bytes.len(),
        });
    }
    let dims: Vec<usize> = (0..ndims)
        .map(|i| {
            let o = 4 + 4 * i;
            u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
        })
        .collect();
    let item: usize = dims[1..].iter().product();
    let payload = &bytes[header_len..];
    let expected_len = dims[0]
        .checked_mul(item)
        .ok_or_else(|| DataError::Malformed {
            path: path.to_path_buf(),
            problem: format!("header sizes {dims:?} overflow"),
        })?;
    if payload.len() < expected_len {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: expected_len,
            found: payload.len(),
        });
    }
    if payload.len() > expected_len {
        return Err(DataError::CountMismatch {
            path: path.to_path_buf(),
            header: dims[0],
            found: payload.len().checked_div(item).unwrap_or(0),
        });
    }
    Ok(IdxArray {
        dims,
        data: payload.to_vec(),
    })
}

/// Reads an IDX image file (`[n, rows, cols]`), gzipped or not.
pub fn read_idx_images(path: &Path) -> Result<IdxArray, DataError> {
    parse_idx(&read_maybe_gz(path)?, path, 3)
}

/// Reads an IDX label file (`[n]`), gzipped or not.
pub fn read_idx_labels(path: &Path) -> Result<IdxArray, DataError> {
    parse_idx(&read_maybe_gz(path)?, path, 1)
}

/// Finds `stem` or `stem.gz` in `dir`.
fn find_file(dir: &Path, stem: &str) -> Result<PathBuf, DataError> {
    for candidate in [dir.join(stem), dir.join(format!("{stem}.gz"))] {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(DataError::NotFound {
        path: dir.join(format!("{stem}.gz")),
        hint: "run `cargo xtask download` for this dataset, or `--from DIR` to import it"
            .to_string(),
    })
}

/// Loads one split (`train` or `t10k`) of an MNIST-layout folder, pixels scaled to `[0, 1]`.
pub fn load_idx_split(dir: &Path, prefix: &str, name: &str) -> Result<Dataset, DataError> {
    let images_path = find_file(dir, &format!("{prefix}-images-idx3-ubyte"))?;
    let labels_path = find_file(dir, &format!("{prefix}-labels-idx1-ubyte"))?;
    let images = read_idx_images(&images_path)?;
    let labels = read_idx_labels(&labels_path)?;
    if labels.dims[0] != images.dims[0] {
        return Err(DataError::LabelCountMismatch {
            path: labels_path,
            labels: labels.dims[0],
            images: images.dims[0],
        });
    }
    Ok(Dataset {
        name: name.to_string(),
        values: images.data.iter().map(|&b| b as f32 / 255.0).collect(),
        item_shape: ItemShape::Image {
            channels: 1,
            height: images.dims[1],
            width: images.dims[2],
        },
        labels: Some(labels.data),
    })
}

/// Loads the training and test splits of an MNIST-layout folder (MNIST, Fashion-MNIST).
pub fn load_idx_folder(dir: &Path, name: &str) -> Result<Splits, DataError> {
    Ok(Splits {
        train: load_idx_split(dir, "train", name)?,
        test: load_idx_split(dir, "t10k", name)?,
    })
}

/// Encodes bytes as an IDX file (used to write fixtures and converted data).
pub fn encode_idx(dims: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, IDX_UBYTE, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}
