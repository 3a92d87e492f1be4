//! Between the data's flat `[0, 1]` rows and the networks' `[n, c, h, w]` images in `[-1, 1]`
//! (CycleGAN's `transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))` and tanh outputs), and
//! the reference's training augmentation: a random crop and a random horizontal flip.

use burn::tensor::Tensor;
use gen_core::validate::ConfigError;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// `[n, c·h·w]` rows in `[0, 1]` to `[n, c, h, w]` images in `[-1, 1]`.
pub fn to_signed(rows: Tensor<2>, image: [usize; 3]) -> Tensor<4> {
    let [n, _] = rows.dims();
    let [c, h, w] = image;
    rows.reshape([n, c, h, w]).mul_scalar(2.0).sub_scalar(1.0)
}

/// `[n, c, h, w]` images in `[-1, 1]` back to `[n, c·h·w]` rows in `[0, 1]`.
pub fn to_unit(images: Tensor<4>) -> Tensor<2> {
    let [n, c, h, w] = images.dims();
    images
        .add_scalar(1.0)
        .mul_scalar(0.5)
        .reshape([n, c * h * w])
}

/// The random crop and flip applied to training images (`--preprocess crop`, flips unless
/// `--no_flip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Augmentation {
    /// Side of the random square crop; 0 keeps the whole image (the reference crops 256 from
    /// images loaded at 286).
    pub crop: usize,
    /// Mirror each image left-right with probability ½ (the reference's default).
    pub flip: bool,
}

impl Augmentation {
    /// Checks the crop against images of `[c, h, w]`.
    pub fn validate(&self, image: [usize; 3]) -> Result<(), ConfigError> {
        let [_, h, w] = image;
        if self.crop > h.min(w) {
            return Err(ConfigError::Invalid(format!(
                "the images are {h}x{w} pixels, smaller than the {0}x{0} crop",
                self.crop
            )));
        }
        Ok(())
    }

    /// The `[c, h, w]` shape the networks train on.
    pub fn output(&self, image: [usize; 3]) -> [usize; 3] {
        match self.crop {
            0 => image,
            s => [image[0], s, s],
        }
    }

    /// Crops and flips each image of `[n, c, h, w]` with its own draws from `rng`.
    pub fn apply<R: Rng>(&self, images: Tensor<4>, rng: &mut R) -> Tensor<4> {
        let [n, _, h, w] = images.dims();
        if self.crop == 0 && !self.flip {
            return images;
        }
        let (ch, cw) = match self.crop {
            0 => (h, w),
            s => (s, s),
        };
        let parts: Vec<Tensor<4>> = (0..n)
            .map(|i| {
                let top = rng.random_range(0..=h - ch);
                let left = rng.random_range(0..=w - cw);
                let part = images.clone().slice([
                    i..i + 1,
                    0..images.dims()[1],
                    top..top + ch,
                    left..left + cw,
                ]);
                if self.flip && rng.random::<f64>() < 0.5 {
                    part.flip([3])
                } else {
                    part
                }
            })
            .collect();
        Tensor::cat(parts, 0)
    }
}
