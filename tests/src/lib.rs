//! Workspace-level integration tests of gen: the same computations on every compiled backend.
//!
//! Backends are chosen by this crate's features (`flex` and `ndarray` by default, `wgpu` and
//! `cuda` on request): `cargo test -p gen-tests --features wgpu` adds the GPU path, which CI runs
//! on Mesa's software Vulkan driver.

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
    out.push(("wgpu", Device::wgpu(Default::default())));
    out
}
