//! The Gaussian-mixture kernel sum `K = Σ_s exp(-D / (2 v_s))` over a tensor of squared
//! distances `D` and kernel variances `v_s`, as one operation with a hand-written derivative
//! `∂K/∂D = Σ_s -exp(-D / (2 v_s)) / (2 v_s)`.
//!
//! Why: GMMN's loss (Li et al. 2015, eq. 1 summed over six bandwidths) spends most of its
//! element-wise time here. Composed from tensor operations it is, per bandwidth, a scale, an
//! exponential and an add forward, and backward the exponential again (burn's autodiff recomputes
//! it) and two products; on burn-flex each exponential is a serial scalar loop. Fused, the
//! forward is one parallel pass over `D` that also keeps `∂K/∂D`, and the backward is one
//! product.
//!
//! [`gaussian_mixture_gram`] goes one step further for a Gram matrix: it forms each clamped
//! squared distance `max(|x_i|² + |y_j|² - 2 x_i·y_j, 0)` from the GEMM's output and the row
//! norms in the same pass, so the distance matrix and its six element-wise passes (and their
//! backward) disappear.
//!
//! Where it runs fused: on burn-flex (gen-core's `flex` feature), through burn's backend
//! extension mechanism (the trait below, with an `Autodiff` implementation holding the
//! derivative). Everywhere else, and when the feature is off, both functions take the
//! tensor-operation path ([`gaussian_mixture_sum_composed`], `kernel::squared_distances`), which
//! the tests compare them with.

use burn::tensor::Tensor;

/// `exp(c_s d)` coefficients `c_s = -1 / (2 v_s)` of variances `v_s`.
#[cfg(feature = "flex")]
fn coefficients(variances: &[f64]) -> Vec<f32> {
    variances.iter().map(|&v| (-0.5 / v) as f32).collect()
}

/// `Σ_s exp(-d / (2 v_s))` element-wise, from tensor operations (every backend; the reference
/// the fused operation is tested against).
pub fn gaussian_mixture_sum_composed<const D: usize>(
    d2: Tensor<D>,
    variances: &[f64],
) -> Tensor<D> {
    let mut terms = variances
        .iter()
        .map(|&s| d2.clone().mul_scalar(-1.0 / (2.0 * s)).exp());
    let first = terms.next().expect("a mixture has at least one variance");
    terms.fold(first, |acc, k| acc + k)
}

/// `Σ_s exp(-d / (2 v_s))` element-wise: fused on burn-flex, composed elsewhere (module notes).
/// `variances` must be non-empty.
pub fn gaussian_mixture_sum<const D: usize>(d2: Tensor<D>, variances: &[f64]) -> Tensor<D> {
    assert!(!variances.is_empty(), "a mixture has at least one variance");
    #[cfg(feature = "flex")]
    if fused::runs_on(&d2.device()) {
        return fused::gaussian_mixture_sum(d2, coefficients(variances));
    }
    gaussian_mixture_sum_composed(d2, variances)
}

/// The Gram matrix `K_ij = Σ_s exp(-|x_i - y_j|² / (2 v_s))` of rows `x: [n, d]`, `y: [m, d]`:
/// the squared distances `|x_i|² + |y_j|² - 2 x_i·y_j` (one GEMM and the row norms), clamped at
/// zero against rounding, then the sum. On burn-flex the distances and the sum are one fused
/// operation from the GEMM's output and the norms (no distance matrix is kept, and the backward is
/// three reductions of one product); elsewhere `squared_distances` and [`gaussian_mixture_sum`].
pub fn gaussian_mixture_gram(x: Tensor<2>, y: Tensor<2>, variances: &[f64]) -> Tensor<2> {
    assert!(!variances.is_empty(), "a mixture has at least one variance");
    #[cfg(feature = "flex")]
    if fused::runs_on(&x.device()) {
        let xx = x.clone().powi_scalar(2).sum_dim(1);
        let yy = y.clone().powi_scalar(2).sum_dim(1);
        let xy = x.matmul(y.transpose());
        return fused::gaussian_mixture_gram(xy, xx, yy, coefficients(variances));
    }
    gaussian_mixture_sum(crate::kernel::squared_distances(x, y), variances)
}

/// The host kernel: `Σ_s exp(c_s d)` and `Σ_s c_s exp(c_s d)` of every value of `d`, in parallel
/// blocks, with an exponential the compiler vectorises.
pub mod host {
    use rayon::prelude::*;

    /// Values per parallel task (a few L1-sized blocks).
    const TASK: usize = 1 << 14;
    /// Values per inner block: the block's sums stay in L1 across the bandwidths.
    const BLOCK: usize = 256;

    /// `exp(x)` for `x` in `[-87, 88]` (clamped outside), to about 2 ulp: `x = n ln 2 + r`,
    /// `|r| <= ln 2 / 2`, `exp(r)` by its Taylor polynomial of degree 7 (remainder at most
    /// `r⁸/8! ≈ 5.1e-9`), times `2ⁿ` built in the exponent bits. Branch-free, so loops over it
    /// vectorise.
    #[inline(always)]
    pub fn exp_f32(x: f32) -> f32 {
        const LOG2_E: f32 = std::f32::consts::LOG2_E;
        // ln 2 split so that `n * LN2_HI` is exact for |n| < 2^9.
        const LN2_HI: f32 = 0.693_145_75;
        const LN2_LO: f32 = 1.428_606_8e-6;
        // 1.5 * 2^23: adding and subtracting it rounds to the nearest integer.
        const ROUND: f32 = 12_582_912.0;
        let x = x.clamp(-87.0, 88.0);
        let n = (x * LOG2_E + ROUND) - ROUND;
        let r = (x - n * LN2_HI) - n * LN2_LO;
        let p = 1.0
            + r * (1.0
                + r * (0.5
                    + r * (1.0 / 6.0
                        + r * (1.0 / 24.0
                            + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
        let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
        p * scale
    }

    fn block(d: &[f32], coefficients: &[f32], value: &mut [f32], slope: &mut [f32]) {
        value.fill(0.0);
        slope.fill(0.0);
        for &c in coefficients {
            for ((&d, v), s) in d.iter().zip(value.iter_mut()).zip(slope.iter_mut()) {
                let e = exp_f32(c * d);
                *v += e;
                *s += c * e;
            }
        }
    }

    /// `value[i] = Σ_s exp(c_s d[i])`, `slope[i] = Σ_s c_s exp(c_s d[i])`.
    pub fn mixture_sum_and_slope(
        d: &[f32],
        coefficients: &[f32],
        value: &mut [f32],
        slope: &mut [f32],
    ) {
        assert!(d.len() == value.len() && d.len() == slope.len());
        d.par_chunks(TASK)
            .zip(value.par_chunks_mut(TASK))
            .zip(slope.par_chunks_mut(TASK))
            .for_each(|((d, value), slope)| {
                for ((d, value), slope) in d
                    .chunks(BLOCK)
                    .zip(value.chunks_mut(BLOCK))
                    .zip(slope.chunks_mut(BLOCK))
                {
                    block(d, coefficients, value, slope);
                }
            });
    }

    /// The same for the distances `d_ij = max(xx_i + yy_j - 2 xy_ij, 0)` of an `[n, m]` product
    /// `xy` (row-major) and norms `xx: [n]`, `yy: [m]`; the slope is zero where the clamp is
    /// active (`xx_i + yy_j - 2 xy_ij < 0`), as the clamp's derivative.
    pub fn gram_sum_and_slope(
        xy: &[f32],
        xx: &[f32],
        yy: &[f32],
        coefficients: &[f32],
        value: &mut [f32],
        slope: &mut [f32],
    ) {
        let m = yy.len();
        assert!(xy.len() == xx.len() * m && value.len() == xy.len() && slope.len() == xy.len());
        let rows_per_task = (TASK / m.max(1)).max(1);
        let chunk = rows_per_task * m;
        xy.par_chunks(chunk)
            .zip(value.par_chunks_mut(chunk))
            .zip(slope.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(task, ((xy, value), slope))| {
                let mut d = [0.0f32; BLOCK];
                let mut kept = [0.0f32; BLOCK];
                for (r, ((xy, value), slope)) in xy
                    .chunks(m)
                    .zip(value.chunks_mut(m))
                    .zip(slope.chunks_mut(m))
                    .enumerate()
                {
                    let xi = xx[task * rows_per_task + r];
                    for (start, ((xy, value), slope)) in xy
                        .chunks(BLOCK)
                        .zip(value.chunks_mut(BLOCK))
                        .zip(slope.chunks_mut(BLOCK))
                        .enumerate()
                    {
                        let len = xy.len();
                        let yy = &yy[start * BLOCK..start * BLOCK + len];
                        for k in 0..len {
                            let raw = xi + yy[k] - 2.0 * xy[k];
                            d[k] = raw.max(0.0);
                            kept[k] = if raw >= 0.0 { 1.0 } else { 0.0 };
                        }
                        block(&d[..len], coefficients, value, slope);
                        for (s, k) in slope.iter_mut().zip(&kept[..len]) {
                            *s *= k;
                        }
                    }
                }
            });
    }
}

/// The backend extension: the operation on burn-flex and its autodiff wrapper.
#[cfg(feature = "flex")]
mod fused {
    use burn::backend::autodiff::checkpoint::base::Checkpointer;
    use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
    use burn::backend::autodiff::grads::Gradients;
    use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
    use burn::backend::flex::FlexTensor;
    use burn::backend::ops::FloatTensorOps;
    use burn::backend::tensor::FloatTensor;
    use burn::backend::{
        Autodiff, Backend, DType, Dispatch, DispatchDevice, Flex, TensorMetadata, backend_extension,
    };
    use burn::tensor::{Device, Shape, Tensor, TensorData};

    /// Whether `device` (with or without autodiff) is burn-flex's.
    pub fn runs_on(device: &Device) -> bool {
        matches!(
            device.clone().inner().as_dispatch(),
            DispatchDevice::Flex(_)
        )
    }

    /// The fused operation for [`super::gaussian_mixture_sum`], `coefficients` `c_s = -1/(2 v_s)`.
    pub fn gaussian_mixture_sum<const D: usize>(
        d2: Tensor<D>,
        coefficients: Vec<f32>,
    ) -> Tensor<D> {
        Tensor::from_dispatch(<Dispatch as MixtureSumOps>::mixture_sum(
            d2.into_dispatch(),
            coefficients,
        ))
    }

    /// The fused Gram matrix for [`super::gaussian_mixture_gram`] from the product `xy: [n, m]`
    /// and the squared norms `xx: [n, 1]`, `yy: [m, 1]`.
    pub fn gaussian_mixture_gram(
        xy: Tensor<2>,
        xx: Tensor<2>,
        yy: Tensor<2>,
        coefficients: Vec<f32>,
    ) -> Tensor<2> {
        Tensor::from_dispatch(<Dispatch as MixtureSumOps>::mixture_gram(
            xy.into_dispatch(),
            xx.into_dispatch(),
            yy.into_dispatch(),
            coefficients,
        ))
    }

    /// A float32 tensor's values in row-major order (copied only when its layout is not
    /// contiguous from offset 0).
    fn contiguous(t: FlexTensor) -> FlexTensor {
        assert_eq!(t.dtype(), DType::F32, "the fused kernel sum takes float32");
        if t.is_contiguous() && t.layout().start_offset() == 0 {
            t
        } else {
            t.to_contiguous()
        }
    }

    /// The operation's value and slope (its derivative in the distances), both of `shape`.
    fn value_and_slope(value: Vec<f32>, slope: Vec<f32>, shape: Shape) -> (FlexTensor, FlexTensor) {
        (
            FlexTensor::from_data(TensorData::new(value, shape.clone())),
            FlexTensor::from_data(TensorData::new(slope, shape)),
        )
    }

    /// `(Σ_s exp(c_s d), Σ_s c_s exp(c_s d))`: the sum and its derivative in `d`.
    fn sum_and_slope(d2: FlexTensor, coefficients: &[f32]) -> (FlexTensor, FlexTensor) {
        let shape = d2.layout().shape().clone();
        let d2 = contiguous(d2);
        let n = d2.layout().num_elements();
        let (mut value, mut slope) = (vec![0.0f32; n], vec![0.0f32; n]);
        super::host::mixture_sum_and_slope(
            &d2.storage::<f32>()[..n],
            coefficients,
            &mut value,
            &mut slope,
        );
        value_and_slope(value, slope, shape)
    }

    /// The Gram matrix of the clamped distances `max(xx_i + yy_j - 2 xy_ij, 0)` and its
    /// derivative in them (zero where the clamp is active).
    fn gram_and_slope(
        xy: FlexTensor,
        xx: FlexTensor,
        yy: FlexTensor,
        coefficients: &[f32],
    ) -> (FlexTensor, FlexTensor) {
        let shape = xy.layout().shape().clone();
        let (xy, xx, yy) = (contiguous(xy), contiguous(xx), contiguous(yy));
        let (n, m) = (shape[0], shape[1]);
        let (mut value, mut slope) = (vec![0.0f32; n * m], vec![0.0f32; n * m]);
        super::host::gram_sum_and_slope(
            &xy.storage::<f32>()[..n * m],
            &xx.storage::<f32>()[..n],
            &yy.storage::<f32>()[..m],
            coefficients,
            &mut value,
            &mut slope,
        );
        value_and_slope(value, slope, shape)
    }

    /// The kernel sum as a backend operation (flex only; the public functions route every
    /// other backend to the composed path).
    #[backend_extension(Flex, Autodiff)]
    pub trait MixtureSumOps: Backend {
        /// `Σ_s exp(c_s d)` element-wise.
        fn mixture_sum(d2: FloatTensor<Self>, coefficients: Vec<f32>) -> FloatTensor<Self>;
        /// `Σ_s exp(c_s d_ij)` of the clamped distances `d_ij = max(xx_i + yy_j - 2 xy_ij, 0)`.
        fn mixture_gram(
            xy: FloatTensor<Self>,
            xx: FloatTensor<Self>,
            yy: FloatTensor<Self>,
            coefficients: Vec<f32>,
        ) -> FloatTensor<Self>;
    }

    impl MixtureSumOps for Flex {
        fn mixture_sum(d2: FloatTensor<Self>, coefficients: Vec<f32>) -> FloatTensor<Self> {
            sum_and_slope(d2, &coefficients).0
        }

        fn mixture_gram(
            xy: FloatTensor<Self>,
            xx: FloatTensor<Self>,
            yy: FloatTensor<Self>,
            coefficients: Vec<f32>,
        ) -> FloatTensor<Self> {
            gram_and_slope(xy, xx, yy, &coefficients).0
        }
    }

    impl<C: CheckpointStrategy> MixtureSumOps for Autodiff<Flex, C> {
        fn mixture_sum(d2: FloatTensor<Self>, coefficients: Vec<f32>) -> FloatTensor<Self> {
            /// The backward step: the incoming gradient times the slope kept from the forward.
            #[derive(Debug)]
            struct MixtureSumBackward;

            impl Backward<Flex, 1> for MixtureSumBackward {
                type State = FlexTensor;

                fn backward(
                    self,
                    ops: Ops<Self::State, 1>,
                    grads: &mut Gradients,
                    _checkpointer: &mut Checkpointer,
                ) {
                    let [parent] = ops.parents;
                    let grad = grads.consume::<Flex>(&ops.node);
                    if let Some(parent) = parent {
                        grads.register::<Flex>(parent.id, Flex::float_mul(grad, ops.state));
                    }
                }
            }

            let (primitive, node) = d2.into_parts();
            match MixtureSumBackward
                .prepare::<C>([node])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let (value, slope) = sum_and_slope(primitive, &coefficients);
                    prep.finish(slope, value)
                }
                OpsKind::UnTracked(prep) => prep.finish(Flex::mixture_sum(primitive, coefficients)),
            }
        }

        fn mixture_gram(
            xy: FloatTensor<Self>,
            xx: FloatTensor<Self>,
            yy: FloatTensor<Self>,
            coefficients: Vec<f32>,
        ) -> FloatTensor<Self> {
            /// The backward step: with `G` the incoming gradient and `S` the slope kept from the
            /// forward, `∂/∂xy = -2 G⊙S`, `∂/∂xx = Σ_j (G⊙S)_ij`, `∂/∂yy = Σ_i (G⊙S)_ij`.
            #[derive(Debug)]
            struct MixtureGramBackward;

            impl Backward<Flex, 3> for MixtureGramBackward {
                type State = FlexTensor;

                fn backward(
                    self,
                    ops: Ops<Self::State, 3>,
                    grads: &mut Gradients,
                    _checkpointer: &mut Checkpointer,
                ) {
                    let [xy, xx, yy] = ops.parents;
                    let grad = grads.consume::<Flex>(&ops.node);
                    let weighted = Flex::float_mul(grad, ops.state);
                    if let Some(yy) = yy {
                        let m = weighted.shape()[1];
                        let cols = Flex::float_sum_dim(weighted.clone(), 0);
                        grads
                            .register::<Flex>(yy.id, Flex::float_reshape(cols, Shape::new([m, 1])));
                    }
                    if let Some(xx) = xx {
                        grads.register::<Flex>(xx.id, Flex::float_sum_dim(weighted.clone(), 1));
                    }
                    if let Some(xy) = xy {
                        grads.register::<Flex>(
                            xy.id,
                            Flex::float_mul_scalar(weighted, (-2.0).into()),
                        );
                    }
                }
            }

            let (xy, xy_node) = xy.into_parts();
            let (xx, xx_node) = xx.into_parts();
            let (yy, yy_node) = yy.into_parts();
            match MixtureGramBackward
                .prepare::<C>([xy_node, xx_node, yy_node])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    let (value, slope) = gram_and_slope(xy, xx, yy, &coefficients);
                    prep.finish(slope, value)
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(Flex::mixture_gram(xy, xx, yy, coefficients))
                }
            }
        }
    }
}
