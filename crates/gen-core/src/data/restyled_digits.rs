//! Digits in a second style, for translation with labels: every 8x8 digit of the shipped set
//! drawn with thick, light-on-dark strokes (a cross-shaped dilation, then the grey levels
//! inverted). Each restyled image keeps its digit's label and is the known counterpart of its
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

/// One restyled image: each pixel becomes the maximum of itself and its four neighbours (the
/// strokes thicken by a pixel), then `1 - value` (light strokes on a dark ground).
pub fn restyle_digit(pixels: &[f32]) -> Vec<f32> {
    assert_eq!(pixels.len(), SIDE * SIDE, "an 8x8 digit");
    let at = |r: isize, c: isize| {
        if (0..SIDE as isize).contains(&r) && (0..SIDE as isize).contains(&c) {
            pixels[r as usize * SIDE + c as usize]
        } else {
            0.0
        }
    };
    (0..SIDE * SIDE)
        .map(|i| {
            let (r, c) = ((i / SIDE) as isize, (i % SIDE) as isize);
            let thick = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
                .iter()
                .map(|(dr, dc)| at(r + dr, c + dc))
                .fold(0.0f32, f32::max);
            1.0 - thick
        })
        .collect()
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
    fn one_lit_pixel_becomes_a_dark_cross_on_white() {
        let mut pixels = vec![0.0; 64];
        pixels[3 * 8 + 4] = 1.0;
        let out = restyle_digit(&pixels);
        let dark: Vec<usize> = (0..64).filter(|&i| out[i] == 0.0).collect();
        assert_eq!(dark, vec![2 * 8 + 4, 3 * 8 + 3, 3 * 8 + 4, 3 * 8 + 5, 4 * 8 + 4]);
        assert!(
            out.iter()
                .enumerate()
                .all(|(i, &v)| dark.contains(&i) || v == 1.0)
        );
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
        assert_eq!(d.train_b.item(0), restyle_digit(digits.train.item(1)).as_slice());
        assert_eq!(d.train_a.item(1), digits.train.item(2));
    }
}
