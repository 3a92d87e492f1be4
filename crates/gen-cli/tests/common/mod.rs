//! What the CLI test files share: reading a run's `summary.json`, with the check that the schema
//! page names every key in it.

use std::path::Path;

/// The schema of `summary.json` (the table in docs/evaluation.md).
const SCHEMA_PAGE: &str = include_str!("../../../../docs/evaluation.md");

/// `RUN/summary.json`, after checking that docs/evaluation.md names each of its keys (in
/// backticks): the page cannot fall behind what `gen train` and `gen eval` write.
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
