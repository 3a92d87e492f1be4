//! The data of unpaired translation training: the loop iterates over domain A, and each step
//! draws as many domain-B images at random as its partners (the reference's
//! `UnalignedDataset` with `serial_batches` off), then crops and flips both batches.

use burn::tensor::{Device, Int, Tensor, TensorData};
use gen_core::data::Dataset;
use gen_core::data::batch::batches_per_epoch;
use gen_core::seed::{Stream, derive};
use gen_core::validate::ConfigError;
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::images::{Augmentation, to_signed};

/// What a translation trainer holds besides the loop's batches of domain A.
pub struct TranslationData {
    /// The `[c, h, w]` shape of every image of both domains.
    pub image: [usize; 3],
    /// Training images of domain A (the loop iterates over them; here for the epoch length).
    pub train_a_len: usize,
    /// Training images of domain B, drawn at random as partners.
    pub train_b: Dataset,
    /// A few images of each domain shown translated and reconstructed in the sample grids.
    pub preview_a: Dataset,
    /// Domain B's preview images.
    pub preview_b: Dataset,
}

impl TranslationData {
    /// Checks domain B and the crop, and lets `model` check the image sizes it will see
    /// (cropped in training, whole in the previews).
    pub fn validate(
        &self,
        augmentation: Augmentation,
        model: impl Fn([usize; 3]) -> Result<(), ConfigError>,
    ) -> Result<(), ConfigError> {
        augmentation.validate(self.image)?;
        model(augmentation.output(self.image))?;
        model(self.image)?;
        if self.train_b.is_empty() || self.train_b.dim() != self.image.iter().product::<usize>() {
            return Err(ConfigError::Invalid(format!(
                "domain B's {} training images do not hold {:?} images",
                self.train_b.len(),
                self.image
            )));
        }
        Ok(())
    }

    /// Training steps per epoch (batches of domain A).
    pub fn steps_per_epoch(&self, batch_size: usize) -> u64 {
        batches_per_epoch(self.train_a_len, batch_size).max(1) as u64
    }

    /// Domain B's training images as one `[len, c·h·w]` tensor on `device`, sent once: each
    /// step then selects its partners there ([`step_batches`](Self::step_batches)).
    pub fn train_b_on(&self, device: &Device) -> Tensor<2> {
        self.train_b.to_tensor(device)
    }

    /// Step `step`'s two augmented batches: `rows_a` from the loop and as many B images drawn
    /// at random from `train_b` ([`train_b_on`](Self::train_b_on)), both as `[n, c, h, w]` in
    /// `[-1, 1]`. The draws depend only on `(seed, step)`, so a resumed run repeats them.
    pub fn step_batches(
        &self,
        rows_a: Tensor<2>,
        train_b: &Tensor<2>,
        step: u64,
        seed: u64,
        augmentation: Augmentation,
    ) -> (Tensor<4>, Tensor<4>) {
        let [n, _] = rows_a.dims();
        let mut rng = StdRng::seed_from_u64(derive(seed, Stream::Host, step));
        let partners: Vec<i64> = (0..n)
            .map(|_| rng.random_range(0..self.train_b.len()) as i64)
            .collect();
        let index = Tensor::<1, Int>::from_data(TensorData::new(partners, [n]), &rows_a.device());
        let rows_b = train_b.clone().select(0, index);
        let real_a = augmentation.apply(to_signed(rows_a, self.image), &mut rng);
        let real_b = augmentation.apply(to_signed(rows_b, self.image), &mut rng);
        (real_a, real_b)
    }
}
