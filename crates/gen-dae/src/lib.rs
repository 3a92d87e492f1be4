//! gen-dae
