//! One module per method: its run configuration and how `train`, `sample`, `eval` and
//! `export` act on its runs; `run_setup` and `sample_metrics` hold what they share.

pub mod dae;
pub mod ebm;
pub mod gmmn;
pub mod rbm;
pub mod run_setup;
pub mod sample_metrics;

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
