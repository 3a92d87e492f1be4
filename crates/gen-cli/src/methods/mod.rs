//! One module per method: its run configuration and how `train`, `sample`, `eval` and
//! `export` act on its runs; `run_setup` and `sample_metrics` hold what they share.

pub mod classifier;
pub mod cyclegan;
pub mod dae;
pub mod ebm;
pub mod gmmn;
pub mod rbm;
pub mod run_setup;
pub mod sample_metrics;
pub mod translation;
pub mod unit;

use gen_core::data::ItemShape;

/// A `side x side` grey image when `dim` is a square, else a vector.
pub fn square_image_shape(dim: usize) -> ItemShape {
    let side = (dim as f64).sqrt().round() as usize;
    if side * side == dim {
        ItemShape::Image {
            channels: 1,
            height: side,
            width: side,
        }
    } else {
        ItemShape::Vector { dim }
    }
}

/// `v` as a TOML float (TOML spells the non-finite ones `nan`, `inf`, `-inf`), so that such a
/// flag value reaches validation and its clear error.
pub fn toml_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{v:?}")
    }
}
