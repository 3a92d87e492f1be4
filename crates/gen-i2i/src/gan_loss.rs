//! The adversarial objectives of the lecture's CycleGAN slide and of the reference code.
//!
//! The slide writes the log-loss `L_GAN(G, D_Y) = E_y log D_Y(y) + E_x log(1 - D_Y(G(x)))`; the
//! reference implementation trains with least squares instead (Mao et al. 2017; Zhu et al. 2017,
//! Sec. 4: "we replace the negative log likelihood objective by a least-squares loss"),
//! `E_y (D(y) - 1)² + E_x D(G(x))²` for `D` and `E_x (D(G(x)) - 1)²` for `G`. Both are written
//! as the targets "real" (1) and "fake" (0) applied to the discriminator's raw outputs, averaged
//! over patches and images, as the reference's `GANLoss` does.

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;
use serde::{Deserialize, Serialize};

/// Which adversarial objective to train with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GanObjective {
    /// `(D(x) - target)²` (LSGAN, the reference's default `--gan_mode lsgan`).
    LeastSquares,
    /// `-log σ(D(x))` for "real", `-log(1 - σ(D(x)))` for "fake`: the slide's log-loss with `D`
    /// outputting logits (`--gan_mode vanilla`).
    Log,
}

impl GanObjective {
    /// The mean loss of the logits `output` against the target "real" (`real = true`) or "fake".
    pub fn loss(self, output: Tensor<4>, real: bool) -> Tensor<1> {
        match self {
            GanObjective::LeastSquares => {
                let target = if real { 1.0 } else { 0.0 };
                output.sub_scalar(target).powi_scalar(2).mean()
            }
            // -log σ(a) = softplus(-a); -log(1 - σ(a)) = softplus(a).
            GanObjective::Log => {
                if real {
                    softplus(output.neg(), 1.0).mean()
                } else {
                    softplus(output, 1.0).mean()
                }
            }
        }
    }

    /// The discriminator's loss on real and generated images, halved as in the reference
    /// ("we divide the objective by 2 while optimizing D, which slows down the rate at which D
    /// learns relative to G").
    pub fn discriminator_loss(self, on_real: Tensor<4>, on_fake: Tensor<4>) -> Tensor<1> {
        (self.loss(on_real, true) + self.loss(on_fake, false)).mul_scalar(0.5)
    }

    /// The generator's loss: its images should be called real.
    pub fn generator_loss(self, on_fake: Tensor<4>) -> Tensor<1> {
        self.loss(on_fake, true)
    }
}

/// Mean absolute difference `E ‖a - b‖₁` per value: the cycle-consistency and identity losses
/// (the reference's `torch.nn.L1Loss()`).
pub fn l1(a: Tensor<4>, b: Tensor<4>) -> Tensor<1> {
    (a - b).abs().mean()
}
