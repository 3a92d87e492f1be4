//! The entropy approximation against the closed form of a Gaussian's entropy.

use burn::tensor::{Device, Tensor, TensorData};
use gen_core::tensor_io::to_vec_f32;
use gen_ebm::entropy::gaussian_activation_entropy;

#[test]
fn entropy_is_the_sum_of_gaussian_entropies_of_the_batch_variances() {
    // Column 0 takes values ±1 (variance 1), column 1 ±3 (variance 9).
    let values = vec![1.0f32, 3.0, -1.0, -3.0, 1.0, -3.0, -1.0, 3.0];
    let x = Tensor::<2>::from_data(TensorData::new(values, [4, 2]), &Device::flex());
    let got = to_vec_f32(gaussian_activation_entropy(x))[0] as f64;
    let h = |var: f64| 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * var).ln();
    assert!((got - (h(1.0) + h(9.0))).abs() < 1e-5, "{got}");
    // A collapsed unit is finite and very negative: the term the generator must avoid.
    let collapsed = Tensor::<2>::zeros([4, 1], &Device::flex());
    let e = to_vec_f32(gaussian_activation_entropy(collapsed))[0];
    assert!(e.is_finite() && e < -5.0, "{e}");
}
