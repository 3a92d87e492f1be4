//! The translation methods as methods of `gen`: [`cyclegan`] and [`unit`](mod@unit) (`gen train
//! cyclegan|unit`, their run configurations and loading), and what they share here: loading a
//! two-domain set, the training path, the sample grid of triplets, `eval --metric translation`
//! and `labels`, `gen translate` and the named tensors of an export.

pub mod cyclegan;
pub mod unit;

use anyhow::{Context, Result, anyhow, bail};
use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::{Device, Tensor};
use gen_core::data::image_folder::{list_images, load_image_channels};
use gen_core::data::{Dataset, ItemShape, Loaded, TwoDomain};
use gen_core::image_file::write_image;
use gen_core::method::{DrawRequest, Drawn, EvalRequest, TrainedRun, TranslateRequest};
use gen_core::metrics::Metric;
use gen_core::run::setup::{Prepared, RunConfig};
use gen_core::run::{Checkpoint, RunDir};
use gen_core::safetensors::NamedTensor;
use gen_core::seed::{Stream, derive};
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, Trainer, run_training};
use gen_core::validate::ConfigError;
use serde_json::{Map, Value, json};

use crate::resnet_generator::ResidualBlock;
use crate::{
    Augmentation, Direction, ImageTranslator, PatchDiscriminator, TranslationData, triplet_rows,
};
use gen_core::backend::{BackendName, device_for};

/// Preview images of each domain in the sample grids (two triplets a row, six rows).
const PREVIEW_IMAGES: usize = 6;
/// Images in each sample grid: `PREVIEW_IMAGES` triplets of each domain.
const GRID_IMAGES: usize = 2 * 3 * PREVIEW_IMAGES;
/// Images translated per forward pass in `eval`.
const EVAL_BATCH: usize = 50;

/// A trained translation run, as `sample`, `eval` and `translate` see it.
pub trait TrainedTranslation {
    /// Both directions of translation.
    fn translator(&self) -> &dyn ImageTranslator;
    /// The run's training data.
    fn data(&self) -> &str;
    /// `[c, h, w]` of the training images.
    fn image(&self) -> [usize; 3];
    /// Whether the networks take images of `image` (sides divisible by the downsampling).
    fn fits(&self, image: [usize; 3]) -> Result<(), ConfigError>;
    /// The method's name in messages (`CycleGAN`, `UNIT`).
    fn title(&self) -> &'static str;
    /// Every network's tensors under the names the method's export documents.
    fn tensors(&self) -> Vec<NamedTensor>;
}

/// A trained translation run as `gen` acts on it: triplet grids for `sample`, the translation
/// metrics, `translate` and the export.
pub struct TranslationRun<T>(pub T);

impl<T: TrainedTranslation> TrainedRun for TranslationRun<T> {
    fn sample_shape(&self) -> Option<ItemShape> {
        Some(item_shape(&self.0))
    }

    fn draw(&self, request: &DrawRequest, device: &Device) -> Result<Drawn> {
        request.refuse_chain_options(
            "a translation run shows test images translated and reconstructed",
        )?;
        let (values, cols) = draw(&self.0, request.n, device)?;
        Ok(Drawn {
            values,
            shape: item_shape(&self.0),
            cols,
        })
    }

    fn eval(
        &self,
        _run: &RunDir,
        request: &EvalRequest<'_>,
        device: &Device,
    ) -> Result<Map<String, Value>> {
        eval(
            &self.0,
            self.0.title(),
            request.metric,
            request.data,
            request.classifier,
            device,
        )
    }

    fn export(&self, _run: &RunDir) -> Result<Vec<NamedTensor>> {
        Ok(self.0.tensors())
    }

    fn translate(
        &self,
        _run: &RunDir,
        request: &TranslateRequest<'_>,
        device: &Device,
    ) -> Result<()> {
        translate(request, &self.0, device)
    }
}

/// The `[c, h, w]` of an image dataset.
pub fn image_of(data: &Dataset) -> Result<[usize; 3]> {
    gen_core::classifier::run::image_dims(data.item_shape).ok_or_else(|| {
        anyhow!(
            "'{}' holds vectors of {}, not images",
            data.name,
            data.dim()
        )
    })
}

/// Loads a two-domain set and checks that both domains hold images of one shape.
pub fn load_domains(name: &str) -> Result<TwoDomain> {
    let domains = match gen_core::data::load(name, &gen_core::data::data_dir())? {
        Loaded::TwoDomain(d) => *d,
        Loaded::Splits(_) => bail!(
            "'{name}' is one set of examples; translation needs two domains (try shapes, or a folder with trainA, trainB, testA and testB)"
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

/// The shape of one image of the run.
pub fn item_shape(trained: &dyn TrainedTranslation) -> ItemShape {
    let [channels, height, width] = trained.image();
    ItemShape::Image {
        channels,
        height,
        width,
    }
}

/// Translates every image of `data` in batches, returning `[0, 1]` rows.
fn translate_all(
    translator: &dyn ImageTranslator,
    direction: Direction,
    data: &Dataset,
    image: [usize; 3],
    device: &Device,
) -> Vec<f32> {
    let mut out = Vec::with_capacity(data.values.len());
    for start in (0..data.len()).step_by(EVAL_BATCH) {
        let indices: Vec<usize> = (start..(start + EVAL_BATCH).min(data.len())).collect();
        let rows = translator.translate_rows(direction, data.batch(&indices, device), image);
        out.extend(to_vec_f32(rows));
    }
    out
}

/// `gen sample` for a translation run: `n / 3` triplets `input | translation |
/// reconstruction` of test images, A first, in rows of two triplets (6 columns).
pub fn draw(
    trained: &dyn TrainedTranslation,
    n: usize,
    device: &Device,
) -> Result<(Vec<f32>, usize)> {
    let domains = load_domains(trained.data())?;
    let rows = triplet_rows(
        trained.translator(),
        &domains.test_a,
        &domains.test_b,
        n.max(3),
        trained.image(),
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

/// How one domain of a labelled two-domain set is scored: the evaluation classifier of a
/// one-domain dataset, applied to the images as they are or after undoing the restyling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DomainScorer {
    /// The dataset whose classifier (`DATA/classifiers/<dataset>-v*`) scores the domain.
    classifier_data: &'static str,
    /// Restyle the images before scoring. The inversion is its own inverse
    /// (`gen_core::data::restyled::restyle_image`), so this gives the original images back (to
    /// float rounding, 3e-8 at most) and the original domain's classifier scores the restyled
    /// one as well as its own (0.9902 both on MNIST).
    undo_restyle: bool,
}

impl DomainScorer {
    const fn own(classifier_data: &'static str) -> Self {
        Self {
            classifier_data,
            undo_restyle: false,
        }
    }
}

/// The scorers of each domain of a labelled two-domain set. The restyled digits have their own
/// classifier (`digits-restyled`); restyled MNIST is scored by the MNIST classifier behind the
/// exact inverse of the restyling, which saves training a second CNN on 60,000 images.
fn domain_scorers(name: &str) -> Option<(DomainScorer, DomainScorer)> {
    match name {
        "digits2restyled" => Some((
            DomainScorer::own("digits"),
            DomainScorer::own("digits-restyled"),
        )),
        "mnist2restyled" => Some((
            DomainScorer::own("mnist"),
            DomainScorer {
                classifier_data: "mnist",
                undo_restyle: true,
            },
        )),
        _ => None,
    }
}

/// `gen eval` for a translation run.
/// - `translation`: on test images with known counterparts, the mean absolute error (per value,
///   images in `[0, 1]`) of each translation against the true counterpart, beside the identity
///   map's, and the cycle errors.
/// - `labels`: label preservation: the fraction of translations that the target domain's
///   evaluation classifier assigns their source image's label, beside the same fraction for
///   the untranslated images and each classifier's accuracy on its own domain.
pub fn eval(
    trained: &dyn TrainedTranslation,
    method: &str,
    metric: Metric,
    data: Option<&str>,
    classifier: Option<&std::path::Path>,
    device: &Device,
) -> Result<Map<String, Value>> {
    let name = data.unwrap_or(trained.data());
    let domains = load_domains(name)?;
    let image = image_of(&domains.test_a)?;
    if image != trained.image() {
        bail!(
            "'{name}' holds {image:?} images but the run was trained on {:?}",
            trained.image()
        );
    }
    match metric {
        Metric::Translation => translation_errors(trained, name, &domains, image, device),
        Metric::Labels => label_preservation(trained, name, &domains, image, classifier, device),
        other => bail!("unknown metric '{other}' for a {method} run (known: translation, labels)"),
    }
}

/// The `labels` metric (see [`eval`]).
fn label_preservation(
    trained: &dyn TrainedTranslation,
    name: &str,
    domains: &TwoDomain,
    image: [usize; 3],
    classifier: Option<&std::path::Path>,
    device: &Device,
) -> Result<Map<String, Value>> {
    if classifier.is_some() {
        bail!(
            "label preservation uses the classifiers of each domain's dataset (DATA/classifiers/<dataset>-v{}); --classifier names one",
            gen_core::classifier::CLASSIFIER_VERSION
        );
    }
    let Some((scorer_a, scorer_b)) = domain_scorers(name) else {
        bail!(
            "label preservation needs labelled domains with classifiers; '{name}' has none (try digits2restyled or mnist2restyled)"
        );
    };
    let (a, b) = (&domains.test_a, &domains.test_b);
    let (Some(labels_a), Some(labels_b)) = (&a.labels, &b.labels) else {
        bail!("'{name}' has no labels on its test images");
    };
    let classifier = |scorer: DomainScorer| -> Result<_> {
        let c =
            gen_core::classifier::run::evaluation_classifier(None, scorer.classifier_data, device)?;
        gen_core::classifier::run::check_image(&c, image, name)?;
        Ok(c)
    };
    let classifier_a = classifier(scorer_a)?;
    let classifier_b = classifier(scorer_b)?;
    let t = trained.translator();
    let a_to_b = translate_all(t, Direction::AToB, a, image, device);
    let b_to_a = translate_all(t, Direction::BToA, b, image, device);
    let accuracy = |c: &gen_core::classifier::ClassifierArtefact,
                    scorer: DomainScorer,
                    values: &[f32],
                    labels: &[u8]| {
        let accuracy = if scorer.undo_restyle {
            let originals = gen_core::data::restyled::restyle_image(values);
            c.model.accuracy(&originals, labels, image, device)
        } else {
            c.model.accuracy(values, labels, image, device)
        };
        json!(accuracy)
    };
    let score_a = |values: &[f32], labels: &[u8]| accuracy(&classifier_a, scorer_a, values, labels);
    let score_b = |values: &[f32], labels: &[u8]| accuracy(&classifier_b, scorer_b, values, labels);
    let mut m = Map::new();
    m.insert("labels_a_to_b".into(), score_b(&a_to_b, labels_a));
    m.insert("labels_b_to_a".into(), score_a(&b_to_a, labels_b));
    m.insert("labels_untranslated_a".into(), score_b(&a.values, labels_a));
    m.insert("labels_untranslated_b".into(), score_a(&b.values, labels_b));
    m.insert("classifier_accuracy_a".into(), score_a(&a.values, labels_a));
    m.insert("classifier_accuracy_b".into(), score_b(&b.values, labels_b));
    m.insert("labels_test_images".into(), json!(a.len()));
    Ok(m)
}

/// The `translation` metric (see [`eval`]).
fn translation_errors(
    trained: &dyn TrainedTranslation,
    name: &str,
    domains: &TwoDomain,
    image: [usize; 3],
    device: &Device,
) -> Result<Map<String, Value>> {
    if !paired(name, domains) {
        bail!(
            "the translation metric needs test images with known counterparts (testA and testB with the same file names, or the generated shapes); '{name}' has none"
        );
    }
    let t = trained.translator();
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
/// image, with the same file name; images may differ in size when the networks take each.
pub fn translate(
    args: &TranslateRequest<'_>,
    trained: &dyn TrainedTranslation,
    device: &Device,
) -> Result<()> {
    let direction = args.direction;
    let files = list_images(args.input)?;
    // Each output keeps its input's file name, so writing into the input folder would replace
    // the originals.
    if let (Ok(input), Ok(out)) = (
        std::fs::canonicalize(args.input),
        std::fs::canonicalize(args.out),
    ) && input == out
    {
        bail!(
            "--out {} is the input folder: the translations would overwrite the original images; choose another folder",
            args.out.display()
        );
    }
    // Grey runs (the digits) read each file's grey levels, colour runs its RGB values.
    let channels = trained.image()[0];
    if !matches!(channels, 1 | 3) {
        bail!("the run translates {channels}-channel images; image files give 1 or 3 channels");
    }
    std::fs::create_dir_all(args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for file in &files {
        let (values, w, h) = load_image_channels(file, None, channels)?;
        let image = [channels, h as usize, w as usize];
        trained
            .fits(image)
            .map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let rows = Tensor::<1>::from_floats(values.as_slice(), device).reshape([1, values.len()]);
        let out = to_vec_f32(trained.translator().translate_rows(direction, rows, image));
        let target = args
            .out
            .join(file.file_name().expect("listed files have names"));
        write_image(&target, &out, image)
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    eprintln!(
        "translated {} images {} into {}",
        files.len(),
        args.direction.flag_name(),
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

/// `PREFIX.weight` `[out, in, k, k]` and `PREFIX.bias`.
pub fn conv(prefix: &str, layer: &Conv2d) -> Vec<NamedTensor> {
    let mut out = vec![named(format!("{prefix}.weight"), layer.weight.val())];
    out.extend(bias(prefix, &layer.bias));
    out
}

/// `PREFIX.weight` `[in, out, k, k]` and `PREFIX.bias`.
pub fn transposed(prefix: &str, layer: &ConvTranspose2d) -> Vec<NamedTensor> {
    let mut out = vec![named(format!("{prefix}.weight"), layer.weight.val())];
    out.extend(bias(prefix, &layer.bias));
    out
}

/// `PREFIX.I.{first,second}.*` for each residual block.
pub fn blocks(prefix: &str, blocks: &[ResidualBlock]) -> Vec<NamedTensor> {
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        out.extend(conv(&format!("{prefix}.{i}.first"), &block.first));
        out.extend(conv(&format!("{prefix}.{i}.second"), &block.second));
    }
    out
}

/// `PREFIX.layers.I.*` and `PREFIX.head.*`.
pub fn discriminator(prefix: &str, d: &PatchDiscriminator) -> Vec<NamedTensor> {
    let mut out = Vec::new();
    for (i, layer) in d.layers.iter().enumerate() {
        out.extend(conv(&format!("{prefix}.layers.{i}"), layer));
    }
    out.extend(conv(&format!("{prefix}.head"), &d.head));
    out
}

/// The data of a new run, loaded before its configuration is resolved because the presets
/// depend on the image size; `None` on `--resume` (the run's own configuration names it).
pub fn initial_domains(data: &str, resume: bool) -> Result<(Option<TwoDomain>, [usize; 3])> {
    if resume {
        return Ok((None, [0, 0, 0]));
    }
    let domains = load_domains(data)?;
    let image = image_of(&domains.train_a)?;
    Ok((Some(domains), image))
}

/// What the shared training path reads of a translation method's run configuration.
pub struct TranslationRunSettings<'a> {
    /// The data's name.
    pub data: &'a str,
    /// The image shape the run was configured for.
    pub image: [usize; 3],
    /// The run's seed.
    pub seed: u64,
    /// Passes over domain A.
    pub epochs: u64,
    /// Backend the run trains on.
    pub backend: BackendName,
    /// Log every this many updates.
    pub log_every: u64,
    /// Checkpoint every this many updates.
    pub checkpoint_every: u64,
    /// Sample grids and learning curves every this many epochs.
    pub epochs_per_report: u64,
    /// Train on at most this many images of each domain, the first ones.
    pub max_dataset_size: Option<usize>,
    /// Images per update.
    pub batch_size: usize,
    /// The training crop and flip.
    pub augmentation: Augmentation,
    /// The progress bar's label.
    pub label: String,
}

/// Trains a translation run: checks the data (`loaded`, or loaded now on `--resume`) against
/// the configuration (the image size, the crop, the batch size, and `fits`: whether the
/// networks take the image sizes they will see), creates the run folder, builds the trainer
/// with `build` on the freshly seeded device and runs the shared loop over domain A. `build`
/// returns the trainer and the (autodiff) device it trains on.
pub fn train_translation<C: RunConfig, T: Trainer>(
    prepared: &Prepared<C>,
    loaded: Option<TwoDomain>,
    settings: TranslationRunSettings,
    quiet: bool,
    fits: impl Fn([usize; 3]) -> Result<(), ConfigError>,
    build: impl FnOnce(TranslationData, &Device) -> Result<(T, Device), ConfigError>,
) -> Result<()> {
    let s = settings;
    let mut domains = match loaded {
        Some(d) => d,
        None => load_domains(s.data)?,
    };
    if let Some(max) = s.max_dataset_size {
        gen_core::validate::at_least("max_dataset_size", max, 1)?;
        domains.train_a = first(&domains.train_a, max);
        domains.train_b = first(&domains.train_b, max);
    }
    let image = image_of(&domains.train_a)?;
    if image != s.image {
        bail!(
            "the run was configured for {:?} images but '{}' holds {image:?}",
            s.image,
            s.data
        );
    }
    s.augmentation
        .validate(image)
        .and_then(|()| fits(s.augmentation.output(image)))
        .and_then(|()| fits(image))
        .map_err(|e| anyhow!("'{}': {e}", s.data))?;
    if s.batch_size > domains.train_a.len() {
        bail!(
            "the batch size {} is larger than the {} training images of domain A",
            s.batch_size,
            domains.train_a.len()
        );
    }
    let device = device_for(s.backend)?;
    let run = prepared.create_run()?;
    device.seed(derive(s.seed, Stream::Init, 0));
    // What the trainer holds of the data: domain B to draw partners from, and the first test
    // images of each domain for the sample grids.
    let data = TranslationData {
        image,
        train_a_len: domains.train_a.len(),
        train_b: domains.train_b.clone(),
        preview_a: first(&domains.test_a, PREVIEW_IMAGES),
        preview_b: first(&domains.test_b, PREVIEW_IMAGES),
    };
    let (mut trainer, train_device) = build(data, &device).map_err(|e| e.within("train"))?;
    let opts = LoopOptions {
        epochs: s.epochs,
        batch_size: s.batch_size,
        seed: s.seed,
        log_every: s.log_every,
        checkpoint_every: s.checkpoint_every,
        epochs_per_report: s.epochs_per_report,
        grid_samples: GRID_IMAGES,
        sample_shape: None,
        quiet,
        label: s.label,
    };
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

/// The blob `name` of `checkpoint` loaded into `module` (freshly built from the run's
/// configuration); a checkpoint of another architecture is refused with the tensors that differ.
pub fn load_blob<M: Module>(
    run: &RunDir,
    checkpoint: &Checkpoint,
    name: &str,
    module: M,
) -> Result<M> {
    checkpoint
        .module(name, module)
        .map_err(|e| anyhow!("{}: {e}", run.checkpoints_dir().display()))
}
