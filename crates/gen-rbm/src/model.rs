//! The Bernoulli-Bernoulli restricted Boltzmann machine.
//!
//! Energy of a joint state (visible `v`, hidden `h`, both binary):
//! `E(v, h) = -vᵀ W h - bᵀ v - cᵀ h`.
//! Summing out `h` gives the free energy
//! `F(v) = -bᵀ v - Σ_j softplus(c_j + (vᵀ W)_j)` with `P(v) = exp(-F(v)) / Z`,
//! and the conditionals factorise:
//! `P(h_j = 1 | v) = σ(c_j + (vᵀ W)_j)`, `P(v_i = 1 | h) = σ(b_i + (W h)_i)`.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::tensor::activation::{sigmoid, softplus};
use burn::tensor::{Device, Distribution, Tensor};
use gen_core::EnergyModel;
use gen_core::validate::{self, ConfigError};

/// Shape and initialisation of an RBM.
#[derive(Config, Debug, PartialEq)]
pub struct RbmConfig {
    /// Number of visible units (pixels).
    pub visible: usize,
    /// Number of hidden units. The lecture's figures use 25 (exact likelihood) and 500 (AIS).
    #[config(default = 25)]
    pub hidden: usize,
    /// Standard deviation of the initial weights, N(0, 0.01^2) (Hinton 2010, "A practical guide
    /// to training RBMs", Sec. 8).
    #[config(default = 0.01)]
    pub init_std: f64,
}

/// A Bernoulli RBM: weights `[visible, hidden]`, visible biases `b`, hidden biases `c`.
#[derive(Module, Debug)]
pub struct Rbm {
    /// `W`, `[visible, hidden]`.
    pub weights: Param<Tensor<2>>,
    /// `b`, `[visible]`.
    pub visible_bias: Param<Tensor<1>>,
    /// `c`, `[hidden]`.
    pub hidden_bias: Param<Tensor<1>>,
}

impl RbmConfig {
    /// Rejects hidden widths and initialisations that cannot build a model (the visible width
    /// comes from the data).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.hidden == 0 {
            return Err(ConfigError::Invalid(
                "the RBM needs at least one hidden unit".into(),
            ));
        }
        validate::non_negative("init_std", self.init_std)
    }

    /// Random weights, zero biases (set the visible biases from the data with
    /// [`Rbm::with_visible_bias_from_means`]).
    pub fn init(&self, device: &Device) -> Rbm {
        Rbm {
            weights: Param::from_tensor(Tensor::random(
                [self.visible, self.hidden],
                Distribution::Normal(0.0, self.init_std),
                device,
            )),
            visible_bias: Param::from_tensor(Tensor::zeros([self.visible], device)),
            hidden_bias: Param::from_tensor(Tensor::zeros([self.hidden], device)),
        }
    }
}

/// Pixel means are clipped to this distance from 0 and 1 before taking log-odds.
const MEAN_CLIP: f64 = 1e-3;

/// Draws Bernoulli samples with the given probabilities.
pub fn bernoulli<const D: usize>(probs: Tensor<D>) -> Tensor<D> {
    let u = Tensor::random(probs.shape(), Distribution::Default, &probs.device());
    u.lower(probs).float()
}

impl Rbm {
    /// Builds an RBM from explicit tensors (weights `[V, H]`, biases `[V]`, `[H]`).
    pub fn from_tensors(
        weights: Tensor<2>,
        visible_bias: Tensor<1>,
        hidden_bias: Tensor<1>,
    ) -> Self {
        Self {
            weights: Param::from_tensor(weights),
            visible_bias: Param::from_tensor(visible_bias),
            hidden_bias: Param::from_tensor(hidden_bias),
        }
    }

    /// Visible units.
    pub fn num_visible(&self) -> usize {
        self.weights.val().dims()[0]
    }

    /// Hidden units.
    pub fn num_hidden(&self) -> usize {
        self.weights.val().dims()[1]
    }

    /// Visible biases set to the log-odds of the data's pixel means, `log(p / (1 - p))`: the RBM
    /// then starts as the independent-pixel model of the data (Hinton 2010, Sec. 8).
    pub fn with_visible_bias_from_means(self, means: &[f32]) -> Self {
        let device = self.weights.val().device();
        let logits: Vec<f32> = means
            .iter()
            .map(|&p| {
                let p = (p as f64).clamp(MEAN_CLIP, 1.0 - MEAN_CLIP);
                (p / (1.0 - p)).ln() as f32
            })
            .collect();
        let n = logits.len();
        let bias = Tensor::<1>::from_data(burn::tensor::TensorData::new(logits, [n]), &device);
        Self {
            visible_bias: self.visible_bias.map(|_| bias),
            ..self
        }
    }

    /// `c + vᵀ W`, the hidden pre-activations `[batch, H]`.
    pub fn hidden_logits(&self, v: Tensor<2>) -> Tensor<2> {
        v.matmul(self.weights.val()) + self.hidden_bias.val().unsqueeze()
    }

    /// `b + W h`, the visible pre-activations `[batch, V]`.
    pub fn visible_logits(&self, h: Tensor<2>) -> Tensor<2> {
        h.matmul(self.weights.val().transpose()) + self.visible_bias.val().unsqueeze()
    }

    /// `P(h = 1 | v)`.
    pub fn hidden_probs(&self, v: Tensor<2>) -> Tensor<2> {
        sigmoid(self.hidden_logits(v))
    }

    /// `P(v = 1 | h)`.
    pub fn visible_probs(&self, h: Tensor<2>) -> Tensor<2> {
        sigmoid(self.visible_logits(h))
    }

    /// The joint energy `E(v, h) = -vᵀ W h - bᵀ v - cᵀ h` of paired rows, `[batch]`.
    pub fn joint_energy(&self, v: Tensor<2>, h: Tensor<2>) -> Tensor<1> {
        let vwh = v
            .clone()
            .matmul(self.weights.val())
            .mul(h.clone())
            .sum_dim(1);
        let bv = v.matmul(self.visible_bias.val().unsqueeze_dim(1));
        let ch = h.matmul(self.hidden_bias.val().unsqueeze_dim(1));
        (vwh + bv + ch).neg().squeeze_dim(1)
    }

    /// The free energy `F(v) = -bᵀ v - Σ_j softplus(c_j + (vᵀ W)_j)`, `[batch]`.
    pub fn free_energy(&self, v: Tensor<2>) -> Tensor<1> {
        let bv = v.clone().matmul(self.visible_bias.val().unsqueeze_dim(1));
        let hidden_term = softplus(self.hidden_logits(v), 1.0).sum_dim(1);
        (bv + hidden_term).neg().squeeze_dim(1)
    }

    /// One block Gibbs step `v -> h ~ P(h|v) -> v' ~ P(v|h)`; returns `(v', P(v'|h))`.
    pub fn gibbs_step(&self, v: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let h = bernoulli(self.hidden_probs(v));
        let pv = self.visible_probs(h);
        (bernoulli(pv.clone()), pv)
    }

    /// `k` block Gibbs steps from `v`; returns the last visible sample and its probabilities.
    pub fn gibbs_chain(&self, v: Tensor<2>, k: usize) -> (Tensor<2>, Tensor<2>) {
        let mut state = (v.clone(), v);
        for _ in 0..k {
            state = self.gibbs_step(state.0);
        }
        state
    }

    /// The same RBM with every parameter multiplied by the inverse temperature `beta`
    /// (the distribution `P(v)^beta / Z_beta` used by tempering and AIS).
    pub fn at_inverse_temperature(&self, beta: f64) -> Rbm {
        Rbm::from_tensors(
            self.weights.val().mul_scalar(beta),
            self.visible_bias.val().mul_scalar(beta),
            self.hidden_bias.val().mul_scalar(beta),
        )
    }
}

impl EnergyModel for Rbm {
    /// The free energy: the RBM's energy of a visible vector with the hidden units summed out.
    fn energy(&self, x: Tensor<2>) -> Tensor<1> {
        self.free_energy(x)
    }
}
