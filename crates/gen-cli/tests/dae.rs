//! `gen train dae`, `gen sample --chain`, `gen eval --metric parzen|mmd` and `gen export` on
//! the shipped digits and the two moons, and the DAE's refusals of bad settings.

use std::path::Path;

mod common;
use common::{fails, ok, summary};

fn read_png(path: &Path) -> image::DynamicImage {
    image::open(path).unwrap()
}

#[test]
fn walkback_dae_trains_samples_chains_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("dae");
    let r = run.to_str().unwrap();
    // 3 epochs of 14 updates, walkback of 5 steps, 200 hidden units.
    ok(&[
        "train",
        "dae",
        "--data",
        "digits",
        "--epochs",
        "3",
        "--walkback",
        "--seed",
        "2",
        "--out",
        r,
        "--quiet",
        "--set",
        "model.hidden=200",
    ]);
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(
        config.contains("kind = \"fixed\"") && config.contains("steps = 5"),
        "{config}"
    );
    // The logged walks have 5 pairs each.
    let log = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let last: serde_json::Value =
        serde_json::from_str(log.lines().rfind(|l| l.contains("walk_steps")).unwrap()).unwrap();
    assert_eq!(last["walk_steps"], 5.0);
    // A chain grid: 4 chains (rows) of 10 consecutive states (columns) of 8x8 images.
    let grid = dir.path().join("chain.png");
    ok(&[
        "sample",
        r,
        "-n",
        "40",
        "--chain",
        "--out",
        grid.to_str().unwrap(),
    ]);
    let img = read_png(&grid);
    let single = read_png(&run.join("samples").join("step-00000042.png"));
    assert!(img.width() > img.height() && single.width() > 0);
    // Raw samples are means of the Bernoulli reconstruction: values in [0, 1].
    let npy = dir.path().join("s.npy");
    ok(&["sample", r, "-n", "5", "--out", npy.to_str().unwrap()]);
    let bytes = std::fs::read(&npy).unwrap();
    assert!(bytes.len() > 5 * 64 * 4);
    let out = ok(&["eval", r, "--metric", "parzen"]);
    assert!(out.contains("parzen_ll"), "{out}");
    let s = summary(&run);
    let ll = s["parzen_ll"].as_f64().unwrap();
    assert!(ll.is_finite() && s["parzen_se"].as_f64().unwrap() > 0.0);
    // Export: the tied weights [64, 200] and both biases.
    let st_path = dir.path().join("dae.safetensors");
    ok(&[
        "export",
        r,
        "--format",
        "safetensors",
        "--out",
        st_path.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&st_path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(st.tensor("weight").unwrap().shape(), &[64, 200]);
    assert_eq!(st.tensor("visible_bias").unwrap().shape(), &[64]);
}

#[test]
fn points_get_the_gaussian_dae_and_a_scatter_of_samples() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("moons");
    let r = run.to_str().unwrap();
    ok(&[
        "train",
        "dae",
        "--data",
        "two-moons",
        "--epochs",
        "2",
        "--out",
        r,
        "--quiet",
    ]);
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    assert!(config.contains("kind = \"gaussian\""), "{config}");
    assert!(config.contains("kind = \"mlp\""), "{config}");
    let plot = dir.path().join("points.png");
    ok(&["sample", r, "-n", "200", "--out", plot.to_str().unwrap()]);
    assert_eq!(read_png(&plot).width(), 800);
    let out = ok(&["eval", r, "--metric", "mmd"]);
    assert!(out.contains("mmd_p_value"), "{out}");
}

#[test]
fn bad_dae_settings_give_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    let o = out.to_str().unwrap();
    let train = |extra: &[&str]| {
        let mut a = vec!["train", "dae", "--out", o, "--quiet"];
        a.extend_from_slice(extra);
        fails(&a)
    };
    let err = train(&["--data", "digits", "--walkback-p", "1.0"]);
    assert!(err.contains("must lie in [0, 1)"), "{err}");
    let err = train(&["--data", "digits", "--noise", "1.5"]);
    assert!(err.contains("probability must lie in [0, 1]"), "{err}");
    let err = train(&["--data", "two-moons", "--noise=-0.1"]);
    assert!(err.contains("standard deviation"), "{err}");
    let err = train(&[
        "--data",
        "two-moons",
        "--set",
        "train.reconstruction={ kind = \"bernoulli\" }",
        "--set",
        "model={ kind = \"tied\", hidden = 10 }",
    ]);
    assert!(err.contains("values in [0, 1]"), "{err}");
    let err = train(&["--data", "digits", "--set", "model.hidden=0"]);
    assert!(err.contains("at least one hidden unit"), "{err}");
    assert!(!out.exists(), "a refused run leaves no folder behind");
}
