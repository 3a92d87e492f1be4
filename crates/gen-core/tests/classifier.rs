//! The evaluation classifier: trained with burn-train's Learner on the shipped digits it
//! classifies the held-out test digits (a plain CNN reaches about 98% on this set), and its
//! artefact reloads to the same predictions and refuses a missing or outdated folder.

use burn::tensor::Device;
use gen_core::classifier::{
    CLASSIFIER_VERSION, ClassifierConfig, ClassifierInfo, ClassifierTrainConfig,
    default_classifier_dir, load_classifier, save_classifier, train_classifier,
};
use gen_core::data::digits::digits_splits;
use gen_core::learner_progress::last_checkpointed_epoch;
use gen_core::tensor_io::to_vec_f32;

const DIGIT: [usize; 3] = [1, 8, 8];

/// burn's generator is process-wide: a test that initialises a network while another seeds and
/// trains one would change the other's draws. Tests that draw take this lock.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SEEDED.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn trained_on_digits_it_classifies_held_out_digits_and_reloads() {
    let _serial = serial();
    let device = Device::flex();
    let digits = digits_splits();
    let (train, valid) = digits.train.split_at(digits.train.len() * 9 / 10);
    let config = ClassifierConfig::new(DIGIT);
    device.seed(5);
    let model = config.init(&device);
    let dir = tempfile::tempdir().unwrap();
    // 60 epochs: with 40 the accuracy sat at the edge of the 95% claim and the floating-point
    // path of the machine decided (94.4% on an AMD EPYC, measured at the earlier head too);
    // with 60 it is 96.4% there.
    let train_config = ClassifierTrainConfig::new().with_epochs(60);
    let learner_dir = dir.path().join("learner");
    let trained = train_classifier(
        model,
        DIGIT,
        &train,
        &valid,
        &train_config,
        &learner_dir,
        5,
        true,
        &device,
    )
    .unwrap();
    assert_eq!(last_checkpointed_epoch(&learner_dir), Some(60));

    let labels = digits.test.labels.clone().unwrap();
    let accuracy = trained.accuracy(&digits.test.values, &labels, DIGIT, &device);
    // The same fraction from the logits' argmax, computed here.
    let logits =
        to_vec_f32(
            trained.forward(
                digits
                    .test
                    .to_tensor(&device)
                    .reshape([digits.test.len(), 1, 8, 8]),
            ),
        );
    let right = logits
        .chunks_exact(10)
        .zip(&labels)
        .filter(|(row, label)| {
            let best = (0..10).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
            best == usize::from(**label)
        })
        .count();
    assert_eq!(accuracy, right as f64 / labels.len() as f64);
    eprintln!("digits test accuracy {accuracy}");
    assert!(accuracy >= 0.95, "test accuracy {accuracy}");

    let features = trained.features_of(&digits.test.values, DIGIT, &device);
    assert_eq!(features.len(), digits.test.len() * 128);
    assert!(features.iter().all(|&f| f >= 0.0), "ReLU features");

    let info = ClassifierInfo {
        version: CLASSIFIER_VERSION,
        dataset: "digits".into(),
        model: config,
        train: train_config,
        seed: 5,
        test_correct: right,
        test_images: labels.len(),
    };
    let artefact_dir = default_classifier_dir(dir.path(), "digits");
    assert!(artefact_dir.ends_with(format!("classifiers/digits-v{CLASSIFIER_VERSION}")));
    save_classifier(&artefact_dir, &info, &trained).unwrap();
    let loaded = load_classifier(&artefact_dir, &device).unwrap();
    assert_eq!(loaded.info.test_accuracy(), accuracy);
    assert_eq!(
        loaded.model.classes_of(&digits.test.values, DIGIT, &device),
        trained.classes_of(&digits.test.values, DIGIT, &device)
    );

    // An artefact of another version is refused, naming both versions.
    let mut old = info.clone();
    old.version = CLASSIFIER_VERSION + 1;
    save_classifier(&artefact_dir, &old, &trained).unwrap();
    let err = load_classifier(&artefact_dir, &device)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("retrain"), "{err}");
}

#[test]
fn a_missing_artefact_names_the_command_that_trains_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_classifier(&dir.path().join("nothing"), &Device::flex())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("gen train classifier"), "{err}");
}

#[test]
fn images_too_small_for_the_network_are_refused() {
    let err = ClassifierConfig::new([1, 1, 8])
        .validate()
        .unwrap_err()
        .to_string();
    assert!(err.contains("2x2"), "{err}");
    assert!(ClassifierConfig::new(DIGIT).validate().is_ok());
}

#[test]
fn a_label_past_the_classes_is_refused_before_training() {
    let _serial = serial();
    // Label 10 for a ten-class network: an index past the logits inside the loss (a panic in
    // burn-flex, garbage on a GPU) unless refused first.
    let device = Device::flex();
    let digits = digits_splits();
    let mut train = digits.train.select(&(0..200).collect::<Vec<_>>());
    train.labels.as_mut().unwrap()[17] = 10;
    let valid = digits.train.select(&(200..300).collect::<Vec<_>>());
    let dir = tempfile::tempdir().unwrap();
    let err = train_classifier(
        ClassifierConfig::new(DIGIT).init(&device),
        DIGIT,
        &train,
        &valid,
        &ClassifierTrainConfig::new().with_epochs(1),
        &dir.path().join("learner"),
        5,
        true,
        &device,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("example 17 has label 10"), "{err}");
    assert!(err.contains("10 classes"), "{err}");
}
