//! The history of generated images that CycleGAN's discriminators are trained on (Shrivastava
//! et al. 2017; Zhu et al. 2017, Sec. 4: "a buffer that stores the 50 previously created
//! images"). Until the pool is full every image is stored and returned; afterwards each image is,
//! with probability ½, swapped for a random stored one (which is returned instead).
//!
//! The pool is part of the training state: it is saved in checkpoints, and its random draws are
//! a function of its seed and the number of queries so far, so a resumed run draws what the
//! uninterrupted one would have. It holds any kind of image: a trainer keeps device tensors (no
//! copy to the host per step) and turns them into flat vectors only to save them.

use rand::{Rng, SeedableRng, rngs::StdRng};

/// Bytes of the serialised header: capacity, image width, stored images, queries, seed.
const HEADER_WORDS: usize = 5;

/// A pool of up to `capacity` images of type `T` (a flat vector of one width when saved).
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePool<T = Vec<f32>> {
    capacity: usize,
    images: Vec<T>,
    seed: u64,
    queries: u64,
}

/// Bytes that are not a pool's state as [`ImagePool::to_bytes`] writes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolStateError {
    /// Shorter than the header.
    #[error("the image pool's state is truncated")]
    Truncated,
    /// A header that disagrees with the bytes after it.
    #[error(
        "the image pool's state holds {bytes} bytes of images, but its header says {count} images of {width} values (capacity {capacity})"
    )]
    Header {
        /// Bytes of images present.
        bytes: usize,
        /// Images the header announces.
        count: usize,
        /// Values per image the header announces.
        width: usize,
        /// The capacity the header announces.
        capacity: usize,
    },
}

impl<T: Clone> ImagePool<T> {
    /// An empty pool; capacity 50 is CycleGAN's default (`--pool_size 50`), 0 disables it.
    pub fn new(capacity: usize, seed: u64) -> Self {
        Self {
            capacity,
            // Reserved as images arrive beyond the first few, whatever capacity is asked for.
            images: Vec::with_capacity(capacity.min(64)),
            seed,
            queries: 0,
        }
    }

    /// The most images the pool stores.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Images currently stored.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether no image is stored yet.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// The stored images, in slot order.
    pub fn images(&self) -> &[T] {
        &self.images
    }

    /// Passes a batch of freshly generated images through the pool and returns the batch the
    /// discriminator sees.
    pub fn query(&mut self, batch: Vec<T>) -> Vec<T> {
        if self.capacity == 0 {
            return batch;
        }
        let mut rng = StdRng::seed_from_u64(gen_core::seed::derive(
            self.seed,
            gen_core::seed::Stream::Host,
            self.queries,
        ));
        self.queries += 1;
        batch
            .into_iter()
            .map(|image| {
                if self.images.len() < self.capacity {
                    self.images.push(image.clone());
                    image
                } else if rng.random::<f64>() < 0.5 {
                    let k = rng.random_range(0..self.capacity);
                    std::mem::replace(&mut self.images[k], image)
                } else {
                    image
                }
            })
            .collect()
    }

    /// The same pool (contents, seed, queries) with every image converted by `f`.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> ImagePool<U> {
        ImagePool {
            capacity: self.capacity,
            images: self.images.iter().map(f).collect(),
            seed: self.seed,
            queries: self.queries,
        }
    }
}

impl ImagePool<Vec<f32>> {
    /// The pool as bytes (little-endian): a header of five `u64`, then the images' `f32`s.
    pub fn to_bytes(&self) -> Vec<u8> {
        let width = self.images.first().map_or(0, Vec::len);
        let header = [
            self.capacity as u64,
            width as u64,
            self.images.len() as u64,
            self.queries,
            self.seed,
        ];
        let mut bytes = Vec::with_capacity(8 * HEADER_WORDS + 4 * width * self.images.len());
        for word in header {
            bytes.extend_from_slice(&word.to_le_bytes());
        }
        for value in self.images.iter().flatten() {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    /// Reads what [`to_bytes`](Self::to_bytes) wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PoolStateError> {
        let word = |i: usize| -> Result<u64, PoolStateError> {
            bytes
                .get(8 * i..8 * i + 8)
                .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
                .ok_or(PoolStateError::Truncated)
        };
        let (capacity, width, count) = (word(0)? as usize, word(1)? as usize, word(2)? as usize);
        let (queries, seed) = (word(3)?, word(4)?);
        let body = &bytes[8 * HEADER_WORDS..];
        // Every size is checked against the bytes present before anything is allocated: a
        // header is only a claim (a 40-byte file may announce terabytes).
        let announced = width.checked_mul(count).and_then(|n| n.checked_mul(4));
        if count > capacity || (count > 0 && width == 0) || announced != Some(body.len()) {
            return Err(PoolStateError::Header {
                bytes: body.len(),
                count,
                width,
                capacity,
            });
        }
        let values: Vec<f32> = body
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("four bytes")))
            .collect();
        let images: Vec<Vec<f32>> = values.chunks(width.max(1)).map(<[f32]>::to_vec).collect();
        Ok(Self {
            capacity,
            images,
            seed,
            queries,
        })
    }
}
