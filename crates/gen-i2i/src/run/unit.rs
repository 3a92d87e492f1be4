//! `gen train unit`, and what `export` does with its runs (`sample`, `eval` and `translate` are
//! shared with CycleGAN in [the parent module](super)). The data and the image-size presets are
//! CycleGAN's.

use std::path::PathBuf;

use crate::unit::{UnitEncoder, UnitGenerator};
use crate::{Critics, ImageTranslator, Unit, UnitConfig, UnitTrainConfig, UnitTrainer};
use anyhow::{Context, Result};
use burn::tensor::Device;
use gen_core::run::RunDir;
use gen_core::safetensors::NamedTensor;
use gen_core::validate::ConfigError;
use serde::{Deserialize, Serialize};

use super::{
    TrainedTranslation, TranslationRun, TranslationRunSettings, blocks, conv, discriminator,
    initial_domains, load_blob, train_translation, transposed,
};
use gen_core::backend::BackendName;
use gen_core::method::{GenerativeMethod, Shortcuts, TrainRequest};
use gen_core::run::setup::{RunConfig, default_out, prepare_run, trained_config};

/// Steps of the reference's training (`max_iter: 1000000`, batches of 1).
const REFERENCE_STEPS: u64 = 1_000_000;

/// Everything a run of `gen train unit` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitRunConfig {
    /// Always `unit`.
    pub method: String,
    /// The two-domain data (a registry name or a folder with trainA, trainB, testA, testB).
    pub data: String,
    /// Seed of the initialisation, the batch order, the crops and the image pool.
    pub seed: u64,
    /// Passes over domain A (from 128 pixels up: the reference's 1,000,000 steps of one image;
    /// fewer for the small generated set, ours).
    pub epochs: u64,
    /// Train on at most this many images of each domain, the first ones (the CycleGAN
    /// reference's `--max_dataset_size`; absent: all of them). The test images are not cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_dataset_size: Option<usize>,
    /// Backend the run trains on.
    pub backend: BackendName,
    /// Log the losses every this many updates.
    pub log_every: u64,
    /// Checkpoint every this many updates.
    pub checkpoint_every: u64,
    /// Sample grids and learning curves every this many epochs.
    pub epochs_per_report: u64,
    /// `[channels, height, width]` of the images (from the data).
    pub image: [usize; 3],
    /// The VAEs' and discriminators' shapes.
    pub model: UnitConfig,
    /// Losses, optimiser and schedule.
    pub train: UnitTrainConfig,
}

impl UnitRunConfig {
    /// The reference's settings for images of `image`'s side and `train_a` images in domain A;
    /// smaller networks and fewer epochs for small images (ours).
    pub fn defaults(
        data: &str,
        seed: u64,
        backend: BackendName,
        image: [usize; 3],
        train_a: usize,
    ) -> Self {
        let side = image[1].min(image[2]);
        let large = side >= 128;
        Self {
            method: "unit".into(),
            data: data.into(),
            seed,
            epochs: if large {
                REFERENCE_STEPS.div_ceil(train_a.max(1) as u64)
            } else {
                4
            },
            backend,
            log_every: if large { 100 } else { 50 },
            checkpoint_every: 500,
            epochs_per_report: 1,
            max_dataset_size: None,
            image,
            model: UnitConfig::for_image(image[0], side),
            train: UnitTrainConfig::default(),
        }
    }
}

impl RunConfig for UnitRunConfig {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        default_out("unit", &self.data, self.seed)
    }
}

/// UNIT's shortcuts (`gen train unit --no-share`).
#[derive(Debug, Clone, Default)]
pub struct UnitFlags {
    /// Give each domain its own high-level blocks (`model.share=false`).
    pub no_share: bool,
}

impl Shortcuts<UnitRunConfig> for UnitFlags {
    fn is_empty(&self) -> bool {
        !self.no_share
    }

    fn apply(&self, config: &mut UnitRunConfig) -> Result<()> {
        if self.no_share {
            config.model.share = false;
        }
        Ok(())
    }
}

/// UNIT: unpaired translation through a shared latent space (Liu, Breuel & Kautz 2017).
pub struct UnitMethod;

impl GenerativeMethod for UnitMethod {
    const NAMES: &'static [&'static str] = &["unit"];
    type Config = UnitRunConfig;
    type Flags = UnitFlags;
    type Trained = TranslationRun<TrainedUnit>;

    fn train(_name: &str, request: &TrainRequest, flags: &UnitFlags) -> Result<()> {
        train(request, flags)
    }

    fn load(
        run: &RunDir,
        device: Option<&Device>,
    ) -> Result<(TranslationRun<TrainedUnit>, Device)> {
        let (trained, device) = load_run(run, device)?;
        Ok((TranslationRun(trained), device))
    }
}

/// `gen train unit ...`
fn train(common: &TrainRequest, args: &UnitFlags) -> Result<()> {
    let (loaded, image) = initial_domains(&common.data, common.resume)?;
    let train_a = loaded.as_ref().map_or(0, |d| d.train_a.len());
    let prepared = prepare_run(
        common,
        |backend| UnitRunConfig::defaults(&common.data, common.seed, backend, image, train_a),
        args,
        &["max_dataset_size"],
        |c| {
            c.train
                .validate()
                .map_err(|e| e.within("train"))
                .context("invalid UNIT training settings")
        },
    )?;
    let config = &prepared.config;
    let settings = TranslationRunSettings {
        data: &config.data,
        image: config.image,
        seed: config.seed,
        epochs: config.epochs,
        backend: config.backend,
        log_every: config.log_every,
        checkpoint_every: config.checkpoint_every,
        epochs_per_report: config.epochs_per_report,
        max_dataset_size: config.max_dataset_size,
        batch_size: config.train.batch_size,
        augmentation: config.train.augmentation,
        label: if config.model.share {
            "unit".into()
        } else {
            "unit (unshared)".into()
        },
    };
    train_translation(
        &prepared,
        loaded,
        settings,
        common.quiet,
        |image| config.model.validate(image),
        |data, device| {
            UnitTrainer::new(
                &config.model,
                config.model.init(device),
                config.model.init_critics(device),
                config.train.clone(),
                data,
                config.seed,
                device,
            )
            .map(|t| {
                let train_device = t.device().clone();
                (t, train_device)
            })
        },
    )
}

/// A trained run: its configuration, both VAEs and both discriminators.
pub struct TrainedUnit {
    /// The run's configuration.
    pub config: UnitRunConfig,
    /// The trained VAEs.
    pub unit: Unit,
    /// The trained discriminators.
    pub critics: Critics,
}

impl TrainedTranslation for TrainedUnit {
    fn translator(&self) -> &dyn ImageTranslator {
        &self.unit
    }

    fn data(&self) -> &str {
        &self.config.data
    }

    fn image(&self) -> [usize; 3] {
        self.config.image
    }

    fn fits(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        self.config.model.validate(image)
    }

    fn title(&self) -> &'static str {
        "UNIT"
    }

    fn tensors(&self) -> Vec<NamedTensor> {
        export(self)
    }
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedUnit, Device)> {
    let (config, device): (UnitRunConfig, Device) = trained_config(run, "UNIT", device)?;
    let ckpt = run.trained_checkpoint()?;
    let unit = load_blob(run, &ckpt, "unit", config.model.init(&device))?;
    let critics = load_blob(run, &ckpt, "critics", config.model.init_critics(&device))?;
    Ok((
        TrainedUnit {
            config,
            unit,
            critics,
        },
        device,
    ))
}

/// Every network: `encoder_a.*`, `encoder_b.*` (`stem`, `down.I`, `blocks.I.{first,second}`),
/// `shared_encoder.K.I.*` and `shared_generator.K.I.*` (one set `K = 0` when shared, else
/// `K = 0` for A and 1 for B), `generator_a.*`, `generator_b.*` (`blocks.I`, `up.I`
/// transposed `[in, out, 3, 3]`, `head`), `critic_a.*`, `critic_b.*`; convolution weights
/// `[out, in, k, k]`.
pub fn export(trained: &TrainedUnit) -> Vec<NamedTensor> {
    let encoder = |prefix: &str, e: &UnitEncoder| {
        let mut out = conv(&format!("{prefix}.stem"), &e.stem);
        for (i, layer) in e.down.iter().enumerate() {
            out.extend(conv(&format!("{prefix}.down.{i}"), layer));
        }
        out.extend(blocks(&format!("{prefix}.blocks"), &e.blocks));
        out
    };
    let generator = |prefix: &str, g: &UnitGenerator| {
        let mut out = blocks(&format!("{prefix}.blocks"), &g.blocks);
        for (i, layer) in g.up.iter().enumerate() {
            out.extend(transposed(&format!("{prefix}.up.{i}"), layer));
        }
        out.extend(conv(&format!("{prefix}.head"), &g.head));
        out
    };
    let u = &trained.unit;
    let mut out = encoder("encoder_a", &u.encoder_a);
    out.extend(encoder("encoder_b", &u.encoder_b));
    for (k, set) in u.shared_encoder.iter().enumerate() {
        out.extend(blocks(&format!("shared_encoder.{k}"), set));
    }
    for (k, set) in u.shared_generator.iter().enumerate() {
        out.extend(blocks(&format!("shared_generator.{k}"), set));
    }
    out.extend(generator("generator_a", &u.generator_a));
    out.extend(generator("generator_b", &u.generator_b));
    out.extend(discriminator("critic_a", &trained.critics.a));
    out.extend(discriminator("critic_b", &trained.critics.b));
    out
}
