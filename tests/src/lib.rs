//! Workspace-level integration tests of gen: the same computations on every compiled backend.
//!
//! Backends are chosen by this crate's features (`flex`, `ndarray` and `wgpu` by default). The
//! wgpu device joins only when `GEN_TEST_WGPU=1` is set, since it needs a graphics adapter: CI
//! sets it and runs the parity tests on Mesa's software Vulkan driver.

use burn::tensor::Device;

/// The README, compiled so its code example is checked as a doc test.
#[doc = include_str!("../../README.md")]
pub mod readme {}

/// Every backend compiled into this test build, by name.
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn backends() -> Vec<(&'static str, Device)> {
    let mut out = Vec::new();
    #[cfg(feature = "flex")]
    out.push(("flex", Device::flex()));
    #[cfg(feature = "ndarray")]
    #[allow(deprecated)]
    out.push(("ndarray", Device::ndarray()));
    #[cfg(feature = "wgpu")]
    if wgpu_requested() {
        out.push(("wgpu", Device::wgpu(Default::default())));
    }
    out
}

/// Whether the wgpu device takes part: `GEN_TEST_WGPU=1` asks for it. Anything else set in that
/// variable is a mistake worth stopping for, not a silent skip.
#[cfg(feature = "wgpu")]
fn wgpu_requested() -> bool {
    match std::env::var("GEN_TEST_WGPU").as_deref() {
        Ok("1") => true,
        Ok("0") | Err(std::env::VarError::NotPresent) => {
            eprintln!("wgpu is compiled in but not compared: set GEN_TEST_WGPU=1 to include it");
            false
        }
        Ok(other) => panic!("GEN_TEST_WGPU must be 1 or 0, not {other:?}"),
        Err(e) => panic!("GEN_TEST_WGPU: {e}"),
    }
}
