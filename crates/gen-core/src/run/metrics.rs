//! `metrics.jsonl`: one JSON object per logged step, appended and flushed as training goes so a
//! killed run keeps everything logged before the kill.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};

use super::RunError;

/// Appends metric records to a run's `metrics.jsonl`.
#[derive(Debug)]
pub struct MetricsLog {
    path: PathBuf,
    file: File,
    started: Instant,
    /// Wall time already spent before a resume, so `wall_s` keeps counting from the first start.
    wall_offset: f64,
}

impl MetricsLog {
    /// Opens the log for appending. On resume, records after `resume_step` (logged by the killed
    /// process after its last checkpoint) are dropped, since the resumed run logs them again,
    /// and `wall_s` continues from the last kept record.
    pub fn open(path: &Path, resume_step: Option<u64>) -> Result<Self, RunError> {
        let mut wall_offset = 0.0;
        match resume_step {
            Some(step) if path.exists() => {
                let kept: Vec<Value> = read_metrics(path)?
                    .into_iter()
                    .filter(|r| {
                        r.get("step")
                            .and_then(Value::as_u64)
                            .is_some_and(|s| s <= step)
                    })
                    .collect();
                wall_offset = kept
                    .last()
                    .and_then(|r| r.get("wall_s"))
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0);
                let text: String = kept.iter().map(|r| format!("{r}\n")).collect();
                super::atomic::write_atomic(path, text.as_bytes())
                    .map_err(|e| RunError::io(path, e))?;
            }
            Some(_) => {}
            None => {
                std::fs::write(path, b"").map_err(|e| RunError::io(path, e))?;
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| RunError::io(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            started: Instant::now(),
            wall_offset,
        })
    }

    /// Seconds since training began (across resumes).
    pub fn wall_seconds(&self) -> f64 {
        self.wall_offset + self.started.elapsed().as_secs_f64()
    }

    /// Appends `{step, epoch, wall_s, ...values}`.
    pub fn log(&mut self, step: u64, epoch: u64, values: &[(&str, f64)]) -> Result<(), RunError> {
        let mut record = Map::new();
        record.insert("step".into(), step.into());
        record.insert("epoch".into(), epoch.into());
        record.insert("wall_s".into(), self.wall_seconds().into());
        for (k, v) in values {
            // JSON has no NaN/inf: write them as null rather than corrupt the line.
            let value = serde_json::Number::from_f64(*v).map_or(Value::Null, Value::Number);
            record.insert((*k).to_string(), value);
        }
        // One `write` of the whole line on a file opened for appending: a kill cannot tear a
        // record in the middle, and two writers' records cannot interleave within a line.
        let line = format!("{}\n", Value::Object(record));
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| RunError::io(&self.path, e))
    }
}

/// Reads every record of a `metrics.jsonl`; a torn last line (a kill mid-write) is skipped.
pub fn read_metrics(path: &Path) -> Result<Vec<Value>, RunError> {
    let file = File::open(path).map_err(|e| RunError::io(path, e))?;
    let mut out = Vec::new();
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| RunError::io(path, e))?;
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            out.push(v);
        }
    }
    Ok(out)
}

/// The `(step, value)` series of one key, skipping records without it.
pub fn series(records: &[Value], key: &str) -> Vec<(f64, f64)> {
    series_against(records, "step", key)
}

/// The `(x, value)` series of one key against another (e.g. `wall_s`), skipping records
/// without either.
pub fn series_against(records: &[Value], x_key: &str, key: &str) -> Vec<(f64, f64)> {
    records
        .iter()
        .filter_map(|r| Some((r.get(x_key)?.as_f64()?, r.get(key)?.as_f64()?)))
        .collect()
}
