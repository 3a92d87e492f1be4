//! An RBM's parameters in host memory (and sets of the same shapes: velocities, fast weights,
//! gradients).

use gen_core::tensor_io::to_vec_f32;

use crate::model::Rbm;

/// Weights `[visible, hidden]` row-major, visible biases `b`, hidden biases `c`.
#[derive(Debug, Clone, PartialEq)]
pub struct HostParams {
    /// Visible units `V`.
    pub visible: usize,
    /// Hidden units `H`.
    pub hidden: usize,
    /// `W`, `V x H` row-major.
    pub weights: Vec<f32>,
    /// `b`, `V` values.
    pub visible_bias: Vec<f32>,
    /// `c`, `H` values.
    pub hidden_bias: Vec<f32>,
}

impl HostParams {
    /// All zeros.
    pub fn zeros(visible: usize, hidden: usize) -> Self {
        Self {
            visible,
            hidden,
            weights: vec![0.0; visible * hidden],
            visible_bias: vec![0.0; visible],
            hidden_bias: vec![0.0; hidden],
        }
    }

    /// A set from its three arrays, checked against the shape.
    pub fn new(
        visible: usize,
        hidden: usize,
        weights: Vec<f32>,
        visible_bias: Vec<f32>,
        hidden_bias: Vec<f32>,
    ) -> Self {
        assert_eq!(
            weights.len(),
            visible * hidden,
            "weights are {visible} x {hidden}"
        );
        assert_eq!(
            visible_bias.len(),
            visible,
            "one visible bias per visible unit"
        );
        assert_eq!(hidden_bias.len(), hidden, "one hidden bias per hidden unit");
        Self {
            visible,
            hidden,
            weights,
            visible_bias,
            hidden_bias,
        }
    }

    /// The parameters of a burn [`Rbm`], read back to the host.
    pub fn from_rbm(rbm: &Rbm) -> Self {
        let [v, h] = rbm.weights.dims();
        Self::new(
            v,
            h,
            to_vec_f32(rbm.weights.val()),
            to_vec_f32(rbm.visible_bias.val()),
            to_vec_f32(rbm.hidden_bias.val()),
        )
    }

    /// `self + other`, elementwise, written into `out` (the fast-weights model `θ + θ_f`).
    pub fn sum_into(&self, other: &HostParams, out: &mut HostParams) {
        let add = |dst: &mut Vec<f32>, x: &[f32], y: &[f32]| {
            dst.clear();
            dst.extend(x.iter().zip(y).map(|(a, b)| a + b));
        };
        add(&mut out.weights, &self.weights, &other.weights);
        add(
            &mut out.visible_bias,
            &self.visible_bias,
            &other.visible_bias,
        );
        add(&mut out.hidden_bias, &self.hidden_bias, &other.hidden_bias);
        out.visible = self.visible;
        out.hidden = self.hidden;
    }
}
