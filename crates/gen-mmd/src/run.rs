//! The GMMN as a method of `gen` (`gen train gmmn|gmmn-ae`, sample, eval, export): its run
//! configuration with the reference code's settings, training into a run folder, and what a
//! trained run does.

use std::path::PathBuf;

use crate::autoencoder_train::{AutoencoderTrainConfig, LearnerRun, train_autoencoder};
use crate::{Autoencoder, AutoencoderConfig, Gmmn, GmmnConfig, GmmnTrainConfig, GmmnTrainer};
use anyhow::{Context, Result, anyhow, bail};
use burn::tensor::Device;
use gen_core::data::{Dataset, ItemShape, Loaded, Splits};
use gen_core::module_bytes::load_module_bytes;
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

/// Everything a run of `gen train gmmn` or `gen train gmmn-ae` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GmmnRunConfig {
    /// `gmmn` (moment matching on pixels) or `gmmn-ae` (on an auto-encoder's codes).
    pub method: String,
    /// The data to train on (a registry name or a path).
    pub data: String,
    /// Seed of the initialisation, the batch order and the noise draws.
    pub seed: u64,
    /// Passes over the training data: 800 = the reference code's 40,000 updates of 1,000 on the
    /// 50,000 MNIST training images (`max_iters=40000`).
    pub epochs: u64,
    /// Backend the run trains on.
    pub backend: BackendName,
    /// Log the loss every this many updates.
    pub log_every: u64,
    /// Checkpoint every this many updates.
    pub checkpoint_every: u64,
    /// Sample grid, learning curves and a checkpoint every this many epochs (an MNIST epoch is
    /// 50 updates of 1,000).
    pub epochs_per_report: u64,
    /// The generator's shape (its output width comes from the data or the code).
    pub model: GmmnConfig,
    /// Kernel, batches and optimiser.
    pub train: GmmnTrainConfig,
    /// The auto-encoder of `gmmn-ae` (ignored by `gmmn`).
    pub autoencoder: AutoencoderConfig,
    /// Its training (ignored by `gmmn`).
    pub autoencoder_train: AutoencoderTrainConfig,
}

impl GmmnRunConfig {
    /// The defaults of the reference code for `method` on `data`.
    pub fn defaults(method: &str, data: &str, seed: u64, backend: BackendName) -> Self {
        let mut train = GmmnTrainConfig::new();
        if method == "gmmn-ae" {
            // `mmd_sigma=1` in the code space (`mnist_mmd_code_space`).
            train.kernel_variances = vec![1.0];
        }
        Self {
            method: method.into(),
            data: data.into(),
            seed,
            epochs: 800,
            backend,
            log_every: 20,
            checkpoint_every: 500,
            epochs_per_report: 50,
            // `output` is set from the data (gmmn) or the code width (gmmn-ae).
            model: GmmnConfig::new(0),
            train,
            // `input` is set from the data.
            autoencoder: AutoencoderConfig::new(0),
            autoencoder_train: AutoencoderTrainConfig::new(),
        }
    }

    fn uses_autoencoder(&self) -> bool {
        self.method == "gmmn-ae"
    }
}

impl RunConfig for GmmnRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        default_out(&self.method, &self.data, self.seed)
    }
}

/// Loads the run's data: images with grey levels in [0, 1].
fn load_data(name: &str) -> Result<Splits> {
    match gen_core::data::load(name, &gen_core::data::data_dir())? {
        Loaded::Splits(splits) if matches!(splits.train.item_shape, ItemShape::Image { .. }) => {
            Ok(splits)
        }
        Loaded::Splits(_) => bail!(
            "'{name}' holds points, not images; the GMMN's sigmoid outputs model values in [0, 1] (try digits or mnist)"
        ),
        Loaded::TwoDomain(_) => bail!(
            "'{name}' holds two image domains; a GMMN models one set of images (try digits or mnist)"
        ),
    }
}

/// The GMMN's shortcuts (`gen train gmmn --noise 10`).
#[derive(Debug, Clone, Default)]
pub struct GmmnFlags {
    /// Width of the uniform noise (`model.noise`).
    pub noise: Option<usize>,
}

impl Shortcuts<GmmnRunConfig> for GmmnFlags {
    fn is_empty(&self) -> bool {
        self.noise.is_none()
    }

    fn apply(&self, config: &mut GmmnRunConfig) -> Result<()> {
        if let Some(noise) = self.noise {
            config.model.noise = noise;
        }
        Ok(())
    }
}

/// The generative moment matching network, on pixels (`gmmn`) or on an auto-encoder's codes
/// (`gmmn-ae`).
pub struct GmmnMethod;

impl GenerativeMethod for GmmnMethod {
    const NAMES: &'static [&'static str] = &["gmmn", "gmmn-ae"];
    type Config = GmmnRunConfig;
    type Flags = GmmnFlags;
    type Trained = TrainedGmmn;

    fn train(name: &str, request: &TrainRequest, flags: &GmmnFlags) -> Result<()> {
        train(name, request, flags)
    }

    fn load(run: &RunDir, device: Option<&Device>) -> Result<(TrainedGmmn, Device)> {
        load_run(run, device)
    }
}

/// `gen train gmmn|gmmn-ae ...`
fn train(method: &str, common: &TrainRequest, flags: &GmmnFlags) -> Result<()> {
    let mut prepared = prepare_run(
        common,
        |backend| GmmnRunConfig::defaults(method, &common.data, common.seed, backend),
        flags,
        &[],
        |c| {
            c.train
                .validate()
                .map_err(|e| e.within("train"))
                .context("invalid GMMN training settings")?;
            if c.model.noise == 0 || c.model.hidden.contains(&0) {
                bail!("the GMMN needs a positive noise width and positive hidden layers");
            }
            if c.uses_autoencoder() {
                c.autoencoder_train
                    .validate()
                    .map_err(|e| e.within("autoencoder_train"))
                    .context("invalid auto-encoder training settings")?;
            }
            Ok(())
        },
    )?;
    let device = device_for(prepared.config.backend)?;
    let config = &mut prepared.config;
    let splits = load_data(&config.data)?;
    if config.train.batch_size > splits.train.len() {
        bail!(
            "the batch size {} is larger than the {} training examples of '{}'",
            config.train.batch_size,
            splits.train.len(),
            config.data
        );
    }
    // The widths taken from the data belong to the run's configuration.
    if config.uses_autoencoder() {
        config.autoencoder.input = splits.train.dim();
        config
            .autoencoder
            .validate()
            .map_err(|e| e.within("autoencoder"))
            .context("invalid auto-encoder")?;
        config.model.output = config.autoencoder.code_dim();
    } else {
        config.model.output = splits.train.dim();
    }
    let (run, resume) = (prepared.create_run()?, prepared.resume);
    let config = &prepared.config;
    let image_shape = splits.train.item_shape;
    let (decoder, target) = if config.uses_autoencoder() {
        let autoencoder = autoencoder_for(config, &splits, &run, resume, common.quiet, &device)?;
        let codes = encode(&autoencoder, &splits.train, &device);
        (Some(autoencoder), codes)
    } else {
        (None, splits.train.clone())
    };
    device.seed(derive(config.seed, Stream::Init, 0));
    let model = config.model.init(&device);
    let mut trainer = GmmnTrainer::new(model, decoder, config.train.clone(), &device)
        .map_err(|e| e.within("train"))?;
    let opts = LoopOptions {
        epochs: config.epochs,
        batch_size: config.train.batch_size,
        seed: config.seed,
        log_every: config.log_every,
        checkpoint_every: config.checkpoint_every,
        epochs_per_report: config.epochs_per_report,
        grid_samples: 64,
        sample_shape: Some(image_shape),
        quiet: common.quiet,
        label: config.method.clone(),
    };
    let train_device = trainer.device().clone();
    let outcome = run_training(&mut trainer, &target, &train_device, &run, &opts, resume)?;
    eprintln!(
        "trained {} updates in {:.1} s into {}",
        outcome.steps,
        outcome.train_seconds,
        run.root().display()
    );
    Ok(())
}

/// The auto-encoder of a GMMN+AE run: from the run's last checkpoint if it has one, else trained
/// (or its training resumed) with burn-train's Learner in `RUN/autoencoder/`.
fn autoencoder_for(
    config: &GmmnRunConfig,
    splits: &Splits,
    run: &RunDir,
    resume: bool,
    quiet: bool,
    device: &Device,
) -> Result<Autoencoder> {
    if resume
        && let Some(ckpt) = run.checkpoints().latest()?
        && let Some(bytes) = ckpt.blob("autoencoder")
    {
        let shape = config.autoencoder.init(device);
        return Ok(load_module_bytes(shape, bytes)?);
    }
    let validation = splits.train.validation_split();
    device.seed(derive(config.seed, Stream::Init, 1));
    let fresh = config.autoencoder.init(device);
    train_autoencoder(
        fresh,
        &splits.train,
        &validation,
        &config.autoencoder_train,
        LearnerRun {
            dir: &run.root().join("autoencoder"),
            seed: config.seed,
            quiet,
        },
        device,
    )
    .map_err(anyhow::Error::from)
}

/// The codes of every example of `data`, as a dataset of vectors.
fn encode(autoencoder: &Autoencoder, data: &Dataset, device: &Device) -> Dataset {
    let codes = to_vec_f32(autoencoder.encode(data.to_tensor(device)));
    Dataset {
        name: format!("{}-codes", data.name),
        values: codes,
        item_shape: ItemShape::Vector {
            dim: autoencoder.code_dim(),
        },
        labels: data.labels.clone(),
    }
}

/// A trained run: its configuration, its generator and (GMMN+AE) its decoder.
pub struct TrainedGmmn {
    /// The run's configuration.
    pub config: GmmnRunConfig,
    /// The trained generator.
    pub model: Gmmn,
    /// The auto-encoder whose decoder turns GMMN+AE codes into images.
    pub decoder: Option<Autoencoder>,
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedGmmn, Device)> {
    let (config, device): (GmmnRunConfig, Device) = trained_config(run, "GMMN", device)?;
    let ckpt = run.trained_checkpoint()?;
    let fail = |e: CheckpointError| anyhow!("{}: {e}", run.checkpoints_dir().display());
    let model = ckpt
        .module("gmmn", config.model.init(&device))
        .map_err(fail)?;
    let decoder = if config.uses_autoencoder() {
        Some(
            ckpt.module("autoencoder", config.autoencoder.init(&device))
                .map_err(fail)?,
        )
    } else {
        None
    };
    Ok((
        TrainedGmmn {
            config,
            model,
            decoder,
        },
        device,
    ))
}

/// The image shape of the run's data, from its width.
pub fn item_shape(trained: &TrainedGmmn) -> ItemShape {
    let dim = match &trained.decoder {
        Some(d) => d.input_dim(),
        None => trained.model.output_dim(),
    };
    gen_core::method::square_image_shape(dim)
}

/// `n` samples as row-major values (decoded to images for GMMN+AE), drawn in batches of 1,000.
pub fn draw(trained: &TrainedGmmn, n: usize, seed: u64, device: &Device) -> Vec<f32> {
    device.seed(derive(trained.config.seed ^ seed, Stream::Sample, 0));
    let mut values = Vec::new();
    let mut left = n;
    while left > 0 {
        let k = left.min(1000);
        let points = trained.model.sample(k, device);
        let points = match &trained.decoder {
            Some(decoder) => decoder.decode(points),
            None => points,
        };
        values.extend(to_vec_f32(points));
        left -= k;
    }
    values
}

impl TrainedRun for TrainedGmmn {
    fn sample_shape(&self) -> Option<ItemShape> {
        Some(item_shape(self))
    }

    fn draw(&self, request: &DrawRequest, device: &Device) -> Result<Drawn> {
        request.refuse_chain_options("a GMMN draws independent samples")?;
        Ok(Drawn {
            values: draw(self, request.n, request.seed, device),
            shape: item_shape(self),
            cols: gen_core::image_grid::default_cols(request.n),
        })
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

/// `gen eval` for a GMMN run.
fn eval(
    trained: &TrainedGmmn,
    request: &EvalRequest<'_>,
    device: &Device,
) -> Result<Map<String, Value>> {
    let (metric, data, classifier) = (request.metric, request.data, request.classifier);
    let name = data.unwrap_or(&trained.config.data);
    let splits = load_data(name)?;
    let width = item_shape(trained).len();
    if splits.test.dim() != width {
        bail!(
            "'{name}' has {} values per example but the model generates {width}",
            splits.test.dim()
        );
    }
    let seed = derive(trained.config.seed, Stream::Eval, 0);
    let mut counter = 0u64;
    let mut draw_samples = |n: usize| {
        counter += 1;
        draw(trained, n, seed ^ counter, device)
    };
    eval_samples(
        metric,
        &mut draw_samples,
        &SampleEval {
            splits: &splits,
            data: name,
            classifier,
            seed,
        },
        device,
    )
}

/// A linear layer's weight `[in, out]` and bias `[out]` under `prefix`.
fn linear_tensors(prefix: &str, layer: &burn::nn::Linear) -> Vec<NamedTensor> {
    let weight = layer.weight.val();
    let [fan_in, fan_out] = weight.dims();
    let mut out = vec![NamedTensor {
        name: format!("{prefix}.weight"),
        shape: vec![fan_in, fan_out],
        values: to_vec_f32(weight),
    }];
    if let Some(bias) = &layer.bias {
        out.push(NamedTensor {
            name: format!("{prefix}.bias"),
            shape: vec![fan_out],
            values: to_vec_f32(bias.val()),
        });
    }
    out
}

/// The generator's (and decoder's) layers: `gmmn.hidden.I.weight` `[in, out]` (so that
/// `x @ W + b` is the layer), `gmmn.output.*`, `decoder.I.*`.
pub fn export(trained: &TrainedGmmn) -> Vec<NamedTensor> {
    let mut tensors = Vec::new();
    for (i, layer) in trained.model.hidden.iter().enumerate() {
        tensors.extend(linear_tensors(&format!("gmmn.hidden.{i}"), layer));
    }
    tensors.extend(linear_tensors("gmmn.output", &trained.model.output));
    if let Some(decoder) = &trained.decoder {
        for (i, layer) in decoder.decoder.iter().enumerate() {
            tensors.extend(linear_tensors(&format!("decoder.{i}"), layer));
        }
    }
    tensors
}
