//! Workspace-level integration tests of gen: the same computations on every compiled backend.
//!
//! Backends are chosen by this crate's features (`flex` and `ndarray` by default, `wgpu` and
//! `cuda` on request): `cargo test --workspace --features gen-tests/wgpu --test backend_parity`
//! adds the GPU path (Mesa's software Vulkan driver runs it without a GPU; CI no longer does, for
//! its build time). `--workspace` keeps the other crates' features, so burn is not rebuilt twice.

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
