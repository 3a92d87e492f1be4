//! The two discriminators of a translation model: `D_A` tells real A images from translations
//! into A, `D_B` real B images from translations into B. One module, so that one optimiser
//! updates both (the reference's `optimizer_D`).

use burn::module::Module;

use crate::patch_discriminator::PatchDiscriminator;

/// `D_A` and `D_B`.
#[derive(Module, Debug)]
pub struct Critics {
    /// `D_A`, judging images of domain A.
    pub a: PatchDiscriminator,
    /// `D_B`, judging images of domain B.
    pub b: PatchDiscriminator,
}
