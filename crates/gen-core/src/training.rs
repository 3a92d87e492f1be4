//! The outer training loop every method shares: epochs of seeded batches, periodic metric
//! logs, sample grids, learning-curve plots and atomic checkpoints, a progress bar, resume from
//! the last checkpoint, and a stop with a clear message on a non-finite loss.
//!
//! A method supplies a [`Trainer`] (its update rule and state); this loop owns everything else.
//! Resuming is exact: batch orders depend on `(seed, epoch)` and the device generator is
//! re-seeded from `(seed, step)` before every step (see [`crate::seed`]), so a run killed and
//! resumed computes the same numbers as one that was never interrupted.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::data::batch::{batches_per_epoch, epoch_batches};
use crate::data::{Dataset, ItemShape};
use crate::image_grid::{default_cols, write_grid};
use crate::plot::{Series, line_plot, scatter_plot};
use crate::progress::Progress;
use crate::run::finite_blobs::{NonFiniteValue, first_non_finite};
use crate::run::metrics::{read_metrics, series};
use crate::run::summary::merge_summary;
use crate::run::{Checkpoint, CheckpointError, MetricsLog, RunDir, RunError};
use crate::seed::{Stream, seed_device_for_step};
use crate::tensor_io::to_vec_f32;
use crate::validate::{self, ConfigError};

/// Errors of the training loop.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    /// The run folder could not be read or written.
    Run(#[from] RunError),
    #[error("training diverged: '{metric}' is {value} at step {step} (epoch {epoch}); {kept}")]
    /// A logged monitor is NaN or infinite.
    NonFinite {
        /// The monitor's name.
        metric: String,
        /// Its value.
        value: f64,
        /// The step it was logged at.
        step: u64,
        /// The epoch of that step.
        epoch: u64,
        /// What is left to resume from or sample: the last good checkpoint, or that none exists.
        kept: String,
    },
    #[error("training diverged by step {step} (epoch {epoch}): {value}; {kept}")]
    /// A value the trainer is about to checkpoint, or a sample of its model, is NaN or infinite.
    NonFiniteState {
        /// Where the value is.
        value: NonFiniteValue,
        /// The step of the checkpoint that was refused.
        step: u64,
        /// Its epoch.
        epoch: u64,
        /// What is left to resume from or sample.
        kept: String,
    },
    /// The checkpoint to resume from does not fit the trainer.
    #[error(transparent)]
    State(#[from] CheckpointError),
    /// The loop's settings contradict themselves or the data.
    #[error("cannot train: {0}")]
    Config(#[from] ConfigError),
}

/// A method's update rule and state.
pub trait Trainer {
    /// One parameter update on `batch` (`[batch_size, dim]` on the device). `step` counts updates
    /// from 0 and `total_steps` is the run's length (for schedules). When `log` is true, return
    /// the monitors to record as one-element tensors; otherwise return nothing, so that no
    /// monitor work or device sync happens on unlogged steps.
    fn train_step(
        &mut self,
        batch: Tensor<2>,
        step: u64,
        total_steps: u64,
        log: bool,
    ) -> Vec<(&'static str, Tensor<1>)>;

    /// The state to checkpoint, as named blobs (model, optimiser, sampler state).
    fn save_state(&self) -> Vec<(String, Vec<u8>)>;

    /// Restores what [`save_state`](Trainer::save_state) wrote.
    fn load_state(&mut self, checkpoint: &Checkpoint) -> Result<(), CheckpointError>;

    /// `n` samples from the current model, for the sample grids (`None` if it cannot sample).
    fn samples(&mut self, n: usize, step: u64) -> Option<Tensor<2>>;

    /// Metrics computed once per epoch end (e.g. an exact test log-likelihood).
    fn epoch_metrics(&mut self, _epoch: u64) -> Vec<(&'static str, f64)> {
        Vec::new()
    }

    /// Values computed from the state about to be checkpointed (the logged monitors come from
    /// before the step's update). A non-finite one stops the run before the checkpoint is
    /// written, so that the last checkpoint kept is a good one. Default: none.
    fn state_monitors(&mut self) -> Vec<(&'static str, f64)> {
        Vec::new()
    }
}

/// Settings of the loop itself.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Passes over the training data.
    pub epochs: u64,
    /// Examples per update.
    pub batch_size: usize,
    /// Seed of the batch order and of the device generator before each step.
    pub seed: u64,
    /// Log monitors every this many steps (and at every checkpoint).
    pub log_every: u64,
    /// Checkpoint every this many steps, and at every reported epoch end.
    pub checkpoint_every: u64,
    /// Epoch-end work (epoch metrics, sample grid, learning curves, a checkpoint) every this many
    /// epochs and at the end; 1 for every epoch. Methods with epochs of a few steps (GMMN: one
    /// batch of 1,000) report less often.
    pub epochs_per_report: u64,
    /// Images in each sample grid (0 disables the grids).
    pub grid_samples: usize,
    /// The shape of what [`Trainer::samples`] returns when it is not the training data's
    /// (GMMN+AE trains on codes and samples images); `None`: the data's shape.
    pub sample_shape: Option<ItemShape>,
    /// Hide the progress bar.
    pub quiet: bool,
    /// The progress bar's label.
    pub label: String,
}

/// What the loop returns.
#[derive(Debug, Clone)]
pub struct LoopOutcome {
    /// Steps done in total (including those before a resume).
    pub steps: u64,
    /// Wall time of the training loop alone, across resumes.
    pub train_seconds: f64,
    /// The last value of every logged monitor and epoch metric.
    pub last: Vec<(String, f64)>,
}

/// Samples drawn from the model before each checkpoint, to check that they are finite.
const CHECKED_SAMPLES: usize = 16;

/// What a diverged run leaves behind, for its error message.
fn kept_checkpoint(run: &RunDir) -> String {
    match run.checkpoints().steps().last() {
        Some(step) => format!(
            "the last good checkpoint (step {step}) is kept in {}",
            run.checkpoints_dir().display()
        ),
        None => "no checkpoint had been written yet, so nothing is kept".to_string(),
    }
}

fn check_finite(
    values: &[(String, f64)],
    step: u64,
    epoch: u64,
    run: &RunDir,
) -> Result<(), TrainError> {
    for (metric, value) in values {
        if !value.is_finite() {
            return Err(TrainError::NonFinite {
                metric: metric.clone(),
                value: *value,
                step,
                epoch,
                kept: kept_checkpoint(run),
            });
        }
    }
    Ok(())
}

fn set_last(last: &mut Vec<(String, f64)>, values: &[(String, f64)]) {
    for (k, v) in values {
        match last.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = *v,
            None => last.push((k.clone(), *v)),
        }
    }
}

/// Redraws every learning curve from `metrics.jsonl`, one plot per logged key.
pub fn plot_learning_curves(run: &RunDir) -> Result<(), RunError> {
    let records = read_metrics(&run.metrics_path())?;
    let mut keys: Vec<String> = Vec::new();
    for r in &records {
        if let Some(obj) = r.as_object() {
            for k in obj.keys() {
                if !["step", "epoch", "wall_s"].contains(&k.as_str()) && !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
    }
    for key in keys {
        let points = series(&records, &key);
        if points.len() < 2 {
            continue;
        }
        let path = run.plots_dir().join(format!("{key}.png"));
        line_plot(
            &path,
            &key,
            "step",
            &key,
            &[Series {
                name: key.clone(),
                points,
            }],
        )
        .map_err(|e| RunError::Io { path, error: e })?;
    }
    Ok(())
}

fn write_sample_grid(
    trainer: &mut dyn Trainer,
    shape: ItemShape,
    n: usize,
    step: u64,
    run: &RunDir,
) -> Result<(), RunError> {
    let points = matches!(shape, ItemShape::Vector { dim: 2 });
    if n == 0 || !(points || matches!(shape, ItemShape::Image { .. })) {
        return Ok(());
    }
    if let Some(samples) = trainer.samples(n, step) {
        let values = to_vec_f32(samples);
        let path = run.samples_dir().join(format!("step-{step:08}.png"));
        if points {
            // 2-D data: the samples as a scatter plot over their own square range.
            let xy: Vec<[f64; 2]> = values
                .chunks_exact(2)
                .map(|p| [p[0] as f64, p[1] as f64])
                .collect();
            let extent = xy
                .iter()
                .flat_map(|p| [p[0].abs(), p[1].abs()])
                .filter(|v| v.is_finite())
                .fold(1.0, f64::max);
            scatter_plot(
                &path,
                &format!("samples at step {step}"),
                (-1.05 * extent, 1.05 * extent),
                &[("samples".to_string(), xy)],
            )
            .map_err(|e| RunError::Io {
                path: path.clone(),
                error: e,
            })?;
        } else {
            write_grid(&path, &values, shape, default_cols(n)).map_err(|e| RunError::Invalid {
                path: path.clone(),
                problem: e.to_string(),
            })?;
        }
    }
    Ok(())
}

/// Row indices as an integer tensor on `device`.
fn index_tensor(indices: &[usize], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
    Tensor::from_data(TensorData::new(values, [indices.len()]), device)
}

/// Trains `trainer` on `data` into `run`, resuming from its last checkpoint when `resume`.
pub fn run_training(
    trainer: &mut dyn Trainer,
    data: &Dataset,
    device: &Device,
    run: &RunDir,
    opts: &LoopOptions,
    resume: bool,
) -> Result<LoopOutcome, TrainError> {
    validate::at_least("log_every", opts.log_every as usize, 1)?;
    validate::at_least("checkpoint_every", opts.checkpoint_every as usize, 1)?;
    validate::batch_size("batch_size", opts.batch_size)?;
    if data.len() < opts.batch_size {
        return Err(TrainError::Config(ConfigError::Invalid(format!(
            "the batch size {} is larger than the {} training examples of '{}'",
            opts.batch_size,
            data.len(),
            data.name
        ))));
    }
    // A caller that has not locked the run (a library user) gets the lock here, for the loop.
    let mut own_lock = None;
    if !run.is_locked() {
        let mut locked = run.clone();
        locked.lock_for_training()?;
        own_lock = Some(locked);
    }
    let run = own_lock.as_ref().unwrap_or(run);
    let sample_shape = opts.sample_shape.unwrap_or(data.item_shape);
    let per_epoch = batches_per_epoch(data.len(), opts.batch_size) as u64;
    let total_steps = per_epoch.checked_mul(opts.epochs).ok_or_else(|| {
        TrainError::Config(ConfigError::Invalid(format!(
            "{} epochs of {per_epoch} steps overflow the step counter; ask for fewer epochs",
            opts.epochs
        )))
    })?;
    let store = run.checkpoints();
    let mut step = 0u64;
    if resume && let Some(ckpt) = store.latest()? {
        trainer.load_state(&ckpt)?;
        step = ckpt.step;
    }
    let mut log = MetricsLog::open(&run.metrics_path(), resume.then_some(step))?;
    let progress = Progress::new(&opts.label, total_steps, step, opts.quiet);
    let mut last: Vec<(String, f64)> = Vec::new();
    // Every saved number is checked before the checkpoint is written, and so are a few samples
    // of the model about to be saved: the logged monitors come from before a step's update, so
    // a diverged model can look fine in the logs, and weights that are finite but huge (a
    // learning rate of 1e37) give nothing but infinities and NaN when sampled.
    let checkpoint = |trainer: &mut dyn Trainer, step: u64, epoch: u64| -> Result<(), TrainError> {
        if let Some(samples) = trainer.samples(CHECKED_SAMPLES, step)
            && let Some(&bad) = to_vec_f32(samples).iter().find(|v| !v.is_finite())
        {
            return Err(TrainError::NonFinite {
                metric: "a sample of the model about to be checkpointed".to_string(),
                value: bad as f64,
                step,
                epoch,
                kept: kept_checkpoint(run),
            });
        }
        let blobs = trainer.save_state();
        if let Some(value) = blobs
            .iter()
            .find_map(|(name, bytes)| first_non_finite(name, bytes))
        {
            return Err(TrainError::NonFiniteState {
                value,
                step,
                epoch,
                kept: kept_checkpoint(run),
            });
        }
        store.save(&Checkpoint {
            step,
            epoch,
            state: serde_json::json!({ "total_steps": total_steps }),
            blobs,
        })?;
        Ok(())
    };
    if step == 0 {
        write_sample_grid(trainer, sample_shape, opts.grid_samples, 0, run)?;
    }
    // The training set goes to the device once; each step sends only its batch's indices.
    let on_device = data.to_tensor(device);
    while step < total_steps {
        let epoch = step / per_epoch;
        let batches = epoch_batches(data.len(), opts.batch_size, opts.seed, epoch);
        for indices in &batches[(step - epoch * per_epoch) as usize..] {
            seed_device_for_step(device, opts.seed, Stream::Step, step);
            let batch = on_device.clone().select(0, index_tensor(indices, device));
            // Epoch-end work (epoch metrics, grids, plots, checkpoint) every
            // `epochs_per_report` epochs and at the last step.
            let at_epoch_end = (step + 1).is_multiple_of(per_epoch)
                && (((step + 1) / per_epoch).is_multiple_of(opts.epochs_per_report.max(1))
                    || step + 1 == total_steps);
            let wants_checkpoint = (step + 1).is_multiple_of(opts.checkpoint_every) || at_epoch_end;
            let wants_log = (step + 1).is_multiple_of(opts.log_every) || wants_checkpoint;
            let monitors = trainer.train_step(batch, step, total_steps, wants_log);
            step += 1;
            if wants_log {
                let values: Vec<(String, f64)> = monitors
                    .into_iter()
                    .map(|(k, t)| (k.to_string(), to_vec_f32(t)[0] as f64))
                    .collect();
                check_finite(&values, step, epoch, run)?;
                let refs: Vec<(&str, f64)> = values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                log.log(step, epoch, &refs)?;
                if let Some((_, v)) = values.first() {
                    progress.step(*v);
                } else {
                    progress.tick();
                }
                set_last(&mut last, &values);
            } else {
                progress.tick();
            }
            if at_epoch_end {
                let metrics: Vec<(String, f64)> = trainer
                    .epoch_metrics(epoch + 1)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                if !metrics.is_empty() {
                    check_finite(&metrics, step, epoch + 1, run)?;
                    let refs: Vec<(&str, f64)> =
                        metrics.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                    log.log(step, epoch + 1, &refs)?;
                    set_last(&mut last, &metrics);
                }
                write_sample_grid(trainer, sample_shape, opts.grid_samples, step, run)?;
                plot_learning_curves(run)?;
            }
            if wants_checkpoint {
                let state: Vec<(String, f64)> = trainer
                    .state_monitors()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                check_finite(&state, step, step / per_epoch, run)?;
                checkpoint(trainer, step, step / per_epoch)?;
            }
        }
    }
    progress.finish();
    let train_seconds = log.wall_seconds();
    let mut summary = serde_json::Map::new();
    summary.insert("train_seconds".into(), train_seconds.into());
    summary.insert("steps".into(), step.into());
    for (k, v) in &last {
        summary.insert(k.clone(), serde_json::json!(v));
    }
    merge_summary(&run.summary_path(), summary)?;
    Ok(LoopOutcome {
        steps: step,
        train_seconds,
        last,
    })
}
