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

/// The most data bytes an IDX file may announce: 2 GiB, forty times full MNIST, so that a
/// corrupt or hostile header is refused with a message instead of an allocation abort.
pub const MAX_IDX_BYTES: usize = 1 << 31;

/// The gzip magic, by which a compressed file is recognised whatever its name.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The file as a byte stream, inflated on the fly when it starts with the gzip magic.
fn open_maybe_gz(path: &Path) -> Result<Box<dyn Read>, DataError> {
    let mut file =
        std::io::BufReader::new(std::fs::File::open(path).map_err(|e| DataError::io(path, e))?);
    let head = std::io::BufRead::fill_buf(&mut file).map_err(|e| DataError::io(path, e))?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(file)))
    } else {
        Ok(Box::new(file))
    }
}

fn gzip_error(path: &Path, e: std::io::Error) -> DataError {
    DataError::Malformed {
        path: path.to_path_buf(),
        problem: format!("corrupt gzip stream: {e}"),
    }
}

/// Reads up to `limit` bytes (fewer only at the end of the stream).
fn read_up_to(reader: &mut dyn Read, limit: usize, path: &Path) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::new();
    reader
        .take(limit as u64)
        .read_to_end(&mut out)
        .map_err(|e| gzip_error(path, e))?;
    Ok(out)
}

/// The header's magic and sizes, checked: the expected magic, no zero size, and a product
/// that neither overflows nor passes [`MAX_IDX_BYTES`]. Returns the sizes and the data length.
fn parse_header(
    bytes: &[u8],
    path: &Path,
    expected_ndims: u8,
) -> Result<(Vec<usize>, usize), DataError> {
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
    let header_len = 4 + 4 * expected_ndims as usize;
    if bytes.len() < header_len {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: header_len,
            found: bytes.len(),
        });
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let malformed = |problem: String| DataError::Malformed {
        path: path.to_path_buf(),
        problem,
    };
    if dims.contains(&0) {
        return Err(malformed(format!(
            "header sizes {dims:?} include a zero: the file holds no data"
        )));
    }
    let total = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&t| t <= MAX_IDX_BYTES)
        .ok_or_else(|| {
            malformed(format!(
                "header sizes {dims:?} announce more than the {MAX_IDX_BYTES} bytes an IDX file may hold here"
            ))
        })?;
    Ok((dims, total))
}

fn check_payload_len(
    path: &Path,
    dims: &[usize],
    expected_len: usize,
    found: usize,
) -> Result<(), DataError> {
    if found < expected_len {
        return Err(DataError::Truncated {
            path: path.to_path_buf(),
            expected: expected_len,
            found,
        });
    }
    if found > expected_len {
        let item: usize = dims[1..].iter().product();
        return Err(DataError::CountMismatch {
            path: path.to_path_buf(),
            header: dims[0],
            found: found / item,
        });
    }
    Ok(())
}

/// Reads an IDX file, gzipped or not, header first: the data is read only up to what the
/// checked header announces and grows with the bytes actually present, so a corrupt header or a
/// gzip bomb costs at most the announced size (itself capped), never the whole inflated stream.
pub fn read_idx(path: &Path, expected_ndims: u8) -> Result<IdxArray, DataError> {
    let mut reader = open_maybe_gz(path)?;
    let header_len = 4 + 4 * expected_ndims as usize;
    let header = read_up_to(&mut reader, header_len, path)?;
    let (dims, expected_len) = parse_header(&header, path, expected_ndims)?;
    let data = read_up_to(&mut reader, expected_len, path)?;
    // Bytes past the announced data are counted, not kept, for the message.
    let extra =
        std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| gzip_error(path, e))?;
    check_payload_len(
        path,
        &dims,
        expected_len,
        data.len().saturating_add(extra as usize),
    )?;
    Ok(IdxArray { dims, data })
}

/// Reads an IDX image file (`[n, rows, cols]`), gzipped or not.
pub fn read_idx_images(path: &Path) -> Result<IdxArray, DataError> {
    read_idx(path, 3)
}

/// Reads an IDX label file (`[n]`), gzipped or not.
pub fn read_idx_labels(path: &Path) -> Result<IdxArray, DataError> {
    read_idx(path, 1)
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
