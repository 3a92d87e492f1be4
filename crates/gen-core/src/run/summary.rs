//! `summary.json`: the final numbers of a run. Training writes it; `gen eval` merges its
//! metrics into it, so one file holds every number measured on a run.

use std::path::Path;

use serde_json::{Map, Value};

use super::RunError;
use super::atomic::write_atomic;

/// Reads `summary.json`, or an empty object when there is none yet.
pub fn read_summary(path: &Path) -> Result<Map<String, Value>, RunError> {
    if !path.exists() {
        return Ok(Map::new());
    }
    let text = std::fs::read_to_string(path).map_err(|e| RunError::io(path, e))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(RunError::Invalid {
            path: path.to_path_buf(),
            problem: "summary.json is not a JSON object".to_string(),
        }),
    }
}

/// Merges `values` into `summary.json` (existing keys are overwritten), atomically.
pub fn merge_summary(path: &Path, values: Map<String, Value>) -> Result<(), RunError> {
    let mut summary = read_summary(path)?;
    summary.extend(values);
    let text = serde_json::to_string_pretty(&Value::Object(summary)).expect("JSON serialises");
    write_atomic(path, text.as_bytes()).map_err(|e| RunError::io(path, e))
}
