//! `gen eval RUN --metric parzen|mmd` for any method that draws samples (GMMN, DAE, EBM): the
//! shared protocols of docs/evaluation.md applied to the model's samples.
//!
//! - `parzen`: the GAN paper's Parzen-window protocol (gen-core): 10,000 samples, σ chosen on a
//!   validation set, test log-likelihood ± standard error. The validation set is the data's
//!   validation split (`gen_core::data::registry::validation_len`): MNIST's last 10,000
//!   training images, elsewhere the last tenth of the training split.
//! - `mmd`: the unbiased MMD² between as many samples as test points (at most 10,000) and the
//!   test split, with a Gaussian kernel of median-heuristic bandwidth, and the permutation
//!   p-value of the two-sample test on up to 1,000 points of each.
//! - `fd`: the Fréchet distance between the evaluation classifier's penultimate features of as
//!   many samples as test images (at most 10,000) and of the test images, beside the same
//!   distance from as many training images to the test images (what a model that reproduced
//!   the training set would score at that sample size). Beside it, the classifier's predicted
//!   class of each of those samples: the share per class and how many classes hold at least
//!   5% (`class_histogram`).

use std::path::Path;

use super::Metric;
use super::class_histogram::{OCCUPIED_SHARE, class_shares, occupied_classes};
use super::frechet::frechet_distance_of;
use super::parzen::{ParzenConfig, parzen_protocol};
use super::two_sample::{
    PointSet, TwoSampleConfig, median_heuristic_kernel, mmd_permutation_test, mmd2_unbiased_blocked,
};
use anyhow::{Result, anyhow};
use burn::tensor::Device;
use serde_json::{Map, Value, json};

use crate::classifier::run as classifier;
use crate::data::Splits;

/// What a sample metric compares the samples with.
pub struct SampleEval<'a> {
    /// The data's splits: the test split is the reference, the training split gives Parzen's
    /// validation set and the Fréchet distance's baseline.
    pub splits: &'a Splits,
    /// The data's name (it picks the default evaluation classifier).
    pub data: &'a str,
    /// The evaluation classifier's folder (`--classifier`), else the data's default artefact.
    pub classifier: Option<&'a Path>,
    /// Seed of the metric's own draws.
    pub seed: u64,
}

/// Evaluates `metric` on samples drawn by `draw(n)` (row-major values, `splits.test.dim()` per
/// sample).
pub fn eval_samples(
    metric: Metric,
    draw: &mut dyn FnMut(usize) -> Vec<f32>,
    ctx: &SampleEval<'_>,
    device: &Device,
) -> Result<Map<String, Value>> {
    let (splits, seed) = (ctx.splits, ctx.seed);
    let dim = splits.test.dim();
    let mut m = Map::new();
    match metric {
        Metric::Parzen => {
            let config = ParzenConfig::default();
            let samples = draw(config.samples);
            let validation = splits.train.validation_split();
            let estimate = parzen_protocol(
                &samples,
                &validation.values,
                &splits.test.values,
                dim,
                &config,
                device,
            )
            .map_err(|e| anyhow!("Parzen evaluation: {e}"))?;
            m.insert("parzen_ll".into(), json!(estimate.mean));
            m.insert("parzen_se".into(), json!(estimate.se));
            m.insert("parzen_sigma".into(), json!(estimate.sigma));
            m.insert("parzen_samples".into(), json!(config.samples));
        }
        Metric::Mmd => {
            let n = splits.test.len().min(10_000);
            let samples = draw(n);
            let model = PointSet::new(&samples, dim);
            let test = PointSet::new(&splits.test.values[..n * dim], dim);
            let kernel = median_heuristic_kernel(model, test, seed)
                .map_err(|e| anyhow!("MMD evaluation: {e}"))?;
            let mmd2 = mmd2_unbiased_blocked(&kernel, model, test, 1024, device)
                .map_err(|e| anyhow!("MMD evaluation: {e}"))?;
            let config = TwoSampleConfig {
                seed,
                ..TwoSampleConfig::default()
            };
            let test_result = mmd_permutation_test(&kernel, model, test, &config, device)
                .map_err(|e| anyhow!("MMD evaluation: {e}"))?;
            m.insert("mmd2".into(), json!(mmd2));
            m.insert("mmd_p_value".into(), json!(test_result.p_value));
            m.insert("mmd_kernel_variance".into(), json!(kernel.variance()));
            m.insert("mmd_points".into(), json!(n));
        }
        Metric::Fd => {
            let image = classifier::image_dims(splits.test.item_shape).ok_or_else(|| {
                anyhow!(
                    "the Fréchet distance compares images; '{}' holds points",
                    ctx.data
                )
            })?;
            let classifier = classifier::evaluation_classifier(ctx.classifier, ctx.data, device)?;
            classifier::check_image(&classifier, image, ctx.data)?;
            let n = splits.test.len().min(10_000);
            let train_n = splits.train.len().min(n);
            let features = |values: &[f32]| classifier.model.features_of(values, image, device);
            let width = classifier.model.feature_dim();
            let test = features(&splits.test.values[..n * dim]);
            let drawn = draw(n);
            let samples = features(&drawn);
            let shares = class_shares(
                &classifier.model.classes_of(&drawn, image, device),
                classifier.model.classes(),
            );
            let train = features(&splits.train.values[..train_n * dim]);
            let fd = frechet_distance_of(&samples, &test, width)?;
            let baseline = frechet_distance_of(&train, &test, width)?;
            m.insert("fd".into(), json!(fd));
            m.insert("fd_train_to_test".into(), json!(baseline));
            m.insert("fd_points".into(), json!(n));
            m.insert(
                "fd_classifier_accuracy".into(),
                json!(classifier.info.test_accuracy()),
            );
            m.insert(
                "classes_occupied".into(),
                json!(occupied_classes(&shares, OCCUPIED_SHARE)),
            );
            m.insert("class_shares".into(), json!(shares));
        }
        other => {
            return Err(anyhow!(
                "unknown metric '{other}' for a sampling model; available: parzen, mmd, fd"
            ));
        }
    }
    Ok(m)
}
