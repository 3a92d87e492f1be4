//! `gen train classifier`, `gen eval --metric accuracy` and `gen eval --metric fd`: the artefact
//! records what evaluation recomputes, the Fréchet distance of an untrained-looking model lies
//! far above the training images' floor, and a missing classifier is a clear error.

mod common;
use common::{fails_with_data, json, ok_with_data, printed};

#[test]
fn classifier_artefact_feeds_the_frechet_distance() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let gmmn = dir.path().join("gmmn");
    ok_with_data(
        &[
            "train",
            "gmmn",
            "--data",
            "digits",
            "--epochs",
            "2",
            "--seed",
            "3",
            "--quiet",
            "--out",
            gmmn.to_str().unwrap(),
            "--set",
            "train.batch_size=500",
            "--set",
            "train.samples_per_update=500",
            "--set",
            "model.hidden=[32]",
        ],
        &data_dir,
    );
    // No classifier yet: the error names the command that trains it.
    let err = fails_with_data(
        &["eval", gmmn.to_str().unwrap(), "--metric", "fd"],
        &data_dir,
    );
    assert!(err.contains("gen train classifier"), "{err}");

    // The default --out is the artefact folder the metric reads.
    ok_with_data(
        &[
            "train",
            "classifier",
            "--data",
            "digits",
            "--epochs",
            "3",
            "--seed",
            "1",
            "--quiet",
        ],
        &data_dir,
    );
    let artefact = data_dir.join("classifiers/digits-v1");
    let info = json(&artefact.join("classifier.json"));
    let recorded = info["test_correct"].as_f64().unwrap() / info["test_images"].as_f64().unwrap();
    assert_eq!(info["test_images"], 360);
    let out = ok_with_data(
        &["eval", artefact.to_str().unwrap(), "--metric", "accuracy"],
        &data_dir,
    );
    assert_eq!(printed(&out, "test_accuracy"), recorded);
    assert!(recorded > 0.1, "three epochs beat chance: {recorded}");

    // Training again into the same folder without --resume is refused.
    let err = fails_with_data(
        &[
            "train",
            "classifier",
            "--data",
            "digits",
            "--epochs",
            "3",
            "--quiet",
        ],
        &data_dir,
    );
    assert!(err.contains("--resume"), "{err}");

    let out = ok_with_data(
        &["eval", gmmn.to_str().unwrap(), "--metric", "fd"],
        &data_dir,
    );
    let (fd, floor) = (printed(&out, "fd"), printed(&out, "fd_train_to_test"));
    assert_eq!(printed(&out, "fd_points"), 360.0);
    assert!(floor > 0.0 && fd.is_finite());
    // Four updates of a GMMN draw blobs, not digits: far above the training images' distance.
    assert!(fd > 2.0 * floor, "fd {fd}, training images {floor}");
    let summary = common::summary(&gmmn);
    assert_eq!(summary["fd"].as_f64().unwrap(), fd);
    // The same 360 samples' predicted classes: ten shares, each a multiple of 1/360, summing
    // to one, and the occupied count is the number of shares of at least 5%.
    let shares: Vec<f64> = summary["class_shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(shares.len(), 10);
    for s in &shares {
        let count = s * 360.0;
        assert!((count - count.round()).abs() < 1e-6, "share {s}");
    }
    assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let occupied = shares.iter().filter(|&&s| s >= 0.05).count();
    assert_eq!(
        summary["classes_occupied"].as_u64().unwrap(),
        occupied as u64
    );
}
