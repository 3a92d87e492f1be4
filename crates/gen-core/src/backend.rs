//! Backend selection. Which backends exist in a build is decided by gen-core's features (`flex`,
//! `ndarray`, `wgpu`, `cuda`; the `gen` binary turns on `flex` by default); a run's
//! configuration names one of them, and `--backend` picks one at run time.

use anyhow::{Result, bail};
use burn::tensor::Device;

/// A backend name, as a run's `config.toml` and `--backend` spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum BackendName {
    /// burn's pure-Rust CPU backend (the default).
    Flex,
    /// burn's ndarray CPU backend (deprecated upstream, still supported).
    Ndarray,
    /// GPUs through wgpu (Vulkan, Metal, DX12, WebGPU).
    Wgpu,
    /// NVIDIA GPUs through CUDA.
    Cuda,
}

impl BackendName {
    /// The name as a run's configuration and `--backend` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendName::Flex => "flex",
            BackendName::Ndarray => "ndarray",
            BackendName::Wgpu => "wgpu",
            BackendName::Cuda => "cuda",
        }
    }

    /// Whether this build has the backend's feature.
    pub fn is_compiled(self) -> bool {
        match self {
            BackendName::Flex => cfg!(feature = "flex"),
            BackendName::Ndarray => cfg!(feature = "ndarray"),
            BackendName::Wgpu => cfg!(feature = "wgpu"),
            BackendName::Cuda => cfg!(feature = "cuda"),
        }
    }
}

/// The backends compiled into this build, in order of preference for the default.
pub fn compiled_backends() -> Vec<BackendName> {
    [
        BackendName::Flex,
        BackendName::Ndarray,
        BackendName::Wgpu,
        BackendName::Cuda,
    ]
    .into_iter()
    .filter(|b| b.is_compiled())
    .collect()
}

/// The backend used when `--backend` is not given: the first compiled one.
pub fn default_backend() -> Result<BackendName> {
    match compiled_backends().first() {
        Some(b) => Ok(*b),
        None => bail!("this binary was built without any backend; rebuild with --features flex"),
    }
}

/// The device of a backend, or an error naming what was compiled in.
pub fn device_for(name: BackendName) -> Result<Device> {
    if !name.is_compiled() {
        let compiled: Vec<&str> = compiled_backends().iter().map(|b| b.as_str()).collect();
        bail!(
            "backend '{}' is not compiled into this binary (compiled: {}); rebuild with `--features {}`",
            name.as_str(),
            compiled.join(", "),
            name.as_str()
        );
    }
    Ok(make_device(name))
}

#[allow(unreachable_code, unused_variables)]
fn make_device(name: BackendName) -> Device {
    match name {
        #[cfg(feature = "flex")]
        BackendName::Flex => return Device::flex(),
        #[cfg(feature = "ndarray")]
        #[allow(deprecated)]
        BackendName::Ndarray => return Device::ndarray(),
        #[cfg(feature = "wgpu")]
        BackendName::Wgpu => return Device::wgpu(Default::default()),
        #[cfg(feature = "cuda")]
        BackendName::Cuda => return Device::cuda(0),
        _ => {}
    }
    unreachable!("device_for checks that the backend is compiled")
}

/// `device` when one is given (`--backend`), else the device of the backend a run was trained
/// on.
pub fn device_or_own(device: Option<&Device>, own: BackendName) -> Result<Device> {
    match device {
        Some(d) => Ok(d.clone()),
        None => device_for(own),
    }
}
