//! gen-rbm on its own, as a user depending on this crate and gen-core would use it: train an RBM
//! with persistent CD on the 30 bars-and-stripes patterns of 4 x 4 through the shared training
//! loop, load the trained run back from its folder, draw samples, and evaluate the exact
//! log-likelihood (the 16 hidden units are enumerated).
//!
//! The target is uniform on 30 patterns, so the best log-likelihood is `-ln 30 = -3.40` nats;
//! the example also reports how many samples (binarised at 0.5) are one of the 30 patterns.
//!
//! ```text
//! cargo run --release -p gen-rbm --example bars_and_stripes -- [epochs]   # default 300
//! ```

use burn::tensor::Device;
use gen_core::data::bars_stripes::bars_and_stripes;
use gen_core::run::RunDir;
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use gen_rbm::eval::{log_partition_exact, mean_log_likelihood};
use gen_rbm::sample::{RbmSampleConfig, sample};
use gen_rbm::train::{Method, Schedule, rbm_from_checkpoint};
use gen_rbm::{RbmConfig, RbmTrainConfig, RbmTrainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let epochs: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 300,
    };
    let device = Device::flex();
    device.seed(3);
    let data = bars_and_stripes(4);
    let patterns = data.len();

    // PCD-1 with 30 fantasy particles; settings of gen-rbm's own bars-and-stripes test.
    let rbm = RbmConfig::new(16)
        .with_hidden(16)
        .with_init_std(0.1)
        .init(&device);
    let config = RbmTrainConfig::new()
        .with_method(Method::Pcd)
        .with_k(1)
        .with_learning_rate(0.1)
        .with_momentum(0.5)
        .with_chains(30)
        .with_batch_size(10)
        .with_schedule(Schedule::Linear);
    let mut trainer = RbmTrainer::new(rbm, config, &data, &device);

    let folder = tempfile::tempdir()?;
    let run = RunDir::create(folder.path())?;
    let options = LoopOptions {
        epochs,
        batch_size: 10,
        seed: 9,
        log_every: 50,
        checkpoint_every: 1000,
        epochs_per_report: epochs,
        grid_samples: 0,
        sample_shape: None,
        quiet: false,
        label: "pcd".into(),
    };
    let outcome = run_training(&mut trainer, &data, &device, &run, &options, false)?;
    println!(
        "trained {} updates in {:.1} s",
        outcome.steps, outcome.train_seconds
    );

    // What `gen sample` does: the newest readable checkpoint of the run, loaded into a model.
    let rbm = rbm_from_checkpoint(&run.trained_checkpoint()?, &device)?;
    let log_z = log_partition_exact(&rbm)?;
    let log_likelihood = mean_log_likelihood(&rbm, &data, log_z);
    println!(
        "exact log-likelihood {log_likelihood:.3} nats (best possible -ln {patterns} = {:.3})",
        -(patterns as f64).ln()
    );

    let n = 1000;
    let samples = to_vec_f32(sample(&rbm, n, &RbmSampleConfig::new(), &device));
    let known: Vec<Vec<bool>> = data
        .values
        .chunks_exact(16)
        .map(|p| p.iter().map(|&v| v > 0.5).collect())
        .collect();
    let valid = samples
        .chunks_exact(16)
        .filter(|s| known.contains(&s.iter().map(|&v| v > 0.5).collect()))
        .count();
    println!("{valid} of {n} samples are bars-and-stripes patterns");
    Ok(())
}
