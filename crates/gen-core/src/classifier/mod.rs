//! The evaluation classifier: a small convolutional network trained here on a labelled image set
//! (digits, MNIST) with burn-train's Learner, kept as a versioned artefact, and used to score
//! other models' images: the Fréchet distance on its penultimate features
//! ([`crate::metrics::frechet`]) and label preservation of translations.

pub mod artefact;
pub mod error;
pub mod model;
pub mod run;
pub mod train;

pub use artefact::{
    CLASSIFIER_VERSION, ClassifierArtefact, ClassifierInfo, default_classifier_dir,
    load_classifier, save_classifier,
};
pub use error::ClassifierError;
pub use model::{Classifier, ClassifierConfig};
pub use train::{ClassifierTrainConfig, train_classifier};
