//! The classifier as a versioned artefact: `DIR/model.bpk` (burn's burnpack record) and
//! `DIR/classifier.json` (version, dataset, settings, test accuracy), written last so that a
//! folder with it is complete. The default folder is `DATA/classifiers/<dataset>-v<VERSION>`;
//! raising [`CLASSIFIER_VERSION`] when the network or its training changes makes every
//! consumer retrain instead of reading features of another network.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::error::ClassifierError;
use super::model::{Classifier, ClassifierConfig};
use super::train::ClassifierTrainConfig;
use crate::module_bytes::{load_module_bytes, module_bytes};
use crate::run::atomic::write_atomic;

/// Version of the classifier's network and training; part of the artefact's folder name.
pub const CLASSIFIER_VERSION: u32 = 1;

const MODEL_FILE: &str = "model.bpk";
const INFO_FILE: &str = "classifier.json";

/// What the artefact records besides the weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassifierInfo {
    /// [`CLASSIFIER_VERSION`] when it was trained.
    pub version: u32,
    /// The dataset it was trained on.
    pub dataset: String,
    /// The network's shape.
    pub model: ClassifierConfig,
    /// How it was trained.
    pub train: ClassifierTrainConfig,
    /// The seed of its initialisation and batch order.
    pub seed: u64,
    /// Images of the dataset's test split classified correctly.
    pub test_correct: usize,
    /// Size of that test split.
    pub test_images: usize,
}

impl ClassifierInfo {
    /// Fraction of the test split classified correctly.
    pub fn test_accuracy(&self) -> f64 {
        self.test_correct as f64 / self.test_images.max(1) as f64
    }
}

/// A loaded classifier and its record.
#[derive(Debug)]
pub struct ClassifierArtefact {
    /// What the artefact records besides the weights.
    pub info: ClassifierInfo,
    /// The trained network, in inference mode.
    pub model: Classifier,
}

/// `data_dir/classifiers/<dataset>-v<CLASSIFIER_VERSION>`.
pub fn default_classifier_dir(data_dir: &Path, dataset: &str) -> PathBuf {
    data_dir.join("classifiers").join(format!(
        "{}-v{CLASSIFIER_VERSION}",
        dataset.replace(['/', '\\'], "_")
    ))
}

/// Writes the artefact into `dir` (created): the weights, then the record.
pub fn save_classifier(
    dir: &Path,
    info: &ClassifierInfo,
    model: &Classifier,
) -> Result<(), ClassifierError> {
    let io = ClassifierError::io;
    std::fs::create_dir_all(dir).map_err(io("create", dir))?;
    let model_path = dir.join(MODEL_FILE);
    write_atomic(&model_path, &module_bytes(model)).map_err(io("write", &model_path))?;
    let text = serde_json::to_string_pretty(info).expect("a classifier record serialises");
    let info_path = dir.join(INFO_FILE);
    write_atomic(&info_path, text.as_bytes()).map_err(io("write", &info_path))
}

/// Reads the artefact in `dir` onto `device`; refuses a missing or unfinished folder (naming the
/// command that trains it) and an artefact of another version.
pub fn load_classifier(dir: &Path, device: &Device) -> Result<ClassifierArtefact, ClassifierError> {
    let info_path = dir.join(INFO_FILE);
    if !info_path.is_file() {
        return Err(ClassifierError::Missing {
            dir: dir.to_path_buf(),
        });
    }
    let text =
        std::fs::read_to_string(&info_path).map_err(ClassifierError::io("read", &info_path))?;
    let info: ClassifierInfo =
        serde_json::from_str(&text).map_err(|e| ClassifierError::Unreadable {
            path: info_path.clone(),
            problem: format!("not a classifier record: {e}"),
        })?;
    if info.version != CLASSIFIER_VERSION {
        return Err(ClassifierError::Version {
            dir: dir.to_path_buf(),
            found: info.version,
        });
    }
    let model_path = dir.join(MODEL_FILE);
    let bytes = std::fs::read(&model_path).map_err(ClassifierError::io("read", &model_path))?;
    let model = load_module_bytes(info.model.init(device), &bytes).map_err(|e| {
        ClassifierError::Unreadable {
            path: model_path,
            problem: e.to_string(),
        }
    })?;
    Ok(ClassifierArtefact { info, model })
}
