//! Datasets: loaders for real data, the shipped and generated sets, binarisation and batching.
//! Every loader returns a [`DataError`] naming the file and the problem on bad input.

pub mod bars_stripes;
pub mod batch;
pub mod binarize;
pub mod dataset;
pub mod density2d;
pub mod digits;
pub mod error;
pub mod idx;
pub mod image_folder;
pub mod registry;
pub mod restyled;
pub mod shapes;

pub use binarize::Binarize;
pub use dataset::{Dataset, ItemShape, Splits};
pub use density2d::Density2d;
pub use error::DataError;
pub use image_folder::TwoDomain;
pub use registry::{Loaded, catalogue, data_dir, load};
