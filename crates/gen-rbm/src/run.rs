//! The RBM as a method of `gen` (`gen train rbm`, sample, eval, export): its run configuration
//! with the papers' settings, training into a run folder, and what a trained run does.

use crate::ais::{AisConfig, ais_until_closed, base_rate_biases, scaled_schedule};
use crate::eval::{
    log_partition_exact, mean_log_likelihood, reconstruction_error,
    stochastic_pseudo_log_likelihood,
};
use crate::raise::{RaiseConfig, raise_estimate};
use crate::sample::{RbmSampleConfig, chain_frames, filter_images, sample, sample_from_chains};
use crate::train::{Method, RbmTrainConfig, RbmTrainer, rbm_from_checkpoint};
use crate::{Rbm, RbmConfig};
use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use gen_core::data::{Binarize, ItemShape, Loaded, Splits};
use gen_core::run::RunDir;
use gen_core::safetensors::NamedTensor;
use gen_core::seed::{Stream, derive};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use gen_core::backend::{BackendName, device_for, device_or_own};
use gen_core::method::{
    DrawRequest, Drawn, EvalRequest, GenerativeMethod, Shortcuts, TrainRequest, TrainedRun,
};
use gen_core::metrics::Metric;
use gen_core::metrics::sample_eval::{SampleEval, eval_samples};
use gen_core::run::setup::{RunConfig, default_out, prepare_run};

/// Everything a run of `gen train rbm` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RbmRunConfig {
    /// Always `rbm`.
    pub method: String,
    /// The data to train on (a registry name or a path).
    pub data: String,
    /// Seed of the initialisation, the batch order and the Gibbs draws.
    pub seed: u64,
    /// Passes over the training data. Tieleman (2008) compares methods at equal training time
    /// rather than epochs; 20 epochs of MNIST is within the range of its Figure 1.
    pub epochs: u64,
    /// Backend the run trains on.
    pub backend: BackendName,
    /// Compute the exact test log-likelihood after training when the hidden layer has at most
    /// this many units (25: the lecture's Figure 1).
    pub final_exact_up_to: usize,
    /// Log monitors every this many updates.
    pub log_every: u64,
    /// Checkpoint every this many updates (and at every epoch end).
    pub checkpoint_every: u64,
    /// Binarisation of the grey levels (threshold 0.5, the usual choice for RBMs on MNIST).
    pub binarize: Binarize,
    /// The RBM's shape (the visible width comes from the data).
    pub model: RbmConfig,
    /// Negative phase, rates and schedule.
    pub train: RbmTrainConfig,
    /// How `gen sample` and the sample grids draw.
    pub sample: RbmSampleConfig,
}

/// Fields that may be absent from a config file (serialised only when set).
const OPTIONAL: &[&str] = &["train.fast_learning_rate"];

impl RbmRunConfig {
    /// The defaults of a run on `data`: the papers' settings (see each field's source).
    pub fn defaults(data: &str, seed: u64, backend: BackendName) -> Self {
        Self {
            method: "rbm".into(),
            data: data.into(),
            seed,
            epochs: 20,
            backend,
            final_exact_up_to: 25,
            log_every: 50,
            checkpoint_every: 1000,
            binarize: Binarize::default(),
            // `visible` is set from the data.
            model: RbmConfig::new(0),
            train: RbmTrainConfig::new(),
            sample: RbmSampleConfig::new(),
        }
    }
}

/// Loads the run's data as binarised image splits.
fn load_data(name: &str, binarize: &Binarize) -> Result<Splits> {
    let loaded = gen_core::data::load(name, &gen_core::data::data_dir())?;
    let Loaded::Splits(splits) = loaded else {
        bail!(
            "'{name}' holds two image domains; the RBM models one set of images (try digits or mnist)"
        );
    };
    if !matches!(splits.train.item_shape, ItemShape::Image { .. }) {
        bail!(
            "'{name}' holds points, not images; the Bernoulli RBM models binary images (try digits, mnist or bars-and-stripes)"
        );
    }
    Ok(Splits {
        train: binarize.apply(&splits.train),
        test: binarize.apply(&splits.test),
    })
}

impl RunConfig for RbmRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> std::path::PathBuf {
        default_out("rbm", &self.data, self.seed)
    }
}

/// The RBM's shortcuts (`gen train rbm --hidden 500 --method pcd --k 1`).
#[derive(Debug, Clone, Default)]
pub struct RbmFlags {
    /// Hidden units (`model.hidden`).
    pub hidden: Option<usize>,
    /// Negative-phase method (`train.method`).
    pub method: Option<Method>,
    /// Gibbs steps per update (`train.k`).
    pub k: Option<usize>,
}

impl Shortcuts<RbmRunConfig> for RbmFlags {
    fn is_empty(&self) -> bool {
        self.hidden.is_none() && self.method.is_none() && self.k.is_none()
    }

    fn apply(&self, config: &mut RbmRunConfig) -> Result<()> {
        if let Some(hidden) = self.hidden {
            config.model.hidden = hidden;
        }
        if let Some(method) = self.method {
            config.train.method = method;
        }
        if let Some(k) = self.k {
            config.train.k = k;
        }
        Ok(())
    }
}

/// The Bernoulli RBM trained with CD-k, PCD, FPCD or parallel tempering.
pub struct RbmMethod;

impl GenerativeMethod for RbmMethod {
    const NAMES: &'static [&'static str] = &["rbm"];
    type Config = RbmRunConfig;
    type Flags = RbmFlags;
    type Trained = TrainedRbm;

    fn train(_name: &str, request: &TrainRequest, flags: &RbmFlags) -> Result<()> {
        train(request, flags)
    }

    fn load(run: &RunDir, device: Option<&Device>) -> Result<(TrainedRbm, Device)> {
        load_run(run, device)
    }
}

/// `gen train rbm ...`
fn train(common: &TrainRequest, args: &RbmFlags) -> Result<()> {
    let mut prepared = prepare_run(
        common,
        |backend| RbmRunConfig::defaults(&common.data, common.seed, backend),
        args,
        OPTIONAL,
        |config| {
            config
                .train
                .validate()
                .map_err(|e| e.within("train"))
                .context("invalid RBM training settings")?;
            config
                .model
                .validate()
                .map_err(|e| e.within("model"))
                .context("invalid RBM model settings")?;
            config
                .binarize
                .validate()
                .map_err(|e| e.within("binarize"))
                .context("invalid binarisation")?;
            Ok(())
        },
    )?;
    let device = device_for(prepared.config.backend)?;
    let splits = load_data(&prepared.config.data, &prepared.config.binarize)?;
    // The width taken from the data belongs to the run's configuration.
    prepared.config.model.visible = splits.train.dim();
    let config = &prepared.config;
    if config.train.batch_size > splits.train.len() {
        bail!(
            "the batch size {} is larger than the {} training examples of '{}'",
            config.train.batch_size,
            splits.train.len(),
            config.data
        );
    }
    let (run, resume) = (prepared.create_run()?, prepared.resume);
    device.seed(derive(config.seed, Stream::Init, 0));
    let rbm = config.model.init(&device);
    let mut trainer = RbmTrainer::new(rbm, config.train.clone(), &splits.train, &device);
    trainer.test = Some(splits.test.clone());
    let opts = LoopOptions {
        epochs: config.epochs,
        batch_size: config.train.batch_size,
        seed: config.seed,
        log_every: config.log_every,
        checkpoint_every: config.checkpoint_every,
        epochs_per_report: 1,
        grid_samples: 64,
        sample_shape: None,
        quiet: common.quiet,
        label: format!("rbm {:?} k={}", config.train.method, config.train.k).to_lowercase(),
    };
    let outcome = run_training(&mut trainer, &splits.train, &device, &run, &opts, resume)?;
    if let shape @ ItemShape::Image { .. } = splits.train.item_shape {
        let filters = run.plots_dir().join("filters.png");
        let cols = gen_core::image_grid::default_cols(config.model.hidden);
        gen_core::image_grid::write_grid(&filters, &filter_images(trainer.model()), shape, cols)
            .map_err(|e| anyhow::anyhow!("{}: {e}", filters.display()))?;
    }
    let mut summary = Map::new();
    if config.model.hidden <= config.final_exact_up_to {
        // The monitor's log Z of the last epoch is the final model's: reuse it.
        let known = trainer
            .last_exact
            .filter(|&(epoch, _)| epoch == config.epochs)
            .map(|(_, log_z)| log_z);
        summary.extend(exact_metrics(trainer.model(), &splits, known)?);
    }
    gen_core::run::summary::merge_summary(&run.summary_path(), summary.clone())?;
    eprintln!(
        "trained {} steps in {:.1} s into {}",
        outcome.steps,
        outcome.train_seconds,
        run.root().display()
    );
    for (k, v) in &summary {
        println!("{k} = {v}");
    }
    Ok(())
}

/// Exact log Z (enumerated unless `known`) and the train and test log-likelihoods.
fn exact_metrics(rbm: &Rbm, splits: &Splits, known: Option<f64>) -> Result<Map<String, Value>> {
    let log_z = match known {
        Some(log_z) => log_z,
        None => log_partition_exact(rbm)?,
    };
    let mut m = Map::new();
    m.insert("log_z".into(), json!(log_z));
    m.insert(
        "train_ll".into(),
        json!(mean_log_likelihood(rbm, &splits.train, log_z)),
    );
    m.insert(
        "test_ll".into(),
        json!(mean_log_likelihood(rbm, &splits.test, log_z)),
    );
    Ok(m)
}

/// The most AIS runs `gen eval --metric ais` makes, in batches of 100, before it gives up on
/// closing the interval (ours: five times Salakhutdinov & Murray's 100).
const MAX_AIS_RUNS: usize = 500;
/// Test images RAISE scores, one reverse chain each (ours: the first 500 of the test split).
const RAISE_EXAMPLES: usize = 500;
/// RAISE's temperatures: Salakhutdinov & Murray's schedule with steps 5 times as long (2,900
/// distributions; ours, so that 500 reverse chains cost what 100 forward AIS runs of 14,500 do).
const RAISE_STEP_SCALE: f64 = 5.0;

/// A trained run: its configuration and its model from the last checkpoint.
pub struct TrainedRbm {
    /// The run's configuration.
    pub config: RbmRunConfig,
    /// The trained RBM.
    pub rbm: Rbm,
    /// The persistent chains (PCD, FPCD; the β = 1 block for PT), if the run has them.
    pub chains: Option<burn::tensor::Tensor<2>>,
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedRbm, Device)> {
    // Runs written before `train.centred` and `train.offset_rate` existed load with their
    // defaults (the plain RBM).
    let defaults = RbmRunConfig::defaults("digits", 0, BackendName::Flex);
    let config: RbmRunConfig =
        gen_core::run::configuration::read_run_config(&run.read_config()?, &defaults, OPTIONAL)
            .with_context(|| {
                format!(
                    "{}: not an RBM run configuration",
                    run.config_path().display()
                )
            })?;
    let device = device_or_own(device, config.backend)?;
    let ckpt = run.trained_checkpoint()?;
    let rbm = rbm_from_checkpoint(&ckpt, &device)
        .map_err(|e| anyhow::anyhow!("{}: {e}", run.checkpoints_dir().display()))?;
    let chains = match ckpt.blob("chains") {
        Some(bytes) => {
            let (shape, values) = gen_core::npy::decode_npy(bytes)
                .map_err(|e| anyhow::anyhow!("{}: chains: {e}", run.checkpoints_dir().display()))?;
            if shape.len() != 2 || shape[1] != rbm.num_visible() {
                bail!(
                    "{}: the persistent chains have shape {shape:?}, but the model has {} visible units",
                    run.checkpoints_dir().display(),
                    rbm.num_visible()
                );
            }
            let n = shape[0];
            // PT stores every temperature; the first block is the β = 1 one.
            let keep = n.min(config.train.chains);
            let t = gen_core::tensor_io::matrix(values, n, rbm.num_visible(), &device);
            Some(t.narrow(0, 0, keep))
        }
        None => None,
    };
    Ok((
        TrainedRbm {
            config,
            rbm,
            chains,
        },
        device,
    ))
}

/// The image shape of the run's data (for grids).
pub fn item_shape(config: &RbmRunConfig) -> ItemShape {
    gen_core::method::square_image_shape(config.model.visible)
}

/// `gen sample` for an RBM run: values, the shape of one sample and the grid's columns.
/// Samples continue the run's persistent chains when it has them (PCD, FPCD, PT), else start
/// from noise; `steps` Gibbs steps (default: the run's `sample.gibbs_steps`).
pub fn draw(trained: &TrainedRbm, request: &DrawRequest, device: &Device) -> Drawn {
    let (n, chain, steps, seed) = (request.n, request.chain, request.steps, request.seed);
    device.seed(derive(trained.config.seed ^ seed, Stream::Sample, 0));
    let shape = item_shape(&trained.config);
    let steps = steps.unwrap_or(trained.config.sample.gibbs_steps);
    if chain {
        // n/10 chains (at least 1), 10 frames each, `steps / 10` Gibbs steps apart.
        let chains = (n / 10).max(1);
        let t = chain_frames(&trained.rbm, chains, 10, (steps / 10).max(1), device);
        Drawn {
            values: to_vec_f32(t),
            shape,
            cols: 10,
        }
    } else {
        let t = match &trained.chains {
            Some(chains) => sample_from_chains(&trained.rbm, chains.clone(), n, steps),
            None => sample(
                &trained.rbm,
                n,
                &RbmSampleConfig::new().with_gibbs_steps(steps),
                device,
            ),
        };
        Drawn {
            values: to_vec_f32(t),
            shape,
            cols: gen_core::image_grid::default_cols(n),
        }
    }
}

impl TrainedRun for TrainedRbm {
    fn sample_shape(&self) -> Option<ItemShape> {
        Some(item_shape(&self.config))
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

/// `gen eval` for an RBM run, on the test split of the run's (binarised) data. The sample
/// metrics (`parzen`, `mmd`, `fd`) score the mean-field samples `P(v | h)` of independent
/// chains of the run's `sample.gibbs_steps` steps.
fn eval(
    trained: &TrainedRbm,
    request: &EvalRequest<'_>,
    device: &Device,
) -> Result<Map<String, Value>> {
    let (metric, data, classifier) = (request.metric, request.data, request.classifier);
    let name = data.unwrap_or(&trained.config.data);
    let splits = load_data(name, &trained.config.binarize)?;
    if splits.test.dim() != trained.rbm.num_visible() {
        bail!(
            "'{name}' has {} values per example but the RBM has {} visible units",
            splits.test.dim(),
            trained.rbm.num_visible()
        );
    }
    if metric.is_sample_metric() {
        let seed = derive(trained.config.seed, Stream::Eval, 2);
        let chains = RbmSampleConfig::new().with_gibbs_steps(trained.config.sample.gibbs_steps);
        let mut counter = 0u64;
        let mut draw_samples = |n: usize| {
            counter += 1;
            device.seed(seed ^ counter);
            to_vec_f32(sample(&trained.rbm, n, &chains, device))
        };
        return eval_samples(
            metric,
            &mut draw_samples,
            &SampleEval {
                splits: &splits,
                data: name,
                classifier,
                seed,
            },
            device,
        );
    }
    let rbm = &trained.rbm;
    match metric {
        Metric::Exact => Ok(exact_metrics(rbm, &splits, None)?),
        Metric::Ais => {
            device.seed(derive(trained.config.seed, Stream::Eval, 1));
            let config = AisConfig {
                engine: trained.config.train.engine,
                ..AisConfig::default()
            };
            let biases = base_rate_biases(&splits.train.mean());
            let (estimate, runs) = ais_until_closed(rbm, &biases, &config, MAX_AIS_RUNS, device);
            let ll = |data, log_z| json!(mean_log_likelihood(rbm, data, log_z));
            let mut m = Map::new();
            m.insert("log_z".into(), json!(estimate.log_z));
            m.insert("log_z_low".into(), json!(estimate.log_z_low));
            m.insert("log_z_high".into(), json!(estimate.log_z_high));
            m.insert("train_ll".into(), ll(&splits.train, estimate.log_z));
            m.insert("test_ll".into(), ll(&splits.test, estimate.log_z));
            // The interval of log Z maps to an interval of the likelihood, reversed.
            m.insert("test_ll_low".into(), ll(&splits.test, estimate.log_z_high));
            m.insert("test_ll_high".into(), ll(&splits.test, estimate.log_z_low));
            m.insert("ais_runs".into(), json!(runs));
            m.insert("ais_interval_closed".into(), json!(estimate.is_closed()));
            m.insert("ais_temperatures".into(), json!(config.betas.len() - 1));
            Ok(m)
        }
        Metric::Raise => {
            device.seed(derive(trained.config.seed, Stream::Eval, 3));
            let config = RaiseConfig {
                examples: RAISE_EXAMPLES,
                betas: scaled_schedule(RAISE_STEP_SCALE),
                engine: trained.config.train.engine,
            };
            let biases = base_rate_biases(&splits.train.mean());
            let estimate = raise_estimate(rbm, &biases, &splits.test, &config, device);
            let mut m = Map::new();
            m.insert("raise_log_z".into(), json!(estimate.log_z));
            m.insert("raise_log_z_se".into(), json!(estimate.standard_error));
            m.insert(
                "raise_test_ll".into(),
                json!(mean_log_likelihood(rbm, &splits.test, estimate.log_z)),
            );
            m.insert("raise_examples".into(), json!(estimate.examples));
            m.insert("raise_temperatures".into(), json!(config.betas.len() - 1));
            Ok(m)
        }
        Metric::Recon | Metric::PseudoLikelihood => {
            // Both monitors on the whole test split, with the evaluation's own random stream.
            device.seed(derive(trained.config.seed, Stream::Eval, 0));
            let v = splits.test.to_tensor(device);
            let (key, value) = if metric == Metric::Recon {
                ("reconstruction_error", reconstruction_error(rbm, v))
            } else {
                (
                    "pseudo_log_likelihood",
                    stochastic_pseudo_log_likelihood(rbm, v),
                )
            };
            let mut m = Map::new();
            m.insert(key.into(), json!(to_vec_f32(value)[0]));
            Ok(m)
        }
        other => bail!(
            "unknown metric '{other}' for an RBM run; available: exact, ais, raise, recon, pseudo-likelihood, parzen, mmd, fd"
        ),
    }
}

/// The RBM's tensors under the names a Python user expects.
pub fn export(trained: &TrainedRbm) -> Vec<NamedTensor> {
    let (v, h) = (trained.rbm.num_visible(), trained.rbm.num_hidden());
    vec![
        NamedTensor {
            name: "weights".into(),
            shape: vec![v, h],
            values: to_vec_f32(trained.rbm.weights.val()),
        },
        NamedTensor {
            name: "visible_bias".into(),
            shape: vec![v],
            values: to_vec_f32(trained.rbm.visible_bias.val()),
        },
        NamedTensor {
            name: "hidden_bias".into(),
            shape: vec![h],
            values: to_vec_f32(trained.rbm.hidden_bias.val()),
        },
    ]
}
