//! The `gen` binary end to end: train, sample, eval, export, resume after a kill, and clear
//! errors with a non-zero exit code on bad input.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{fails, gen_cmd, ok, summary};

fn read_f32_tensor(path: &Path, name: &str) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let t = st.tensor(name).unwrap();
    let values = t
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    (t.shape().to_vec(), values)
}

const TRAIN_BAS: &[&str] = &[
    "train",
    "rbm",
    "--data",
    "bars-and-stripes",
    "--hidden",
    "8",
    "--method",
    "pcd",
    "--quiet",
    "--set",
    "train.batch_size=10",
    "--set",
    "chains=10",
    "--set",
    "learning_rate=0.3",
    "--set",
    "momentum=0.5",
    "--set",
    "init_std=0.1",
];

#[test]
fn train_sample_eval_export() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let run_s = run.to_str().unwrap();
    let mut args = TRAIN_BAS.to_vec();
    args.extend(["--epochs", "100", "--out", run_s]);
    let stdout = ok(&args);
    assert!(stdout.contains("test_ll"), "{stdout}");
    for f in ["config.toml", "metrics.jsonl", "summary.json"] {
        assert!(run.join(f).is_file(), "{f} missing");
    }
    assert!(run.join("samples/step-00000300.png").is_file());
    assert!(run.join("plots/reconstruction_error.png").is_file());
    let s = summary(&run);
    let ll = s["test_ll"].as_f64().unwrap();
    // Bars and stripes: 30 equiprobable patterns, so no model beats -ln 30; the model it starts
    // from (independent pixels at the data's means, 1/2 each) scores -16 ln 2 = -11.09.
    assert!(ll < -(30f64.ln()) && ll > -16.0 * 2f64.ln() + 1.0, "{ll}");
    assert_eq!(s["steps"], 300);

    // The saved config reruns the same run.
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(
        config.contains("hidden = 8") && config.contains("method = \"pcd\""),
        "{config}"
    );

    // Eval recomputes the same exact likelihood from the checkpoint.
    let out = ok(&["eval", run_s, "--metric", "exact"]);
    assert!(out.contains("test_ll"));
    assert!((summary(&run)["test_ll"].as_f64().unwrap() - ll).abs() < 1e-9);
    ok(&["eval", run_s, "--metric", "pseudo-likelihood"]);
    // AIS brackets the exact log Z it replaces for large models.
    let exact_log_z = summary(&run)["log_z"].as_f64().unwrap();
    ok(&["eval", run_s, "--metric", "ais"]);
    let s = summary(&run);
    let (low, high) = (
        s["log_z_low"].as_f64().unwrap(),
        s["log_z_high"].as_f64().unwrap(),
    );
    assert!(
        low <= exact_log_z + 1e-3 && exact_log_z - 1e-3 <= high,
        "exact {exact_log_z}, AIS [{low}, {high}]"
    );
    assert_eq!(s["ais_interval_closed"], true);
    // RAISE estimates the same log Z from above (reverse annealing from the 30 test patterns):
    // on a 16 x 8 model with 2,900 temperatures it sits on the exact value.
    ok(&["eval", run_s, "--metric", "raise"]);
    let s = summary(&run);
    let (raise, se) = (
        s["raise_log_z"].as_f64().unwrap(),
        s["raise_log_z_se"].as_f64().unwrap(),
    );
    assert_eq!(s["raise_examples"], 30);

    // A run written before the centred RBM's fields existed still loads (they take their
    // defaults): its config without them samples and evaluates as before.
    let config_path = run.join("config.toml");
    let text = std::fs::read_to_string(&config_path).unwrap();
    let older: String = text
        .lines()
        .filter(|l| !l.starts_with("centred") && !l.starts_with("offset_rate"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(older, text, "the config had the new fields");
    std::fs::write(&config_path, older).unwrap();
    ok(&["eval", run_s, "--metric", "exact"]);
    assert!((summary(&run)["test_ll"].as_f64().unwrap() - ll).abs() < 1e-9);
    std::fs::write(&config_path, text).unwrap();
    assert!(
        raise > exact_log_z - 3.0 * se - 1e-3 && (raise - exact_log_z).abs() < 0.1,
        "exact {exact_log_z}, RAISE {raise} ± {se}"
    );
    assert!(s["test_ll_low"].as_f64().unwrap() <= s["test_ll_high"].as_f64().unwrap());
    assert!(run.join("plots/filters.png").is_file());
    assert!(summary(&run)["pseudo_log_likelihood"].as_f64().unwrap() < 0.0);

    // Samples: a PNG grid and a .npy array of probabilities.
    let png = dir.path().join("s.png");
    ok(&["sample", run_s, "-n", "16", "--out", png.to_str().unwrap()]);
    let img = image::open(&png).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (4 * (48 + 2) + 2, 4 * (48 + 2) + 2));
    let npy = dir.path().join("s.npy");
    ok(&["sample", run_s, "-n", "5", "--out", npy.to_str().unwrap()]);
    let (shape, values) = gen_core::npy::decode_npy(&std::fs::read(&npy).unwrap()).unwrap();
    assert_eq!(shape, vec![5, 1, 4, 4]);
    assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
    let few_steps = dir.path().join("few.png");
    ok(&[
        "sample",
        run_s,
        "-n",
        "9",
        "--steps",
        "3",
        "--out",
        few_steps.to_str().unwrap(),
    ]);
    let chain = dir.path().join("chain.png");
    ok(&[
        "sample",
        run_s,
        "-n",
        "20",
        "--chain",
        "--out",
        chain.to_str().unwrap(),
    ]);

    // Export: the tensors of the last checkpoint, loadable by the reference reader.
    ok(&["export", run_s, "--format", "safetensors"]);
    let (shape, w) = read_f32_tensor(&run.join("model.safetensors"), "weights");
    assert_eq!(shape, vec![16, 8]);
    let ckpt = gen_core::run::CheckpointStore::new(run.join("checkpoints"))
        .latest()
        .unwrap()
        .unwrap();
    let (_, stored) = gen_core::npy::decode_npy(ckpt.blob("weights").unwrap()).unwrap();
    assert_eq!(w, stored);
}

#[test]
fn resume_after_a_kill_gives_the_uninterrupted_result() {
    let dir = tempfile::tempdir().unwrap();
    let straight = dir.path().join("straight");
    let resumed = dir.path().join("resumed");
    let mut common = TRAIN_BAS.to_vec();
    common.extend([
        "--epochs",
        "600",
        "--set",
        "checkpoint_every=100",
        "--seed",
        "5",
    ]);

    let mut a = common.clone();
    a.extend(["--out", straight.to_str().unwrap()]);
    ok(&a);

    let mut b = common.clone();
    b.extend(["--out", resumed.to_str().unwrap()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(&b)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let ckpts = resumed.join("checkpoints");
    while gen_core::run::CheckpointStore::new(&ckpts)
        .steps()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    // A second process training another model into the same folder is refused while the first
    // runs, and leaves its configuration alone.
    let config_before = std::fs::read_to_string(resumed.join("config.toml")).unwrap();
    let mut other = TRAIN_BAS.to_vec();
    other.extend(["--k", "3", "--epochs", "1"]);
    other.extend(["--out", resumed.to_str().unwrap()]);
    let err = fails(&other);
    assert!(
        err.contains(&format!(
            "in use by another gen process (pid {})",
            child.id()
        )),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(resumed.join("config.toml")).unwrap(),
        config_before
    );
    // The kill leaves the lock file behind; the resume below takes it over.
    child.kill().unwrap();
    child.wait().unwrap();
    let killed_at = gen_core::run::CheckpointStore::new(&ckpts).steps();
    assert!(
        *killed_at.last().unwrap() < 1800,
        "the run finished before the kill: {killed_at:?}"
    );

    // A config change is refused on resume; a plain resume finishes the run.
    let r = resumed.to_str().unwrap();
    let err = fails(&[
        "train",
        "rbm",
        "--data",
        "bars-and-stripes",
        "--out",
        r,
        "--resume",
        "--k",
        "3",
    ]);
    assert!(err.contains("--resume"), "{err}");
    ok(&[
        "train",
        "rbm",
        "--data",
        "bars-and-stripes",
        "--out",
        r,
        "--resume",
        "--quiet",
    ]);

    ok(&["export", straight.to_str().unwrap()]);
    ok(&["export", r]);
    let (_, wa) = read_f32_tensor(&straight.join("model.safetensors"), "weights");
    let (_, wb) = read_f32_tensor(&resumed.join("model.safetensors"), "weights");
    assert_eq!(wa, wb, "resumed weights differ from the uninterrupted run");
    assert_eq!(summary(&straight)["test_ll"], summary(&resumed)["test_ll"]);
}

#[test]
fn bad_input_gives_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = out.to_str().unwrap();
    let err = fails(&["train", "rbm", "--data", "no-such-set", "--out", o]);
    assert!(err.contains("unknown dataset 'no-such-set'"), "{err}");
    let err = fails(&["train", "rbm", "--data", "mnist", "--out", o]);
    assert!(err.contains("xtask download mnist"), "{err}");
    let err = fails(&["train", "rbm", "--data", "ring8", "--out", o]);
    assert!(err.contains("points, not images"), "{err}");
    let err = fails(&[
        "train", "rbm", "--data", "digits", "--set", "hiden=3", "--out", o,
    ]);
    assert!(
        err.contains("unknown field 'hiden'") && err.contains("known fields"),
        "{err}"
    );
    let err = fails(&[
        "train", "rbm", "--data", "digits", "--method", "magic", "--out", o,
    ]);
    assert!(err.contains("unknown RBM method 'magic'"), "{err}");
    let err = fails(&[
        "train",
        "rbm",
        "--data",
        "digits",
        "--set",
        "train.momentum=1.5",
        "--out",
        o,
    ]);
    assert!(err.contains("momentum"), "{err}");
    let err = fails(&[
        "train",
        "rbm",
        "--data",
        "digits",
        "--set",
        "train.batch_size=5000",
        "--out",
        o,
    ]);
    assert!(err.contains("batch size"), "{err}");
    let err = fails(&["sample", dir.path().to_str().unwrap(), "--out", "x.png"]);
    assert!(err.contains("not a run directory"), "{err}");
    let err = fails(&["sample", "nowhere", "--out", "x.gif"]);
    assert!(err.contains(".png") && err.contains(".npy"), "{err}");
    if !cfg!(feature = "cuda") {
        let err = fails(&[
            "train",
            "rbm",
            "--data",
            "digits",
            "--backend",
            "cuda",
            "--out",
            o,
        ]);
        assert!(
            err.contains("not compiled") && err.contains("--features cuda"),
            "{err}"
        );
    }
    let err = fails(&[
        "train", "rbm", "--data", "digits", "--hidden", "0", "--out", o,
    ]);
    assert!(err.contains("hidden unit"), "{err}");
    let err = fails(&["train", "rbm", "--data", "digits", "--k", "0", "--out", o]);
    assert!(err.contains("k must be at least 1"), "{err}");
    let err = fails(&[
        "train",
        "rbm",
        "--data",
        "digits",
        "--set",
        "learning_rate=-0.1",
        "--out",
        o,
    ]);
    assert!(err.contains("learning_rate must be positive"), "{err}");
    assert!(
        !out.exists(),
        "nothing is written before the configuration is valid"
    );
    // Exact evaluation of 40 hidden units is refused and points to AIS.
    let big = dir.path().join("big");
    let b = big.to_str().unwrap();
    // (40 hidden over 64 visible: both layers exceed what enumeration accepts.)
    ok(&[
        "train", "rbm", "--data", "digits", "--hidden", "40", "--epochs", "1", "--quiet", "--out",
        b,
    ]);
    let err = fails(&["eval", b, "--metric", "exact"]);
    assert!(err.contains("40 units") && err.contains("AIS"), "{err}");
    // Usage errors exit with clap's code 2.
    let out = gen_cmd(&["train", "rbm"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn eval_rejects_unknown_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let mut args = TRAIN_BAS.to_vec();
    args.extend(["--epochs", "2", "--out", run.to_str().unwrap()]);
    ok(&args);
    let err = fails(&["eval", run.to_str().unwrap(), "--metric", "fid"]);
    assert!(
        err.contains("unknown metric 'fid'") && err.contains("exact"),
        "{err}"
    );
    // A model trained on 4x4 images cannot be evaluated on 8x8 digits.
    let err = fails(&[
        "eval",
        run.to_str().unwrap(),
        "--metric",
        "exact",
        "--data",
        "digits",
    ]);
    assert!(
        err.contains("64 values per example") && err.contains("16 visible units"),
        "{err}"
    );
    // A second training into the same folder is refused rather than overwriting it.
    let err = fails(&args);
    assert!(err.contains("--resume"), "{err}");
}
