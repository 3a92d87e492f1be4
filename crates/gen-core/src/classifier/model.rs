//! The network: the plain CNN of the Keras MNIST example (`examples/mnist_cnn.py`, which reports
//! 99.25% test accuracy on MNIST): two 3x3 convolutions with 32 and 64 filters and ReLU, a 2x2
//! max-pool, dropout 0.25, a 128-unit ReLU layer, dropout 0.5 and a linear layer to the class
//! logits. The 128 ReLU outputs are the features the Fréchet distance compares. One change:
//! the convolutions are zero-padded to keep the image size (the example's are unpadded), since
//! on the 8x8 digits unpadded ones leave a 2x2 map and the test accuracy drops from 96% to 93%.

use crate::validate::{self, ConfigError};
use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor};

/// Shape of the classifier.
#[derive(Config, Debug, PartialEq)]
pub struct ClassifierConfig {
    /// `[channels, height, width]` of the images it classifies.
    pub image: [usize; 3],
    /// Number of classes (10 digits).
    #[config(default = 10)]
    pub classes: usize,
    /// Filters of the two convolutions (Keras example: 32, 64).
    #[config(default = "[32, 64]")]
    pub filters: [usize; 2],
    /// Width of the feature layer (Keras example: 128).
    #[config(default = 128)]
    pub features: usize,
    /// Dropout after the pooling and after the feature layer (Keras example: 0.25, 0.5).
    #[config(default = "[0.25, 0.5]")]
    pub dropout: [f64; 2],
}

/// The convolutional classifier.
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    pool_dropout: Dropout,
    hidden: Linear,
    hidden_dropout: Dropout,
    output: Linear,
}

/// Side length after two size-keeping 3x3 convolutions and a 2x2 pool (floor, as the pool
/// drops a trailing odd row).
fn pooled_side(side: usize) -> usize {
    side / 2
}

impl ClassifierConfig {
    /// Checks that the images are large enough for the two convolutions and the pool.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let [c, h, w] = self.image;
        if c == 0 || h < 2 || w < 2 {
            return Err(ConfigError::Invalid(format!(
                "the classifier needs images of at least 2x2 pixels and one channel, got {c}x{h}x{w}"
            )));
        }
        if self.classes < 2 || self.features == 0 || self.filters.contains(&0) {
            return Err(ConfigError::Invalid(format!(
                "the classifier needs at least two classes, filters and features; got {} classes, filters {:?}, {} features",
                self.classes, self.filters, self.features
            )));
        }
        for &p in &self.dropout {
            validate::dropout("dropout", p)?;
        }
        Ok(())
    }

    /// Values entering the feature layer: the pooled maps flattened.
    pub fn flattened(&self) -> usize {
        let [_, h, w] = self.image;
        self.filters[1] * pooled_side(h) * pooled_side(w)
    }

    /// Fresh weights (burn's default initialisers).
    pub fn init(&self, device: &Device) -> Classifier {
        Classifier {
            conv1: Conv2dConfig::new([self.image[0], self.filters[0]], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device),
            conv2: Conv2dConfig::new([self.filters[0], self.filters[1]], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            pool_dropout: DropoutConfig::new(self.dropout[0]).init(),
            hidden: LinearConfig::new(self.flattened(), self.features).init(device),
            hidden_dropout: DropoutConfig::new(self.dropout[1]).init(),
            output: LinearConfig::new(self.features, self.classes).init(device),
        }
    }
}

impl Classifier {
    /// The penultimate features `[n, features]` of images `[n, c, h, w]` with values in [0, 1].
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        let x = relu(self.conv1.forward(images));
        let x = relu(self.conv2.forward(x));
        let x = self.pool_dropout.forward(self.pool.forward(x));
        relu(self.hidden.forward(x.flatten(1, 3)))
    }

    /// The number of classes (the width of the logits). Read with `lazy_shape`: burn
    /// initialises parameters on first use, so reading the weights here would draw them before
    /// the other layers' and change every freshly initialised network.
    pub fn classes(&self) -> usize {
        self.output.weight.lazy_shape()[1]
    }

    /// Class logits `[n, classes]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.output
            .forward(self.hidden_dropout.forward(self.features(images)))
    }

    /// The most likely class of each image.
    pub fn predict(&self, images: Tensor<4>) -> Tensor<1, Int> {
        self.forward(images).argmax(1).flatten(0, 1)
    }

    /// Width of the feature layer.
    pub fn feature_dim(&self) -> usize {
        self.output.weight.dims()[0]
    }
}

/// Images of `values` (row-major, `image` each) in batches of at most `batch`, as `[n, c, h, w]`.
fn image_batches<'a>(
    values: &'a [f32],
    image: [usize; 3],
    batch: usize,
    device: &'a Device,
) -> impl Iterator<Item = Tensor<4>> + 'a {
    let dim: usize = image.iter().product();
    values.chunks(dim * batch).map(move |chunk| {
        let n = chunk.len() / dim;
        Tensor::from_data(
            burn::tensor::TensorData::new(chunk.to_vec(), [n, image[0], image[1], image[2]]),
            device,
        )
    })
}

/// Images classified or embedded per call.
const APPLY_BATCH: usize = 500;

impl Classifier {
    /// The penultimate features of every image of `values` (row-major, `image` each), row-major
    /// `[n, feature_dim]`.
    pub fn features_of(&self, values: &[f32], image: [usize; 3], device: &Device) -> Vec<f32> {
        image_batches(values, image, APPLY_BATCH, device)
            .flat_map(|x| crate::tensor_io::to_vec_f32(self.features(x)))
            .collect()
    }

    /// The predicted class of every image of `values`.
    pub fn classes_of(&self, values: &[f32], image: [usize; 3], device: &Device) -> Vec<u8> {
        image_batches(values, image, APPLY_BATCH, device)
            .flat_map(|x| {
                self.predict(x)
                    .into_data()
                    .convert::<i64>()
                    .try_into_vec::<i64>()
                    .expect("class indices")
            })
            .map(|c| c as u8)
            .collect()
    }

    /// Fraction of the images of `values` whose predicted class is their label.
    pub fn accuracy(
        &self,
        values: &[f32],
        labels: &[u8],
        image: [usize; 3],
        device: &Device,
    ) -> f64 {
        let predicted = self.classes_of(values, image, device);
        assert_eq!(predicted.len(), labels.len(), "one label per image");
        let right = predicted.iter().zip(labels).filter(|(p, l)| p == l).count();
        right as f64 / labels.len().max(1) as f64
    }
}
