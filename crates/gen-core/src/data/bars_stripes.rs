//! Bars and stripes (MacKay 2003): `n x n` binary images in which either every row or every
//! column is constant. There are `2^(n+1) - 2` distinct patterns (the all-off and all-on
//! images are both a bar and a stripe pattern), so an RBM on them has a log-likelihood that can
//! be computed exactly — the classic tractable test set for RBM training.

use super::dataset::{Dataset, ItemShape};

/// Every distinct `n x n` bars-and-stripes pattern, each once (the uniform target distribution).
pub fn bars_and_stripes(n: usize) -> Dataset {
    assert!(
        (1..=12).contains(&n),
        "bars and stripes side must be in 1..=12"
    );
    let mut patterns: Vec<Vec<f32>> = Vec::new();
    for mask in 0u32..(1 << n) {
        let on = |i: usize| if mask >> i & 1 == 1 { 1.0 } else { 0.0 };
        // Horizontal bars: row r is constant, on when bit r of the mask is set.
        let bars: Vec<f32> = (0..n * n).map(|p| on(p / n)).collect();
        // Vertical stripes: column c is constant.
        let stripes: Vec<f32> = (0..n * n).map(|p| on(p % n)).collect();
        for pattern in [bars, stripes] {
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
    }
    Dataset {
        name: format!("bars-and-stripes-{n}x{n}"),
        values: patterns.concat(),
        item_shape: ItemShape::Image {
            channels: 1,
            height: n,
            width: n,
        },
        labels: None,
    }
}
