//! Whether a device's tensors live in host memory, so that a method may run its own CPU code on
//! them (the RBM's host engine) instead of burn's tensor operations.

use burn::tensor::Device;

/// `true` for burn-flex and burn-ndarray devices. burn 0.22 has no public query for a device's
/// backend, so this reads the name its `Debug` output starts with (`Device<Flex(..)>`,
/// `Device<NdArray(..)>`); the tests pin that format, so a burn release that changes it fails
/// them instead of silently moving every CPU run back to the slower path.
pub fn is_host_device(device: &Device) -> bool {
    let name = format!("{device:?}");
    name.starts_with("Device<Flex") || name.starts_with("Device<NdArray")
}
