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

/// The RBM training engine the tests use: the default (`auto`: the host engine on flex and
/// ndarray), or `GEN_TEST_RBM_ENGINE=device` for burn's tensor operations (CI's ndarray pass
/// uses it, so both engines run the whole suite).
#[allow(dead_code)]
pub fn engine() -> gen_rbm::train::Engine {
    match std::env::var("GEN_TEST_RBM_ENGINE").as_deref() {
        Ok("auto") | Err(_) => gen_rbm::train::Engine::Auto,
        Ok("device") => gen_rbm::train::Engine::Device,
        Ok("host") => gen_rbm::train::Engine::Host,
        Ok(other) => panic!("GEN_TEST_RBM_ENGINE={other}: use auto, device or host"),
    }
}
