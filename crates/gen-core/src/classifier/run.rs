//! `gen train classifier`: the evaluation classifier of `gen eval --metric fd` and of label
//! preservation, trained with burn-train's Learner. Its run folder is the versioned artefact
//! (default `DATA/classifiers/<data>-v<VERSION>`), which the metrics read.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    CLASSIFIER_VERSION, ClassifierArtefact, ClassifierConfig, ClassifierInfo,
    ClassifierTrainConfig, default_classifier_dir, load_classifier, save_classifier,
    train_classifier,
};
use crate::backend::{BackendName, device_for};
use crate::data::{ItemShape, Loaded, Splits};
use crate::method::{DrawRequest, Drawn, EvalRequest, GenerativeMethod, TrainRequest, TrainedRun};
use crate::metrics::Metric;
use crate::run::RunDir;
use crate::run::setup::{RunConfig, prepare_run, trained_config};
use crate::run::summary::merge_summary;
use crate::safetensors::NamedTensor;
use crate::seed::{Stream, derive};

/// Passes over the 1,293 training digits (plain or restyled): about 400 updates of 128, enough
/// for 95-96% on the test digits (the Keras example's 12 epochs are 5,600 updates on MNIST;
/// 12 here give 89%).
const DIGITS_EPOCHS: u64 = 40;

/// Everything a classifier run is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassifierRunConfig {
    /// Always `classifier`.
    pub method: String,
    /// Labelled image data to train on (a registry name or a folder).
    pub data: String,
    /// Seed of the initialisation and the batch order.
    pub seed: u64,
    /// Passes over the training images (copied into `train.epochs`).
    pub epochs: u64,
    /// Backend the classifier trains on.
    pub backend: BackendName,
    /// The network's shape (the image size comes from the data).
    pub model: ClassifierConfig,
    /// Optimiser settings for burn-train's Learner.
    pub train: ClassifierTrainConfig,
}

impl ClassifierRunConfig {
    fn defaults(data: &str, seed: u64, backend: BackendName) -> Self {
        let train = ClassifierTrainConfig::new();
        let epochs = if matches!(data, "digits" | "digits-restyled") {
            DIGITS_EPOCHS
        } else {
            train.epochs as u64
        };
        Self {
            method: "classifier".into(),
            data: data.into(),
            seed,
            epochs,
            backend,
            // The image shape is set from the data.
            model: ClassifierConfig::new([0, 0, 0]),
            train,
        }
    }
}

impl RunConfig for ClassifierRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        default_classifier_dir(&crate::data::data_dir(), &self.data)
    }
}

/// `[c, h, w]` of an image shape.
pub fn image_dims(shape: ItemShape) -> Option<[usize; 3]> {
    match shape {
        ItemShape::Image {
            channels,
            height,
            width,
        } => Some([channels, height, width]),
        ItemShape::Vector { .. } => None,
    }
}

/// Loads labelled images.
fn load_labelled(name: &str) -> Result<(Splits, [usize; 3])> {
    let Loaded::Splits(splits) = crate::data::load(name, &crate::data::data_dir())? else {
        bail!(
            "'{name}' holds two image domains; the classifier learns labelled images (try digits or mnist)"
        );
    };
    let image = image_dims(splits.train.item_shape).ok_or_else(|| {
        anyhow!("'{name}' holds points, not images; the classifier learns labelled images")
    })?;
    if splits.train.labels.is_none() || splits.test.labels.is_none() {
        bail!(
            "'{name}' has no class labels; the classifier needs labelled images (try digits or mnist)"
        );
    }
    Ok((splits, image))
}

/// The evaluation classifier as a method of `gen`: `gen train classifier`, `gen eval --metric
/// accuracy`; it draws no samples and exports nothing (its weights are burn's burnpack).
pub struct ClassifierMethod;

impl GenerativeMethod for ClassifierMethod {
    const NAMES: &'static [&'static str] = &["classifier"];
    type Config = ClassifierRunConfig;
    type Flags = ();
    type Trained = TrainedClassifier;

    fn train(_name: &str, request: &TrainRequest, _flags: &()) -> Result<()> {
        train(request)
    }

    fn load(run: &RunDir, device: Option<&Device>) -> Result<(TrainedClassifier, Device)> {
        load_run(run, device)
    }
}

/// `gen train classifier ...`
fn train(common: &TrainRequest) -> Result<()> {
    let mut prepared = prepare_run(
        common,
        |backend| ClassifierRunConfig::defaults(&common.data, common.seed, backend),
        &(),
        &[],
        |c| {
            ClassifierTrainConfig {
                epochs: c.epochs as usize,
                ..c.train.clone()
            }
            .validate()
            .context("invalid classifier training settings")
        },
    )?;
    let device = device_for(prepared.config.backend)?;
    let (splits, image) = load_labelled(&prepared.config.data)?;
    {
        let config = &mut prepared.config;
        config.model.image = image;
        config.train.epochs = config.epochs as usize;
        config.model.validate().context("invalid classifier")?;
    }
    let learner_dir = prepared.out.join("learner");
    if !prepared.resume && learner_dir.exists() {
        bail!(
            "{} already holds a classifier's training; pass --resume to continue it or choose another --out",
            prepared.out.display()
        );
    }
    let run = prepared.create_run()?;
    let config = &prepared.config;
    // The Learner validates on the last tenth of the training split; the test split is kept
    // for the accuracy the artefact records.
    let validation = splits.train.validation_split();
    let train_part = splits
        .train
        .split_at(splits.train.len() - validation.len())
        .0;
    device.seed(derive(config.seed, Stream::Init, 0));
    let start = Instant::now();
    let model = train_classifier(
        config.model.init(&device),
        image,
        &train_part,
        &validation,
        &config.train,
        &learner_dir,
        config.seed,
        common.quiet,
        &device,
    )?;
    let train_seconds = start.elapsed().as_secs_f64();
    let labels = splits.test.labels.as_ref().expect("checked above");
    let predicted = model.classes_of(&splits.test.values, image, &device);
    let correct = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
    let info = ClassifierInfo {
        version: CLASSIFIER_VERSION,
        dataset: config.data.clone(),
        model: config.model.clone(),
        train: config.train.clone(),
        seed: config.seed,
        test_correct: correct,
        test_images: labels.len(),
    };
    save_classifier(run.root(), &info, &model)?;
    let mut summary = Map::new();
    summary.insert("test_accuracy".into(), json!(info.test_accuracy()));
    summary.insert("test_images".into(), json!(info.test_images));
    summary.insert("train_seconds".into(), json!(train_seconds));
    summary.insert("classifier_version".into(), json!(CLASSIFIER_VERSION));
    merge_summary(&run.summary_path(), summary)?;
    eprintln!(
        "classifier test accuracy {:.4} ({} of {}) after {:.1} s, saved in {}",
        info.test_accuracy(),
        correct,
        labels.len(),
        train_seconds,
        run.root().display()
    );
    Ok(())
}

/// A trained classifier run.
pub struct TrainedClassifier {
    /// Its network and what it was trained on.
    pub artefact: ClassifierArtefact,
}

impl TrainedRun for TrainedClassifier {
    fn sample_shape(&self) -> Option<ItemShape> {
        None
    }

    fn draw(&self, _request: &DrawRequest, _device: &Device) -> Result<Drawn> {
        bail!("a classifier run labels images; it does not draw samples")
    }

    fn eval(
        &self,
        _run: &RunDir,
        request: &EvalRequest<'_>,
        device: &Device,
    ) -> Result<Map<String, Value>> {
        eval(self, request.metric, request.data, device)
    }

    fn export(&self, run: &RunDir) -> Result<Vec<NamedTensor>> {
        bail!(
            "a classifier run keeps its weights in {} (burn's burnpack); it has no safetensors export",
            run.root().join("model.bpk").display()
        )
    }
}

/// Loads a classifier run onto `device` (or its own backend's).
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedClassifier, Device)> {
    let (_config, device): (ClassifierRunConfig, Device) =
        trained_config(run, "classifier", device)?;
    let artefact = load_classifier(run.root(), &device)?;
    Ok((TrainedClassifier { artefact }, device))
}

/// `gen eval` for a classifier run: `accuracy` on the test split of `data` (default its own).
fn eval(
    trained: &TrainedClassifier,
    metric: Metric,
    data: Option<&str>,
    device: &Device,
) -> Result<Map<String, Value>> {
    if metric != Metric::Accuracy {
        bail!("unknown metric '{metric}' for a classifier run; available: accuracy");
    }
    let name = data.unwrap_or(&trained.artefact.info.dataset);
    let (splits, image) = load_labelled(name)?;
    check_image(&trained.artefact, image, name)?;
    let labels = splits
        .test
        .labels
        .as_ref()
        .expect("checked by load_labelled");
    let accuracy = trained
        .artefact
        .model
        .accuracy(&splits.test.values, labels, image, device);
    let mut m = Map::new();
    m.insert("test_accuracy".into(), json!(accuracy));
    m.insert("test_images".into(), json!(labels.len()));
    Ok(m)
}

/// Refuses images of another shape than the classifier's.
pub fn check_image(artefact: &ClassifierArtefact, image: [usize; 3], data: &str) -> Result<()> {
    if artefact.info.model.image != image {
        bail!(
            "the classifier trained on '{}' takes {:?} images but '{data}' holds {image:?} images",
            artefact.info.dataset,
            artefact.info.model.image
        );
    }
    Ok(())
}

/// The evaluation classifier for data `data`: from `dir`, else from its default artefact folder.
pub fn evaluation_classifier(
    dir: Option<&std::path::Path>,
    data: &str,
    device: &Device,
) -> Result<ClassifierArtefact> {
    let dir = dir
        .map(PathBuf::from)
        .unwrap_or_else(|| default_classifier_dir(&crate::data::data_dir(), data));
    Ok(load_classifier(&dir, device)?)
}
