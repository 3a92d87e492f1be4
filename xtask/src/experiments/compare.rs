//! `compare`: every sample-generating model of the report (RBM, GMMN, GMMN+AE, DAE simple and
//! walkback, deep EBM) scored by the same metrics: the Parzen-window log-likelihood, MMD² to
//! the test set and the Fréchet distance on the evaluation classifier's features, then where
//! Parzen and the Fréchet distance disagree. Each model is the run its own experiment trains
//! (reused when finished); only the missing metrics are computed.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use serde_json::Value;

use super::{check_data, dae, ebm, ensure_classifier, eval_missing, gmmn, num, rbm};
use crate::experiment::{Experiment, Profile, RunContext, Section};

/// One model of the table: its label and its run.
pub type ComparedRun = (String, PathBuf);

/// The dataset every compared model is trained on.
fn data(profile: Profile) -> &'static str {
    match profile {
        Profile::Quick => "digits",
        Profile::Paper => "mnist",
    }
}

/// A model's numbers.
struct Row {
    label: String,
    parzen: f64,
    parzen_se: f64,
    mmd2: f64,
    fd: f64,
    fd_floor: f64,
    /// The test split it is scored on (the binarised models are scored on binarised images).
    test_split: &'static str,
    seconds: f64,
}

fn row(label: String, sm: &Value, test_split: &'static str) -> Row {
    Row {
        label,
        parzen: num(sm, "parzen_ll"),
        parzen_se: num(sm, "parzen_se"),
        mmd2: num(sm, "mmd2"),
        fd: num(sm, "fd"),
        fd_floor: num(sm, "fd_train_to_test"),
        test_split,
        seconds: num(sm, "train_seconds"),
    }
}

/// The pairs of models that Parzen (higher is better) and the Fréchet distance (lower is
/// better) order differently, as `(better by Parzen, better by FD)`.
fn disagreements(rows: &[Row]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..rows.len() {
        for j in i + 1..rows.len() {
            let (a, b) = (&rows[i], &rows[j]);
            let parzen = a.parzen.partial_cmp(&b.parzen);
            let fd = b.fd.partial_cmp(&a.fd);
            if let (Some(p), Some(f)) = (parzen, fd)
                && p != f
                && p != std::cmp::Ordering::Equal
                && f != std::cmp::Ordering::Equal
            {
                out.push(if p == std::cmp::Ordering::Greater {
                    (i, j)
                } else {
                    (j, i)
                });
            }
        }
    }
    out
}

/// Labels ordered best first by `key` (descending when `higher_is_better`).
fn ranking(rows: &[Row], key: impl Fn(&Row) -> f64, higher_is_better: bool) -> String {
    let mut order: Vec<&Row> = rows.iter().filter(|r| key(r).is_finite()).collect();
    order.sort_by(|a, b| {
        let (x, y) = (key(a), key(b));
        if higher_is_better {
            y.total_cmp(&x)
        } else {
            x.total_cmp(&y)
        }
    });
    order
        .iter()
        .map(|r| r.label.as_str())
        .collect::<Vec<_>>()
        .join(" > ")
}

fn discussion(rows: &[Row]) -> String {
    let pairs = disagreements(rows);
    let total = rows.len() * (rows.len().saturating_sub(1)) / 2;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Best first by Parzen: {}. Best first by the Fréchet distance: {}. The two orders disagree on {} of {} pairs of models{}",
        ranking(rows, |r| r.parzen, true),
        ranking(rows, |r| r.fd, false),
        pairs.len(),
        total,
        if pairs.is_empty() { "." } else { ":" }
    );
    for (by_parzen, by_fd) in &pairs {
        let (p, f) = (&rows[*by_parzen], &rows[*by_fd]);
        let _ = writeln!(
            text,
            "- Parzen prefers {} ({:.2} against {:.2} nats), the Fréchet distance prefers {} ({:.1} against {:.1}).",
            p.label, p.parzen, f.parzen, f.label, f.fd, p.fd
        );
    }
    let _ = writeln!(
        text,
        "\nWhy they can disagree: the Parzen estimate scores each test image by its pixel distance to the nearest of 10,000 samples under one bandwidth, so it rewards samples that sit near many test images, blurry averages included, and a model is punished hard (through the logarithm) for test images far from every sample; in high dimension it is a poor estimate of the likelihood and can rank models in any order (Theis, van den Oord & Bethge 2016). The Fréchet distance compares the mean and covariance of the classifier's features of samples and test images: it rewards recognisable digits of every class in the right proportions and ignores pixel detail the classifier does not use, but it sees only two moments, so mode dropping inside a class can go unseen. With few images it is biased upwards: the last column gives the distance from as many training images to the same test images, the floor a perfect model would reach at this sample size. Rows scored on binarised images (RBM, DAE) use a different test split from the grey-level rows, so their Parzen numbers are not comparable with the others'."
    );
    text
}

/// `compare`: the comparison table of all sample-generating models.
pub struct CompareExperiment;

impl Experiment for CompareExperiment {
    fn name(&self) -> &'static str {
        "compare"
    }

    fn run(&self, ctx: &RunContext) -> Result<Section> {
        let data = data(ctx.profile);
        check_data(data, ctx.profile)?;
        let (classifier_dir, classifier) = ensure_classifier(ctx, data)?;
        let binarised = "binarised at 0.5";
        let grey = "grey levels";
        let groups: Vec<(Vec<ComparedRun>, &'static str)> = vec![
            (rbm::comparison_runs(ctx)?, binarised),
            (gmmn::comparison_runs(ctx)?, grey),
            (dae::comparison_runs(ctx)?, binarised),
            (ebm::comparison_runs(ctx)?, grey),
        ];
        let mut rows = Vec::new();
        for (runs, test_split) in groups {
            for (label, run) in runs {
                let sm = eval_missing(
                    ctx,
                    &run,
                    &[("parzen", "parzen_ll"), ("mmd", "mmd2"), ("fd", "fd")],
                )?;
                rows.push(row(label, &sm, test_split));
            }
        }
        let mut table = String::new();
        let _ = writeln!(
            table,
            "| model | test split | Parzen log-likelihood (nats) | MMD² to test | Fréchet distance | FD of training images (floor) | training time (s) |"
        );
        let _ = writeln!(table, "|---|---|---:|---:|---:|---:|---:|");
        for r in &rows {
            let _ = writeln!(
                table,
                "| {} | {} | {:.1} ± {:.1} | {:.5} | {:.1} | {:.1} | {:.1} |",
                r.label, r.test_split, r.parzen, r.parzen_se, r.mmd2, r.fd, r.fd_floor, r.seconds
            );
        }
        let mut body = String::new();
        let _ = writeln!(
            body,
            "Every model is the run of its own section, scored on the {data} test split by `gen eval RUN --metric parzen|mmd|fd`. Parzen: 10,000 samples, σ chosen on the last tenth of the training split. MMD²: unbiased, Gaussian kernel of median-heuristic bandwidth, as many samples as test images. Fréchet distance: between the 128 penultimate features of the evaluation classifier for as many samples as test images and for the test images. The classifier (`gen train classifier --data {data}`, the Keras MNIST example's CNN trained with burn-train's Learner, artefact `{}`, version {}) classifies {:.1}% of the {} test images correctly.\n",
            classifier_dir.display(),
            gen_core::classifier::CLASSIFIER_VERSION,
            100.0 * num(&classifier, "test_accuracy"),
            classifier["test_images"]
        );
        let _ = writeln!(body, "{table}");
        let _ = writeln!(body, "{}", discussion(&rows));
        Ok(Section {
            title: "All sample-generating models on the same metrics".into(),
            body,
            seeds: vec![1],
            command: format!(
                "cargo xtask reproduce --profile {} --only compare",
                ctx.profile.as_str()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(label: &str, parzen: f64, fd: f64) -> Row {
        Row {
            label: label.into(),
            parzen,
            parzen_se: 0.0,
            mmd2: 0.0,
            fd,
            fd_floor: 0.0,
            test_split: "grey levels",
            seconds: 0.0,
        }
    }

    #[test]
    fn disagreements_are_the_pairs_ordered_oppositely() {
        // Parzen: a > b > c; FD (lower better): c < a < b. Pairs (a, c) and (b, c) flip.
        let rows = [r("a", -1.0, 20.0), r("b", -2.0, 30.0), r("c", -3.0, 10.0)];
        assert_eq!(disagreements(&rows), vec![(0, 2), (1, 2)]);
        assert_eq!(ranking(&rows, |r| r.parzen, true), "a > b > c");
        assert_eq!(ranking(&rows, |r| r.fd, false), "c > a > b");
        let text = discussion(&rows);
        assert!(text.contains("disagree on 2 of 3 pairs"), "{text}");
        assert!(text.contains("Parzen prefers a (-1.00 against -3.00 nats), the Fréchet distance prefers c (10.0 against 20.0)"), "{text}");
    }

    #[test]
    fn missing_numbers_are_left_out_of_rankings() {
        let rows = [r("a", f64::NAN, 20.0), r("b", -2.0, 30.0)];
        assert!(disagreements(&rows).is_empty());
        assert_eq!(ranking(&rows, |r| r.parzen, true), "b");
    }
}
