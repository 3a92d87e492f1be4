//! Which code runs an RBM computation: gen-rbm's host engine ([`crate::host`]) or burn's tensor
//! operations on the device.

use burn::tensor::Device;
use gen_core::host_device::is_host_device;
use gen_core::validate::UnknownName;
use serde::{Deserialize, Serialize};

/// Where training, AIS and RAISE run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// The host engine ([`crate::host`]) when the device is a CPU backend (flex, ndarray) and
    /// the method is CD, PCD or FPCD; burn's tensor operations otherwise.
    Auto,
    /// Always the host engine (on a GPU device the parameters then travel to and from the
    /// host whenever the model is read); parallel tempering is not implemented there.
    Host,
    /// Always burn's tensor operations on the device.
    Device,
}

impl std::str::FromStr for Engine {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        match s {
            "auto" => Ok(Engine::Auto),
            "host" => Ok(Engine::Host),
            "device" => Ok(Engine::Device),
            other => Err(UnknownName {
                what: "RBM engine",
                given: other.to_string(),
                choices: "auto, host or device",
            }),
        }
    }
}

impl Engine {
    /// Whether this choice runs on the host for `device` (`Auto`: when the device is a CPU
    /// backend's).
    pub fn on_host(self, device: &Device) -> bool {
        match self {
            Engine::Auto => is_host_device(device),
            Engine::Host => true,
            Engine::Device => false,
        }
    }
}
