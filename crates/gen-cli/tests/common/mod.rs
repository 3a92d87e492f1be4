//! What the CLI test files share: reading a run's `summary.json`, with the check that the schema
//! page names every key in it.

use std::path::Path;

/// The schema of `summary.json` (the table in docs/evaluation.md).
#[allow(dead_code)]
const SCHEMA_PAGE: &str = include_str!("../../../../docs/evaluation.md");

/// `RUN/summary.json`, after checking that docs/evaluation.md names each of its keys (in
/// backticks): the page cannot fall behind what `gen train` and `gen eval` write.
#[allow(dead_code)]
pub fn summary(run: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(run.join("summary.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let missing: Vec<&String> = value
        .as_object()
        .expect("summary.json holds one object")
        .keys()
        .filter(|key| !SCHEMA_PAGE.contains(&format!("`{key}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/evaluation.md does not name the keys {missing:?} of {}",
        run.display()
    );
    value
}

/// `gen ARGS` with no data folder (the shipped sets need none), in `cwd` when given.
#[allow(dead_code)]
pub fn gen_in(cwd: Option<&Path>, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gen"));
    command.args(args).env(
        "GEN_DATA_DIR",
        std::env::temp_dir().join("gen-no-data-here"),
    );
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    command.output().expect("the gen binary runs")
}

/// Runs a command that must succeed; returns its standard output.
#[allow(dead_code)]
pub fn ok(args: &[&str]) -> String {
    let out = gen_in(None, args);
    assert!(
        out.status.success(),
        "gen {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a command that must fail cleanly (no panic, no abort); returns its standard error.
#[allow(dead_code)]
pub fn fails_in(cwd: Option<&Path>, args: &[&str]) -> String {
    let out = gen_in(cwd, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "gen {args:?} should fail with exit code 1 (a signal or abort has none): {err}"
    );
    assert!(!err.contains("panicked"), "gen {args:?} panicked: {err}");
    err
}
