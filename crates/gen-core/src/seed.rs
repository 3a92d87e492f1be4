//! Reproducible randomness that survives a resume.
//!
//! A run's random stream is a pure function of `(seed, stream, counter)`: batch orders are
//! seeded by `(seed, epoch)`, the device generator is re-seeded before every training step from
//! `(seed, step)`. A checkpoint therefore only needs the step counter to continue the exact
//! stream an uninterrupted run would have drawn.

use burn::tensor::Device;
use rand::Rng;

/// Streams kept apart so that, e.g., the batch order and the Gibbs noise never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Order of examples within an epoch.
    Shuffle = 1,
    /// The device generator used by the training step.
    Step = 2,
    /// Sampling after training.
    Sample = 3,
    /// Parameter initialisation.
    Init = 4,
    /// Anything evaluation draws.
    Eval = 5,
    /// Host-side draws of a training step (an unpaired partner batch, crops and flips, the
    /// image pool's choices), kept apart from the device generator's.
    Host = 6,
}

/// SplitMix64 finaliser: a bijective mix with good avalanche, used to derive sub-seeds.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The sub-seed of `stream` at `counter` for a run seeded with `seed`.
pub fn derive(seed: u64, stream: Stream, counter: u64) -> u64 {
    splitmix64(splitmix64(splitmix64(seed) ^ stream as u64) ^ counter)
}

/// Seeds the device's generator for step `step` of a run, so that a resumed run draws what the
/// uninterrupted one would have.
pub fn seed_device_for_step(device: &Device, seed: u64, stream: Stream, step: u64) {
    device.seed(derive(seed, stream, step));
}

/// One standard normal draw (Box-Muller), for host-side generators.
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}
