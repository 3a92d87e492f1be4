//! The in-memory dataset every loader produces: a row-major block of `f32` values, the shape of
//! one item, and optional class labels.

use burn::tensor::{Device, Tensor, TensorData};

/// The shape of one example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ItemShape {
    /// A point in `dim` dimensions (2-D densities).
    Vector {
        /// Values per point.
        dim: usize,
    },
    /// An image stored channel-first (`channels x height x width`), values in `[0, 1]`.
    Image {
        /// Colour channels.
        channels: usize,
        /// Rows of pixels.
        height: usize,
        /// Columns of pixels.
        width: usize,
    },
}

impl ItemShape {
    /// Number of values in one example.
    pub fn len(&self) -> usize {
        match *self {
            ItemShape::Vector { dim } => dim,
            ItemShape::Image {
                channels,
                height,
                width,
            } => channels * height * width,
        }
    }

    /// True for a zero-sized item (never produced by the loaders).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A dataset held in memory.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Short name, used in reports and run configs.
    pub name: String,
    /// `len() * item_shape.len()` values, one example after another.
    pub values: Vec<f32>,
    /// The shape of one example.
    pub item_shape: ItemShape,
    /// One class label per example, when the source has them.
    pub labels: Option<Vec<u8>>,
}

impl Dataset {
    /// Number of examples.
    pub fn len(&self) -> usize {
        // A zero-sized item (refused by every loader) holds no example rather than dividing by 0.
        self.values
            .len()
            .checked_div(self.item_shape.len())
            .unwrap_or(0)
    }

    /// True when the dataset holds no example.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Number of values in one example (the model's input size).
    pub fn dim(&self) -> usize {
        self.item_shape.len()
    }

    /// The values of example `i`.
    pub fn item(&self, i: usize) -> &[f32] {
        let d = self.dim();
        &self.values[i * d..(i + 1) * d]
    }

    /// A new dataset holding the examples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let d = self.dim();
        let mut values = Vec::with_capacity(indices.len() * d);
        for &i in indices {
            values.extend_from_slice(self.item(i));
        }
        Dataset {
            name: self.name.clone(),
            values,
            item_shape: self.item_shape,
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
        }
    }

    /// The first `n` examples and the rest, e.g. a validation split carved from training data.
    pub fn split_at(&self, n: usize) -> (Dataset, Dataset) {
        let n = n.min(self.len());
        let head: Vec<usize> = (0..n).collect();
        let tail: Vec<usize> = (n..self.len()).collect();
        (self.select(&head), self.select(&tail))
    }

    /// The held-out validation split of these training examples: their last
    /// [`validation_len`](super::registry::validation_len) examples (MNIST's last 10,000, as the
    /// GAN and GMMN papers held out), where a protocol chooses a hyper-parameter (Parzen's σ,
    /// early stopping).
    pub fn validation_split(&self) -> Dataset {
        let n = super::registry::validation_len(&self.name, self.len());
        self.split_at(self.len() - n).1
    }

    /// Per-value mean and (population) standard deviation over the examples, accumulated in
    /// f64: the Gaussian noise a DAE's chains start from.
    pub fn value_moments(&self) -> (Vec<f32>, Vec<f32>) {
        let d = self.dim();
        let n = self.len() as f64;
        let mut mean = vec![0f64; d];
        for row in self.values.chunks_exact(d) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += *v as f64 / n;
            }
        }
        let mut var = vec![0f64; d];
        for row in self.values.chunks_exact(d) {
            for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (*v as f64 - m).powi(2) / n;
            }
        }
        (
            mean.iter().map(|&m| m as f32).collect(),
            var.iter().map(|&v| v.sqrt() as f32).collect(),
        )
    }

    /// The examples at `indices` as a `[indices.len(), dim]` tensor on `device`.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<2> {
        let d = self.dim();
        let mut values = Vec::with_capacity(indices.len() * d);
        for &i in indices {
            values.extend_from_slice(self.item(i));
        }
        Tensor::from_data(TensorData::new(values, [indices.len(), d]), device)
    }

    /// The whole dataset as a `[len, dim]` tensor on `device`.
    pub fn to_tensor(&self, device: &Device) -> Tensor<2> {
        Tensor::from_data(
            TensorData::new(self.values.clone(), [self.len(), self.dim()]),
            device,
        )
    }

    /// Per-dimension mean of the values (e.g. the pixel means an RBM's visible biases start from).
    pub fn mean(&self) -> Vec<f32> {
        let d = self.dim();
        let mut sum = vec![0f64; d];
        for row in self.values.chunks_exact(d) {
            for (s, &v) in sum.iter_mut().zip(row) {
                *s += v as f64;
            }
        }
        let n = self.len().max(1) as f64;
        sum.into_iter().map(|s| (s / n) as f32).collect()
    }
}

/// A training set and a test set from one source.
#[derive(Debug, Clone)]
pub struct Splits {
    /// The training split (its last tenth is the validation split where one is needed).
    pub train: Dataset,
    /// The held-out test split.
    pub test: Dataset,
}
