//! What the two exact enumerations share (the device path in [`crate::eval`], the host path in
//! [`crate::exact_cpu`]): which layer is summed over, the largest layer accepted, and the
//! refusal. Kept apart so that neither path imports the other's module.

/// Largest layer that exact enumeration accepts (2^30 states).
pub const MAX_ENUMERATED_UNITS: usize = 30;

/// Which layer is summed over explicitly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Sum over the `2^V` visible states (the hidden layer is marginalised in closed form).
    Visible,
    /// Sum over the `2^H` hidden states (the visible layer is marginalised in closed form).
    Hidden,
}

/// Why an exact computation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExactError {
    /// The enumerated layer has more than [`MAX_ENUMERATED_UNITS`] units.
    #[error(
        "exact enumeration over {units} units needs 2^{units} states; at most {MAX_ENUMERATED_UNITS} are supported — use AIS"
    )]
    TooManyUnits {
        /// Units of the layer that would have been enumerated.
        units: usize,
    },
}
