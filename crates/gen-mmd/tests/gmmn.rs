//! GMMN training: moment matching pulls the generator onto a known distribution; a killed and
//! resumed run computes what an uninterrupted one does; the auto-encoder trains through
//! burn-train's Learner.

mod common;

use std::sync::Mutex;

use burn::tensor::Tensor;
use common::{device, rng};
use gen_core::data::{Dataset, ItemShape};
use gen_core::kernel::GaussianKernel;
use gen_core::run::RunDir;
use gen_core::tensor_io::to_vec_f32;
use gen_core::training::{LoopOptions, run_training};
use gen_mmd::autoencoder_train::{
    AutoencoderTrainConfig, LearnerRun, last_checkpointed_epoch, train_autoencoder,
};
use gen_mmd::two_sample::{PointSet, mmd2_unbiased_blocked};
use gen_mmd::{AutoencoderConfig, GmmnConfig, GmmnTrainConfig, GmmnTrainer};
use rand::Rng;

/// The device generator is process-wide: tests that seed it run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Two tight clusters in [0, 1]^2, at (0.25, 0.25) and (0.75, 0.6).
fn two_clusters(n: usize, seed: u64) -> Vec<f32> {
    let mut r = rng(seed);
    let mut out = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let (cx, cy) = if r.random::<bool>() {
            (0.25, 0.25)
        } else {
            (0.75, 0.6)
        };
        out.push((cx + 0.04 * gen_core::seed::standard_normal(&mut r)) as f32);
        out.push((cy + 0.04 * gen_core::seed::standard_normal(&mut r)) as f32);
    }
    out
}

fn small_config() -> (GmmnConfig, GmmnTrainConfig) {
    let model = GmmnConfig::new(2).with_noise(4).with_hidden(vec![32, 32]);
    let train = GmmnTrainConfig::new()
        .with_kernel_variances(vec![0.005, 0.02, 0.08])
        .with_batch_size(200)
        .with_samples_per_update(200)
        .with_learning_rate(0.05)
        // The objective is `loss_weight / samples · sqrt(MMD²)` (the reference code's scaling);
        // this weight makes the factor 1, so the step is 0.05 on sqrt(MMD²) itself.
        .with_loss_weight(200.0)
        .with_schedule_step(1_000_000);
    (model, train)
}

/// The reference learner's objective at its settings (`loss_weight=1000`, 1,000 generated points
/// per update) is `sqrt(MMD²_b)` itself: `1000 sqrt(MMD²_b) / 1000`.
#[test]
fn the_default_objective_is_the_square_root_of_mmd2_itself() {
    assert_eq!(GmmnTrainConfig::new().objective_scale(), 1.0);
    let half = GmmnTrainConfig::new().with_samples_per_update(500);
    assert_eq!(half.objective_scale(), 2.0);
}

#[test]
fn moment_matching_pulls_samples_onto_the_data() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dev = device();
    dev.seed(1);
    let (model, train) = small_config();
    let mut trainer = GmmnTrainer::new(model.init(&dev), None, train, &dev).unwrap();
    let data = two_clusters(4000, 2);
    let ad = trainer.device().clone();
    let kernel = GaussianKernel::from_variance(0.02).unwrap();
    let distance = |trainer: &GmmnTrainer| {
        let samples = to_vec_f32(trainer.sample(1000));
        mmd2_unbiased_blocked(
            &kernel,
            PointSet::new(&samples, 2),
            PointSet::new(&two_clusters(1000, 99), 2),
            512,
            &dev,
        )
        .unwrap()
    };
    let before = distance(&trainer);
    let mut r = rng(3);
    for step in 0..600 {
        let start = r.random_range(0..(4000 - 200));
        let batch = Tensor::<2>::from_data(
            burn::tensor::TensorData::new(data[2 * start..2 * (start + 200)].to_vec(), [200, 2]),
            &ad,
        );
        trainer.update(batch, step);
    }
    let after = distance(&trainer);
    // The null level: MMD² between two independent samples of 1,000 true points.
    let null: f64 = (0..5)
        .map(|s| {
            mmd2_unbiased_blocked(
                &kernel,
                PointSet::new(&two_clusters(1000, 200 + s), 2),
                PointSet::new(&two_clusters(1000, 300 + s), 2),
                512,
                &dev,
            )
            .unwrap()
            .abs()
        })
        .fold(0.0, f64::max);
    eprintln!("MMD² before {before:.5}, after {after:.5}, null max {null:.5}");
    assert!(after < before / 20.0, "MMD² {before} -> {after}");
    assert!(
        after < 10.0 * null,
        "MMD² after training {after} vs null {null}"
    );
}

fn loop_options(epochs: u64) -> LoopOptions {
    LoopOptions {
        epochs,
        batch_size: 200,
        seed: 4,
        log_every: 5,
        checkpoint_every: 7,
        epochs_per_report: 1,
        grid_samples: 0,
        sample_shape: None,
        quiet: true,
        label: "test".into(),
    }
}

fn final_parameters(trainer: &GmmnTrainer) -> Vec<f32> {
    let mut v = to_vec_f32(trainer.model.output.weight.val());
    for layer in &trainer.model.hidden {
        v.extend(to_vec_f32(layer.weight.val()));
    }
    v
}

#[test]
fn a_resumed_run_matches_an_uninterrupted_one() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dev = device();
    let data = Dataset {
        name: "clusters".into(),
        values: two_clusters(1000, 5),
        item_shape: ItemShape::Vector { dim: 2 },
        labels: None,
    };
    // The schedule switches momentum inside the run, so the resumed half starts after it.
    let (model, train) = small_config();
    let train = train.with_schedule_step(12);
    let fresh = |dev: &burn::tensor::Device| {
        dev.seed(8);
        GmmnTrainer::new(model.init(dev), None, train.clone(), dev).unwrap()
    };
    let whole_dir = tempfile::tempdir().unwrap();
    let mut whole = fresh(&dev);
    let ad = whole.device().clone();
    run_training(
        &mut whole,
        &data,
        &ad,
        &RunDir::create(whole_dir.path()).unwrap(),
        &loop_options(4),
        false,
    )
    .unwrap();

    let split_dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(split_dir.path()).unwrap();
    let mut first = fresh(&dev);
    run_training(&mut first, &data, &ad, &run, &loop_options(3), false).unwrap();
    // A new process: a trainer with other weights, restored from the checkpoint.
    dev.seed(1234);
    let mut resumed = GmmnTrainer::new(model.init(&dev), None, train.clone(), &dev).unwrap();
    run_training(&mut resumed, &data, &ad, &run, &loop_options(4), true).unwrap();
    assert_eq!(final_parameters(&whole), final_parameters(&resumed));
}

#[test]
fn the_autoencoder_learns_to_reconstruct_through_the_learner() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dev = device();
    dev.seed(21);
    let digits = gen_core::data::digits::digits_splits();
    let config = AutoencoderConfig::new(64).with_layers(vec![128, 16]);
    let model = config.init(&dev);
    let test = digits.test.to_tensor(&dev);
    let before = to_vec_f32(model.reconstruction_loss(test.clone()))[0];
    let dir = tempfile::tempdir().unwrap();
    let train = AutoencoderTrainConfig::new()
        .with_epochs(3)
        .with_batch_size(50);
    let trained = train_autoencoder(
        model,
        &digits.train,
        &digits.test,
        &train,
        LearnerRun {
            dir: dir.path(),
            seed: 1,
            quiet: true,
        },
        &dev,
    )
    .unwrap();
    let after = to_vec_f32(trained.reconstruction_loss(test))[0];
    // Pixel entropy bounds: a per-pixel Bernoulli at the data's grey levels cannot go below the
    // data's own entropy; the starting point is ~ln 2 per pixel (64 ln 2 = 44.4 nats).
    eprintln!("reconstruction BCE {before} -> {after}");
    assert!(after < before - 5.0, "{before} -> {after}");
    assert_eq!(last_checkpointed_epoch(dir.path()), Some(3));
    assert_eq!(trained.code_dim(), 16);
}
