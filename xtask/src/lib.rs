//! Developer and reproduction tasks: `cargo xtask download`, `reproduce` and `bench`.

pub mod archive;
pub mod bench;
pub mod bench_spread;
pub mod download;
pub mod experiment;
pub mod experiments;
pub mod mnist_pickle_import;
pub mod numpy_pickle;
pub mod reproduce;
