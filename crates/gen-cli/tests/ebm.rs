//! `gen train ebm`, `gen eval --metric exact2d|parzen|mmd`, `gen sample`, `gen export` on the
//! ring of 8 Gaussians and the shipped digits; the refusals of bad settings; a diverging run
//! that stops naming its step and keeps its last good checkpoint.

mod common;
use common::{fails, ok, summary};

#[test]
fn ring8_run_trains_evaluates_exactly_and_draws_a_heat_map() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("ring");
    let r = run.to_str().unwrap();
    ok(&[
        "train", "ebm", "--data", "ring8", "--epochs", "3", "--seed", "3", "--out", r, "--quiet",
    ]);
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    // The widths taken from the data are written into the run's configuration.
    assert!(
        config.contains("input = 2") && config.contains("output = 2"),
        "{config}"
    );
    let out = ok(&["eval", r, "--metric", "exact2d"]);
    let s = summary(&run);
    for key in [
        "exact_test_ll",
        "exact_test_ll_se",
        "log_z",
        "grid_mass_outside",
        "generator_kde_ll",
        "generator_kde_sigma",
        "modes_covered",
        "modes_total",
        "high_quality_share",
    ] {
        assert!(s.get(key).is_some(), "{key} missing: {out}");
    }
    assert_eq!(s["modes_total"], 8);
    // A normalised density: its log-likelihood is finite and log Z too; the share outside
    // the data square is a share.
    assert!(s["exact_test_ll"].as_f64().unwrap().is_finite());
    let outside = s["grid_mass_outside"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&outside), "{outside}");
    let heat = image::open(run.join("plots").join("energy.png")).unwrap();
    assert!(heat.width() > 100 && heat.height() > 100);
    // Samples as points: an [N, 2] float32 array.
    let npy = dir.path().join("s.npy");
    ok(&["sample", r, "-n", "7", "--out", npy.to_str().unwrap()]);
    let (dims, values) = gen_core::npy::decode_npy(&std::fs::read(&npy).unwrap()).unwrap();
    assert_eq!(dims, vec![7, 2]);
    assert!(values.iter().all(|v| v.is_finite()));
    let err = fails(&["sample", r, "-n", "4", "--chain", "--out", "x.png"]);
    assert!(err.contains("generator"), "{err}");
    // exact2d needs a density with a known log density.
    let err = fails(&["eval", r, "--metric", "exact2d", "--data", "two-moons-typo"]);
    assert!(err.contains("two-moons-typo"), "{err}");
}

#[test]
fn digits_run_samples_evaluates_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("digits");
    let r = run.to_str().unwrap();
    ok(&[
        "train",
        "ebm",
        "--data",
        "digits",
        "--epochs",
        "1",
        "--out",
        r,
        "--quiet",
        "--set",
        "generator.hidden=[32]",
        "--set",
        "energy.experts=16",
        "--set",
        "energy.features.channels=[4, 8]",
    ]);
    let config = std::fs::read_to_string(run.join("config.toml")).unwrap();
    let parsed: toml::Value = toml::from_str(&config).unwrap();
    assert_eq!(
        parsed["energy"]["features"]["image"],
        toml::Value::try_from([1, 8, 8]).unwrap(),
        "{config}"
    );
    let grid = dir.path().join("g.png");
    ok(&["sample", r, "-n", "16", "--out", grid.to_str().unwrap()]);
    let img = image::open(&grid).unwrap();
    assert!(img.width() >= 32 && img.height() >= 32);
    let out = ok(&["eval", r, "--metric", "mmd"]);
    assert!(out.contains("mmd_p_value"), "{out}");
    let err = fails(&["eval", r, "--metric", "exact2d"]);
    assert!(err.contains("2-D densities"), "{err}");
    let st_path = dir.path().join("ebm.safetensors");
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
    let conv = st.tensor("energy.conv.0.weight").unwrap();
    assert_eq!(conv.shape(), &[4, 1, 4, 4]);
    let gamma = st.tensor("generator.norms.0.gamma").unwrap();
    assert_eq!(gamma.shape(), &[32]);
    let b = st.tensor("energy.visible.weight").unwrap();
    assert_eq!(b.shape(), &[64, 1]);
}

#[test]
fn bad_settings_are_refused_before_any_run_folder_exists() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("refused");
    let train = |extra: &[&str]| {
        let mut a = vec!["train", "ebm", "--out", out.to_str().unwrap(), "--quiet"];
        a.extend_from_slice(extra);
        fails(&a)
    };
    let err = train(&["--data", "ring8", "--sigma", "0"]);
    assert!(err.contains("sigma must be positive"), "{err}");
    let err = train(&["--data", "ring8", "--sigma=-1"]);
    assert!(err.contains("sigma must be positive"), "{err}");
    let err = train(&["--data", "ring8", "--entropy-weight", "nan"]);
    assert!(err.contains("entropy_weight must be finite"), "{err}");
    let err = train(&["--data", "ring8", "--entropy-weight", "inf"]);
    assert!(err.contains("entropy_weight must be finite"), "{err}");
    let err = train(&["--data", "ring8", "--set", "generator.output=3"]);
    assert!(
        err.contains("generator outputs 3") && err.contains("2 per example"),
        "{err}"
    );
    let err = train(&[
        "--data",
        "digits",
        "--set",
        "energy.features.image=[1, 7, 7]",
    ]);
    assert!(err.contains("1x7x7 = 49") && err.contains("64"), "{err}");
    let err = train(&["--data", "ring8", "--energy-steps", "0"]);
    assert!(err.contains("energy_steps"), "{err}");
    let err = train(&["--data", "shapes"]);
    assert!(err.contains("two image domains"), "{err}");
    assert!(!out.exists(), "a refused run leaves no folder behind");
}

#[test]
fn divergence_stops_the_run_naming_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("diverge");
    let r = run.to_str().unwrap();
    // Learning rates of 1e15: one Adam step moves every weight by about 1e15, and the next
    // energies overflow f32. (gen-ebm's divergence test checks that the checkpoint kept is good.)
    let err = fails(&[
        "train",
        "ebm",
        "--data",
        "ring8",
        "--epochs",
        "2",
        "--out",
        r,
        "--quiet",
        "--set",
        "train.learning_rate=1e15",
        "--set",
        "train.generator_learning_rate=1e15",
        "--set",
        "log_every=1",
        "--set",
        "checkpoint_every=1",
    ]);
    assert!(err.contains("training diverged"), "{err}");
    let step: u64 = err
        .split("at step ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no step in: {err}"));
    // No checkpoint at or after the step named.
    let steps: Vec<u64> = std::fs::read_dir(run.join("checkpoints"))
        .map(|d| {
            d.filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_prefix("step-")?
                    .parse()
                    .ok()
            })
            .collect()
        })
        .unwrap_or_default();
    assert!(steps.iter().all(|&s| s < step), "{steps:?} vs {step}");
    // The message says truthfully what is kept: this run diverges at its first checkpoint, so
    // none is (it used to claim "the last good checkpoint is kept" all the same).
    match steps.iter().max() {
        Some(last) => assert!(
            err.contains(&format!("the last good checkpoint (step {last})")),
            "{err}"
        ),
        None => assert!(err.contains("nothing is kept"), "{err}"),
    }
}
