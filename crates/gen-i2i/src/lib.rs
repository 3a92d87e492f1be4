//! gen-i2i
