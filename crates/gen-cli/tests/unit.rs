//! `gen train unit` on the generated shapes with tiny networks: the run, its translation
//! numbers, the shared high-level blocks in the export (one set, or one per domain with
//! `--no-share`), and the sample grid.

use std::path::Path;

mod common;
use common::ok;

fn train_tiny(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "train",
        "unit",
        "--data",
        "shapes",
        "--epochs",
        "2",
        "--seed",
        "4",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--set",
        "model.filters=4",
        "--set",
        "model.private_blocks=1",
        "--set",
        "model.discriminator.filters=4",
        "--set",
        "train.batch_size=100",
        "--set",
        "train.learning_rate=0.001",
        "--set",
        "log_every=2",
    ];
    args.extend_from_slice(extra);
    ok(&args);
}

fn tensor_names(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    st.names().into_iter().map(String::from).collect()
}

#[test]
fn unit_trains_and_its_shared_blocks_are_exported_once() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    train_tiny(&shared, &[]);
    let records: Vec<serde_json::Value> = std::fs::read_to_string(shared.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let recon: Vec<f64> = records
        .iter()
        .filter_map(|r| r["reconstruction_a"].as_f64())
        .collect();
    // 20 steps at a high rate: the reconstruction of A improves.
    assert!(
        recon.last().unwrap() < &recon[0],
        "reconstruction went from {} to {}",
        recon[0],
        recon.last().unwrap()
    );
    let s = shared.to_str().unwrap();
    ok(&["eval", s, "--metric", "translation"]);
    let summary = common::summary(&shared);
    for key in ["l1_a_to_b", "l1_b_to_a", "identity_l1", "cycle_l1_a"] {
        assert!(summary[key].as_f64().unwrap().is_finite(), "{key}");
    }
    let grid = dir.path().join("grid.png");
    ok(&["sample", s, "-n", "6", "--out", grid.to_str().unwrap()]);
    assert!(image::open(&grid).is_ok());
    ok(&["export", s]);
    let names = tensor_names(&shared.join("model.safetensors"));
    assert!(names.iter().any(|n| n == "shared_encoder.0.0.first.weight"));
    assert!(!names.iter().any(|n| n.starts_with("shared_encoder.1")));

    let separate = dir.path().join("separate");
    train_tiny(&separate, &["--no-share"]);
    ok(&["export", separate.to_str().unwrap()]);
    let names = tensor_names(&separate.join("model.safetensors"));
    assert!(names.iter().any(|n| n == "shared_encoder.1.0.first.weight"));
    assert!(
        names
            .iter()
            .any(|n| n == "shared_generator.1.0.second.bias")
    );
    let config = std::fs::read_to_string(separate.join("config.toml")).unwrap();
    assert!(config.contains("share = false"), "{config}");
}
