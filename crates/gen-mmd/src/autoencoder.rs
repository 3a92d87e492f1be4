//! The auto-encoder of GMMN+AE (Li et al. 2015, Section 3.2): a sigmoid encoder to a small code
//! and a sigmoid decoder back, trained first by reconstruction (cross-entropy on pixels in
//! [0, 1]); a GMMN is then trained on the codes and its samples are decoded to images.
//! Dropout on each encoder layer's input (0.2 on the pixels, 0.5 on the hidden layer: the
//! reference code's `ae_dropout=[0.2, 0.5]`) keeps the code space smooth enough to sample from.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::Device;
use burn::tensor::Tensor;
use burn::tensor::activation::sigmoid;
use gen_core::loss::bce_per_example;
use gen_core::validate::{self, ConfigError};

use crate::model::reference_linear;

/// Shape of the auto-encoder.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderConfig {
    /// Width of the data (784 for MNIST).
    pub input: usize,
    /// Encoder layers bottom-up, the last being the code (1024-32 for MNIST: `ae_n_hids`).
    #[config(default = "vec![1024, 32]")]
    pub layers: Vec<usize>,
    /// Dropout on the input of each encoder layer (`ae_dropout=[0.2, 0.5]`).
    #[config(default = "vec![0.2, 0.5]")]
    pub dropout: Vec<f64>,
}

/// Encoder and decoder, every layer sigmoid.
#[derive(Module, Debug)]
pub struct Autoencoder {
    /// The encoder's layers, bottom-up.
    pub encoder: Vec<Linear>,
    /// The dropout before each encoder layer.
    pub encoder_dropout: Vec<Dropout>,
    /// The decoder's layers, from the code up.
    pub decoder: Vec<Linear>,
}

impl AutoencoderConfig {
    /// Checks the layer list and the dropout rates.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.input == 0 || self.layers.is_empty() || self.layers.contains(&0) {
            return Err(ConfigError::Invalid(format!(
                "the auto-encoder needs a positive input width and at least one positive layer, got input {} and layers {:?}",
                self.input, self.layers
            )));
        }
        if self.dropout.len() != self.layers.len() {
            return Err(ConfigError::Invalid(format!(
                "one dropout rate per encoder layer: {} layers but {} rates",
                self.layers.len(),
                self.dropout.len()
            )));
        }
        for &p in &self.dropout {
            validate::dropout("dropout", p)?;
        }
        Ok(())
    }

    /// Width of the code: the last encoder layer's (0 when there is none; `validate` refuses that).
    pub fn code_dim(&self) -> usize {
        self.layers.last().copied().unwrap_or(0)
    }

    /// Fresh weights (initialised as the reference code's); the decoder mirrors the encoder.
    pub fn init(&self, device: &Device) -> Autoencoder {
        let widths: Vec<usize> = std::iter::once(self.input)
            .chain(self.layers.iter().copied())
            .collect();
        let encoder = widths
            .windows(2)
            .map(|w| reference_linear(w[0], w[1], device))
            .collect();
        let decoder = widths
            .windows(2)
            .rev()
            .map(|w| reference_linear(w[1], w[0], device))
            .collect();
        Autoencoder {
            encoder,
            encoder_dropout: self
                .dropout
                .iter()
                .map(|&p| DropoutConfig::new(p).init())
                .collect(),
            decoder,
        }
    }
}

impl Autoencoder {
    /// Width of the code.
    pub fn code_dim(&self) -> usize {
        self.encoder.last().map_or(0, |l| l.weight.dims()[1])
    }

    /// Width of the data.
    pub fn input_dim(&self) -> usize {
        self.encoder.first().map_or(0, |l| l.weight.dims()[0])
    }

    /// The code of `x` (dropout acts only on an autodiff device, i.e. while training).
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        self.encoder
            .iter()
            .zip(&self.encoder_dropout)
            .fold(x, |h, (layer, dropout)| {
                sigmoid(layer.forward(dropout.forward(h)))
            })
    }

    /// The decoder's output logits for `code` (the last sigmoid left out, for a stable BCE).
    pub fn decode_logits(&self, code: Tensor<2>) -> Tensor<2> {
        let last = self.decoder.len() - 1;
        self.decoder.iter().enumerate().fold(code, |h, (i, layer)| {
            let a = layer.forward(h);
            if i == last { a } else { sigmoid(a) }
        })
    }

    /// The decoded images (in [0, 1]) of `code`.
    pub fn decode(&self, code: Tensor<2>) -> Tensor<2> {
        sigmoid(self.decode_logits(code))
    }

    /// Cross-entropy reconstruction loss per example, in nats.
    pub fn reconstruction_loss(&self, x: Tensor<2>) -> Tensor<1> {
        let logits = self.decode_logits(self.encode(x.clone()));
        bce_per_example(logits, x)
    }
}
