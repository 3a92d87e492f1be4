//! gen-ebm
