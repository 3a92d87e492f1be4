//! What a new user's mistakes and damaged files do to `gen`: each is refused with a message and
//! exit code 1, never a panic, an abort or a destroyed file (issue cases 2, 3, 5, 6 and 8; the
//! locking and kill cases are in end_to_end.rs and gen-core's runs.rs).

use std::path::Path;

mod common;
use common::{fails, fails_in, gen_in, ok};

/// A PCD run of 16 x 8 on bars and stripes: 5 epochs, seconds.
fn small_pcd_run(run: &Path) {
    ok(&[
        "train",
        "rbm",
        "--data",
        "bars-and-stripes",
        "--hidden",
        "8",
        "--method",
        "pcd",
        "--quiet",
        "--epochs",
        "5",
        "--set",
        "train.batch_size=10",
        "--set",
        "chains=10",
        "--out",
        run.to_str().unwrap(),
    ]);
}

fn checkpoint_dirs(run: &Path) -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(run.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("step-")
        })
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn a_diverging_gmmn_keeps_no_checkpoint_with_nan() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let r = run.to_str().unwrap();
    let err = fails(&[
        "train",
        "gmmn",
        "--data",
        "digits",
        "--quiet",
        "--out",
        r,
        "--epochs",
        "3",
        "--set",
        "checkpoint_every=1",
        "--set",
        "log_every=1",
        "--set",
        "train.learning_rate=1e37",
    ]);
    assert!(err.contains("diverged"), "{err}");
    // Whatever was kept samples finite values; when nothing was, the message says so and
    // sampling says there is no checkpoint.
    let npy = dir.path().join("s.npy");
    let out = gen_in(
        None,
        &["sample", r, "-n", "64", "--out", npy.to_str().unwrap()],
    );
    if checkpoint_dirs(&run).is_empty() {
        assert!(err.contains("nothing is kept"), "{err}");
        assert!(!out.status.success());
    } else {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (_, values) = gen_core::npy::decode_npy(&std::fs::read(&npy).unwrap()).unwrap();
        assert!(values.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn non_finite_and_overflowing_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = out.to_str().unwrap();
    // Each refused by the method's own check, naming the field and the value.
    for (set, field, value) in [
        ("model.init_std=nan", "init_std", "NaN"),
        ("train.weight_decay=nan", "weight_decay", "NaN"),
        ("binarize.threshold=nan", "threshold", "NaN"),
        ("train.learning_rate=inf", "learning_rate", "inf"),
    ] {
        let err = fails(&[
            "train", "rbm", "--data", "digits", "--quiet", "--out", o, "--set", set,
        ]);
        assert!(err.contains(field) && err.contains(value), "{set}: {err}");
    }
    assert!(!out.exists(), "a refused run leaves no folder");
    // What no method checks, the shared setup does, by its dotted name.
    #[derive(serde::Serialize)]
    struct Settings {
        train: Inner,
    }
    #[derive(serde::Serialize)]
    struct Inner {
        rates: Vec<f64>,
    }
    let found = gen_core::run::configuration::non_finite_setting(&Settings {
        train: Inner {
            rates: vec![0.1, f64::NEG_INFINITY],
        },
    })
    .unwrap();
    assert_eq!(
        found,
        Some(("train.rates[1]".to_string(), f64::NEG_INFINITY))
    );
    // The same settings in a library user's hands: each method's own check refuses them.
    let mut train = gen_rbm::train::RbmTrainConfig::new();
    train.weight_decay = f64::NAN;
    assert!(
        train
            .validate()
            .unwrap_err()
            .to_string()
            .contains("weight_decay")
    );
    let model = gen_rbm::model::RbmConfig::new(64).with_init_std(f64::NAN);
    assert!(
        model
            .validate()
            .unwrap_err()
            .to_string()
            .contains("init_std")
    );
    let threshold = gen_core::data::binarize::Binarize::Threshold {
        threshold: f32::NAN,
    };
    assert!(threshold.validate().is_err());
    let err = fails(&[
        "train",
        "rbm",
        "--data",
        "digits",
        "--quiet",
        "--out",
        o,
        "--epochs",
        "6148914691236517206",
    ]);
    assert!(err.contains("overflow"), "{err}");
}

#[test]
fn damaged_or_mismatched_run_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let r = run.to_str().unwrap();
    small_pcd_run(&run);
    let png = dir.path().join("s.png");
    let p = png.to_str().unwrap();
    // A mistyped -n: refused before anything is allocated.
    let err = fails(&["sample", r, "-n", "10000000000", "--out", p]);
    assert!(err.contains("more than the"), "{err}");

    // The newest checkpoint lost its state.json (a kill mid-deletion): the older one is used.
    let dirs = checkpoint_dirs(&run);
    assert_eq!(dirs.len(), 2);
    let backup = dir.path().join("backup");
    std::fs::create_dir(&backup).unwrap();
    std::fs::rename(dirs[1].join("state.json"), backup.join("state.json")).unwrap();
    let out = gen_in(None, &["sample", r, "-n", "16", "--out", p]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("skipping unreadable checkpoint"),
        "{stderr}"
    );
    std::fs::rename(backup.join("state.json"), dirs[1].join("state.json")).unwrap();

    // Persistent chains of the wrong width (7 values where the model has 16 visible units).
    let chains = dirs[1].join("chains.bin");
    let good = std::fs::read(&chains).unwrap();
    std::fs::write(&chains, gen_core::npy::encode_npy(&[10, 7], &[0.5; 70])).unwrap();
    let err = fails(&["sample", r, "-n", "16", "--out", p]);
    assert!(
        err.contains("persistent chains have shape [10, 7]"),
        "{err}"
    );
    let err = fails(&[
        "train",
        "rbm",
        "--data",
        "bars-and-stripes",
        "--resume",
        "--out",
        r,
        "--quiet",
    ]);
    assert!(err.contains("'chains' has shape [10, 7]"), "{err}");
    std::fs::write(&chains, good).unwrap();
}

#[test]
fn a_folder_that_is_not_a_run_is_never_written_into() {
    let dir = tempfile::tempdir().unwrap();
    // `--out .` in the user's project: its config.toml must survive.
    let mine = "[package]\nname = \"mine\"\n";
    std::fs::write(dir.path().join("config.toml"), mine).unwrap();
    let err = fails_in(
        Some(dir.path()),
        &[
            "train", "rbm", "--data", "digits", "--quiet", "--epochs", "1", "--out", ".",
        ],
    );
    assert!(err.contains("not a gen run folder"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("config.toml")).unwrap(),
        mine
    );
    assert!(!dir.path().join("checkpoints").exists());
}
