//! The deep energy model as a method of `gen` (`gen train ebm`, sample, eval, export): its run
//! configuration with the paper's settings, training into a run folder, and what a trained run
//! does.
//!
//! Images get a convolutional energy and a sigmoid generator; points (the 2-D densities) an MLP
//! energy and a linear generator, and the extra metric `exact2d`: the energy normalised on a
//! grid, the generator's samples by a kernel density estimate and by the mode measures, and a
//! heat map of the energy with the samples on top.

use std::path::PathBuf;

use crate::{
    DeepEnergy, DeepEnergyConfig, EbmTrainConfig, EbmTrainer, FeatureConfig, Generator,
    GeneratorConfig, NoiseKind, OutputKind,
};
use anyhow::{Context, Result, anyhow, bail};
use burn::module::Param;
use burn::tensor::{Device, Tensor};
use gen_core::data::density2d::Density2d;
use gen_core::data::{ItemShape, Loaded, Splits};
use gen_core::metrics::grid2d::{exact_log_likelihood, normalise_on_grid};
use gen_core::metrics::modes::{MODE_SAMPLES, mode_coverage};
use gen_core::metrics::parzen::{ParzenConfig, parzen_protocol};
use gen_core::plot::{GridField, heatmap_plot};
use gen_core::run::{CheckpointError, RunDir};
use gen_core::safetensors::NamedTensor;
use gen_core::seed::{Stream, derive};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use gen_core::backend::{BackendName, device_for};
use gen_core::method::{
    DrawRequest, Drawn, EvalRequest, GenerativeMethod, Shortcuts, TrainRequest, TrainedRun,
};
use gen_core::metrics::Metric;
use gen_core::metrics::sample_eval::{SampleEval, eval_samples};
use gen_core::run::setup::{RunConfig, default_out, prepare_run, trained_config};

/// Cells per side of the grid `exact2d` normalises the energy on.
const GRID_RESOLUTION: usize = 800;
/// Cells per side of the heat map.
const HEATMAP_RESOLUTION: usize = 160;
/// Nats below the peak that the heat map's colours span.
const HEATMAP_RANGE: f64 = 20.0;

/// Everything a run of `gen train ebm` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EbmRunConfig {
    /// Always `ebm`.
    pub method: String,
    /// The data to train on (a registry name or a path).
    pub data: String,
    /// Seed of the initialisation, the batch order and the noise draws.
    pub seed: u64,
    /// Passes over the training data (images: 25, the DCGAN reference code's `niter`).
    pub epochs: u64,
    /// Backend the run trains on.
    pub backend: BackendName,
    /// Log the monitors every this many updates.
    pub log_every: u64,
    /// Checkpoint every this many updates.
    pub checkpoint_every: u64,
    /// Sample grids and learning curves every this many epochs.
    pub epochs_per_report: u64,
    /// The energy; its input width and image shape are taken from the data.
    pub energy: DeepEnergyConfig,
    /// The generator; its output width is taken from the data.
    pub generator: GeneratorConfig,
    /// Optimiser and objective settings.
    pub train: EbmTrainConfig,
}

/// The 2-D density `data` names, if any.
fn density(data: &str) -> Option<Density2d> {
    Density2d::from_name(data)
}

impl EbmRunConfig {
    /// Our settings for points; for images, the paper's energy form with a DCGAN-style
    /// discriminator as `f` and the GAN paper's fully connected generator.
    pub fn defaults(data: &str, seed: u64, backend: BackendName) -> Self {
        if let Some(d) = density(data) {
            let (lo, hi) = d.bounds();
            return Self {
                method: "ebm".into(),
                data: data.into(),
                seed,
                // 100 epochs of 256 on the 10,000 training points: about 3,900 steps.
                epochs: 100,
                backend,
                log_every: 10,
                checkpoint_every: 500,
                epochs_per_report: 10,
                energy: DeepEnergyConfig {
                    // 0: taken from the data.
                    input: 0,
                    features: FeatureConfig::Mlp {
                        hidden: vec![128, 128],
                    },
                    experts: 128,
                    // A weak quadratic: the data square's half-side.
                    sigma: lo.abs().max(hi.abs()),
                },
                generator: GeneratorConfig {
                    noise: 4,
                    hidden: vec![128, 128],
                    output: 0,
                    output_kind: OutputKind::Linear,
                    noise_kind: NoiseKind::Normal,
                },
                // The energy learns ten times slower than the generator, so that the generator
                // can follow P_θ as the derivation assumes (our setting; see docs/ebm.md).
                train: EbmTrainConfig {
                    batch_size: 256,
                    learning_rate: 1e-4,
                    generator_learning_rate: 1e-3,
                    ..EbmTrainConfig::default()
                },
            };
        }
        Self {
            method: "ebm".into(),
            data: data.into(),
            seed,
            epochs: 25,
            backend,
            log_every: 20,
            checkpoint_every: 1000,
            epochs_per_report: 1,
            energy: DeepEnergyConfig {
                input: 0,
                // Two stride-2 4x4 convolutions of 64 and 128 channels with leaky ReLUs: the
                // DCGAN discriminator's blocks (Radford et al. 2016), sized for 28x28 digits.
                features: FeatureConfig::Conv {
                    channels: vec![64, 128],
                    image: [1, 0, 0],
                },
                experts: 1024,
                // Unit sigma, as a Gaussian-Bernoulli RBM on data of unit scale.
                sigma: 1.0,
            },
            // 100-d noise (DCGAN), two hidden layers of 1,024 with batch norm and ReLU, sigmoid
            // output.
            generator: GeneratorConfig {
                noise: 100,
                hidden: vec![1024, 1024],
                output: 0,
                output_kind: OutputKind::Sigmoid,
                noise_kind: NoiseKind::Normal,
            },
            train: EbmTrainConfig::default(),
        }
    }

    /// Fills in the widths and image shape left at 0 ("from the data"); widths a user set are
    /// kept, and checked against the data afterwards.
    pub fn fit_to(&mut self, shape: ItemShape) {
        let width = shape.len();
        if self.energy.input == 0 {
            self.energy.input = width;
        }
        if self.generator.output == 0 {
            self.generator.output = width;
        }
        if let (
            FeatureConfig::Conv { image, .. },
            ItemShape::Image {
                channels,
                height,
                width,
            },
        ) = (&mut self.energy.features, shape)
            && image[1] == 0
        {
            *image = [channels, height, width];
        }
    }
}

impl RunConfig for EbmRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        default_out("ebm", &self.data, self.seed)
    }
}

/// Loads the run's data: images with grey levels in [0, 1], or points.
fn load_data(name: &str) -> Result<Splits> {
    match gen_core::data::load(name, &gen_core::data::data_dir())? {
        Loaded::Splits(splits) => Ok(splits),
        Loaded::TwoDomain(_) => bail!(
            "'{name}' holds two image domains; a deep energy model learns one set (try digits, mnist or ring8)"
        ),
    }
}

/// The deep energy model's shortcuts (`gen train ebm --no-entropy --sigma 1`).
#[derive(Debug, Clone, Default)]
pub struct EbmFlags {
    /// Weight of the generator's entropy term (`train.entropy_weight`).
    pub entropy_weight: Option<f64>,
    /// Train the generator without the entropy term.
    pub no_entropy: bool,
    /// Energy steps per generator step (`train.energy_steps`).
    pub energy_steps: Option<u64>,
    /// Sigma of the energy's quadratic term (`energy.sigma`).
    pub sigma: Option<f64>,
}

impl Shortcuts<EbmRunConfig> for EbmFlags {
    fn is_empty(&self) -> bool {
        self.entropy_weight.is_none()
            && !self.no_entropy
            && self.energy_steps.is_none()
            && self.sigma.is_none()
    }

    fn apply(&self, config: &mut EbmRunConfig) -> Result<()> {
        if let Some(w) = self.entropy_weight {
            config.train.entropy_weight = w;
        }
        if self.no_entropy {
            config.train.entropy_weight = 0.0;
        }
        if let Some(k) = self.energy_steps {
            config.train.energy_steps = k;
        }
        if let Some(sigma) = self.sigma {
            config.energy.sigma = sigma;
        }
        Ok(())
    }
}

/// The deep energy model trained against a generator.
pub struct EbmMethod;

impl GenerativeMethod for EbmMethod {
    const NAMES: &'static [&'static str] = &["ebm"];
    type Config = EbmRunConfig;
    type Flags = EbmFlags;
    type Trained = TrainedEbm;

    fn train(_name: &str, request: &TrainRequest, flags: &EbmFlags) -> Result<()> {
        train(request, flags)
    }

    fn load(run: &RunDir, device: Option<&Device>) -> Result<(TrainedEbm, Device)> {
        load_run(run, device)
    }
}

/// `gen train ebm ...`
fn train(common: &TrainRequest, args: &EbmFlags) -> Result<()> {
    let mut prepared = prepare_run(
        common,
        |backend| EbmRunConfig::defaults(&common.data, common.seed, backend),
        args,
        &[],
        |c| {
            c.train
                .validate()
                .map_err(|e| e.within("train"))
                .context("invalid EBM training settings")
        },
    )?;
    let device = device_for(prepared.config.backend)?;
    let splits = load_data(&prepared.config.data)?;
    let config = &mut prepared.config;
    config.fit_to(splits.train.item_shape);
    config
        .energy
        .validate()
        .map_err(|e| e.within("energy"))
        .context("invalid energy")?;
    config
        .generator
        .validate()
        .map_err(|e| e.within("generator"))
        .context("invalid generator")?;
    if config.generator.output != splits.train.dim() || config.energy.input != splits.train.dim() {
        bail!(
            "the generator outputs {} values and the energy takes {}, but '{}' has {} per example",
            config.generator.output,
            config.energy.input,
            config.data,
            splits.train.dim()
        );
    }
    if config.train.batch_size > splits.train.len() {
        bail!(
            "the batch size {} is larger than the {} training examples of '{}'",
            config.train.batch_size,
            splits.train.len(),
            config.data
        );
    }
    let run = prepared.create_run()?;
    let config = &prepared.config;
    device.seed(derive(config.seed, Stream::Init, 0));
    let energy = config.energy.init(&device);
    let generator = config.generator.init(&device);
    let mut trainer = EbmTrainer::new(energy, generator, config.train.clone(), &device)
        .map_err(|e| e.within("train"))?;
    let points = density(&config.data).is_some();
    let opts = LoopOptions {
        epochs: config.epochs,
        batch_size: config.train.batch_size,
        seed: config.seed,
        log_every: config.log_every,
        checkpoint_every: config.checkpoint_every,
        epochs_per_report: config.epochs_per_report,
        grid_samples: if points { 1000 } else { 64 },
        sample_shape: None,
        quiet: common.quiet,
        label: if config.train.entropy_weight > 0.0 {
            "ebm".into()
        } else {
            "ebm (no entropy)".into()
        },
    };
    let train_device = trainer.device().clone();
    let outcome = run_training(
        &mut trainer,
        &splits.train,
        &train_device,
        &run,
        &opts,
        prepared.resume,
    )?;
    if let Some(d) = density(&config.data) {
        let (energy, generator) = trainer.inference();
        write_heatmap(&run, d, &energy, &generator, &device)?;
    }
    eprintln!(
        "trained {} steps in {:.1} s into {}",
        outcome.steps,
        outcome.train_seconds,
        run.root().display()
    );
    Ok(())
}

/// A trained run: its configuration and both networks.
pub struct TrainedEbm {
    /// The run's configuration.
    pub config: EbmRunConfig,
    /// The trained energy.
    pub energy: DeepEnergy,
    /// The trained generator.
    pub generator: Generator,
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedEbm, Device)> {
    let (config, device): (EbmRunConfig, Device) =
        trained_config(run, "deep energy model", device)?;
    let ckpt = run.trained_checkpoint()?;
    let fail = |e: CheckpointError| anyhow!("{}: {e}", run.checkpoints_dir().display());
    let energy = ckpt
        .module("energy", config.energy.init(&device))
        .map_err(fail)?;
    let generator = ckpt
        .module("generator", config.generator.init(&device))
        .map_err(fail)?;
    Ok((
        TrainedEbm {
            config,
            energy,
            generator,
        },
        device,
    ))
}

/// The shape of one sample.
pub fn item_shape(trained: &TrainedEbm) -> ItemShape {
    match &trained.config.energy.features {
        FeatureConfig::Conv { image, .. } => ItemShape::Image {
            channels: image[0],
            height: image[1],
            width: image[2],
        },
        FeatureConfig::Mlp { .. } => {
            gen_core::method::square_image_shape(trained.config.energy.input)
        }
    }
}

/// `n` generator samples as row-major values, drawn in batches of 1,000 (batch norm on its
/// running averages).
pub fn draw(trained: &TrainedEbm, n: usize, seed: u64, device: &Device) -> Vec<f32> {
    device.seed(derive(trained.config.seed ^ seed, Stream::Sample, 0));
    let mut values = Vec::with_capacity(n * trained.config.energy.input);
    let mut left = n;
    while left > 0 {
        let k = left.min(1000);
        values.extend(to_vec_f32(trained.generator.sample(k, device)));
        left -= k;
    }
    values
}

fn as_points(values: &[f32]) -> Vec<[f64; 2]> {
    values
        .chunks_exact(2)
        .map(|p| [p[0] as f64, p[1] as f64])
        .collect()
}

/// `plots/energy.png`: the normalised log density `-E - log Z` as a heat map with 1,000
/// generator samples on top.
fn write_heatmap(
    run: &RunDir,
    density: Density2d,
    energy: &DeepEnergy,
    generator: &Generator,
    device: &Device,
) -> Result<()> {
    let grid = normalise_on_grid(energy, density.bounds(), HEATMAP_RESOLUTION, device);
    let samples = as_points(&to_vec_f32(generator.sample(1000, device)));
    let values = grid.log_density();
    let path = run.plots_dir().join("energy.png");
    heatmap_plot(
        &path,
        &format!(
            "{}: log exp(-E)/Z (top {HEATMAP_RANGE} nats) and generator samples",
            density.name()
        ),
        &GridField {
            extent: grid.extent,
            resolution: grid.resolution,
            values: &values,
        },
        HEATMAP_RANGE,
        &samples,
    )
    .with_context(|| format!("cannot write {}", path.display()))
}

/// The Parzen bandwidth grid for points: 30 values from 0.005 to 0.5, log-spaced (the image
/// grid 0.10..0.29 is far too wide for mixtures of std 0.02).
fn points_parzen_config() -> ParzenConfig {
    ParzenConfig {
        sigmas: (0..30)
            .map(|i| 0.005 * 100f64.powf(i as f64 / 29.0))
            .collect(),
        ..ParzenConfig::default()
    }
}

/// `exact2d`: the energy's exact test log-likelihood on a grid, the generator's by a kernel
/// density estimate, and the mode measures; writes the heat map too.
fn eval_exact2d(
    trained: &TrainedEbm,
    density: Density2d,
    splits: &Splits,
    run: &RunDir,
    device: &Device,
) -> Result<Map<String, Value>> {
    let mut m = Map::new();
    let grid = normalise_on_grid(&trained.energy, density.bounds(), GRID_RESOLUTION, device);
    let test = as_points(&splits.test.values);
    let (ll, se) = exact_log_likelihood(&trained.energy, grid.log_z, &test, device);
    m.insert("exact_test_ll".into(), json!(ll));
    m.insert("exact_test_ll_se".into(), json!(se));
    m.insert("log_z".into(), json!(grid.log_z));
    m.insert("grid_mass_outside".into(), json!(grid.mass_outside));
    // The generator's likelihood: a Gaussian kernel density on its samples, σ chosen on
    // validation points (the Parzen protocol with a grid suited to points).
    let config = points_parzen_config();
    let seed = derive(trained.config.seed, Stream::Eval, 0);
    let samples = draw(trained, config.samples, seed, device);
    let validation = splits.train.validation_split();
    let kde = parzen_protocol(
        &samples,
        &validation.values,
        &splits.test.values,
        2,
        &config,
        device,
    )
    .map_err(|e| anyhow!("kernel density of the generator: {e}"))?;
    m.insert("generator_kde_ll".into(), json!(kde.mean));
    m.insert("generator_kde_se".into(), json!(kde.se));
    m.insert("generator_kde_sigma".into(), json!(kde.sigma));
    if let Some(modes) = density.modes() {
        let points = as_points(&samples[..MODE_SAMPLES * 2]);
        let coverage = mode_coverage(&points, &modes, density.noise_std());
        m.insert("modes_covered".into(), json!(coverage.covered));
        m.insert("modes_total".into(), json!(coverage.modes));
        m.insert("high_quality_share".into(), json!(coverage.high_quality));
    }
    write_heatmap(run, density, &trained.energy, &trained.generator, device)?;
    Ok(m)
}

impl TrainedRun for TrainedEbm {
    fn sample_shape(&self) -> Option<ItemShape> {
        Some(item_shape(self))
    }

    fn draw(&self, request: &DrawRequest, device: &Device) -> Result<Drawn> {
        request.refuse_chain_options("a deep energy model samples from its generator")?;
        Ok(Drawn {
            values: draw(self, request.n, request.seed, device),
            shape: item_shape(self),
            cols: gen_core::image_grid::default_cols(request.n),
        })
    }

    fn eval(
        &self,
        run: &RunDir,
        request: &EvalRequest<'_>,
        device: &Device,
    ) -> Result<Map<String, Value>> {
        eval(self, run, request, device)
    }

    fn export(&self, _run: &RunDir) -> Result<Vec<NamedTensor>> {
        Ok(export(self))
    }
}

/// `gen eval` for a deep energy model run.
fn eval(
    trained: &TrainedEbm,
    run: &RunDir,
    request: &EvalRequest<'_>,
    device: &Device,
) -> Result<Map<String, Value>> {
    let (metric, data, classifier) = (request.metric, request.data, request.classifier);
    let name = data.unwrap_or(&trained.config.data);
    let splits = load_data(name)?;
    let width = trained.config.energy.input;
    if splits.test.dim() != width {
        bail!(
            "'{name}' has {} values per example but the model's are {width} wide",
            splits.test.dim()
        );
    }
    if metric == Metric::Exact2d {
        let Some(d) = density(name) else {
            bail!(
                "exact2d needs one of the 2-D densities with a known log density ({}), not '{name}'",
                Density2d::ALL.map(|d| d.name()).join(", ")
            );
        };
        return eval_exact2d(trained, d, &splits, run, device);
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
    .map_err(|e| {
        anyhow!(
            "{e}{}",
            if density(name).is_some() {
                " (for 2-D data also: exact2d)"
            } else {
                ""
            }
        )
    })
}

fn named<const D: usize>(name: String, t: Tensor<D>) -> NamedTensor {
    NamedTensor {
        name,
        shape: t.dims().to_vec(),
        values: to_vec_f32(t),
    }
}

fn linear(prefix: &str, layer: &burn::nn::Linear) -> Vec<NamedTensor> {
    let mut out = vec![named(format!("{prefix}.weight"), layer.weight.val())];
    if let Some(b) = &layer.bias {
        out.push(named(format!("{prefix}.bias"), b.val()));
    }
    out
}

fn vector(name: String, p: &Param<Tensor<1>>) -> NamedTensor {
    named(name, p.val())
}

/// Both networks: `energy.conv.I.weight` `[out, in, 4, 4]`, `energy.dense.I.weight` `[in,
/// out]` (so that `x @ W + b` is the layer), `energy.experts.*`, `energy.visible.weight`
/// (`b`, `[input, 1]`); `generator.layers.I.*`, `generator.norms.I.{gamma, beta, running_mean,
/// running_var}`, `generator.output.*`.
pub fn export(trained: &TrainedEbm) -> Vec<NamedTensor> {
    let mut out = Vec::new();
    let e = &trained.energy;
    for (i, conv) in e.features.conv.iter().enumerate() {
        out.push(named(format!("energy.conv.{i}.weight"), conv.weight.val()));
        if let Some(b) = &conv.bias {
            out.push(vector(format!("energy.conv.{i}.bias"), b));
        }
    }
    for (i, layer) in e.features.dense.iter().enumerate() {
        out.extend(linear(&format!("energy.dense.{i}"), layer));
    }
    out.extend(linear("energy.experts", &e.experts));
    out.extend(linear("energy.visible", &e.visible));
    let g = &trained.generator;
    for (i, (layer, norm)) in g.layers.iter().zip(&g.norms).enumerate() {
        out.extend(linear(&format!("generator.layers.{i}"), layer));
        out.push(vector(format!("generator.norms.{i}.gamma"), &norm.gamma));
        out.push(vector(format!("generator.norms.{i}.beta"), &norm.beta));
        out.push(named(
            format!("generator.norms.{i}.running_mean"),
            norm.running_mean.value(),
        ));
        out.push(named(
            format!("generator.norms.{i}.running_var"),
            norm.running_var.value(),
        ));
    }
    out.extend(linear("generator.output", &g.output));
    out
}
