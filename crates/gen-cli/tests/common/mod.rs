//! What the CLI test files share: running the `gen` binary (must succeed, must fail cleanly),
//! and reading a run's `summary.json` with the check that the schema page names every key in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Where the tests point `GEN_DATA_DIR` when they need no downloaded data (the shipped sets).
#[allow(dead_code)]
pub fn no_data() -> PathBuf {
    std::env::temp_dir().join("gen-no-data-here")
}

/// `gen ARGS` with `GEN_DATA_DIR` set to `data_dir`, in `cwd` when given.
#[allow(dead_code)]
pub fn gen_with(data_dir: &Path, cwd: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
    command.args(args).env("GEN_DATA_DIR", data_dir);
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    command.output().expect("the gen binary runs")
}

/// `gen ARGS` with no data folder (the shipped sets need none), in `cwd` when given.
#[allow(dead_code)]
pub fn gen_in(cwd: Option<&Path>, args: &[&str]) -> Output {
    gen_with(&no_data(), cwd, args)
}

/// `gen ARGS` with no data folder.
#[allow(dead_code)]
pub fn gen_cmd(args: &[&str]) -> Output {
    gen_in(None, args)
}

/// The standard output of a command that must succeed.
#[allow(dead_code)]
fn succeeded(args: &[&str], out: Output) -> String {
    assert!(
        out.status.success(),
        "gen {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The standard error of a command that must fail without a panic.
#[allow(dead_code)]
fn failed(args: &[&str], out: Output) -> String {
    assert!(!out.status.success(), "gen {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "gen {args:?} panicked: {err}");
    assert!(!err.contains("stack backtrace"), "{err}");
    err
}

/// Runs a command that must succeed (no data folder); returns its standard output.
#[allow(dead_code)]
pub fn ok(args: &[&str]) -> String {
    succeeded(args, gen_cmd(args))
}

/// Runs a command that must fail without a panic (no data folder); returns its standard error.
#[allow(dead_code)]
pub fn fails(args: &[&str]) -> String {
    failed(args, gen_cmd(args))
}

/// [`ok`] with `GEN_DATA_DIR` set to `data_dir`.
#[allow(dead_code)]
pub fn ok_with_data(args: &[&str], data_dir: &Path) -> String {
    succeeded(args, gen_with(data_dir, None, args))
}

/// [`fails`] with `GEN_DATA_DIR` set to `data_dir`.
#[allow(dead_code)]
pub fn fails_with_data(args: &[&str], data_dir: &Path) -> String {
    failed(args, gen_with(data_dir, None, args))
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

/// The number printed for `key` in `gen eval`'s `key = value` lines.
#[allow(dead_code)]
pub fn printed(out: &str, key: &str) -> f64 {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in {out}"))
        .parse()
        .unwrap()
}

/// A JSON file, parsed.
#[allow(dead_code)]
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
