//! Grey-level images in a second style, for translation with labels: every image with its grey
//! levels inverted, dark strokes on a light ground (the digits and MNIST are light strokes on a
//! dark ground). Each restyled image keeps its label and is the known counterpart of its
//! original, so a translation model can be scored by label preservation (an evaluation
//! classifier applied to its translations, as the domain-adaptation papers measure it) and by
//! its distance to the counterpart.
//!
//! The two-domain sets (`digits2restyled`, `mnist2restyled`) are unpaired in training (domain
//! A holds the training images at even positions, domain B the restyled images at odd
//! positions, so no image appears in both) and paired in test (the test images and their
//! restyled counterparts, under the same file names).

use super::dataset::{Dataset, Splits};
use super::image_folder::TwoDomain;

/// One restyled image: each value `v` becomes `1 - v`. The map is its own inverse, so
/// restyling a restyled image gives the original back, to float rounding (exact on the digits'
/// 17 levels, within 3e-8 on 127 of MNIST's 256), which lets one domain's classifier score the
/// other (`gen-i2i`'s label metric on MNIST). (A dilation before the inversion was tried
/// first on the 8x8 digits: it fills most of the frame, the restyled-digit classifier reached
/// only 90%, and a CycleGAN of ten epochs kept 4% of the labels; docs/i2i.md.)
pub fn restyle_image(pixels: &[f32]) -> Vec<f32> {
    pixels.iter().map(|v| 1.0 - v).collect()
}

/// Every image of `data` restyled, labels and shape kept, under `name`.
pub fn restyled(data: &Dataset, name: &str) -> Dataset {
    Dataset {
        name: name.into(),
        values: restyle_image(&data.values),
        ..data.clone()
    }
}

/// Both splits restyled, under `name` (`digits-restyled`, `mnist-restyled`).
pub fn restyled_splits(splits: &Splits, name: &str) -> Splits {
    Splits {
        train: restyled(&splits.train, name),
        test: restyled(&splits.test, name),
    }
}

/// The two-domain set built from one labelled set's `splits` (see the module doc), under
/// `name` (`digits2restyled`, `mnist2restyled`).
pub fn two_domain_restyled(splits: &Splits, name: &str) -> TwoDomain {
    let n = splits.train.len();
    let even: Vec<usize> = (0..n).step_by(2).collect();
    let odd: Vec<usize> = (1..n).step_by(2).collect();
    let names: Vec<String> = (0..splits.test.len())
        .map(|i| format!("{i:05}.png"))
        .collect();
    let renamed = |mut d: Dataset| {
        d.name = name.into();
        d
    };
    TwoDomain {
        train_a: renamed(splits.train.select(&even)),
        train_b: restyled(&splits.train.select(&odd), name),
        test_a: renamed(splits.test.clone()),
        test_b: restyled(&splits.test, name),
        test_a_names: names.clone(),
        test_b_names: names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::digits::digits_splits;

    #[test]
    fn restyling_inverts_the_grey_levels_and_undoes_itself() {
        let pixels: Vec<f32> = (0..64).map(|i| i as f32 / 64.0).collect();
        let out = restyle_image(&pixels);
        assert!(out.iter().zip(&pixels).all(|(o, p)| o + p == 1.0));
        assert_eq!(restyle_image(&out), pixels);
    }

    #[test]
    fn the_two_domain_set_is_unpaired_in_training_and_paired_in_test() {
        let digits = digits_splits();
        let d = two_domain_restyled(&digits, "digits2restyled");
        assert_eq!(d.train_a.len() + d.train_b.len(), digits.train.len());
        assert_eq!(d.test_a.len(), d.test_b.len());
        assert_eq!(d.test_a.labels, d.test_b.labels);
        assert_eq!(d.test_b.item(7), restyle_image(d.test_a.item(7)).as_slice());
        // Training image k of B is the restyled training image 2k + 1, never one of A's.
        assert_eq!(
            d.train_b.item(0),
            restyle_image(digits.train.item(1)).as_slice()
        );
        assert_eq!(
            d.train_b.labels.as_ref().unwrap()[3],
            digits.train.labels.as_ref().unwrap()[7]
        );
        assert_eq!(d.train_a.item(1), digits.train.item(2));
        assert_eq!(d.test_a_names, d.test_b_names);
        assert!(
            [&d.train_a, &d.train_b, &d.test_a, &d.test_b]
                .iter()
                .all(|s| s.name == "digits2restyled")
        );
    }
}
