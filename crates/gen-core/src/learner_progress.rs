//! A burn-train renderer that draws the Learner's progress as one of gen's progress bars
//! (indicatif), so a run trained through burn-train's `Learner` looks like every other run and
//! honours `--quiet`. burn-train's own CLI renderer prints a line per batch; its terminal
//! dashboard needs the `tui` feature, which gen leaves off to keep builds lean.

use std::sync::Mutex;

use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{MetricDefinition, NumericEntry};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

use crate::progress::Progress;

/// Draws each training split (train, valid) as a progress bar over its items, with the latest
/// numeric metric (the loss) as its message.
pub struct LearnerProgress {
    label: String,
    quiet: bool,
    epoch: usize,
    epochs: usize,
    bar: Mutex<Option<(Progress, usize)>>,
    last_value: Option<f64>,
}

impl LearnerProgress {
    /// A renderer labelled `label`; draws nothing when `quiet`.
    pub fn new(label: &str, quiet: bool) -> Self {
        Self {
            label: label.to_string(),
            quiet,
            epoch: 0,
            epochs: 0,
            bar: Mutex::new(None),
            last_value: None,
        }
    }

    fn finish_bar(&mut self) {
        if let Some((bar, _)) = self.bar.lock().expect("progress lock").take() {
            bar.finish();
        }
    }

    fn record(&mut self, state: &MetricState) {
        if let MetricState::Numeric(_, Some(entry)) = state {
            self.last_value = Some(match entry {
                NumericEntry::Value(v) | NumericEntry::Final(v) => *v,
                NumericEntry::Aggregated {
                    aggregated_value, ..
                } => *aggregated_value,
            });
        }
    }
}

impl MetricsRendererTraining for LearnerProgress {
    fn update_train(&mut self, state: MetricState) {
        self.record(&state);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.record(&state);
    }
}

impl MetricsRendererEvaluation for LearnerProgress {
    fn update_test(&mut self, _name: EvaluationName, state: MetricState) {
        self.record(&state);
    }
}

impl TrainingProgressLogger for LearnerProgress {
    fn start(
        &mut self,
        total_epochs: usize,
        starting_epoch: usize,
        _total_items: Option<usize>,
        _label: Option<&str>,
    ) {
        self.epochs = total_epochs;
        self.epoch = starting_epoch;
    }

    fn update_epoch(&mut self, epoch: usize) {
        self.epoch = epoch + 1;
    }

    fn start_split(&mut self, split: &str, total_items: usize) {
        self.finish_bar();
        let label = format!(
            "{} epoch {}/{} {split}",
            self.label,
            self.epoch.max(1),
            self.epochs
        );
        *self.bar.lock().expect("progress lock") =
            Some((Progress::new(&label, total_items as u64, 0, self.quiet), 0));
    }

    fn update_split(&mut self, items_processed: usize) {
        let last = self.last_value;
        if let Some((bar, done)) = self.bar.lock().expect("progress lock").as_mut() {
            while *done < items_processed {
                match last {
                    Some(v) => bar.step(v),
                    None => bar.tick(),
                }
                *done += 1;
            }
        }
    }

    fn end_split(&mut self) {
        self.finish_bar();
    }

    fn end(&mut self) {
        self.finish_bar();
    }

    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for LearnerProgress {
    fn start_global_progress(&mut self, _total_tests: usize) {}

    fn start_test(&mut self, name: &str, total_items: usize) {
        self.finish_bar();
        let label = format!("{} {name}", self.label);
        *self.bar.lock().expect("progress lock") =
            Some((Progress::new(&label, total_items as u64, 0, self.quiet), 0));
    }

    fn update_test_progress(&mut self, items_processed: usize) {
        self.update_split(items_processed);
    }

    fn end_test(&mut self) {
        self.finish_bar();
    }

    fn end_global_progress(&mut self) {}

    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for LearnerProgress {
    fn manual_close(&mut self) {}

    fn register_metric(&mut self, _definition: MetricDefinition) {}
}

/// The last epoch burn-train's Learner checkpointed in `dir` (its `checkpoint/model-E.bpk`
/// files), from which a killed training resumes.
pub fn last_checkpointed_epoch(dir: &std::path::Path) -> Option<usize> {
    std::fs::read_dir(dir.join("checkpoint"))
        .ok()?
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_prefix("model-")?
                .strip_suffix(".bpk")?
                .parse()
                .ok()
        })
        .max()
}
