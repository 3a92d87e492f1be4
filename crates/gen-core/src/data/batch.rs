//! Seeded shuffling and batching. The order of epoch `e` depends only on `(seed, e)`, so a run
//! resumed in the middle of an epoch sees the same remaining batches as an uninterrupted one.

use rand::{SeedableRng, rngs::StdRng, seq::SliceRandom};

use crate::seed::{Stream, derive};

/// The permutation of `0..n` used in `epoch`.
pub fn epoch_order(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = StdRng::seed_from_u64(derive(seed, Stream::Shuffle, epoch));
    order.shuffle(&mut rng);
    order
}

/// The index batches of `epoch`: consecutive chunks of [`epoch_order`] of `batch_size`; a last
/// incomplete chunk is dropped (so every step sees the same batch size, as the papers' code does).
pub fn epoch_batches(n: usize, batch_size: usize, seed: u64, epoch: u64) -> Vec<Vec<usize>> {
    assert!(batch_size > 0, "batch size must be positive");
    epoch_order(n, seed, epoch)
        .chunks_exact(batch_size)
        .map(|c| c.to_vec())
        .collect()
}

/// Number of full batches per epoch.
pub fn batches_per_epoch(n: usize, batch_size: usize) -> usize {
    n / batch_size
}
