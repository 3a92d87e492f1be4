//! gen-dae on its own, as a user depending on this crate and gen-core would use it: train the
//! MLP denoiser on the two moons through the shared training loop, load it back from the run's
//! checkpoint, sample by running the denoising chain (corrupt, then draw from the
//! reconstruction distribution, Bengio et al. 2013), and evaluate the samples with the Parzen
//! protocol (σ chosen on validation points), next to the same protocol on true samples.
//!
//! ```text
//! cargo run --release -p gen-dae --example two_moons -- [epochs]   # default 60
//! ```

use burn::tensor::{Device, Tensor};
use gen_core::data::density2d::Density2d;
use gen_core::metrics::parzen::{ParzenConfig, parzen_protocol};
use gen_core::run::RunDir;
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use gen_dae::chain::{Chain, noise_start};
use gen_dae::corruption::CorruptionConfig;
use gen_dae::train::OptimizerKind;
use gen_dae::walkback::Walkback;
use gen_dae::{DaeTrainConfig, DaeTrainer, MlpDenoiserConfig, Reconstruction};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Corruption and reconstruction std: the moons' own noise (the `gen` default for points).
const SIGMA: f64 = 0.1;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let epochs: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 60,
    };
    let device = Device::flex();
    device.seed(11);
    let mut rng = StdRng::seed_from_u64(5);
    let moons = Density2d::TwoMoons;
    let train = moons.sample(10_000, &mut rng);
    let validation = moons.sample(1_000, &mut rng);
    let test = moons.sample(1_000, &mut rng);

    let config = DaeTrainConfig {
        corruption: CorruptionConfig::Gaussian { std: SIGMA },
        reconstruction: Reconstruction::Gaussian { std: SIGMA },
        walkback: Walkback::None,
        batch_size: 512,
        learning_rate: 2e-3,
        momentum: 0.0,
        optimizer: OptimizerKind::Adam,
        linear_decay: true,
    };
    // The loop draws a few chain samples before each checkpoint to check they are finite; the
    // chains start from zeros here.
    let start = Box::new(|n: usize, d: &Device| Tensor::<2>::zeros([n, 2], d));
    let mut trainer = DaeTrainer::new(
        MlpDenoiserConfig::new(2).init(&device),
        config,
        start,
        &device,
    )?;
    let train_device = trainer.device().clone();

    let folder = tempfile::tempdir()?;
    let run = RunDir::create(folder.path())?;
    let options = LoopOptions {
        epochs,
        batch_size: 512,
        seed: 9,
        log_every: 20,
        checkpoint_every: 1000,
        epochs_per_report: epochs,
        grid_samples: 0,
        sample_shape: None,
        quiet: false,
        label: "dae".into(),
    };
    let outcome = run_training(&mut trainer, &train, &train_device, &run, &options, false)?;
    println!(
        "trained {} updates in {:.1} s",
        outcome.steps, outcome.train_seconds
    );

    // The newest readable checkpoint of the run, loaded into a fresh network.
    let checkpoint = run.trained_checkpoint()?;
    let model = checkpoint.module("dae", MlpDenoiserConfig::new(2).init(&device))?;

    // 1,000 chains from Gaussian noise with the data's per-coordinate mean and spread, 300
    // transitions, the last state of each kept.
    let n = 1000;
    let (mean, std) = train.value_moments();
    let reconstruction = Reconstruction::Gaussian { std: SIGMA };
    let chain_start = noise_start(reconstruction, n, &mean, &std, &device);
    let corruption = CorruptionConfig::Gaussian { std: SIGMA };
    let mut chain = Chain::new(&model, &corruption, reconstruction, chain_start);
    let samples = to_vec_f32(chain.record(299, 1, 1).remove(0));

    let parzen = ParzenConfig {
        samples: n,
        sigmas: (1..=20).map(|i| 0.01 * i as f64).collect(),
        ..ParzenConfig::default()
    };
    let of_chain = parzen_protocol(
        &samples,
        &validation.values,
        &test.values,
        2,
        &parzen,
        &device,
    )?;
    let truth = moons.sample(n, &mut rng);
    let of_truth = parzen_protocol(
        &truth.values,
        &validation.values,
        &test.values,
        2,
        &parzen,
        &device,
    )?;
    println!(
        "Parzen test log-likelihood of {n} chain samples: {:.3} (σ {:.2}); of {n} true samples: {:.3} (σ {:.2})",
        of_chain.mean, of_chain.sigma, of_truth.mean, of_truth.sigma
    );
    Ok(())
}
