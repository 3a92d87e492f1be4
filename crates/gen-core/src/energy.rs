//! The energy-model interface shared by the RBM (free energy) and the deep energy model.
//!
//! An energy model defines `P(x) = exp(-E(x)) / Z`. Its log-likelihood gradient (the lecture's
//! "Energy Models" slide) is `d/dθ log P(x) = E_{χ~P}[dE(χ)/dθ] - dE(x)/dθ`, so a trainer only
//! needs the energy of a batch of data and of a batch of negative samples.

use burn::tensor::Tensor;

/// A model that assigns an energy to every example of a batch.
pub trait EnergyModel {
    /// Energy of each row of `x` (`[batch, dim]` to `[batch]`). For latent-variable models this
    /// is the free energy `F(x) = -log Σ_h exp(-E(x, h))`.
    fn energy(&self, x: Tensor<2>) -> Tensor<1>;

    /// The unnormalised log probability `-E(x)`.
    fn unnormalized_log_prob(&self, x: Tensor<2>) -> Tensor<1> {
        self.energy(x).neg()
    }

    /// The contrastive objective whose gradient is the negative of the lecture's log-likelihood
    /// gradient estimate: `mean E(x+) - mean E(x-)`. Descending it raises the probability of
    /// the data `positive` and lowers that of the negative samples `negative`.
    fn contrastive_loss(&self, positive: Tensor<2>, negative: Tensor<2>) -> Tensor<1> {
        self.energy(positive).mean() - self.energy(negative).mean()
    }
}
