//! gen-i2i on its own, through its `run` module: what `gen train cyclegan`, `gen sample`, `gen
//! eval --metric translation` and `gen translate` do, from a program that depends on this crate
//! and gen-core only. It trains a small CycleGAN on the generated two-domain shapes (their test
//! images come in known pairs, so a translation can be scored against its true counterpart),
//! loads the run back from its folder, writes a grid of `input | translation | reconstruction`
//! triplets, and prints the L1 errors of the translations beside the identity map's.
//!
//! ```text
//! cargo run --release -p gen-i2i --example shapes_cyclegan -- [epochs]   # default 4
//! ```

use gen_core::backend::BackendName;
use gen_core::method::{DrawRequest, EvalRequest, GenerativeMethod, TrainRequest, TrainedRun};
use gen_core::metrics::Metric;
use gen_core::run::RunDir;
use gen_i2i::run::cyclegan::{CycleGanFlags, CycleGanMethod};

fn main() -> anyhow::Result<()> {
    let epochs: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 4,
    };
    let folder = tempfile::tempdir()?;
    let out = folder.path().join("cyclegan-shapes");
    // Small networks and batches of 10 so that a CPU trains it in minutes (the reference's are
    // 64 filters, 9 residual blocks and batches of 1); the other settings are the reference's.
    let request = TrainRequest {
        data: "shapes".into(),
        epochs: Some(epochs),
        seed: 2,
        out: Some(out.clone()),
        backend: Some(BackendName::Flex),
        sets: vec![
            "model.generator.filters=8".into(),
            "model.generator.blocks=2".into(),
            "model.discriminator.filters=8".into(),
            "train.batch_size=10".into(),
        ],
        ..TrainRequest::default()
    };
    CycleGanMethod::train("cyclegan", &request, &CycleGanFlags::default())?;

    // What `gen sample` and `gen eval` do: open the run folder, load its newest checkpoint.
    let run = RunDir::open(&out)?;
    let (trained, device) = CycleGanMethod::load(&run, None)?;
    let drawn = trained.draw(
        &DrawRequest {
            n: 18,
            chain: false,
            steps: None,
            seed: 0,
        },
        &device,
    )?;
    let grid = folder.path().join("triplets.png");
    gen_core::image_grid::write_grid(&grid, &drawn.values, drawn.shape, drawn.cols)?;
    println!(
        "{} triplets written",
        drawn.values.len() / drawn.shape.len() / 3
    );

    let request = EvalRequest {
        metric: Metric::Translation,
        data: None,
        classifier: None,
    };
    for (name, value) in trained.eval(&run, &request, &device)? {
        println!("{name} = {value}");
    }
    Ok(())
}
