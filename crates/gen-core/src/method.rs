//! A trainable generative method as a whole: how a run of it is configured and trained, how a
//! trained run is loaded, sampled, evaluated and exported. Each method crate implements
//! [`GenerativeMethod`] in its `run` module, so that a program depending on that crate alone
//! does everything the `gen` command line does with the method; `gen` itself only maps its
//! arguments onto these requests and keeps a registry from a run's `method` name to the crate
//! that loads it (docs/core.md draws the flow).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use burn::tensor::Device;
use serde_json::{Map, Value};

use crate::backend::BackendName;
use crate::data::ItemShape;
use crate::direction::Direction;
use crate::metrics::Metric;
use crate::run::RunDir;
use crate::run::setup::RunConfig;
use crate::safetensors::NamedTensor;

/// What every `gen train <method>` is asked, whatever the method: the data, the seed, where to
/// write, and the configuration changes (`--config`, `--epochs`, `--set`; the method's own flags
/// come beside it as its [`GenerativeMethod::Flags`]), or `resume` to continue a run exactly as
/// configured.
#[derive(Debug, Clone, Default)]
pub struct TrainRequest {
    /// Dataset name (`gen datasets`) or a folder.
    pub data: String,
    /// Passes over the training set; `None` keeps the method's paper setting.
    pub epochs: Option<u64>,
    /// Seed of every random draw of the run.
    pub seed: u64,
    /// The run folder; `None` is `runs/<method>-<data>-<seed>`.
    pub out: Option<PathBuf>,
    /// The backend; `None` is the first compiled in (a new run) or the run's own (`resume`).
    pub backend: Option<BackendName>,
    /// `field=value` overrides, applied last.
    pub sets: Vec<String>,
    /// A TOML file of configuration fields, applied before `sets`.
    pub config: Option<PathBuf>,
    /// Continue the run in `out` from its last checkpoint.
    pub resume: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// What `gen sample` asks of a trained run.
#[derive(Debug, Clone, Copy)]
pub struct DrawRequest {
    /// Samples wanted.
    pub n: usize,
    /// Consecutive states of a few Markov chains instead of independent samples.
    pub chain: bool,
    /// Markov-chain steps before the returned samples; `None` keeps the run's setting.
    pub steps: Option<usize>,
    /// Seed of the sampling draws.
    pub seed: u64,
}

impl DrawRequest {
    /// Refuses `chain` and `steps` for a method that draws independent samples; `instead` says
    /// what the method's samples are.
    pub fn refuse_chain_options(&self, instead: &str) -> Result<()> {
        if self.chain || self.steps.is_some() {
            bail!("{instead}: --chain and --steps apply to Markov-chain samplers");
        }
        Ok(())
    }
}

/// Samples of a trained run, row-major, with the shape of one and the grid's columns.
#[derive(Debug, Clone)]
pub struct Drawn {
    /// `count * shape.len()` values.
    pub values: Vec<f32>,
    /// The shape of one sample.
    pub shape: ItemShape,
    /// Columns of a PNG grid of them.
    pub cols: usize,
}

/// What `gen eval` asks of a trained run.
#[derive(Debug, Clone, Copy)]
pub struct EvalRequest<'a> {
    /// The metric's name (each method lists its own in its error for an unknown one).
    pub metric: Metric,
    /// Data to evaluate on; `None` is the test split of the run's training data.
    pub data: Option<&'a str>,
    /// The evaluation classifier's folder; `None` is the data's default artefact.
    pub classifier: Option<&'a Path>,
}

/// What `gen translate` asks of a trained translation run.
#[derive(Debug, Clone, Copy)]
pub struct TranslateRequest<'a> {
    /// Which way to translate.
    pub direction: Direction,
    /// Folder of images to translate.
    pub input: &'a Path,
    /// Folder to write the translations to.
    pub out: &'a Path,
}

/// A trained run of some method, loaded onto a device: what `sample`, `eval`, `export` and
/// `translate` act on, whatever the method.
pub trait TrainedRun {
    /// The shape of one sample (`None`: the run does not draw samples).
    fn sample_shape(&self) -> Option<ItemShape>;

    /// Draws samples (or, for a translation run, triplets of test images).
    fn draw(&self, request: &DrawRequest, device: &Device) -> Result<Drawn>;

    /// Computes `request.metric` on the run; the numbers `gen eval` prints and merges into
    /// `summary.json`.
    fn eval(
        &self,
        run: &RunDir,
        request: &EvalRequest<'_>,
        device: &Device,
    ) -> Result<Map<String, Value>>;

    /// The run's tensors under the names its documentation gives, for other tools.
    fn export(&self, run: &RunDir) -> Result<Vec<NamedTensor>>;

    /// Translates a folder of images; only translation runs do.
    fn translate(
        &self,
        run: &RunDir,
        _request: &TranslateRequest<'_>,
        _device: &Device,
    ) -> Result<()> {
        bail!(
            "{} is not a translation run: gen translate needs a run of gen train cyclegan or unit",
            run.root().display()
        )
    }
}

/// A method's command-line shortcuts for configuration fields (`gen train rbm --hidden 500`),
/// written into its typed configuration after `--config` and before `--set`.
pub trait Shortcuts<C> {
    /// Whether none was given (a resumed run takes none).
    fn is_empty(&self) -> bool;
    /// Writes the given shortcuts into `config`; refuses a value that names nothing (an unknown
    /// method, say).
    fn apply(&self, config: &mut C) -> Result<()>;
}

/// No shortcuts (the evaluation classifier has none).
impl<C> Shortcuts<C> for () {
    fn is_empty(&self) -> bool {
        true
    }

    fn apply(&self, _config: &mut C) -> Result<()> {
        Ok(())
    }
}

/// A generative method: the names its runs carry in `config.toml`'s `method` field, its run
/// configuration (the papers' settings per data set, in `Config`'s constructors), its
/// command-line shortcuts, training, and loading a trained run.
pub trait GenerativeMethod {
    /// The `method` values of its runs (`gmmn` and `gmmn-ae` are one method).
    const NAMES: &'static [&'static str];
    /// Everything a run is determined by, as `RUN/config.toml` holds it.
    type Config: RunConfig;
    /// The method's own shortcuts for configuration fields (`gen train rbm --hidden 500`).
    type Flags: Shortcuts<Self::Config>;
    /// A trained run, loaded.
    type Trained: TrainedRun + 'static;

    /// Trains a new run of `name` (one of `NAMES`), or resumes one, into its run folder.
    fn train(name: &str, request: &TrainRequest, flags: &Self::Flags) -> Result<()>;

    /// Loads a run's configuration and latest checkpoint onto `device` (else the run's own
    /// backend's).
    fn load(run: &RunDir, device: Option<&Device>) -> Result<(Self::Trained, Device)>;
}

/// A `side x side` grey image when `dim` is a square, else a vector: the shape of a run's
/// samples when only their width is known.
pub fn square_image_shape(dim: usize) -> ItemShape {
    let side = (dim as f64).sqrt().round() as usize;
    if side * side == dim {
        ItemShape::Image {
            channels: 1,
            height: side,
            width: side,
        }
    } else {
        ItemShape::Vector { dim }
    }
}
