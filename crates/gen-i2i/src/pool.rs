//! The history of generated images that CycleGAN's discriminators are trained on (Shrivastava
//! et al. 2017; Zhu et al. 2017, Sec. 4: "a buffer that stores the 50 previously created
//! images"). Until the pool is full every image is stored and returned; afterwards each image is,
//! with probability ½, swapped for a random stored one (which is returned instead).

use rand::{Rng, SeedableRng, rngs::StdRng};

/// A pool of up to `capacity` images, each a flat vector, with its own seeded generator.
#[derive(Debug, Clone)]
pub struct ImagePool {
    capacity: usize,
    images: Vec<Vec<f32>>,
    rng: StdRng,
}

impl ImagePool {
    /// An empty pool; capacity 50 is CycleGAN's default (`--pool_size 50`).
    pub fn new(capacity: usize, seed: u64) -> Self {
        Self {
            capacity,
            images: Vec::with_capacity(capacity),
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Images currently stored.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Passes a batch of freshly generated images through the pool and returns the batch the
    /// discriminator sees.
    pub fn query(&mut self, batch: Vec<Vec<f32>>) -> Vec<Vec<f32>> {
        if self.capacity == 0 {
            return batch;
        }
        batch
            .into_iter()
            .map(|image| {
                if self.images.len() < self.capacity {
                    self.images.push(image.clone());
                    image
                } else if self.rng.random::<f64>() < 0.5 {
                    let k = self.rng.random_range(0..self.capacity);
                    std::mem::replace(&mut self.images[k], image)
                } else {
                    image
                }
            })
            .collect()
    }
}
