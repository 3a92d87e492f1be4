//! Moving tensors to and from the host. Each call is a device sync: keep them out of inner loops.

use burn::tensor::{Device, Tensor, TensorData};

/// The values of a float tensor as `f32`, row-major.
pub fn to_vec_f32<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("a float tensor converts to f32")
}

/// A `[rows, cols]` tensor from row-major `f32` values.
pub fn matrix(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}
