//! Losses shared by several methods, written on logits for numerical stability.
//!
//! - Binary cross-entropy: the Bernoulli reconstruction log-likelihood of DAEs and GMMN+AE.
//! - L1: CycleGAN's cycle-consistency loss `E|F(G(x)) - x|_1` (Zhu et al. 2017, Eq. 2).
//! - Adversarial losses: the log loss of the lecture's slide / Goodfellow et al. 2014,
//!   `E_y log D(y) + E_x log(1 - D(G(x)))`, and the least-squares loss (Mao et al. 2017)
//!   that CycleGAN's reference code uses by default.

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;

/// Element-wise `-[t log σ(l) + (1 - t) log(1 - σ(l))] = softplus(l) - t l`.
pub fn binary_cross_entropy_with_logits(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<2> {
    softplus(logits.clone(), 1.0) - targets * logits
}

/// BCE summed over features and averaged over the batch: the negative Bernoulli log-likelihood
/// per example, in nats.
pub fn bce_per_example(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    binary_cross_entropy_with_logits(logits, targets)
        .sum_dim(1)
        .mean()
}

/// Mean absolute difference over every element.
pub fn l1<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> Tensor<1> {
    (a - b).abs().mean()
}

/// Which adversarial objective a GAN uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GanLoss {
    /// The original log loss, with the non-saturating generator objective `-log D(G(x))`
    /// (Goodfellow et al. 2014, Sec. 3).
    Log,
    /// Least squares: D regresses real to 1 and fake to 0, G pushes D(G(x)) to 1 (Mao et al.
    /// 2017; CycleGAN's `--gan_mode lsgan`, its default).
    LeastSquares,
}

impl GanLoss {
    /// The discriminator's loss given its raw outputs (logits for `Log`) on real and fake data.
    /// For least squares it is halved, as CycleGAN's reference code does to slow D relative to G.
    pub fn discriminator<const D: usize>(&self, real: Tensor<D>, fake: Tensor<D>) -> Tensor<1> {
        match self {
            GanLoss::Log => softplus(real.neg(), 1.0).mean() + softplus(fake, 1.0).mean(),
            GanLoss::LeastSquares => ((real.sub_scalar(1.0).powi_scalar(2).mean())
                + fake.powi_scalar(2).mean())
            .mul_scalar(0.5),
        }
    }

    /// The generator's loss given the discriminator's raw outputs on generated data.
    pub fn generator<const D: usize>(&self, fake: Tensor<D>) -> Tensor<1> {
        match self {
            GanLoss::Log => softplus(fake.neg(), 1.0).mean(),
            GanLoss::LeastSquares => fake.sub_scalar(1.0).powi_scalar(2).mean(),
        }
    }
}
