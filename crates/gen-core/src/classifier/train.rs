//! Training the evaluation classifier with burn-train's Learner: its loss and accuracy metrics,
//! its per-epoch checkpoints (model, optimiser, scheduler) and metric logs in `DIR/learner/`;
//! a killed training resumes from its last finished epoch.
//!
//! Settings: batches of 128 for 12 epochs as the Keras MNIST example; Adam with rate 1e-3
//! instead of its Adadelta (burn has no Adadelta).

use std::path::Path;

use burn::config::Config;
use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::AdamConfig;
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::metric::{AccuracyMetric, LossMetric};
use burn::train::{
    ClassificationOutput, InferenceStep, Learner, SupervisedTraining, TrainOutput, TrainStep,
};

use super::error::ClassifierError;
use super::model::Classifier;
use crate::data::Dataset;
use crate::learner_progress::{LearnerProgress, last_checkpointed_epoch};
use crate::validate::{self, ConfigError};

/// Optimisation settings of the classifier.
#[derive(Config, Debug, PartialEq)]
pub struct ClassifierTrainConfig {
    /// Passes over the training images (Keras MNIST example: 12).
    #[config(default = 12)]
    pub epochs: usize,
    /// Mini-batch size (Keras MNIST example: 128).
    #[config(default = 128)]
    pub batch_size: usize,
    /// Adam's learning rate (the usual 1e-3; see the module doc).
    #[config(default = 1e-3)]
    pub learning_rate: f64,
}

impl ClassifierTrainConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::at_least("epochs", self.epochs, 1)?;
        validate::batch_size("batch_size", self.batch_size)?;
        validate::learning_rate("learning_rate", self.learning_rate)
    }
}

/// A labelled image: its values and its class.
#[derive(Clone, Debug)]
struct LabelledImage {
    values: Vec<f32>,
    label: u8,
}

/// Images stacked to `[n, c, h, w]` and their classes.
#[derive(Clone, Debug)]
pub struct LabelledBatch {
    /// `[batch, c, h, w]` images.
    pub images: Tensor<4>,
    /// `[batch]` class labels.
    pub targets: Tensor<1, Int>,
}

#[derive(Clone, Debug)]
struct LabelledBatcher {
    image: [usize; 3],
}

impl Batcher<LabelledImage, LabelledBatch> for LabelledBatcher {
    fn batch(&self, items: Vec<LabelledImage>, device: &Device) -> LabelledBatch {
        let n = items.len();
        let [c, h, w] = self.image;
        let targets: Vec<i64> = items.iter().map(|i| i64::from(i.label)).collect();
        let values: Vec<f32> = items.into_iter().flat_map(|i| i.values).collect();
        LabelledBatch {
            images: Tensor::from_data(TensorData::new(values, [n, c, h, w]), device),
            targets: Tensor::from_data(TensorData::new(targets, [n]), device),
        }
    }
}

fn classification(model: &Classifier, batch: LabelledBatch) -> ClassificationOutput {
    let logits = model.forward(batch.images);
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits.clone(), batch.targets.clone());
    ClassificationOutput::new(loss, logits, batch.targets)
}

impl TrainStep for Classifier {
    type Input = LabelledBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: LabelledBatch) -> TrainOutput<ClassificationOutput> {
        let output = classification(self, batch);
        let grads = output.loss.backward();
        TrainOutput::new(self, grads, output)
    }
}

impl InferenceStep for Classifier {
    type Input = LabelledBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: LabelledBatch) -> ClassificationOutput {
        classification(self, batch)
    }
}

/// The labelled images of `data`, which must have labels below `classes`: a label past the
/// logits would index out of bounds inside the loss on a CPU and read garbage on a GPU.
fn labelled(
    data: &Dataset,
    classes: usize,
) -> Result<InMemDataset<LabelledImage>, ClassifierError> {
    let labels = data.labels.as_ref().ok_or_else(|| {
        ClassifierError::Data(format!(
            "'{}' has no class labels to train a classifier on",
            data.name
        ))
    })?;
    if let Some((i, &label)) = labels
        .iter()
        .enumerate()
        .find(|&(_, &l)| usize::from(l) >= classes)
    {
        return Err(ClassifierError::Data(format!(
            "'{}': example {i} has label {label}, but the classifier has {classes} classes (labels 0 to {})",
            data.name,
            classes - 1
        )));
    }
    Ok(InMemDataset::new(
        data.values
            .chunks_exact(data.dim())
            .zip(labels)
            .map(|(values, &label)| LabelledImage {
                values: values.to_vec(),
                label,
            })
            .collect(),
    ))
}

/// Trains `model` on `train` (validated on `valid`) with burn-train's Learner in `dir`, resuming
/// from the last epoch checkpointed there. `image` is the `[c, h, w]` shape of the images and
/// `seed` the loader's shuffling seed. Returns the trained model in inference mode.
#[allow(clippy::too_many_arguments)]
pub fn train_classifier(
    model: Classifier,
    image: [usize; 3],
    train: &Dataset,
    valid: &Dataset,
    config: &ClassifierTrainConfig,
    dir: &Path,
    seed: u64,
    quiet: bool,
    device: &Device,
) -> Result<Classifier, ClassifierError> {
    config.validate()?;
    if train.len() < config.batch_size {
        return Err(ClassifierError::Data(format!(
            "the classifier's batch size {} is larger than the {} training images",
            config.batch_size,
            train.len()
        )));
    }
    if train.dim() != image.iter().product::<usize>() || valid.dim() != train.dim() {
        return Err(ClassifierError::Data(format!(
            "the classifier expects {image:?} images but the data holds {} values per image",
            train.dim()
        )));
    }
    let classes = model.classes();
    let (train_set, valid_set) = (labelled(train, classes)?, labelled(valid, classes)?);
    let batcher = LabelledBatcher { image };
    let train_loader = DataLoaderBuilder::new(batcher.clone())
        .batch_size(config.batch_size)
        .shuffle(seed)
        .set_device(device.clone())
        .build(train_set);
    let valid_loader = DataLoaderBuilder::new(batcher)
        .batch_size(config.batch_size)
        .set_device(device.clone())
        .build(valid_set);
    let learner = Learner::new(
        Module::train(model),
        AdamConfig::new().init(),
        config.learning_rate,
    );
    let mut training = SupervisedTraining::new(dir, train_loader, valid_loader)
        .metrics((LossMetric::new(), AccuracyMetric::new()))
        .with_default_checkpointers()
        .with_application_logger(None)
        .renderer(Box::new(LearnerProgress::new("classifier", quiet)))
        .num_epochs(config.epochs);
    if let Some(epoch) = last_checkpointed_epoch(dir) {
        training = if epoch >= config.epochs {
            // Finished before: load the last model instead of training nothing.
            training.checkpoint(epoch).num_epochs(epoch)
        } else {
            training.checkpoint(epoch)
        };
    }
    let result = training.launch(learner);
    if let Some(error) = result.error {
        return Err(ClassifierError::Training(error.to_string()));
    }
    Ok(result.model)
}
