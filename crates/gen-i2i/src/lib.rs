//! # gen-i2i
//!
//! Unpaired image-to-image translation: CycleGAN (Zhu et al. 2017) and UNIT (Liu, Breuel &
//! Kautz 2017). The lecture's objective `L_GAN(G, D_Y) + L_GAN(F, D_X) + λ L_cyc(G, F)` is
//! [`cyclegan_train::translator_losses`]; the networks are the reference implementation's
//! ResNet generator ([`resnet_generator`]) and PatchGAN discriminator
//! ([`patch_discriminator`]). UNIT's VAE-GANs with shared high-level blocks are [`mod@unit`], its
//! objective [`unit_train::unit_losses`]. Both train through the shared loop of `gen-core`
//! ([`cyclegan_train::CycleGanTrainer`], [`unit_train::UnitTrainer`]).

pub mod adam;
pub mod critics;
pub mod cyclegan;
pub mod cyclegan_train;
pub mod images;
pub mod layers;
pub mod patch_discriminator;
pub mod pool;
pub mod resnet_generator;
pub mod run;
pub mod schedule;
pub mod translator;
pub mod unit;
pub mod unit_train;
pub mod unpaired;

pub use critics::Critics;
pub use cyclegan::{CycleGanConfig, Translators};
pub use cyclegan_train::{CycleGanTrainConfig, CycleGanTrainer};
pub use gen_core::loss::GanLoss;
pub use images::Augmentation;
pub use patch_discriminator::{PatchDiscriminator, PatchDiscriminatorConfig};
pub use pool::ImagePool;
pub use resnet_generator::{ResnetGenerator, ResnetGeneratorConfig};
pub use schedule::LinearDecay;
pub use translator::{Direction, ImageTranslator, triplet_rows};
pub use unit::{Domain, Unit, UnitConfig};
pub use unit_train::{UnitTrainConfig, UnitTrainer};
pub use unpaired::TranslationData;
