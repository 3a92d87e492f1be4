//! `cargo xtask bench`: throughput benchmarks on every compiled backend, each reported with a
//! ratio to a baseline measured in the same run. The GEMM benchmark comes first: it is the
//! ceiling the method benchmarks are compared against.

use std::time::Instant;

use anyhow::Result;
use burn::tensor::{Device, Distribution, Tensor};
use gen_cli::backend::{BackendName, compiled_backends, device_for};
use gen_core::tensor_io::to_vec_f32;

/// One measured row.
#[derive(Debug, Clone)]
pub struct BenchRow {
    pub backend: BackendName,
    pub name: String,
    /// Work per second in `unit`.
    pub throughput: f64,
    pub unit: &'static str,
    /// Throughput divided by the baseline's (the first backend's GEMM of the same shape).
    pub ratio: f64,
}

/// Forces the device to finish the queued work (a read of one element).
fn sync(t: Tensor<2>) {
    let _ = to_vec_f32(t.slice([0..1, 0..1]));
}

/// GFLOP/s of `[m, k] x [k, n]`, timing `reps` products after a warm-up.
pub fn gemm_gflops(device: &Device, m: usize, k: usize, n: usize, reps: usize) -> f64 {
    let a = Tensor::<2>::random([m, k], Distribution::Default, device);
    let b = Tensor::<2>::random([k, n], Distribution::Default, device);
    sync(a.clone().matmul(b.clone()));
    let start = Instant::now();
    let mut acc = None;
    for _ in 0..reps {
        let c = a.clone().matmul(b.clone());
        acc = Some(match acc {
            None => c,
            Some(prev) => prev + c,
        });
    }
    sync(acc.expect("at least one repetition"));
    let seconds = start.elapsed().as_secs_f64();
    2.0 * (m * k * n * reps) as f64 / seconds / 1e9
}

/// The GEMM shapes: an RBM's visible-to-hidden product on a batch (100x784 by 784x500) and a
/// square 1000^3 product.
pub const GEMM_SHAPES: [(usize, usize, usize, usize); 2] =
    [(100, 784, 500, 200), (1000, 1000, 1000, 10)];

/// Runs the GEMM benchmark on every compiled backend (or the ones named).
pub fn gemm(backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    let mut baseline: Vec<f64> = Vec::new();
    for &backend in backends {
        let device = device_for(backend)?;
        for (i, &(m, k, n, reps)) in GEMM_SHAPES.iter().enumerate() {
            let gflops = gemm_gflops(&device, m, k, n, reps);
            if baseline.len() <= i {
                baseline.push(gflops);
            }
            rows.push(BenchRow {
                backend,
                name: format!("gemm {m}x{k} by {k}x{n}"),
                throughput: gflops,
                unit: "GFLOP/s",
                ratio: gflops / baseline[i],
            });
        }
    }
    Ok(rows)
}

/// Benchmarks by name; `all` runs every one.
pub const BENCHMARKS: [&str; 1] = ["gemm"];

/// Runs the named benchmarks and prints a table.
pub fn run(names: &[String], backends: Option<Vec<BackendName>>) -> Result<Vec<BenchRow>> {
    let backends = backends.unwrap_or_else(compiled_backends);
    let names: Vec<String> = if names.is_empty() || names.iter().any(|n| n == "all") {
        BENCHMARKS.iter().map(|s| s.to_string()).collect()
    } else {
        names.to_vec()
    };
    let mut rows = Vec::new();
    for name in &names {
        match name.as_str() {
            "gemm" => rows.extend(gemm(&backends)?),
            other => anyhow::bail!(
                "unknown benchmark '{other}'; available: {}",
                BENCHMARKS.join(", ")
            ),
        }
    }
    println!(
        "{:<10} {:<32} {:>14} {:<10} {:>8}",
        "backend", "benchmark", "throughput", "unit", "ratio"
    );
    for r in &rows {
        println!(
            "{:<10} {:<32} {:>14.2} {:<10} {:>8.3}",
            r.backend.as_str(),
            r.name,
            r.throughput,
            r.unit,
            r.ratio
        );
    }
    println!("ratio: throughput / the first backend's throughput on the same benchmark, same run");
    Ok(rows)
}
