//! Every dataset `gen` knows by name: where it comes from, its licence, where it is looked for
//! and how it is loaded. `--data` takes one of these names or a path.

use std::path::{Path, PathBuf};

use rand::{SeedableRng, rngs::StdRng};

use super::bars_stripes::bars_and_stripes;
use super::dataset::Splits;
use super::density2d::Density2d;
use super::digits::digits_splits;
use super::error::DataError;
use super::idx::load_idx_folder;
use super::image_folder::{TwoDomain, load_two_domain};
use super::restyled::{restyled_splits, two_domain_restyled};
use super::shapes::two_domain_shapes;

/// Environment variable naming the data folder.
pub const DATA_DIR_ENV: &str = "GEN_DATA_DIR";
/// Points drawn for the training split of a 2-D density.
pub const DENSITY_TRAIN_POINTS: usize = 10_000;
/// Points drawn for its test split.
pub const DENSITY_TEST_POINTS: usize = 2_000;
/// Fixed seed of the generated sets, so that every run sees the same data.
pub const GENERATED_DATA_SEED: u64 = 20_170_000;

/// MNIST's validation split: the last 10,000 of its 60,000 training images (the split of the
/// deep-learning tutorials' `mnist.pkl.gz`, which the GAN and GMMN papers' code reads).
pub const MNIST_VALIDATION: usize = 10_000;

/// How many of the last training examples of `name` form its validation split, where a protocol
/// chooses a hyper-parameter on held-out data (Parzen's σ, early stopping). MNIST and
/// Fashion-MNIST hold out their last 10,000 ([`MNIST_VALIDATION`]) when they have more than
/// twice that; every other set the last tenth, at least 1 and at most 10,000.
pub fn validation_len(name: &str, train_len: usize) -> usize {
    if matches!(name, "mnist" | "fashion-mnist") && train_len > 2 * MNIST_VALIDATION {
        MNIST_VALIDATION
    } else {
        (train_len / 10).clamp(1, 10_000).min(train_len)
    }
}

/// What kind of examples a dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// Images (grey or colour), optionally labelled.
    Images,
    /// Points in the plane with a known density.
    Points2d,
    /// Two unpaired image domains (translation).
    TwoDomain,
}

/// Where a dataset's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Compiled into gen-core.
    Shipped,
    /// Generated deterministically on demand.
    Generated,
    /// A folder under the data directory, filled by `cargo xtask download`.
    Folder(PathBuf),
    /// Generated on demand from the IDX files of a downloaded set in this folder (restyled
    /// MNIST from MNIST).
    DerivedFrom(PathBuf),
}

/// A catalogue entry.
#[derive(Debug, Clone)]
pub struct DatasetInfo {
    /// The name `--data` takes.
    pub name: &'static str,
    /// What one example is.
    pub kind: DataKind,
    /// Where the data comes from (paper, generator).
    pub origin: &'static str,
    /// Its licence.
    pub licence: &'static str,
    /// Whether it ships with `gen`, is generated, or is downloaded.
    pub location: Location,
}

impl DatasetInfo {
    /// Whether the data can be loaded now without downloading anything.
    pub fn is_present(&self) -> bool {
        match &self.location {
            Location::Shipped | Location::Generated => true,
            Location::Folder(dir) if self.kind == DataKind::TwoDomain => {
                dir.join("trainA").is_dir()
            }
            Location::Folder(dir) | Location::DerivedFrom(dir) => {
                ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"]
                    .iter()
                    .any(|f| dir.join(f).is_file())
            }
        }
    }
}

/// Loaded data: labelled or unlabelled splits, or two domains.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// A train and a test split of one kind of example.
    Splits(Splits),
    /// Two unpaired image domains (translation data).
    TwoDomain(Box<TwoDomain>),
}

/// The data folder: `$GEN_DATA_DIR`, else `./data`.
pub fn data_dir() -> PathBuf {
    std::env::var_os(DATA_DIR_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// The reference CycleGAN datasets that `cargo xtask download` knows.
pub const CYCLEGAN_DATASETS: [&str; 4] = [
    "horse2zebra",
    "apple2orange",
    "summer2winter_yosemite",
    "monet2photo",
];

/// Every known dataset, with locations resolved against `data_dir`.
pub fn catalogue(data_dir: &Path) -> Vec<DatasetInfo> {
    let mut out = vec![
        DatasetInfo {
            name: "digits",
            kind: DataKind::Images,
            origin: "UCI optical recognition of handwritten digits, 1,797 8x8 images, 17 grey levels (copy in scikit-learn 1.9.1)",
            licence: "CC BY 4.0",
            location: Location::Shipped,
        },
        DatasetInfo {
            name: "digits-restyled",
            kind: DataKind::Images,
            origin: "the digits with inverted grey levels (dark strokes on a light ground), labels kept",
            licence: "CC BY 4.0 (from digits)",
            location: Location::Generated,
        },
        DatasetInfo {
            name: "mnist",
            kind: DataKind::Images,
            origin: "MNIST (LeCun, Cortes & Burges), 60,000 + 10,000 28x28 images",
            licence: "CC BY-SA 3.0",
            location: Location::Folder(data_dir.join("mnist")),
        },
        DatasetInfo {
            name: "mnist-restyled",
            kind: DataKind::Images,
            origin: "MNIST with inverted grey levels (dark strokes on a light ground), labels kept",
            licence: "CC BY-SA 3.0 (from mnist)",
            location: Location::DerivedFrom(data_dir.join("mnist")),
        },
        DatasetInfo {
            name: "fashion-mnist",
            kind: DataKind::Images,
            origin: "Fashion-MNIST (Xiao, Rasul & Vollgraf 2017), 60,000 + 10,000 28x28 images",
            licence: "MIT",
            location: Location::Folder(data_dir.join("fashion-mnist")),
        },
        DatasetInfo {
            name: "bars-and-stripes",
            kind: DataKind::Images,
            origin: "bars and stripes 4x4 (MacKay 2003): the 30 distinct patterns",
            licence: "generated here",
            location: Location::Generated,
        },
    ];
    for d in Density2d::ALL {
        out.push(DatasetInfo {
            name: d.name(),
            kind: DataKind::Points2d,
            origin: d.description(),
            licence: "generated here",
            location: Location::Generated,
        });
    }
    out.push(DatasetInfo {
        name: "digits2restyled",
        kind: DataKind::TwoDomain,
        origin: "digits (A) vs digits-restyled (B), unpaired training halves, paired labelled test",
        licence: "CC BY 4.0 (from digits)",
        location: Location::Generated,
    });
    out.push(DatasetInfo {
        name: "mnist2restyled",
        kind: DataKind::TwoDomain,
        origin: "mnist (A) vs mnist-restyled (B), unpaired training halves (30,000 each), paired labelled test (10,000)",
        licence: "CC BY-SA 3.0 (from mnist)",
        location: Location::DerivedFrom(data_dir.join("mnist")),
    });
    out.push(DatasetInfo {
        name: "shapes",
        kind: DataKind::TwoDomain,
        origin: "two-domain discs, 32x32, known counterparts in the test split",
        licence: "generated here",
        location: Location::Generated,
    });
    for name in CYCLEGAN_DATASETS {
        out.push(DatasetInfo {
            name,
            kind: DataKind::TwoDomain,
            origin: "CycleGAN reference dataset (Zhu et al. 2017)",
            licence: "see the CycleGAN project; photos from ImageNet / Flickr",
            location: Location::Folder(data_dir.join(name)),
        });
    }
    out
}

/// Loads a dataset by catalogue name, or from a path: a folder in the CycleGAN layout
/// (`trainA/`, ...) or a folder of MNIST-layout IDX files.
pub fn load(name_or_path: &str, data_dir: &Path) -> Result<Loaded, DataError> {
    match name_or_path {
        "digits" => return Ok(Loaded::Splits(digits_splits())),
        "digits-restyled" => {
            return Ok(Loaded::Splits(restyled_splits(
                &digits_splits(),
                "digits-restyled",
            )));
        }
        "digits2restyled" => {
            return Ok(Loaded::TwoDomain(Box::new(two_domain_restyled(
                &digits_splits(),
                "digits2restyled",
            ))));
        }
        "mnist-restyled" => {
            let mnist = load_splits("mnist", data_dir)?;
            return Ok(Loaded::Splits(restyled_splits(&mnist, "mnist-restyled")));
        }
        "mnist2restyled" => {
            let mnist = load_splits("mnist", data_dir)?;
            return Ok(Loaded::TwoDomain(Box::new(two_domain_restyled(
                &mnist,
                "mnist2restyled",
            ))));
        }
        "bars-and-stripes" => {
            let all = bars_and_stripes(4);
            return Ok(Loaded::Splits(Splits {
                train: all.clone(),
                test: all,
            }));
        }
        "shapes" => {
            return Ok(Loaded::TwoDomain(Box::new(two_domain_shapes(
                1000,
                200,
                32,
                GENERATED_DATA_SEED,
            ))));
        }
        _ => {}
    }
    if let Some(d) = Density2d::from_name(name_or_path) {
        let mut rng = StdRng::seed_from_u64(GENERATED_DATA_SEED);
        return Ok(Loaded::Splits(Splits {
            train: d.sample(DENSITY_TRAIN_POINTS, &mut rng),
            test: d.sample(DENSITY_TEST_POINTS, &mut rng),
        }));
    }
    let known = catalogue(data_dir);
    if let Some(info) = known.iter().find(|i| i.name == name_or_path) {
        let Location::Folder(dir) = &info.location else {
            unreachable!("shipped, generated and derived sets are handled above")
        };
        if !dir.is_dir() {
            return Err(DataError::NotFound {
                path: dir.clone(),
                hint: format!(
                    "download it with `cargo xtask download {}` (data folder: ${DATA_DIR_ENV} or ./data)",
                    info.name
                ),
            });
        }
        return load_path(dir, info.name);
    }
    let path = Path::new(name_or_path);
    if path.exists() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| name_or_path.to_string());
        return load_path(path, &name);
    }
    Err(DataError::UnknownName {
        name: name_or_path.to_string(),
        known: known.iter().map(|i| i.name).collect::<Vec<_>>().join(", ")
            + ", or a path to a folder",
    })
}

/// The splits of the one-domain set `name` (the source of a derived set).
fn load_splits(name: &str, data_dir: &Path) -> Result<Splits, DataError> {
    match load(name, data_dir)? {
        Loaded::Splits(splits) => Ok(splits),
        Loaded::TwoDomain(_) => unreachable!("'{name}' is a one-domain set"),
    }
}

/// Loads a folder, telling the CycleGAN layout from the IDX layout by what it contains.
pub fn load_path(dir: &Path, name: &str) -> Result<Loaded, DataError> {
    if dir.join("trainA").exists() {
        return Ok(Loaded::TwoDomain(Box::new(load_two_domain(dir, name)?)));
    }
    if dir.is_dir() {
        return Ok(Loaded::Splits(load_idx_folder(dir, name)?));
    }
    Err(DataError::Malformed {
        path: dir.to_path_buf(),
        problem: "expected a folder: MNIST-layout IDX files or the CycleGAN layout (trainA/, trainB/, testA/, testB/)".to_string(),
    })
}
