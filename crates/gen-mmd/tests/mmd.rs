//! The biased MMD² against its definition computed on the host.

use burn::tensor::{Device, Tensor, TensorData};
use gen_core::kernel::GaussianKernel;
use gen_core::tensor_io::to_vec_f32;
use gen_mmd::mmd::mmd2_biased;

fn mat(v: &[f32], r: usize, c: usize) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v.to_vec(), [r, c]), &Device::flex())
}

#[test]
fn mmd_of_a_set_with_itself_is_zero_and_matches_the_double_sum() {
    let x = [0.0, 0.0, 1.0, 0.5, -1.0, 2.0];
    let y = [3.0, 1.0, 2.5, -0.5];
    let k = GaussianKernel::from_variance(2.0);
    assert!(to_vec_f32(mmd2_biased(&k, mat(&x, 3, 2), mat(&x, 3, 2)))[0].abs() < 1e-6);
    let kf = |a: &[f32], b: &[f32]| {
        let d2: f64 = a
            .iter()
            .zip(b)
            .map(|(p, q)| (*p as f64 - *q as f64).powi(2))
            .sum();
        (-d2 / 4.0).exp()
    };
    let (xs, ys): (Vec<&[f32]>, Vec<&[f32]>) = (x.chunks(2).collect(), y.chunks(2).collect());
    let mean = |a: &[&[f32]], b: &[&[f32]]| {
        a.iter()
            .flat_map(|p| b.iter().map(move |q| kf(p, q)))
            .sum::<f64>()
            / (a.len() * b.len()) as f64
    };
    let expected = mean(&xs, &xs) - 2.0 * mean(&xs, &ys) + mean(&ys, &ys);
    let got = to_vec_f32(mmd2_biased(&k, mat(&x, 3, 2), mat(&y, 2, 2)))[0] as f64;
    assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
    assert!(got > 0.0);
}
