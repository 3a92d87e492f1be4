//! gen-mmd on its own, through its `run` module: what `gen train gmmn`, `gen sample` and `gen
//! eval --metric mmd` do, from a program that depends on this crate and gen-core only. It trains
//! a small GMMN on the 8x8 digits shipped with gen into a run folder, loads the trained run back
//! from that folder, draws a grid of samples, and evaluates the MMD² between samples and test
//! digits (with its permutation p-value) and the Parzen estimate.
//!
//! ```text
//! cargo run --release -p gen-mmd --example digits_gmmn -- [epochs]   # default 60
//! ```

use gen_core::backend::BackendName;
use gen_core::method::{DrawRequest, EvalRequest, GenerativeMethod, TrainRequest, TrainedRun};
use gen_core::metrics::Metric;
use gen_core::run::RunDir;
use gen_mmd::run::{GmmnFlags, GmmnMethod};

fn main() -> anyhow::Result<()> {
    let epochs: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 60,
    };
    let folder = tempfile::tempdir()?;
    let out = folder.path().join("gmmn-digits");
    // The reference code's settings, shrunk for the 1,293 training digits: batches of 500 and a
    // 64-64 generator (the settings of gen-cli's own GMMN test).
    let request = TrainRequest {
        data: "digits".into(),
        epochs: Some(epochs),
        seed: 3,
        out: Some(out.clone()),
        backend: Some(BackendName::Flex),
        sets: vec![
            "train.batch_size=500".into(),
            "train.samples_per_update=500".into(),
            "model.hidden=[64, 64]".into(),
        ],
        ..TrainRequest::default()
    };
    GmmnMethod::train("gmmn", &request, &GmmnFlags::default())?;

    // What `gen sample` and `gen eval` do: open the run folder, load its newest checkpoint.
    let run = RunDir::open(&out)?;
    let (trained, device) = GmmnMethod::load(&run, None)?;
    let drawn = trained.draw(
        &DrawRequest {
            n: 100,
            chain: false,
            steps: None,
            seed: 0,
        },
        &device,
    )?;
    let grid = folder.path().join("samples.png");
    gen_core::image_grid::write_grid(&grid, &drawn.values, drawn.shape, drawn.cols)?;
    println!("100 samples of {:?} drawn", drawn.shape);

    for metric in [Metric::Mmd, Metric::Parzen] {
        let request = EvalRequest {
            metric,
            data: None,
            classifier: None,
        };
        for (name, value) in trained.eval(&run, &request, &device)? {
            println!("{name} = {value}");
        }
    }
    Ok(())
}
