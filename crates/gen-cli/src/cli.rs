//! The `gen` command line: one grammar for every method.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use gen_core::backend::BackendName;
use gen_core::direction::Direction;
use gen_core::loss::GanLoss;
use gen_core::metrics::Metric;
use gen_rbm::train::Method as RbmTrainMethod;

/// Train, sample and evaluate classic generative models (RBM, GMMN, DAE, deep energy models,
/// CycleGAN/UNIT).
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every dataset, where it is looked for, and whether it is present.
    Datasets,
    /// Train a model into a run directory.
    Train(TrainCommand),
    /// Draw samples from a trained run into a PNG grid or a .npy array.
    Sample(SampleArgs),
    /// Evaluate a trained run; prints the numbers and merges them into RUN/summary.json.
    Eval(EvalArgs),
    /// Export a trained run's tensors for other tools.
    Export(ExportArgs),
    /// Translate a folder of images with a trained translation run (CycleGAN, UNIT).
    Translate(TranslateArgs),
}

/// `gen train <method> ...`
#[derive(Debug, Args)]
pub struct TrainCommand {
    #[command(subcommand)]
    pub method: TrainMethod,
}

#[derive(Debug, Subcommand)]
pub enum TrainMethod {
    /// Bernoulli RBM trained with CD-k, PCD, FPCD or parallel tempering.
    Rbm(RbmArgs),
    /// Generative moment matching network on pixels (Li, Swersky & Zemel 2015).
    Gmmn(GmmnArgs),
    /// GMMN in the code space of an auto-encoder trained first (GMMN+AE).
    #[command(name = "gmmn-ae")]
    GmmnAe(GmmnArgs),
    /// Denoising auto-encoder as a generative model, simple or walkback (Bengio et al. 2013).
    Dae(DaeArgs),
    /// Deep energy model trained against a generator (Kim & Bengio 2016).
    Ebm(EbmArgs),
    /// CycleGAN: unpaired image-to-image translation (Zhu et al. 2017).
    Cyclegan(CycleGanArgs),
    /// UNIT: unpaired translation through a shared latent space (Liu, Breuel & Kautz 2017).
    Unit(UnitArgs),
    /// The evaluation classifier (Fréchet distance, label preservation), trained with
    /// burn-train's Learner [default --out: DATA/classifiers/<data>-v1].
    Classifier(CommonTrainArgs),
}

/// Options every `gen train <method>` takes.
#[derive(Debug, Args, Clone)]
pub struct CommonTrainArgs {
    /// Dataset name (see `gen datasets`) or a path to a folder.
    #[arg(long)]
    pub data: String,
    /// Passes over the training set [default: the method's paper setting].
    #[arg(long)]
    pub epochs: Option<u64>,
    /// Seed of every random draw of the run.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Run directory to write [default: runs/<method>-<data>-<seed>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Backend to run on [default: the first compiled in: flex, ndarray, wgpu, cuda].
    #[arg(long, value_enum)]
    pub backend: Option<BackendName>,
    /// Set any configuration field, e.g. `--set train.k=10` or `--set hidden=500` (repeatable).
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub sets: Vec<String>,
    /// Read configuration fields from a TOML file (applied before --set).
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Continue the run in --out from its last checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `gen train rbm`: shortcuts for the RBM's most used fields.
#[derive(Debug, Args)]
pub struct RbmArgs {
    #[command(flatten)]
    pub common: CommonTrainArgs,
    /// Hidden units (shortcut for --set model.hidden=H) [default: 25].
    #[arg(long)]
    pub hidden: Option<usize>,
    /// Negative-phase method: cd, pcd, fpcd or pt (shortcut for --set train.method=M) [default: pcd].
    #[arg(long)]
    pub method: Option<RbmTrainMethod>,
    /// Gibbs steps per update (shortcut for --set train.k=K) [default: 1].
    #[arg(long)]
    pub k: Option<usize>,
}

/// `gen train gmmn|gmmn-ae`: shortcuts for the GMMN's most used fields.
#[derive(Debug, Args)]
pub struct GmmnArgs {
    #[command(flatten)]
    pub common: CommonTrainArgs,
    /// Width of the uniform noise (shortcut for --set model.noise=N) [default: 10].
    #[arg(long)]
    pub noise: Option<usize>,
}

/// `gen train dae`: shortcuts for the DAE's most used fields.
#[derive(Debug, Args)]
pub struct DaeArgs {
    #[command(flatten)]
    pub common: CommonTrainArgs,
    /// Walkback training with a fixed number of steps (5 when given without a value, as the
    /// original code) [default: simple training].
    #[arg(long, num_args = 0..=1, default_missing_value = "5", value_name = "STEPS")]
    pub walkback: Option<usize>,
    /// Walkback with the lecture's coin: continue with probability P, in [0, 1).
    #[arg(long, value_name = "P", conflicts_with = "walkback")]
    pub walkback_p: Option<f64>,
    /// Most steps of a coin walk.
    #[arg(long, default_value_t = 10, value_name = "STEPS")]
    pub walkback_max: usize,
    /// Corruption level: salt-and-pepper or masking probability, or Gaussian std
    /// [default: 0.4 salt-and-pepper for images, 0.1 Gaussian for points].
    #[arg(long, value_name = "LEVEL")]
    pub noise: Option<f64>,
}

/// `gen train ebm`: shortcuts for the deep energy model's most used fields.
#[derive(Debug, Args)]
pub struct EbmArgs {
    #[command(flatten)]
    pub common: CommonTrainArgs,
    /// Weight of the generator's entropy term (shortcut for --set train.entropy_weight=W)
    /// [default: 1, the lecture's KL].
    #[arg(long, value_name = "W")]
    pub entropy_weight: Option<f64>,
    /// Train the generator without the entropy term (it then seeks argmin E).
    #[arg(long, conflicts_with = "entropy_weight")]
    pub no_entropy: bool,
    /// Energy steps per generator step [default: 1].
    #[arg(long, value_name = "K")]
    pub energy_steps: Option<u64>,
    /// Sigma of the energy's quadratic term |x|^2 / sigma^2 [default: 1 for images, the data
    /// square's half-side for points].
    #[arg(long)]
    pub sigma: Option<f64>,
}

/// `gen train cyclegan`: shortcuts for CycleGAN's most used fields.
#[derive(Debug, Args)]
pub struct CycleGanArgs {
    #[command(flatten)]
    pub common: CommonTrainArgs,
    /// Weight of the cycle-consistency losses (shortcut for --set train.cycle_weight=W)
    /// [default: 10].
    #[arg(long, value_name = "W")]
    pub cycle_weight: Option<f64>,
    /// Weight of the identity losses as a fraction of the cycle weight, 0 for none
    /// [default: 0.5].
    #[arg(long, value_name = "W")]
    pub identity_weight: Option<f64>,
    /// Adversarial objective: least-squares (the reference's) or log (the lecture's)
    /// [default: least-squares].
    #[arg(long, value_enum)]
    pub gan: Option<GanLoss>,
}

/// `gen train unit`: shortcuts for UNIT's most used fields.
#[derive(Debug, Args)]
pub struct UnitArgs {
    #[command(flatten)]
    pub common: CommonTrainArgs,
    /// Give each domain its own high-level blocks, as the reference's public code does
    /// (shortcut for --set model.share=false) [default: shared, as the paper].
    #[arg(long)]
    pub no_share: bool,
}

/// `gen translate RUN --direction a2b|b2a --input DIR --out DIR`
#[derive(Debug, Args)]
pub struct TranslateArgs {
    /// Run directory written by `gen train cyclegan` or `gen train unit`.
    pub run: PathBuf,
    /// a2b (domain A to B) or b2a.
    #[arg(long, value_enum)]
    pub direction: Direction,
    /// Folder of PNG or JPEG images to translate.
    #[arg(long)]
    pub input: PathBuf,
    /// Folder to write the translations to, one per input, with the input's file name.
    #[arg(long)]
    pub out: PathBuf,
    /// Backend to run on [default: the one the run was trained on, if compiled in].
    #[arg(long, value_enum)]
    pub backend: Option<BackendName>,
}

/// `gen sample RUN -n N --out FILE`
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Run directory written by `gen train`.
    pub run: PathBuf,
    /// Number of samples.
    #[arg(short = 'n', default_value_t = 64)]
    pub n: usize,
    /// Output: FILE.png for a grid, FILE.npy for the raw float32 samples [N, ...].
    #[arg(long)]
    pub out: PathBuf,
    /// Show consecutive states of a few Markov chains instead of independent samples.
    #[arg(long)]
    pub chain: bool,
    /// Markov-chain steps before the returned samples [default: the run's setting: RBM sample.gibbs_steps, DAE chain.burn_in].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Seed of the sampling draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Backend to run on [default: the one the run was trained on, if compiled in].
    #[arg(long, value_enum)]
    pub backend: Option<BackendName>,
}

/// `gen eval RUN --metric NAME`
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Run directory written by `gen train`.
    pub run: PathBuf,
    /// Metric to compute (RBM: exact, ais, raise, recon, pseudo-likelihood; RBM, GMMN, DAE, EBM:
    /// parzen, mmd, fd; EBM on 2-D data: exact2d; CycleGAN, UNIT: translation, labels;
    /// classifier: accuracy).
    #[arg(long)]
    pub metric: Metric,
    /// Data to evaluate on [default: the test split of the run's training data].
    #[arg(long)]
    pub data: Option<String>,
    /// Evaluation classifier of fd and labels [default: DATA/classifiers/<data>-v1, written by
    /// `gen train classifier --data <data>`].
    #[arg(long, value_name = "DIR")]
    pub classifier: Option<PathBuf>,
    /// Backend to run on [default: the one the run was trained on, if compiled in].
    #[arg(long, value_enum)]
    pub backend: Option<BackendName>,
}

/// `gen export RUN --format safetensors`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Run directory written by `gen train`.
    pub run: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "safetensors")]
    pub format: ExportFormat,
    /// Output file [default: RUN/model.safetensors].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Hugging Face safetensors (load with `safetensors.numpy.load_file`).
    Safetensors,
}
