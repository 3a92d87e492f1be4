//! `gen eval --metric labels` on restyled MNIST, whose restyled domain is scored by the MNIST
//! classifier behind the inverse of the restyling, and `max_dataset_size`, which cuts the
//! training domains. The MNIST folder is made here from the shipped 8x8 digits, each scaled
//! three times (nearest neighbour) and framed to 28x28.

use std::path::Path;

mod common;
use common::{fails_with_data, json, ok_with_data, printed, summary};

/// Pixels of one 28x28 image made from an 8x8 digit, as bytes.
fn framed(digit: &[f32]) -> Vec<u8> {
    let mut out = vec![0u8; 28 * 28];
    for y in 0..24 {
        for x in 0..24 {
            let v = digit[(y / 3) * 8 + x / 3];
            out[(y + 2) * 28 + x + 2] = (v * 255.0).round() as u8;
        }
    }
    out
}

/// `DATA/mnist` with the first `train` training and `test` test digits.
fn digits_as_mnist(data_dir: &Path, train: usize, test: usize) {
    use gen_core::data::digits::digits_splits;
    use gen_core::data::idx::encode_idx;
    let digits = digits_splits();
    let dir = data_dir.join("mnist");
    std::fs::create_dir_all(&dir).unwrap();
    for (prefix, split, n) in [
        ("train", &digits.train, train),
        ("t10k", &digits.test, test),
    ] {
        let pixels: Vec<u8> = (0..n).flat_map(|i| framed(split.item(i))).collect();
        std::fs::write(
            dir.join(format!("{prefix}-images-idx3-ubyte")),
            encode_idx(&[n, 28, 28], &pixels),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{prefix}-labels-idx1-ubyte")),
            encode_idx(&[n], &split.labels.as_ref().unwrap()[..n]),
        )
        .unwrap();
    }
}

#[test]
fn restyled_mnist_is_scored_by_the_mnist_classifier_behind_the_inverse() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    digits_as_mnist(&data_dir, 300, 90);
    ok_with_data(
        &[
            "train",
            "classifier",
            "--data",
            "mnist",
            "--epochs",
            "2",
            "--seed",
            "1",
            "--quiet",
        ],
        &data_dir,
    );
    let info = json(&data_dir.join("classifiers/mnist-v1/classifier.json"));
    let recorded = info["test_correct"].as_f64().unwrap() / info["test_images"].as_f64().unwrap();

    let run = dir.path().join("cg");
    let r = run.to_str().unwrap();
    let train = |max: &str| {
        let set = format!("max_dataset_size={max}");
        let args = [
            "train",
            "cyclegan",
            "--data",
            "mnist2restyled",
            "--epochs",
            "1",
            "--seed",
            "2",
            "--quiet",
            "--out",
            r,
            "--set",
            "model.generator.filters=4",
            "--set",
            "model.generator.blocks=1",
            "--set",
            "model.discriminator.filters=4",
            "--set",
            "train.batch_size=10",
            "--set",
            "log_every=1",
            "--set",
            &set,
        ];
        if max == "0" {
            let err = fails_with_data(&args, &data_dir);
            assert!(err.contains("max_dataset_size must be at least 1"), "{err}");
            assert!(!run.exists(), "a refused run leaves no folder");
        } else {
            ok_with_data(&args, &data_dir);
        }
    };
    train("0");
    train("20");
    // 20 of the 150 images of A in batches of 10: two steps.
    let last_step = std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["step"].as_u64())
        .max()
        .flatten();
    assert_eq!(last_step, Some(2));
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(config.contains("max_dataset_size = 20"), "{config}");

    let out = ok_with_data(&["eval", r, "--metric", "labels"], &data_dir);
    assert_eq!(printed(&out, "labels_test_images"), 90.0);
    // The restyled test images, restyled back, are the MNIST test images (to float rounding, 3e-8
    // at most, which moves no prediction here): the classifier scores both domains as its own
    // test split.
    assert_eq!(printed(&out, "classifier_accuracy_a"), recorded);
    assert_eq!(printed(&out, "classifier_accuracy_b"), recorded);
    // A's images scored as B are inverted, then scored: as B's images scored as A.
    assert_eq!(
        printed(&out, "labels_untranslated_a"),
        printed(&out, "labels_untranslated_b")
    );
    let s = summary(&run);
    assert_eq!(
        s["labels_a_to_b"].as_f64().unwrap(),
        printed(&out, "labels_a_to_b")
    );
}
