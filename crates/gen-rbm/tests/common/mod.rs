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

/// The device's generator is process-wide; tests that seed it and compare what they draw take
/// this lock, so that tests running in parallel threads do not draw from each other's streams.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[allow(dead_code)]
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SEEDED.lock().unwrap_or_else(|e| e.into_inner())
}
