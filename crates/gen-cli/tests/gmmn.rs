//! `gen train gmmn|gmmn-ae`, `gen sample`, `gen eval --metric parzen|mmd` and `gen export` on
//! the shipped digits, with the numbers checked against what they must satisfy.

use std::path::Path;

mod common;
use common::{fails, ok, summary};

/// A small GMMN on the 8x8 digits: batches of 500, a 64-64 network, 120 updates.
fn train_small(method: &str, out: &Path, extra: &[&str]) {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "train",
        method,
        "--data",
        "digits",
        "--epochs",
        "60",
        "--seed",
        "3",
        "--out",
        out,
        "--quiet",
        "--set",
        "train.batch_size=500",
        "--set",
        "train.samples_per_update=500",
        "--set",
        "model.hidden=[64, 64]",
        "--set",
        "epochs_per_report=20",
    ];
    args.extend_from_slice(extra);
    ok(&args);
}

#[test]
fn gmmn_trains_samples_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("gmmn");
    train_small("gmmn", &run, &[]);
    let records: Vec<serde_json::Value> = std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mmd: Vec<f64> = records.iter().filter_map(|r| r["mmd"].as_f64()).collect();
    assert!(
        mmd.last().unwrap() < &(mmd[0] * 0.7),
        "the MMD loss falls: {mmd:?}"
    );
    assert!(run.join("samples/step-00000120.png").is_file());
    assert!(run.join("plots/mmd.png").is_file());

    let grid = dir.path().join("grid.png");
    ok(&[
        "sample",
        run.to_str().unwrap(),
        "-n",
        "100",
        "--out",
        grid.to_str().unwrap(),
    ]);
    let image = image::open(&grid).unwrap();
    // 10 x 10 tiles of 8 pixels at the grid's scale, with borders.
    assert!(image.width() > 80 && image.height() > 80);

    let npy = dir.path().join("s.npy");
    ok(&[
        "sample",
        run.to_str().unwrap(),
        "-n",
        "7",
        "--out",
        npy.to_str().unwrap(),
    ]);
    let (shape, values) =
        gen_core::npy::decode_npy(&std::fs::read(&npy).unwrap()).expect("a valid .npy");
    assert_eq!(shape, vec![7, 1, 8, 8]);
    assert!(
        values.iter().all(|v| (0.0..=1.0).contains(v)),
        "sigmoid outputs"
    );

    let out = ok(&["eval", run.to_str().unwrap(), "--metric", "parzen"]);
    assert!(out.contains("parzen_ll"), "{out}");
    let s = summary(&run);
    let (ll, se, sigma) = (
        s["parzen_ll"].as_f64().unwrap(),
        s["parzen_se"].as_f64().unwrap(),
        s["parzen_sigma"].as_f64().unwrap(),
    );
    assert!(ll.is_finite() && se > 0.0 && se < 10.0, "{ll} ± {se}");
    assert!(
        (0.1..0.3).contains(&sigma),
        "sigma {sigma} is from the grid"
    );

    ok(&["eval", run.to_str().unwrap(), "--metric", "mmd"]);
    let s = summary(&run);
    let p = s["mmd_p_value"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
    assert!(s["mmd2"].as_f64().unwrap().is_finite());
    assert_eq!(s["mmd_points"].as_u64(), Some(360));

    ok(&["export", run.to_str().unwrap()]);
    let bytes = std::fs::read(run.join("model.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(
        st.tensor("gmmn.hidden.0.weight").unwrap().shape(),
        &[10, 64]
    );
    assert_eq!(st.tensor("gmmn.output.weight").unwrap().shape(), &[64, 64]);

    // A configuration that no longer matches the checkpoint: a clear error, no panic.
    let config_path = run.join("config.toml");
    let mut config: toml::Table = std::fs::read_to_string(&config_path)
        .unwrap()
        .parse()
        .unwrap();
    config["model"]["hidden"] = toml::Value::try_from(vec![32, 64]).unwrap();
    std::fs::write(&config_path, toml::to_string(&config).unwrap()).unwrap();
    let err = fails(&[
        "sample",
        run.to_str().unwrap(),
        "-n",
        "4",
        "--out",
        grid.to_str().unwrap(),
    ]);
    assert!(
        err.contains("does not fit this model's architecture"),
        "{err}"
    );
}

#[test]
fn gmmn_ae_trains_its_autoencoder_with_the_learner_then_samples_images() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("gmmn-ae");
    train_small(
        "gmmn-ae",
        &run,
        &[
            "--set",
            "autoencoder.layers=[128, 8]",
            "--set",
            "autoencoder_train.epochs=4",
        ],
    );
    // burn-train's Learner wrote its checkpoints and logs in RUN/autoencoder.
    assert!(run.join("autoencoder/checkpoint/model-4.bpk").is_file());
    assert!(run.join("autoencoder/train").is_dir());
    let npy = dir.path().join("s.npy");
    ok(&[
        "sample",
        run.to_str().unwrap(),
        "-n",
        "5",
        "--out",
        npy.to_str().unwrap(),
    ]);
    let (shape, _) = gen_core::npy::decode_npy(&std::fs::read(&npy).unwrap()).unwrap();
    assert_eq!(shape, vec![5, 1, 8, 8], "decoded to images, not codes");
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(config.contains("kernel_variances = [1.0]"), "{config}");
    assert!(
        config.contains("output = 8"),
        "the GMMN generates 8-wide codes: {config}"
    );
}

#[test]
fn bad_gmmn_input_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let out = out.to_str().unwrap();
    let base = ["train", "gmmn", "--data", "digits", "--out", out, "--quiet"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        fails(&a)
    };
    assert!(
        with(&["--set", "train.kernel_variances=[2.0, 0.0]"]).contains("variance must be positive")
    );
    assert!(with(&["--set", "train.kernel_variances=[]"]).contains("at least one bandwidth"));
    assert!(with(&["--set", "train.learning_rate=-1"]).contains("learning_rate must be positive"));
    assert!(with(&["--set", "train.batch_size=5000"]).contains("larger than the 1437"));
    assert!(
        fails(&["train", "gmmn", "--data", "ring8", "--out", out])
            .contains("holds points, not images")
    );
    assert!(
        fails(&["train", "gmmn", "--data", "shapes", "--out", out]).contains("two image domains")
    );
    assert!(
        fails(&[
            "train",
            "gmmn-ae",
            "--data",
            "digits",
            "--out",
            out,
            "--set",
            "autoencoder.dropout=[0.2]"
        ])
        .contains("one dropout rate per encoder layer")
    );
    assert!(
        !Path::new(out).exists(),
        "a refused run leaves no folder behind"
    );
}
