//! The device the RBM tests run on: flex by default, `GEN_TEST_BACKEND=ndarray` for burn's
//! ndarray backend (CI runs the suite on both).

use burn::tensor::Device;

pub fn device() -> Device {
    match std::env::var("GEN_TEST_BACKEND").as_deref() {
        Ok("ndarray") =>
        {
            #[allow(deprecated)]
            Device::ndarray()
        }
        Ok("flex") | Err(_) => Device::flex(),
        Ok(other) => panic!("GEN_TEST_BACKEND={other}: the RBM tests run on flex or ndarray"),
    }
}
