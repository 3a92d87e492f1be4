//! Digits in a second style, for translation with labels: every 8x8 digit of the shipped set
//! with its grey levels inverted, dark strokes on a light ground (the originals are light
//! strokes on a dark ground). Each restyled image keeps its digit's label and is the known counterpart of its
//! original, so a translation model can be scored by label preservation (the evaluation
//! classifier applied to its translations, as the domain-adaptation papers measure it) and by
//! its distance to the counterpart.
//!
//! The two-domain set `digits2restyled` is unpaired in training (domain A holds the training
//! digits at even positions, domain B the restyled digits at odd positions, so no digit
//! appears in both) and paired in test (the test digits and their restyled counterparts).

use super::dataset::{Dataset, Splits};
use super::digits::digits_splits;
use super::image_folder::TwoDomain;

/// Side of the shipped digits.
const SIDE: usize = 8;

/// One restyled image: each pixel `v` becomes `1 - v`, dark strokes on a light ground. (A
/// dilation before the inversion was tried first: on 8x8 digits it fills most of the frame,
/// the restyled-digit classifier reached only 90%, and a CycleGAN of ten epochs kept 4% of
/// the labels; docs/i2i.md.)
pub fn restyle_digit(pixels: &[f32]) -> Vec<f32> {
    assert_eq!(pixels.len(), SIDE * SIDE, "an 8x8 digit");
    pixels.iter().map(|v| 1.0 - v).collect()
}

fn restyled(data: &Dataset) -> Dataset {
    Dataset {
        name: "digits-restyled".into(),
        values: data
            .values
            .chunks_exact(SIDE * SIDE)
            .flat_map(restyle_digit)
            .collect(),
        ..data.clone()
    }
}

/// The shipped digits' splits, restyled, labels kept.
pub fn restyled_digits_splits() -> Splits {
    let digits = digits_splits();
    Splits {
        train: restyled(&digits.train),
        test: restyled(&digits.test),
    }
}

/// The two-domain set (see the module doc).
pub fn digits_two_domain() -> TwoDomain {
    let digits = digits_splits();
    let n = digits.train.len();
    let even: Vec<usize> = (0..n).step_by(2).collect();
    let odd: Vec<usize> = (1..n).step_by(2).collect();
    let names: Vec<String> = (0..digits.test.len())
        .map(|i| format!("{i:05}.png"))
        .collect();
    let name = |mut d: Dataset, name: &str| {
        d.name = name.into();
        d
    };
    TwoDomain {
        train_a: name(digits.train.select(&even), "digits2restyled"),
        train_b: name(restyled(&digits.train.select(&odd)), "digits2restyled"),
        test_b: name(restyled(&digits.test), "digits2restyled"),
        test_a: name(digits.test, "digits2restyled"),
        test_a_names: names.clone(),
        test_b_names: names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restyling_inverts_the_grey_levels() {
        let pixels: Vec<f32> = (0..64).map(|i| i as f32 / 64.0).collect();
        let out = restyle_digit(&pixels);
        assert!(out.iter().zip(&pixels).all(|(o, p)| o + p == 1.0));
    }

    #[test]
    fn the_two_domain_set_is_unpaired_in_training_and_paired_in_test() {
        let d = digits_two_domain();
        let digits = digits_splits();
        assert_eq!(d.train_a.len() + d.train_b.len(), digits.train.len());
        assert_eq!(d.test_a.len(), d.test_b.len());
        assert_eq!(d.test_a.labels, d.test_b.labels);
        assert_eq!(d.test_b.item(7), restyle_digit(d.test_a.item(7)).as_slice());
        // Training image k of B is the restyled training digit 2k + 1, never one of A's.
        assert_eq!(
            d.train_b.item(0),
            restyle_digit(digits.train.item(1)).as_slice()
        );
        assert_eq!(d.train_a.item(1), digits.train.item(2));
    }
}
