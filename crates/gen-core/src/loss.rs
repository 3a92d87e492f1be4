//! Losses shared by several methods, written on logits for numerical stability.
//!
//! - Binary cross-entropy: the Bernoulli reconstruction log-likelihood of DAEs and GMMN+AE.
//! - L1: CycleGAN's cycle-consistency loss `E|F(G(x)) - x|_1` (Zhu et al. 2017, Eq. 2).
//! - Adversarial losses: the log loss of the lecture's slide / Goodfellow et al. 2014,
//!   `E_y log D(y) + E_x log(1 - D(G(x)))`, and the least-squares loss (Mao et al. 2017)
//!   that CycleGAN's reference code uses by default.

use crate::validate::UnknownName;
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

/// Which adversarial objective a GAN trains with. The discriminator `D` outputs raw scores
/// (logits for the log loss), and each loss is the mean over every output (patches and images
/// alike, as the CycleGAN reference's `GANLoss` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GanLoss {
    /// `(D(x) - target)²` with targets 1 (real) and 0 (fake): least squares (Mao et al. 2017;
    /// Zhu et al. 2017, Sec. 4, "we replace the negative log likelihood objective by a
    /// least-squares loss"; the reference's `--gan_mode lsgan`, its default).
    LeastSquares,
    /// `-log σ(D(x))` for "real", `-log(1 - σ(D(x)))` for "fake": the log loss of the lecture's
    /// slide, `E_y log D(y) + E_x log(1 - D(G(x)))`, with the non-saturating generator objective
    /// `-log D(G(x))` (Goodfellow et al. 2014, Sec. 3; the reference's `--gan_mode vanilla`).
    Log,
}

impl std::str::FromStr for GanLoss {
    type Err = UnknownName;

    /// The names `config.toml` and `gen train cyclegan --gan` use.
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        GanLoss::ALL
            .into_iter()
            .find(|loss| loss.name() == s)
            .ok_or_else(|| UnknownName {
                what: "adversarial objective",
                given: s.to_string(),
                choices: "least-squares or log",
            })
    }
}

/// The command line's names (`--gan least-squares|log`) without per-value help.
#[cfg(feature = "clap")]
impl clap::ValueEnum for GanLoss {
    fn value_variants<'a>() -> &'a [Self] {
        &GanLoss::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

impl GanLoss {
    /// Both objectives, in the order `--help` lists them.
    pub const ALL: [GanLoss; 2] = [GanLoss::LeastSquares, GanLoss::Log];

    /// The name `config.toml` and `--gan` use.
    pub fn name(self) -> &'static str {
        match self {
            GanLoss::LeastSquares => "least-squares",
            GanLoss::Log => "log",
        }
    }

    /// The mean loss of the scores `output` against the target "real" (`real = true`) or "fake".
    pub fn target_loss<const D: usize>(self, output: Tensor<D>, real: bool) -> Tensor<1> {
        match self {
            GanLoss::LeastSquares => {
                let target = if real { 1.0 } else { 0.0 };
                output.sub_scalar(target).powi_scalar(2).mean()
            }
            // -log σ(a) = softplus(-a); -log(1 - σ(a)) = softplus(a).
            GanLoss::Log => {
                if real {
                    softplus(output.neg(), 1.0).mean()
                } else {
                    softplus(output, 1.0).mean()
                }
            }
        }
    }

    /// The discriminator's loss on real and generated data, halved under either objective as the
    /// CycleGAN reference does for every `gan_mode` ("we divide the objective by 2 while
    /// optimizing D, which slows down the rate at which D learns relative to G").
    pub fn discriminator<const D: usize>(
        self,
        on_real: Tensor<D>,
        on_fake: Tensor<D>,
    ) -> Tensor<1> {
        (self.target_loss(on_real, true) + self.target_loss(on_fake, false)).mul_scalar(0.5)
    }

    /// The generator's loss: its outputs should be called real.
    pub fn generator<const D: usize>(self, on_fake: Tensor<D>) -> Tensor<1> {
        self.target_loss(on_fake, true)
    }
}
