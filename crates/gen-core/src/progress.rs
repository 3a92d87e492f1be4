//! Progress bars for long loops (indicatif): steps done, rate, time left and the current loss.
//! Hidden with `--quiet`, and by indicatif itself when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over a known number of steps.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` steps starting at `done`, labelled `label`; hidden when `quiet`.
    pub fn new(label: &str, total: u64, done: u64, quiet: bool) -> Self {
        let bar = ProgressBar::new(total);
        if quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, {eta} left) {msg}",
            )
            .expect("the template is valid"),
        );
        bar.set_prefix(label.to_string());
        bar.set_position(done);
        Self { bar }
    }

    /// Advances one step and shows `loss`.
    pub fn step(&self, loss: f64) {
        self.bar.set_message(format!("loss {loss:.4}"));
        self.bar.inc(1);
    }

    /// Advances one step without a loss.
    pub fn tick(&self) {
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
