//! `gen train cyclegan`, and what `sample`, `eval`, `translate` and `export` do with its runs.
//!
//! The data is a two-domain set: the CycleGAN folder layout (`trainA`, `trainB`, `testA`,
//! `testB`) or the generated `shapes`, whose test images come in known pairs. The networks'
//! presets follow the image side (the reference's for 128 and 256 pixels, smaller ones below).

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use burn::module::Param;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::{Device, Tensor};
use gen_core::data::image_folder::{list_images, load_image};
use gen_core::data::{Dataset, ItemShape, Loaded, TwoDomain};
use gen_core::image_file::write_image;
use gen_core::module_bytes::load_module_bytes;
use gen_core::run::RunDir;
use gen_core::safetensors::NamedTensor;
use gen_core::seed::{Stream, derive};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use gen_i2i::{
    CycleGanConfig, CycleGanData, CycleGanTrainConfig, CycleGanTrainer, Direction,
    PatchDiscriminator, ResnetGenerator, Translators,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::run_setup::{RunConfig, default_out, prepare_run};
use crate::backend::{BackendName, device_for};
use crate::cli::{CycleGanArgs, TranslateArgs};

/// Preview images of each domain in the sample grids (two triplets a row, six rows).
const PREVIEW_IMAGES: usize = 6;
/// Images in each sample grid: `PREVIEW_IMAGES` triplets of each domain.
const GRID_IMAGES: usize = 2 * 3 * PREVIEW_IMAGES;
/// Images translated per forward pass in `eval` and `translate`.
const EVAL_BATCH: usize = 50;

/// Everything a run of `gen train cyclegan` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CycleGanRunConfig {
    /// Always `cyclegan`.
    pub method: String,
    pub data: String,
    pub seed: u64,
    /// Passes over domain A (200 from 128 pixels up: the reference's 100 constant + 100
    /// decaying; fewer for the small generated set, ours).
    pub epochs: u64,
    pub backend: BackendName,
    pub log_every: u64,
    pub checkpoint_every: u64,
    pub epochs_per_report: u64,
    /// `[channels, height, width]` of the images (from the data).
    pub image: [usize; 3],
    pub model: CycleGanConfig,
    pub train: CycleGanTrainConfig,
}

impl CycleGanRunConfig {
    /// The reference's settings for images of `image`'s side, smaller networks and fewer epochs
    /// for small images (ours).
    pub fn defaults(data: &str, seed: u64, backend: BackendName, image: [usize; 3]) -> Self {
        let side = image[1].min(image[2]);
        let large = side >= 128;
        Self {
            method: "cyclegan".into(),
            data: data.into(),
            seed,
            epochs: if large { 200 } else { 4 },
            backend,
            log_every: if large { 100 } else { 50 },
            checkpoint_every: 500,
            epochs_per_report: 1,
            image,
            model: CycleGanConfig::for_image(image[0], side),
            train: CycleGanTrainConfig::default(),
        }
    }
}

impl RunConfig for CycleGanRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        default_out("cyclegan", &self.data, self.seed)
    }
}

/// The `[c, h, w]` of an image dataset.
fn image_of(data: &Dataset) -> Result<[usize; 3]> {
    match data.item_shape {
        ItemShape::Image {
            channels,
            height,
            width,
        } => Ok([channels, height, width]),
        ItemShape::Vector { dim } => bail!("'{}' holds vectors of {dim}, not images", data.name),
    }
}

/// Loads a two-domain set and checks that both domains hold images of one shape.
fn load_domains(name: &str) -> Result<TwoDomain> {
    let domains = match gen_core::data::load(name, &gen_core::data::data_dir())? {
        Loaded::TwoDomain(d) => *d,
        Loaded::Splits(_) => bail!(
            "'{name}' is one set of examples; CycleGAN translates between two domains (try shapes, or a folder with trainA, trainB, testA and testB)"
        ),
    };
    let (a, b) = (image_of(&domains.train_a)?, image_of(&domains.train_b)?);
    if a != b {
        bail!(
            "'{name}': domain A holds {}x{}x{} images but domain B {}x{}x{}; both must have the same channels and size",
            a[0],
            a[1],
            a[2],
            b[0],
            b[1],
            b[2]
        );
    }
    Ok(domains)
}

/// The first `n` images of `data`.
fn first(data: &Dataset, n: usize) -> Dataset {
    let indices: Vec<usize> = (0..n.min(data.len())).collect();
    data.select(&indices)
}

/// `gen train cyclegan ...`
pub fn train(args: &CycleGanArgs) -> Result<()> {
    let common = &args.common;
    let mut sets = Vec::new();
    if let Some(w) = args.cycle_weight {
        sets.push(format!("train.cycle_weight={}", super::toml_float(w)));
    }
    if let Some(w) = args.identity_weight {
        sets.push(format!("train.identity_weight={}", super::toml_float(w)));
    }
    if let Some(g) = &args.gan {
        sets.push(format!("train.objective=\"{g}\""));
    }
    // Loaded first: the presets depend on the image size.
    let loaded = if common.resume {
        None
    } else {
        Some(load_domains(&common.data)?)
    };
    let image = match &loaded {
        Some(d) => image_of(&d.train_a)?,
        None => [0, 0, 0],
    };
    let prepared = prepare_run(
        common,
        |backend| CycleGanRunConfig::defaults(&common.data, common.seed, backend, image),
        sets,
        &[],
        |c| {
            c.train
                .validate()
                .map_err(|e| anyhow!("invalid CycleGAN training settings: {e}"))
        },
    )?;
    let config = &prepared.config;
    let domains = match loaded {
        Some(d) => d,
        None => load_domains(&config.data)?,
    };
    let image = image_of(&domains.train_a)?;
    if image != config.image {
        bail!(
            "the run was configured for {:?} images but '{}' holds {:?}",
            config.image,
            config.data,
            image
        );
    }
    config
        .train
        .augmentation
        .validate(image)
        .and_then(|()| {
            config
                .model
                .validate(config.train.augmentation.output(image))
        })
        .and_then(|()| config.model.validate(image))
        .map_err(|e| anyhow!("'{}': {e}", config.data))?;
    if config.train.batch_size > domains.train_a.len() {
        bail!(
            "the batch size {} is larger than the {} training images of domain A",
            config.train.batch_size,
            domains.train_a.len()
        );
    }
    let device = device_for(config.backend)?;
    let run = prepared.create_run()?;
    device.seed(derive(config.seed, Stream::Init, 0));
    let translators = config.model.init_translators(&device);
    let critics = config.model.init_critics(&device);
    let data = CycleGanData {
        image,
        train_a_len: domains.train_a.len(),
        train_b: domains.train_b.clone(),
        preview_a: first(&domains.test_a, PREVIEW_IMAGES),
        preview_b: first(&domains.test_b, PREVIEW_IMAGES),
    };
    let mut trainer = CycleGanTrainer::new(
        &config.model,
        translators,
        critics,
        config.train.clone(),
        data,
        config.seed,
        &device,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let opts = LoopOptions {
        epochs: config.epochs,
        batch_size: config.train.batch_size,
        seed: config.seed,
        log_every: config.log_every,
        checkpoint_every: config.checkpoint_every,
        epochs_per_report: config.epochs_per_report,
        grid_samples: GRID_IMAGES,
        sample_shape: None,
        quiet: common.quiet,
        label: "cyclegan".into(),
    };
    let train_device = trainer.device().clone();
    let outcome = run_training(
        &mut trainer,
        &domains.train_a,
        &train_device,
        &run,
        &opts,
        prepared.resume,
    )?;
    eprintln!(
        "trained {} steps in {:.1} s into {}",
        outcome.steps,
        outcome.train_seconds,
        run.root().display()
    );
    Ok(())
}

/// A trained run: its configuration and both translators.
pub struct TrainedCycleGan {
    pub config: CycleGanRunConfig,
    pub translators: Translators,
    pub critics: gen_i2i::Critics,
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedCycleGan, Device)> {
    let config: CycleGanRunConfig = toml::from_str(&run.read_config()?).with_context(|| {
        format!(
            "{}: not a CycleGAN run configuration",
            run.config_path().display()
        )
    })?;
    let device = match device {
        Some(d) => d.clone(),
        None => device_for(config.backend)?,
    };
    let ckpt = run.checkpoints().latest()?.with_context(|| {
        format!(
            "{} has no checkpoint yet: train it first",
            run.root().display()
        )
    })?;
    let blob = |name: &str| {
        ckpt.blob(name).with_context(|| {
            format!(
                "{}: checkpoint has no '{name}'",
                run.checkpoints_dir().display()
            )
        })
    };
    let fail = |e: String| anyhow!("{}: {e}", run.checkpoints_dir().display());
    let translators =
        load_module_bytes(config.model.init_translators(&device), blob("translators")?)
            .map_err(fail)?;
    let critics =
        load_module_bytes(config.model.init_critics(&device), blob("critics")?).map_err(fail)?;
    Ok((
        TrainedCycleGan {
            config,
            translators,
            critics,
        },
        device,
    ))
}

/// The shape of one image of the run.
pub fn item_shape(trained: &TrainedCycleGan) -> ItemShape {
    let [channels, height, width] = trained.config.image;
    ItemShape::Image {
        channels,
        height,
        width,
    }
}

/// Translates every image of `data` in batches, returning `[0, 1]` rows.
fn translate_all(
    translators: &Translators,
    direction: Direction,
    data: &Dataset,
    image: [usize; 3],
    device: &Device,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(data.values.len());
    for start in (0..data.len()).step_by(EVAL_BATCH) {
        let indices: Vec<usize> = (start..(start + EVAL_BATCH).min(data.len())).collect();
        let rows = translators.translate_rows(direction, data.batch(&indices, device), image);
        out.extend(to_vec_f32(rows));
    }
    out
}

/// `gen sample` for a CycleGAN run: `n / 3` triplets `input | translation | reconstruction` of
/// test images, A first, in rows of two triplets.
pub fn draw(trained: &TrainedCycleGan, n: usize, device: &Device) -> Result<(Vec<f32>, usize)> {
    let domains = load_domains(&trained.config.data)?;
    let rows = trained
        .translators
        .triplet_rows(
            &domains.test_a,
            &domains.test_b,
            n.max(3),
            trained.config.image,
            device,
        )
        .context("the test folders hold no images")?;
    Ok((to_vec_f32(rows), 6))
}

fn mean_abs(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() as f64)
        .sum::<f64>()
        / a.len().max(1) as f64
}

/// Whether the test images of both domains are known counterparts: the generated `shapes`,
/// or folders whose `testA` and `testB` hold the same file names.
fn paired(name: &str, domains: &TwoDomain) -> bool {
    name == "shapes"
        || (domains.test_a.len() == domains.test_b.len()
            && domains.test_a_names == domains.test_b_names)
}

/// `gen eval` for a CycleGAN run. `translation`: on test images with known counterparts, the
/// mean absolute error (per value, images in `[0, 1]`) of each translation against the true
/// counterpart, beside the identity map's, and the cycle errors.
pub fn eval(
    trained: &TrainedCycleGan,
    metric: &str,
    data: Option<&str>,
    device: &Device,
) -> Result<Map<String, Value>> {
    if metric != "translation" {
        bail!("unknown metric '{metric}' for a CycleGAN run (known: translation)");
    }
    let name = data.unwrap_or(&trained.config.data);
    let domains = load_domains(name)?;
    let image = image_of(&domains.test_a)?;
    if image != trained.config.image {
        bail!(
            "'{name}' holds {image:?} images but the run was trained on {:?}",
            trained.config.image
        );
    }
    if !paired(name, &domains) {
        bail!(
            "the translation metric needs test images with known counterparts (testA and testB with the same file names, or the generated shapes); '{name}' has none"
        );
    }
    let t = &trained.translators;
    let (a, b) = (&domains.test_a, &domains.test_b);
    let a_to_b = translate_all(t, Direction::AToB, a, image, device);
    let b_to_a = translate_all(t, Direction::BToA, b, image, device);
    let as_set = |values: Vec<f32>, like: &Dataset| Dataset {
        values,
        ..like.clone()
    };
    let cycled_a = translate_all(
        t,
        Direction::BToA,
        &as_set(a_to_b.clone(), a),
        image,
        device,
    );
    let cycled_b = translate_all(
        t,
        Direction::AToB,
        &as_set(b_to_a.clone(), b),
        image,
        device,
    );
    let mut m = Map::new();
    m.insert("l1_a_to_b".into(), json!(mean_abs(&a_to_b, &b.values)));
    m.insert("l1_b_to_a".into(), json!(mean_abs(&b_to_a, &a.values)));
    m.insert("identity_l1".into(), json!(mean_abs(&a.values, &b.values)));
    m.insert("cycle_l1_a".into(), json!(mean_abs(&cycled_a, &a.values)));
    m.insert("cycle_l1_b".into(), json!(mean_abs(&cycled_b, &b.values)));
    m.insert("test_pairs".into(), json!(a.len()));
    Ok(m)
}

/// `gen translate RUN --direction a2b|b2a --input DIR --out DIR`: one output image per input
/// image, with the same file name.
pub fn translate(args: &TranslateArgs, trained: &TrainedCycleGan, device: &Device) -> Result<()> {
    let direction = match args.direction.as_str() {
        "a2b" => Direction::AToB,
        "b2a" => Direction::BToA,
        other => bail!("--direction must be a2b or b2a, not '{other}'"),
    };
    let files = list_images(&args.input)?;
    let channels = trained.config.image[0];
    if channels != 3 {
        bail!("the run translates {channels}-channel images; image files are read as RGB");
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for file in &files {
        let (values, w, h) = load_image(file, None)?;
        let image = [3, h as usize, w as usize];
        trained
            .config
            .model
            .generator
            .validate(image)
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let rows = Tensor::<1>::from_floats(values.as_slice(), device).reshape([1, values.len()]);
        let out = to_vec_f32(trained.translators.translate_rows(direction, rows, image));
        let target = args
            .out
            .join(file.file_name().expect("listed files have names"));
        write_image(&target, &out, image)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    eprintln!(
        "translated {} images {} into {}",
        files.len(),
        args.direction,
        args.out.display()
    );
    Ok(())
}

fn named<const D: usize>(name: String, t: Tensor<D>) -> NamedTensor {
    NamedTensor {
        name,
        shape: t.dims().to_vec(),
        values: to_vec_f32(t),
    }
}

fn bias(prefix: &str, b: &Option<Param<Tensor<1>>>) -> Option<NamedTensor> {
    b.as_ref().map(|b| named(format!("{prefix}.bias"), b.val()))
}

fn conv(prefix: &str, layer: &Conv2d) -> Vec<NamedTensor> {
    let mut out = vec![named(format!("{prefix}.weight"), layer.weight.val())];
    out.extend(bias(prefix, &layer.bias));
    out
}

fn transposed(prefix: &str, layer: &ConvTranspose2d) -> Vec<NamedTensor> {
    let mut out = vec![named(format!("{prefix}.weight"), layer.weight.val())];
    out.extend(bias(prefix, &layer.bias));
    out
}

fn generator(prefix: &str, g: &ResnetGenerator) -> Vec<NamedTensor> {
    let mut out = conv(&format!("{prefix}.stem"), &g.stem);
    for (i, layer) in g.down.iter().enumerate() {
        out.extend(conv(&format!("{prefix}.down.{i}"), layer));
    }
    for (i, block) in g.blocks.iter().enumerate() {
        out.extend(conv(&format!("{prefix}.blocks.{i}.first"), &block.first));
        out.extend(conv(&format!("{prefix}.blocks.{i}.second"), &block.second));
    }
    for (i, layer) in g.up.iter().enumerate() {
        out.extend(transposed(&format!("{prefix}.up.{i}"), layer));
    }
    out.extend(conv(&format!("{prefix}.head"), &g.head));
    out
}

fn discriminator(prefix: &str, d: &PatchDiscriminator) -> Vec<NamedTensor> {
    let mut out = Vec::new();
    for (i, layer) in d.layers.iter().enumerate() {
        out.extend(conv(&format!("{prefix}.layers.{i}"), layer));
    }
    out.extend(conv(&format!("{prefix}.head"), &d.head));
    out
}

/// All four networks: `a_to_b.*` and `b_to_a.*` (`stem`, `down.I`, `blocks.I.{first,second}`,
/// `up.I` (transposed, `[in, out, 3, 3]`), `head`), `critic_a.*`, `critic_b.*` (`layers.I`,
/// `head`); convolution weights `[out, in, k, k]`.
pub fn export(trained: &TrainedCycleGan) -> Vec<NamedTensor> {
    let mut out = generator("a_to_b", &trained.translators.a_to_b);
    out.extend(generator("b_to_a", &trained.translators.b_to_a));
    out.extend(discriminator("critic_a", &trained.critics.a));
    out.extend(discriminator("critic_b", &trained.critics.b));
    out
}
