//! The UCI optical recognition of handwritten digits set (Alpaydin & Kaynak 1998), the copy that
//! scikit-learn distributes: 1,797 images of 8x8 pixels with 17 grey levels (0..16) and their
//! labels. CC BY 4.0. It ships inside this crate so every test and the quick profile run offline.

use std::io::Read;
use std::path::Path;

use super::dataset::{Dataset, ItemShape, Splits};
use super::error::DataError;

/// `digits.csv.gz` from scikit-learn 1.9.1 (`sklearn/datasets/data/`): 64 pixels then the label.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// Number of images in the set.
pub const DIGITS_COUNT: usize = 1797;
/// Highest grey level; pixels are divided by it.
const GREY_LEVELS: f32 = 16.0;
/// Images kept for the test split (the last ones, about 20%).
pub const DIGITS_TEST_COUNT: usize = 360;

/// Parses the CSV (64 integer pixels and a label per line).
pub fn parse_digits_csv(text: &str, path: &Path) -> Result<Dataset, DataError> {
    let mut values = Vec::with_capacity(DIGITS_COUNT * 64);
    let mut labels = Vec::with_capacity(DIGITS_COUNT);
    for (line_no, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 65 {
            return Err(DataError::Malformed {
                path: path.to_path_buf(),
                problem: format!("line {}: {} fields, expected 65", line_no + 1, fields.len()),
            });
        }
        for (i, f) in fields.iter().enumerate() {
            let v: f32 = f.trim().parse().map_err(|_| DataError::Malformed {
                path: path.to_path_buf(),
                problem: format!(
                    "line {}: field {} is not a number: '{f}'",
                    line_no + 1,
                    i + 1
                ),
            })?;
            if i < 64 {
                values.push(v / GREY_LEVELS);
            } else {
                labels.push(v as u8);
            }
        }
    }
    Ok(Dataset {
        name: "digits".to_string(),
        values,
        item_shape: ItemShape::Image {
            channels: 1,
            height: 8,
            width: 8,
        },
        labels: Some(labels),
    })
}

/// All 1,797 shipped digits, pixels in `[0, 1]`.
pub fn digits() -> Dataset {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DIGITS_CSV_GZ)
        .read_to_string(&mut text)
        .expect("the shipped digits archive is valid gzip");
    parse_digits_csv(&text, Path::new("<shipped digits.csv.gz>"))
        .expect("the shipped digits CSV is well formed")
}

/// The shipped digits split into 1,437 training and 360 test images (a fixed split: the last
/// 360 rows of the file).
pub fn digits_splits() -> Splits {
    let all = digits();
    let (train, test) = all.split_at(DIGITS_COUNT - DIGITS_TEST_COUNT);
    Splits { train, test }
}
