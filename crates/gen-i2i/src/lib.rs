//! # gen-i2i
//!
//! Unpaired image-to-image translation: CycleGAN (Zhu et al. 2017) and UNIT (Liu et al. 2017).
//! So far: the discriminators' history of generated images ([`pool::ImagePool`]). The
//! generators, discriminators, losses and training loops arrive with their issue.

pub mod pool;
