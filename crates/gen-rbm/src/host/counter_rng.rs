//! A counter-based random number generator: the `i`-th uniform of a stream is a hash of the
//! stream's key and `i`, so any thread can draw any element without sharing state, and a
//! parallel pass gives the same numbers whatever the number of threads or the order of work.
//!
//! The hash is SplitMix64's output function (Steele, Lea & Flood 2014) applied to
//! `key + (i + 1) γ`, `γ` the golden-ratio increment: exactly the `i`-th output of a SplitMix64
//! generator seeded with `key`, a generator that passes BigCrush. Streams are told apart by
//! hashing their identifiers into the key.

use burn::tensor::{Device, Distribution, Tensor};
use gen_core::tensor_io::to_vec_f32;

/// SplitMix64's increment, `2^64 / φ`.
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output mixing function (a bijection of `u64` with full avalanche).
#[inline(always)]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One stream of uniforms, addressed by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterRng {
    key: u64,
}

impl CounterRng {
    /// The stream with this key.
    pub fn new(key: u64) -> Self {
        Self { key }
    }

    /// A stream keyed by three uniforms of the device generator (24 bits each), so that seeding
    /// the device seeds the host engine too.
    pub fn from_device(device: &Device) -> Self {
        let u = to_vec_f32(Tensor::<1>::random([3], Distribution::Default, device));
        Self::new(u.into_iter().fold(0u64, |key, u| {
            (key << 24) ^ (u as f64 * 16_777_216.0) as u64
        }))
    }

    /// The key (what a checkpoint stores to continue the same streams).
    pub fn key(self) -> u64 {
        self.key
    }

    /// An independent stream derived from this one by `id` (a step number, a Gibbs sweep, a
    /// layer): the key of the child is a hash of the parent's key and `id`.
    pub fn substream(self, id: u64) -> Self {
        Self {
            key: mix64(self.key ^ mix64(id.wrapping_add(GOLDEN_GAMMA))),
        }
    }

    /// The raw 64 bits at `index`.
    #[inline(always)]
    pub fn bits(self, index: u64) -> u64 {
        mix64(
            self.key
                .wrapping_add(index.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA)),
        )
    }

    /// The uniform in `[0, 1)` at `index`: the top 24 bits, so every value is an exact `f32`.
    #[inline(always)]
    pub fn uniform(self, index: u64) -> f32 {
        (self.bits(index) >> 40) as f32 * (1.0 / 16_777_216.0)
    }
}
