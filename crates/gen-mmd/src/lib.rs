//! gen-mmd
