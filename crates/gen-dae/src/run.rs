//! The DAE as a method of `gen` (`gen train dae`, sample, eval, export): its run configuration
//! with the original code's settings, training into a run folder, and what a trained run does.
//!
//! Images get the original code's model (tied sigmoid DAE, salt-and-pepper corruption,
//! Bernoulli reconstruction, SGD); points (the 2-D densities) get an MLP denoiser with Gaussian
//! corruption and reconstruction, trained with Adam.

use std::path::PathBuf;

use crate::chain::{Chain, ChainConfig, ChainStart, noise_start};
use crate::corruption::CorruptionConfig;
use crate::train::{ChainStartFn, OptimizerKind};
use crate::walkback::Walkback;
use crate::{
    DaeTrainConfig, DaeTrainer, Denoiser, MlpDenoiser, MlpDenoiserConfig, Reconstruction, TiedDae,
    TiedDaeConfig,
};
use anyhow::{Context, Result, anyhow, bail};
use burn::tensor::{Device, Tensor, TensorData};
use gen_core::data::{Binarize, Dataset, ItemShape, Loaded, Splits};
use gen_core::run::{CheckpointError, RunDir};
use gen_core::safetensors::NamedTensor;
use gen_core::seed::{Stream, derive};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use gen_core::backend::{BackendName, device_for};
use gen_core::method::{
    DrawRequest, Drawn, EvalRequest, GenerativeMethod, Shortcuts, TrainRequest, TrainedRun,
};
use gen_core::metrics::sample_eval::{SampleEval, eval_samples};
use gen_core::run::setup::{RunConfig, default_out, prepare_run, trained_config};

/// The denoising network of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DaeModel {
    /// The original code's one hidden sigmoid layer with tied weights (`hidden_size=2000`).
    Tied {
        /// Hidden units.
        hidden: usize,
    },
    /// `r(x') = x' + g(x')`, `g` a `tanh` MLP (points).
    Mlp {
        /// Widths of the `tanh` layers.
        hidden: Vec<usize>,
    },
}

/// Everything a run of `gen train dae` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DaeRunConfig {
    /// Always `dae`.
    pub method: String,
    /// The data to train on (a registry name or a path).
    pub data: String,
    /// Seed of the initialisation, the batch order and the corruption draws.
    pub seed: u64,
    /// Passes over the training data (images: `n_epoch=500` of `run_dae_walkback.py`).
    pub epochs: u64,
    /// Backend the run trains on.
    pub backend: BackendName,
    /// Images: threshold at 0.5 as the original code's binary MNIST (`MNIST_binary`).
    pub binarize: Binarize,
    /// Log the loss every this many updates.
    pub log_every: u64,
    /// Checkpoint every this many updates.
    pub checkpoint_every: u64,
    /// Sample grids and learning curves every this many epochs.
    pub epochs_per_report: u64,
    /// The denoiser's architecture.
    pub model: DaeModel,
    /// Corruption, walkback and optimiser settings.
    pub train: DaeTrainConfig,
    /// How `gen sample` and `gen eval` draw from the chain.
    pub chain: ChainConfig,
}

/// Whether `data` names a set of points (the 2-D densities) rather than images.
fn is_points(data: &str) -> bool {
    gen_core::data::density2d::Density2d::from_name(data).is_some()
}

impl DaeRunConfig {
    /// The original code's settings for images; ours (see `crate::mlp`) for points.
    pub fn defaults(data: &str, seed: u64, backend: BackendName) -> Self {
        if is_points(data) {
            // Corruption and reconstruction std 0.1 (the two moons' own noise), Adam with the
            // learning rate decaying linearly from 2e-3, 300 epochs of 512 (about 5,700 updates
            // on the 10,000 points): the settings of gen-dae's score test, which trains longer
            // (12,000 updates) to pass its stricter grid.
            return Self {
                method: "dae".into(),
                data: data.into(),
                seed,
                epochs: 300,
                backend,
                binarize: Binarize::None,
                log_every: 20,
                checkpoint_every: 1000,
                epochs_per_report: 25,
                model: DaeModel::Mlp {
                    hidden: vec![128, 128],
                },
                train: DaeTrainConfig {
                    corruption: CorruptionConfig::Gaussian { std: 0.1 },
                    reconstruction: Reconstruction::Gaussian { std: 0.1 },
                    walkback: Walkback::None,
                    batch_size: 512,
                    learning_rate: 2e-3,
                    momentum: 0.0,
                    optimizer: OptimizerKind::Adam,
                    linear_decay: true,
                },
                chain: ChainConfig {
                    chains: 1000,
                    burn_in: 300,
                    thinning: 1,
                    start: ChainStart::Noise,
                },
            };
        }
        Self {
            method: "dae".into(),
            data: data.into(),
            seed,
            epochs: 500,
            backend,
            binarize: Binarize::default(),
            log_every: 50,
            checkpoint_every: 2000,
            epochs_per_report: 5,
            model: DaeModel::Tied { hidden: 2000 },
            train: DaeTrainConfig::default(),
            chain: ChainConfig::default(),
        }
    }
}

impl RunConfig for DaeRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        default_out("dae", &self.data, self.seed)
    }
}

/// Loads the run's data (binarised if asked) and checks it against the reconstruction.
fn load_data(config: &DaeRunConfig) -> Result<Splits> {
    let name = &config.data;
    let splits = match gen_core::data::load(name, &gen_core::data::data_dir())? {
        Loaded::Splits(splits) => splits,
        Loaded::TwoDomain(_) => bail!(
            "'{name}' holds two image domains; a DAE models one set (try digits, mnist or two-moons)"
        ),
    };
    let splits = Splits {
        train: config.binarize.apply(&splits.train),
        test: config.binarize.apply(&splits.test),
    };
    config
        .train
        .reconstruction
        .validate(&splits.train.values)
        .map_err(|e| anyhow!("'{name}': {e}"))?;
    Ok(splits)
}

/// Draws chain start states: noise, or random training examples.
fn start_fn(config: &DaeRunConfig, train: &Dataset) -> ChainStartFn {
    let reconstruction = config.train.reconstruction;
    let (mean, std) = train.value_moments();
    let start = config.chain.start;
    let data = train.clone();
    Box::new(move |n: usize, device: &Device| match start {
        ChainStart::Noise => noise_start(reconstruction, n, &mean, &std, device),
        ChainStart::Data => {
            let rows = Tensor::<1, burn::tensor::Int>::random(
                [n],
                burn::tensor::Distribution::Uniform(0.0, data.len() as f64),
                device,
            );
            data.to_tensor(device).select(0, rows)
        }
    })
}

/// The DAE's shortcuts (`gen train dae --walkback 5 --noise 0.4`).
#[derive(Debug, Clone, Default)]
pub struct DaeFlags {
    /// Walkback with a fixed number of steps (`train.walkback`).
    pub walkback: Option<usize>,
    /// Walkback with the lecture's coin: continue with probability `p`.
    pub walkback_p: Option<f64>,
    /// Most steps of a coin walk.
    pub walkback_max: usize,
    /// Corruption level: salt-and-pepper or masking probability, or Gaussian std.
    pub noise: Option<f64>,
}

impl Shortcuts<DaeRunConfig> for DaeFlags {
    fn is_empty(&self) -> bool {
        self.walkback.is_none() && self.walkback_p.is_none() && self.noise.is_none()
    }

    fn apply(&self, config: &mut DaeRunConfig) -> Result<()> {
        if let Some(steps) = self.walkback {
            config.train.walkback = Walkback::Fixed { steps };
        }
        if let Some(p) = self.walkback_p {
            config.train.walkback = Walkback::Coin {
                p,
                max_steps: self.walkback_max,
            };
        }
        if let Some(level) = self.noise {
            // The level of whichever corruption the configuration holds.
            match &mut config.train.corruption {
                CorruptionConfig::Gaussian { std } => *std = level,
                CorruptionConfig::SaltAndPepper { p } | CorruptionConfig::Masking { p } => {
                    *p = level
                }
            }
        }
        Ok(())
    }
}

/// The denoising auto-encoder as a generative model, simple or walkback.
pub struct DaeMethod;

impl GenerativeMethod for DaeMethod {
    const NAMES: &'static [&'static str] = &["dae"];
    type Config = DaeRunConfig;
    type Flags = DaeFlags;
    type Trained = TrainedDae;

    fn train(_name: &str, request: &TrainRequest, flags: &DaeFlags) -> Result<()> {
        train(request, flags)
    }

    fn load(run: &RunDir, device: Option<&Device>) -> Result<(TrainedDae, Device)> {
        load_run(run, device)
    }
}

/// `gen train dae ...`
fn train(common: &TrainRequest, args: &DaeFlags) -> Result<()> {
    let prepared = prepare_run(
        common,
        |backend| DaeRunConfig::defaults(&common.data, common.seed, backend),
        args,
        &[],
        |c| {
            c.train
                .validate()
                .map_err(|e| e.within("train"))
                .context("invalid DAE training settings")?;
            c.chain
                .validate()
                .map_err(|e| e.within("chain"))
                .context("invalid chain settings")?;
            c.binarize
                .validate()
                .map_err(|e| e.within("binarize"))
                .context("invalid binarisation")?;
            match &c.model {
                DaeModel::Tied { hidden } if *hidden == 0 => {
                    bail!("the DAE needs at least one hidden unit")
                }
                DaeModel::Mlp { hidden } if hidden.contains(&0) => {
                    bail!("the MLP denoiser needs positive hidden widths")
                }
                _ => Ok(()),
            }
        },
    )?;
    let device = device_for(prepared.config.backend)?;
    let splits = load_data(&prepared.config)?;
    let config = &prepared.config;
    if config.train.batch_size > splits.train.len() {
        bail!(
            "the batch size {} is larger than the {} training examples of '{}'",
            config.train.batch_size,
            splits.train.len(),
            config.data
        );
    }
    if matches!(config.model, DaeModel::Mlp { .. })
        && config.train.reconstruction == Reconstruction::Bernoulli
    {
        bail!(
            "the MLP denoiser outputs means (x' + g(x')): use it with the Gaussian reconstruction, or the tied model for the Bernoulli one"
        );
    }
    let run = prepared.create_run()?;
    let resume = prepared.resume;
    let config = &prepared.config;
    device.seed(derive(config.seed, Stream::Init, 0));
    let dim = splits.train.dim();
    let label = format!("dae {}", walkback_label(config.train.walkback));
    let opts = LoopOptions {
        epochs: config.epochs,
        batch_size: config.train.batch_size,
        seed: config.seed,
        log_every: config.log_every,
        checkpoint_every: config.checkpoint_every,
        epochs_per_report: config.epochs_per_report,
        grid_samples: if is_points(&config.data) { 1000 } else { 64 },
        sample_shape: None,
        quiet: common.quiet,
        label,
    };
    let start = start_fn(config, &splits.train);
    let outcome = match &config.model {
        DaeModel::Tied { hidden } => {
            let model = TiedDaeConfig::new(dim).with_hidden(*hidden).init(&device);
            let mut trainer = DaeTrainer::new(model, config.train.clone(), start, &device)
                .map_err(|e| e.within("train"))?;
            let train_device = trainer.device().clone();
            run_training(
                &mut trainer,
                &splits.train,
                &train_device,
                &run,
                &opts,
                resume,
            )?
        }
        DaeModel::Mlp { hidden } => {
            let model = MlpDenoiserConfig::new(dim)
                .with_hidden(hidden.clone())
                .init(&device);
            let mut trainer = DaeTrainer::new(model, config.train.clone(), start, &device)
                .map_err(|e| e.within("train"))?;
            trainer.grid_steps = config.chain.burn_in.max(1);
            let train_device = trainer.device().clone();
            run_training(
                &mut trainer,
                &splits.train,
                &train_device,
                &run,
                &opts,
                resume,
            )?
        }
    };
    eprintln!(
        "trained {} updates in {:.1} s into {}",
        outcome.steps,
        outcome.train_seconds,
        run.root().display()
    );
    Ok(())
}

fn walkback_label(w: Walkback) -> String {
    match w {
        Walkback::None => "simple".into(),
        Walkback::Fixed { steps } => format!("walkback {steps}"),
        Walkback::Coin { p, .. } => format!("walkback p={p}"),
    }
}

/// The trained network of a run.
pub enum TrainedNet {
    /// The original code's tied-weight network.
    Tied(TiedDae),
    /// The residual `tanh` MLP (points).
    Mlp(MlpDenoiser),
}

/// A trained run: its configuration, its network and its training data's moments.
pub struct TrainedDae {
    /// The run's configuration.
    pub config: DaeRunConfig,
    /// The trained denoiser.
    pub net: TrainedNet,
    /// Values per example.
    pub dim: usize,
    train: Dataset,
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedDae, Device)> {
    let (config, device): (DaeRunConfig, Device) = trained_config(run, "DAE", device)?;
    let ckpt = run.trained_checkpoint()?;
    let splits = load_data(&config)?;
    let dim = splits.train.dim();
    let fail = |e: CheckpointError| anyhow!("{}: {e}", run.checkpoints_dir().display());
    let net = match &config.model {
        DaeModel::Tied { hidden } => TrainedNet::Tied(
            ckpt.module(
                "dae",
                TiedDaeConfig::new(dim).with_hidden(*hidden).init(&device),
            )
            .map_err(fail)?,
        ),
        DaeModel::Mlp { hidden } => TrainedNet::Mlp(
            ckpt.module(
                "dae",
                MlpDenoiserConfig::new(dim)
                    .with_hidden(hidden.clone())
                    .init(&device),
            )
            .map_err(fail)?,
        ),
    };
    Ok((
        TrainedDae {
            config,
            net,
            dim,
            train: splits.train,
        },
        device,
    ))
}

/// The shape of one sample: the data's.
pub fn item_shape(trained: &TrainedDae) -> ItemShape {
    trained.train.item_shape
}

/// Runs `chains` chains from the run's start for `burn_in` transitions, then records `records`
/// shown states `thinning` apart; the states in order, each `[chains, d]`, concatenated.
fn chain_values<D: Denoiser>(
    net: &D,
    trained: &TrainedDae,
    chains: usize,
    burn_in: usize,
    thinning: usize,
    records: usize,
    device: &Device,
) -> Vec<Vec<f32>> {
    let start = start_fn(&trained.config, &trained.train)(chains, device);
    chain_from(net, trained, start, burn_in, thinning, records)
}

/// Chains from `start` (`[chains, d]`): `burn_in` transitions, then `records` shown states
/// `thinning` apart.
fn chain_from<D: Denoiser>(
    net: &D,
    trained: &TrainedDae,
    start: Tensor<2>,
    burn_in: usize,
    thinning: usize,
    records: usize,
) -> Vec<Vec<f32>> {
    let mut chain = Chain::new(
        net,
        &trained.config.train.corruption,
        trained.config.train.reconstruction,
        start,
    );
    chain
        .record(burn_in, thinning, records)
        .into_iter()
        .map(to_vec_f32)
        .collect()
}

fn run_chain(
    trained: &TrainedDae,
    chains: usize,
    burn_in: usize,
    thinning: usize,
    records: usize,
    device: &Device,
) -> Vec<Vec<f32>> {
    match &trained.net {
        TrainedNet::Tied(net) => {
            chain_values(net, trained, chains, burn_in, thinning, records, device)
        }
        TrainedNet::Mlp(net) => {
            chain_values(net, trained, chains, burn_in, thinning, records, device)
        }
    }
}

/// The splits a trained run's samples are evaluated against: its data, binarised as it was
/// trained.
pub fn run_splits(trained: &TrainedDae) -> Result<Splits> {
    load_data(&trained.config)
}

/// The original code's sampling protocol for its Parzen estimate (`sample_some_numbers` in
/// `yaoli/GSN` `model.py`): one chain started from the first test example (binarised as the run's
/// data), its first `n` shown states in order, no burn-in and no thinning; row-major `[n, d]`.
/// (The original also counts the start itself as the first of its 10,000 states.) Seeded by
/// `seed`.
pub fn first_test_chain(
    trained: &TrainedDae,
    n: usize,
    seed: u64,
    device: &Device,
) -> Result<Vec<f32>> {
    device.seed(seed);
    let splits = run_splits(trained)?;
    let first = splits.test.values[..trained.dim].to_vec();
    let start = Tensor::<2>::from_data(TensorData::new(first, [1, trained.dim]), device);
    let states = match &trained.net {
        TrainedNet::Tied(net) => chain_from(net, trained, start, 0, 1, n),
        TrainedNet::Mlp(net) => chain_from(net, trained, start, 0, 1, n),
    };
    Ok(states.into_iter().flatten().collect())
}

/// `gen sample` for a DAE run: `n` chains after `steps` transitions (default: the run's
/// burn-in), or with `chain`, `n / 10` chains shown at 10 consecutive recorded states (`steps /
/// 10` transitions apart, at least 1) as rows of a grid.
pub fn draw(trained: &TrainedDae, request: &DrawRequest, device: &Device) -> Drawn {
    let (n, chain, steps, seed) = (request.n, request.chain, request.steps, request.seed);
    device.seed(derive(trained.config.seed ^ seed, Stream::Sample, 0));
    let shape = item_shape(trained);
    let steps = steps.unwrap_or(trained.config.chain.burn_in);
    if chain {
        let chains = (n / 10).max(1);
        let frames = run_chain(trained, chains, 0, (steps / 10).max(1), 10, device);
        // Row r of the grid is chain r: frame-major states transposed to chain-major.
        let d = trained.dim;
        let mut values = Vec::with_capacity(chains * 10 * d);
        for c in 0..chains {
            for frame in &frames {
                values.extend_from_slice(&frame[c * d..(c + 1) * d]);
            }
        }
        Drawn {
            values,
            shape,
            cols: 10,
        }
    } else {
        let frames = run_chain(trained, n, steps.saturating_sub(1), 1, 1, device);
        let values = frames.into_iter().next().unwrap_or_default();
        Drawn {
            values,
            shape,
            cols: gen_core::image_grid::default_cols(n),
        }
    }
}

/// `n` samples by the run's chain settings: `chains` chains, burn-in, then states `thinning`
/// apart until `n` are recorded.
fn draw_for_eval(trained: &TrainedDae, n: usize, seed: u64, device: &Device) -> Vec<f32> {
    device.seed(seed);
    let c = &trained.config.chain;
    let chains = c.chains.min(n).max(1);
    let records = n.div_ceil(chains);
    let mut values: Vec<f32> = run_chain(trained, chains, c.burn_in, c.thinning, records, device)
        .into_iter()
        .flatten()
        .collect();
    values.truncate(n * trained.dim);
    values
}

impl TrainedRun for TrainedDae {
    fn sample_shape(&self) -> Option<ItemShape> {
        Some(item_shape(self))
    }

    fn draw(&self, request: &DrawRequest, device: &Device) -> Result<Drawn> {
        Ok(draw(self, request, device))
    }

    fn eval(
        &self,
        _run: &RunDir,
        request: &EvalRequest<'_>,
        device: &Device,
    ) -> Result<Map<String, Value>> {
        eval(self, request, device)
    }

    fn export(&self, _run: &RunDir) -> Result<Vec<NamedTensor>> {
        Ok(export(self))
    }
}

/// `gen eval` for a DAE run: the shared sample metrics on the chain's samples.
fn eval(
    trained: &TrainedDae,
    request: &EvalRequest<'_>,
    device: &Device,
) -> Result<Map<String, Value>> {
    let (metric, data, classifier) = (request.metric, request.data, request.classifier);
    let splits = match data {
        Some(name) => {
            let mut config = trained.config.clone();
            config.data = name.to_string();
            load_data(&config)?
        }
        None => load_data(&trained.config)?,
    };
    if splits.test.dim() != trained.dim {
        bail!(
            "the evaluation data has {} values per example but the model {}",
            splits.test.dim(),
            trained.dim
        );
    }
    let seed = derive(trained.config.seed, Stream::Eval, 0);
    let mut counter = 0u64;
    let mut draw_samples = |n: usize| {
        counter += 1;
        draw_for_eval(trained, n, seed ^ counter, device)
    };
    eval_samples(
        metric,
        &mut draw_samples,
        &SampleEval {
            splits: &splits,
            data: data.unwrap_or(&trained.config.data),
            classifier,
            seed,
        },
        device,
    )
}

/// The network's parameters: `weight` `[d, h]`, `hidden_bias`, `visible_bias` (tied), or
/// `hidden.I.weight` `[in, out]`, `hidden.I.bias`, `output.*` (MLP, `r(x) = x + g(x)`).
pub fn export(trained: &TrainedDae) -> Vec<NamedTensor> {
    let tensor = |name: &str, t: Tensor<2>| {
        let dims = t.dims();
        NamedTensor {
            name: name.into(),
            shape: dims.to_vec(),
            values: to_vec_f32(t),
        }
    };
    let vector = |name: &str, t: Tensor<1>| NamedTensor {
        name: name.into(),
        shape: t.dims().to_vec(),
        values: to_vec_f32(t),
    };
    match &trained.net {
        TrainedNet::Tied(net) => vec![
            tensor("weight", net.weight.val()),
            vector("hidden_bias", net.hidden_bias.val()),
            vector("visible_bias", net.visible_bias.val()),
        ],
        TrainedNet::Mlp(net) => {
            let mut out = Vec::new();
            let layers = net
                .hidden
                .iter()
                .enumerate()
                .map(|(i, l)| (format!("hidden.{i}"), l))
                .chain(std::iter::once(("output".to_string(), &net.output)));
            for (name, layer) in layers {
                out.push(tensor(&format!("{name}.weight"), layer.weight.val()));
                if let Some(b) = &layer.bias {
                    out.push(vector(&format!("{name}.bias"), b.val()));
                }
            }
            out
        }
    }
}
