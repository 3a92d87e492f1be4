//! One module per method: its run configuration and how `train`, `sample`, `eval` and
//! `export` act on its runs.

pub mod rbm;
