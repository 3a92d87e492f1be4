//! What every translation model offers after training: an image of one domain turned into the
//! other. `gen translate`, `gen eval --metric translation` and the sample grids work through this
//! trait, whichever model (CycleGAN, UNIT) made the translation.

use burn::tensor::{Device, Tensor};
use gen_core::data::Dataset;
pub use gen_core::direction::Direction;

use crate::images::{to_signed, to_unit};

/// A trained two-way translator of `[n, c, h, w]` images in `[-1, 1]`.
pub trait ImageTranslator {
    /// Translates `images` in `direction` (deterministically: no sampling at test time).
    fn translate(&self, direction: Direction, images: Tensor<4>) -> Tensor<4>;

    /// Translates flat `[n, c·h·w]` rows in `[0, 1]` of `[c, h, w]` images, returning rows in
    /// `[0, 1]`.
    fn translate_rows(
        &self,
        direction: Direction,
        rows: Tensor<2>,
        image: [usize; 3],
    ) -> Tensor<2> {
        to_unit(self.translate(direction, to_signed(rows, image)))
    }
}

/// `n / 3` triplets `input | translation | reconstruction` as `[0, 1]` rows: the first images
/// of `a` (`a | a→b | a→b→a`, half of the triplets, rounded up), then of `b`. In a grid of 6
/// columns each row shows two triplets.
pub fn triplet_rows(
    translator: &dyn ImageTranslator,
    a: &Dataset,
    b: &Dataset,
    n: usize,
    image: [usize; 3],
    device: &Device,
) -> Option<Tensor<2>> {
    let triplets = (n / 3).max(1);
    let mut rows = Vec::new();
    for (images, direction, count) in [
        (a, Direction::AToB, triplets.div_ceil(2)),
        (b, Direction::BToA, triplets / 2),
    ] {
        let count = count.min(images.len());
        if count == 0 {
            continue;
        }
        let indices: Vec<usize> = (0..count).collect();
        let input = to_signed(images.batch(&indices, device), image);
        let translated = translator.translate(direction, input.clone());
        let back = translator.translate(direction.reverse(), translated.clone());
        // Interleaved per image: input, translation, reconstruction.
        let stacked = Tensor::stack::<5>(vec![input, translated, back], 1);
        let [k, three, c, h, w] = stacked.dims();
        rows.push(to_unit(stacked.reshape([k * three, c, h, w])));
    }
    (!rows.is_empty()).then(|| Tensor::cat(rows, 0))
}
