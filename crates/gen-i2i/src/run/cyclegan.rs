//! CycleGAN as a method of `gen`: `gen train cyclegan`, its run configuration, loading a
//! trained run, and its export (sample, eval and translate are the translation runs' own,
//! in the parent module).
//!
//! The data is a two-domain set: the CycleGAN folder layout (`trainA`, `trainB`, `testA`,
//! `testB`) or the generated `shapes`, whose test images come in known pairs. The networks'
//! presets follow the image side (the reference's for 128 and 256 pixels, smaller ones below).

use std::path::PathBuf;

use crate::{
    Critics, CycleGanConfig, CycleGanTrainConfig, CycleGanTrainer, ImageTranslator,
    ResnetGenerator, Translators,
};
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
use gen_core::loss::GanLoss;
use gen_core::method::{GenerativeMethod, Shortcuts, TrainRequest};
use gen_core::run::setup::{RunConfig, default_out, prepare_run, trained_config};

/// Everything a run of `gen train cyclegan` is determined by.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CycleGanRunConfig {
    /// Always `cyclegan`.
    pub method: String,
    /// The two-domain data (a registry name or a folder with trainA, trainB, testA, testB).
    pub data: String,
    /// Seed of the initialisation, the batch order, the crops and the image pool.
    pub seed: u64,
    /// Passes over domain A (200 from 128 pixels up: the reference's 100 constant + 100
    /// decaying; fewer for the small generated set, ours).
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
    /// The four networks' shapes.
    pub model: CycleGanConfig,
    /// Losses, optimiser and schedule.
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
            max_dataset_size: None,
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

/// CycleGAN's shortcuts (`gen train cyclegan --cycle-weight 10 --gan log`).
#[derive(Debug, Clone, Default)]
pub struct CycleGanFlags {
    /// Weight of the cycle-consistency losses (`train.cycle_weight`).
    pub cycle_weight: Option<f64>,
    /// Weight of the identity losses as a fraction of the cycle weight.
    pub identity_weight: Option<f64>,
    /// Adversarial objective (`train.objective`).
    pub gan: Option<GanLoss>,
}

impl Shortcuts<CycleGanRunConfig> for CycleGanFlags {
    fn is_empty(&self) -> bool {
        self.cycle_weight.is_none() && self.identity_weight.is_none() && self.gan.is_none()
    }

    fn apply(&self, config: &mut CycleGanRunConfig) -> Result<()> {
        if let Some(w) = self.cycle_weight {
            config.train.cycle_weight = w;
        }
        if let Some(w) = self.identity_weight {
            config.train.identity_weight = w;
        }
        if let Some(objective) = self.gan {
            config.train.objective = objective;
        }
        Ok(())
    }
}

/// CycleGAN: unpaired image-to-image translation (Zhu et al. 2017).
pub struct CycleGanMethod;

impl GenerativeMethod for CycleGanMethod {
    const NAMES: &'static [&'static str] = &["cyclegan"];
    type Config = CycleGanRunConfig;
    type Flags = CycleGanFlags;
    type Trained = TranslationRun<TrainedCycleGan>;

    fn train(_name: &str, request: &TrainRequest, flags: &CycleGanFlags) -> Result<()> {
        train(request, flags)
    }

    fn load(
        run: &RunDir,
        device: Option<&Device>,
    ) -> Result<(TranslationRun<TrainedCycleGan>, Device)> {
        let (trained, device) = load_run(run, device)?;
        Ok((TranslationRun(trained), device))
    }
}

/// `gen train cyclegan ...`
fn train(common: &TrainRequest, args: &CycleGanFlags) -> Result<()> {
    let (loaded, image) = initial_domains(&common.data, common.resume)?;
    let prepared = prepare_run(
        common,
        |backend| CycleGanRunConfig::defaults(&common.data, common.seed, backend, image),
        args,
        &["max_dataset_size"],
        |c| {
            c.train
                .validate()
                .map_err(|e| e.within("train"))
                .context("invalid CycleGAN training settings")
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
        label: "cyclegan".into(),
    };
    train_translation(
        &prepared,
        loaded,
        settings,
        common.quiet,
        |image| config.model.validate(image),
        |data, device| {
            CycleGanTrainer::new(
                &config.model,
                config.model.init_translators(device),
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

/// A trained run: its configuration and both translators.
pub struct TrainedCycleGan {
    /// The run's configuration.
    pub config: CycleGanRunConfig,
    /// The trained translators.
    pub translators: Translators,
    /// The trained discriminators.
    pub critics: Critics,
}

impl TrainedTranslation for TrainedCycleGan {
    fn translator(&self) -> &dyn ImageTranslator {
        &self.translators
    }

    fn data(&self) -> &str {
        &self.config.data
    }

    fn image(&self) -> [usize; 3] {
        self.config.image
    }

    fn fits(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        self.config.model.generator.validate(image)
    }

    fn title(&self) -> &'static str {
        "CycleGAN"
    }

    fn tensors(&self) -> Vec<NamedTensor> {
        export(self)
    }
}

/// Loads a run's configuration and last checkpoint onto `device`.
pub fn load_run(run: &RunDir, device: Option<&Device>) -> Result<(TrainedCycleGan, Device)> {
    let (config, device): (CycleGanRunConfig, Device) = trained_config(run, "CycleGAN", device)?;
    let ckpt = run.trained_checkpoint()?;
    let translators = load_blob(
        run,
        &ckpt,
        "translators",
        config.model.init_translators(&device),
    )?;
    let critics = load_blob(run, &ckpt, "critics", config.model.init_critics(&device))?;
    Ok((
        TrainedCycleGan {
            config,
            translators,
            critics,
        },
        device,
    ))
}

/// All four networks: `a_to_b.*` and `b_to_a.*` (`stem`, `down.I`, `blocks.I.{first,second}`,
/// `up.I` (transposed, `[in, out, 3, 3]`), `head`), `critic_a.*`, `critic_b.*` (`layers.I`,
/// `head`); convolution weights `[out, in, k, k]`.
pub fn export(trained: &TrainedCycleGan) -> Vec<NamedTensor> {
    let generator = |prefix: &str, g: &ResnetGenerator| {
        let mut out = conv(&format!("{prefix}.stem"), &g.stem);
        for (i, layer) in g.down.iter().enumerate() {
            out.extend(conv(&format!("{prefix}.down.{i}"), layer));
        }
        out.extend(blocks(&format!("{prefix}.blocks"), &g.blocks));
        for (i, layer) in g.up.iter().enumerate() {
            out.extend(transposed(&format!("{prefix}.up.{i}"), layer));
        }
        out.extend(conv(&format!("{prefix}.head"), &g.head));
        out
    };
    let mut out = generator("a_to_b", &trained.translators.a_to_b);
    out.extend(generator("b_to_a", &trained.translators.b_to_a));
    out.extend(discriminator("critic_a", &trained.critics.a));
    out.extend(discriminator("critic_b", &trained.critics.b));
    out
}
