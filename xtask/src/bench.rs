//! `cargo xtask bench`: throughput benchmarks on every compiled backend, each reported with a
//! ratio to a baseline measured in the same run. The GEMM benchmark comes first: it is the
//! ceiling the method benchmarks are compared against.

use std::time::Instant;

use anyhow::Result;
use burn::tensor::{Device, Distribution, Tensor};
use gen_core::backend::{BackendName, compiled_backends, device_for};
use gen_core::tensor_io::to_vec_f32;

use crate::bench_spread::{RowSpread, spread};

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

/// Seconds per CD-1 step of the products alone, on the host with the `gemm` crate: the five
/// products a step of a `visible x hidden` RBM on `batch` rows needs (`P(h|v⁺)`, `P(v|h)`,
/// `P(h|v⁻)`, and the two outer products of the gradient), with the same operand layouts as the
/// host engine. This is the ceiling the host engine's step is measured against.
pub fn rbm_gemm_seconds(visible: usize, hidden: usize, batch: usize, reps: usize) -> f64 {
    use gen_rbm::host::gemm::{Op, gemm_into};
    let v: Vec<f32> = (0..batch * visible).map(|i| (i % 2) as f32).collect();
    let w: Vec<f32> = (0..visible * hidden)
        .map(|i| (i % 7) as f32 * 1e-3)
        .collect();
    let mut h = vec![0f32; batch * hidden];
    let mut back = vec![0f32; batch * visible];
    let mut g = vec![0f32; visible * hidden];
    let mut step = || {
        gemm_into(
            &mut h,
            (batch, hidden, visible),
            0.0,
            1.0,
            &v,
            Op::Plain,
            &w,
            Op::Plain,
        );
        gemm_into(
            &mut back,
            (batch, visible, hidden),
            0.0,
            1.0,
            &h,
            Op::Plain,
            &w,
            Op::Transposed,
        );
        gemm_into(
            &mut h,
            (batch, hidden, visible),
            0.0,
            1.0,
            &back,
            Op::Plain,
            &w,
            Op::Plain,
        );
        gemm_into(
            &mut g,
            (visible, hidden, batch),
            1.0,
            1e-3,
            &v,
            Op::Transposed,
            &h,
            Op::Plain,
        );
        gemm_into(
            &mut g,
            (visible, hidden, batch),
            1.0,
            -1e-3,
            &back,
            Op::Transposed,
            &h,
            Op::Plain,
        );
    };
    step();
    let start = Instant::now();
    for _ in 0..reps {
        step();
    }
    start.elapsed().as_secs_f64() / reps as f64
}

/// `n` binary pixels, on where a multiplicative hash of the index falls below 13% of its range:
/// the density of MNIST binarised at 0.5 (about 13% of its pixels are on), which the host engine's
/// row sums depend on. `xtask/bench/rbm_step.py` builds the same pixels.
fn mnist_density_pixels(n: usize) -> Vec<f32> {
    let threshold = (0.13 * (1u64 << 32) as f64) as u64;
    (0..n as u64)
        .map(|i| f32::from(u8::from((i * 2_654_435_761) % (1 << 32) < threshold)))
        .collect()
}

/// CD-1 training throughput of a 784 x 500 RBM with batches of 100 (the lecture's Figure 2
/// model) on each engine a backend has (the host engine on CPU backends, burn's tensor
/// operations everywhere), against the ceiling of [`rbm_gemm_seconds`] measured in the same run.
pub fn rbm(backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    use gen_rbm::train::{Engine, Method, RbmTrainConfig, RbmTrainer};
    let (visible, hidden, batch, steps) = (784usize, 500usize, 100usize, 50u64);
    let ceiling = batch as f64 / rbm_gemm_seconds(visible, hidden, batch, 50);
    let mut rows = Vec::new();
    let mut baseline = None;
    for &backend in backends {
        let device = device_for(backend)?;
        let data = gen_core::data::Dataset {
            name: "sparse noise".into(),
            values: mnist_density_pixels(batch * visible),
            item_shape: gen_core::data::ItemShape::Vector { dim: visible },
            labels: None,
        };
        let idx: Vec<usize> = (0..batch).collect();
        let positive = data.batch(&idx, &device);
        let engines: &[Engine] = if gen_core::host_device::is_host_device(&device) {
            &[Engine::Host, Engine::Device]
        } else {
            &[Engine::Device]
        };
        let mut first_trainer = None;
        for &engine in engines {
            device.seed(0);
            let rbm = gen_rbm::RbmConfig::new(visible)
                .with_hidden(hidden)
                .init(&device);
            let config = RbmTrainConfig::new()
                .with_method(Method::Cd)
                .with_k(1)
                .with_engine(engine);
            let mut trainer = RbmTrainer::new(rbm, config, &data, &device);
            for step in 0..3 {
                trainer.update(positive.clone(), step, steps);
            }
            sync(trainer.model().weights.val());
            let start = Instant::now();
            for step in 0..steps {
                trainer.update(positive.clone(), step, steps);
            }
            // Reading the model brings the host engine's weights back: part of the cost.
            sync(trainer.model().weights.val());
            let seconds = start.elapsed().as_secs_f64();
            let images_per_second = (steps as usize * batch) as f64 / seconds;
            let base = *baseline.get_or_insert(images_per_second);
            let label = match engine {
                Engine::Host => "host engine",
                _ => "burn ops",
            };
            rows.push(BenchRow {
                backend,
                name: format!("rbm cd-1 784x500 b100, {label}"),
                throughput: images_per_second,
                unit: "images/s",
                ratio: images_per_second / base,
            });
            rows.push(BenchRow {
                backend,
                name: "  fraction of GEMM ceiling".into(),
                throughput: images_per_second / ceiling,
                unit: "of ceiling",
                ratio: f64::NAN,
            });
            // AIS below runs on the first engine's model (the host engine's where there is one).
            if first_trainer.is_none() {
                first_trainer = Some(trainer);
            }
        }
        let mut trainer = first_trainer.expect("at least one engine");
        if backend == backends[0]
            && let Some(torch) = pytorch_rate("rbm_step.py", &[steps.to_string()])
        {
            let base = baseline.expect("measured above");
            rows.push(BenchRow {
                backend,
                name: "  PyTorch CPU, same update (rbm_step.py)".into(),
                throughput: torch * batch as f64,
                unit: "images/s",
                ratio: torch * batch as f64 / base,
            });
        }
        // Exact log Z of a 784 x 25 model (2^25 states): host kernel, so once is enough.
        if backend == backends[0] {
            let small = gen_rbm::RbmConfig::new(visible)
                .with_hidden(25)
                .with_init_std(0.1)
                .init(&device);
            let start = Instant::now();
            let _ = gen_rbm::eval::log_partition_exact(&small)?;
            let seconds = start.elapsed().as_secs_f64();
            rows.push(BenchRow {
                backend,
                name: "exact log Z 784x25 (2^25 states)".into(),
                throughput: (1u64 << 25) as f64 * visible as f64 / seconds / 1e9,
                unit: "Gterm/s",
                ratio: seconds,
            });
        }
        let start = Instant::now();
        let biases = vec![0.0f32; visible];
        let _ = gen_rbm::ais::ais_log_partition(
            trainer.model(),
            &biases,
            &gen_rbm::ais::AisConfig::default(),
            &device,
        );
        let seconds = start.elapsed().as_secs_f64();
        rows.push(BenchRow {
            backend,
            name: "AIS 784x500, 100 runs x 14,500".into(),
            throughput: 100.0 * 14_500.0 / seconds,
            unit: "run-steps/s",
            ratio: seconds,
        });
    }
    Ok(rows)
}

/// The GMMN's MNIST step (Li et al. 2015): 1,000 generated and 1,000 real 784-pixel images,
/// six Gaussian kernels. Reports training steps per second, and the MMD forward alone against
/// the GEMM ceiling: its three Gram matrices need three 1000x784x1000 products.
pub fn mmd(backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    use gen_mmd::mmd::mmd2_biased;
    use gen_mmd::{GmmnConfig, GmmnTrainConfig, GmmnTrainer};
    let (n, d, steps, forwards) = (1000usize, 784usize, 10u64, 10usize);
    let flops_forward = 3.0 * 2.0 * (n * d * n) as f64;
    let mut rows = Vec::new();
    let (mut base_steps, mut base_forward) = (None, None);
    for &backend in backends {
        let device = device_for(backend)?;
        device.seed(0);
        let config = GmmnTrainConfig::new();
        let kernel = config.kernel()?;
        let mut trainer = GmmnTrainer::new(GmmnConfig::new(d).init(&device), None, config, &device)
            .map_err(anyhow::Error::msg)?;
        let data = Tensor::<2>::random([n, d], Distribution::Default, trainer.device());
        sync_1(trainer.update(data.clone(), 0));
        let start = Instant::now();
        for step in 1..=steps {
            let loss = trainer.update(data.clone(), step);
            if step == steps {
                sync_1(loss);
            }
        }
        let per_second = steps as f64 / start.elapsed().as_secs_f64();
        let base = *base_steps.get_or_insert(per_second);
        rows.push(BenchRow {
            backend,
            name: "gmmn step 1000+1000 x 784".into(),
            throughput: per_second,
            unit: "steps/s",
            ratio: per_second / base,
        });
        if backend == backends[0]
            && let Some(torch) = pytorch_rate("gmmn_step.py", &[steps.to_string()])
        {
            rows.push(BenchRow {
                backend,
                name: "  PyTorch CPU, same step".into(),
                throughput: torch,
                unit: "steps/s",
                ratio: torch / base,
            });
        }
        let x = Tensor::<2>::random([n, d], Distribution::Default, &device);
        let y = Tensor::<2>::random([n, d], Distribution::Default, &device);
        sync_1(mmd2_biased(&kernel, x.clone(), y.clone())?);
        let start = Instant::now();
        for _ in 0..forwards {
            sync_1(mmd2_biased(&kernel, x.clone(), y.clone())?);
        }
        let seconds = start.elapsed().as_secs_f64() / forwards as f64;
        let gflops = flops_forward / seconds / 1e9;
        let base = *base_forward.get_or_insert(gflops);
        rows.push(BenchRow {
            backend,
            name: "mmd forward 6 kernels 1000x784".into(),
            throughput: gflops,
            unit: "GFLOP/s",
            ratio: gflops / base,
        });
        let gemm = gemm_gflops(&device, n, d, n, 10);
        rows.push(BenchRow {
            backend,
            name: "  fraction of GEMM ceiling".into(),
            throughput: gflops / gemm,
            unit: "of ceiling",
            ratio: f64::NAN,
        });
        rows.extend(kernel_sum_rows(backend, &device, kernel.variances(), n));
    }
    Ok(rows)
}

/// A kernel sum over distances and variances (`gen_core::kernel_sum`'s two paths).
type KernelSum = fn(Tensor<2>, &[f64]) -> Tensor<2>;

/// The kernel sum alone, forward and backward on one `[n, n]` distance matrix: the fused
/// operation (`gen_core::kernel_sum`; composed itself on backends other than flex) against the
/// composed tensor operations, ratio to the first.
fn kernel_sum_rows(
    backend: BackendName,
    device: &Device,
    variances: &[f64],
    n: usize,
) -> Vec<BenchRow> {
    use gen_core::kernel_sum::{gaussian_mixture_sum, gaussian_mixture_sum_composed};
    let ad = device.clone().autodiff();
    let d2 = Tensor::<2>::random([n, n], Distribution::Uniform(0.0, 200.0), &ad).require_grad();
    let w = Tensor::<2>::random([n, n], Distribution::Default, &ad);
    let reps = 10;
    let mut rows = Vec::new();
    let mut base = None;
    let paths: [(&str, KernelSum); 2] = [
        (
            "kernel sum 1000x1000 fwd+bwd, gen's path",
            gaussian_mixture_sum,
        ),
        (
            "  the same composed from tensor ops",
            gaussian_mixture_sum_composed,
        ),
    ];
    for (name, sum) in paths {
        let run = || {
            let grads = (sum(d2.clone(), variances) * w.clone()).sum().backward();
            sync(d2.grad(&grads).expect("tracked"));
        };
        run();
        let start = Instant::now();
        for _ in 0..reps {
            run();
        }
        let per_second = reps as f64 / start.elapsed().as_secs_f64();
        let first = *base.get_or_insert(per_second);
        rows.push(BenchRow {
            backend,
            name: name.into(),
            throughput: per_second,
            unit: "calls/s",
            ratio: per_second / first,
        });
    }
    rows
}

/// Steps per second that a PyTorch script of `xtask/bench/` prints (`steps_per_second X`) for
/// the same step on the CPU, or `None` (with a note) when python3 cannot import torch.
fn pytorch_rate(script: &str, args: &[String]) -> Option<f64> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench")
        .join(script);
    let output = std::process::Command::new("python3")
        .arg(&script)
        .args(args)
        .output();
    let parsed = output.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8(o.stdout)
            .ok()?
            .trim()
            .strip_prefix("steps_per_second ")?
            .parse()
            .ok()
    });
    if parsed.is_none() {
        eprintln!(
            "note: no PyTorch baseline (python3 with torch not found); `pip install torch` adds one"
        );
    }
    parsed
}

/// The DAE's MNIST default (Bengio et al. 2013's code): a tied sigmoid DAE 784-2000, batches of
/// 100, salt-and-pepper 0.4, Bernoulli reconstruction. Training images per second, simple and
/// with 5 walkback steps, and chain transitions per second for 1,000 parallel chains. Ratios are
/// to simple training's images per second (walkback: the cost of its 5 pairs), for the PyTorch
/// rows (`xtask/bench/dae_step.py`, when python3 has torch) to the row above them, and for the
/// chain to the first backend's.
pub fn dae(backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    use gen_dae::chain::Chain;
    use gen_dae::walkback::Walkback;
    use gen_dae::{DaeTrainConfig, DaeTrainer, TiedDaeConfig};
    let (batch, d, updates, transitions) = (100usize, 784usize, 20usize, 20usize);
    let mut rows = Vec::new();
    let mut base_chain = None;
    for &backend in backends {
        let device = device_for(backend)?;
        device.seed(0);
        let mut simple_rate = None;
        for (name, walkback, walks) in [
            ("dae train simple 784-2000", Walkback::None, 1),
            (
                "dae train walkback 5 784-2000",
                Walkback::Fixed { steps: 5 },
                5,
            ),
        ] {
            let config = DaeTrainConfig {
                walkback,
                ..DaeTrainConfig::default()
            };
            let start = Box::new(|n: usize, dev: &Device| Tensor::<2>::zeros([n, 784], dev));
            let mut trainer =
                DaeTrainer::new(TiedDaeConfig::new(d).init(&device), config, start, &device)
                    .map_err(anyhow::Error::msg)?;
            let x = Tensor::<2>::random([batch, d], Distribution::Default, trainer.device())
                .lower_elem(0.5)
                .float();
            sync_1(trainer.update(x.clone(), 10.0).0);
            let start = Instant::now();
            for i in 0..updates {
                let (nll, _) = trainer.update(x.clone(), 10.0);
                if i + 1 == updates {
                    sync_1(nll);
                }
            }
            let rate = (updates * batch) as f64 / start.elapsed().as_secs_f64();
            let base = *simple_rate.get_or_insert(rate);
            rows.push(BenchRow {
                backend,
                name: name.into(),
                throughput: rate,
                unit: "images/s",
                ratio: rate / base,
            });
            if backend == backends[0]
                && let Some(torch) =
                    pytorch_rate("dae_step.py", &[updates.to_string(), walks.to_string()])
            {
                rows.push(BenchRow {
                    backend,
                    name: "  PyTorch CPU, same update (dae_step.py)".into(),
                    throughput: torch * batch as f64,
                    unit: "images/s",
                    ratio: torch * batch as f64 / rate,
                });
            }
        }
        let model = TiedDaeConfig::new(d).init(&device);
        let corruption = DaeTrainConfig::default().corruption;
        let start = Tensor::<2>::random([1000, d], Distribution::Default, &device)
            .lower_elem(0.5)
            .float();
        let mut chain = Chain::new(
            &model,
            &corruption,
            gen_dae::Reconstruction::Bernoulli,
            start,
        );
        chain.step();
        sync(chain.state.clone());
        let begin = Instant::now();
        for _ in 0..transitions {
            chain.step();
        }
        sync(chain.state.clone());
        let rate = transitions as f64 / begin.elapsed().as_secs_f64();
        let base = *base_chain.get_or_insert(rate);
        rows.push(BenchRow {
            backend,
            name: "dae chain 1000 chains 784-2000".into(),
            throughput: rate,
            unit: "steps/s",
            ratio: rate / base,
        });
    }
    Ok(rows)
}

/// Deep energy model training with the MNIST defaults of `gen train ebm` (convolutional
/// energy 64-128 with 1,024 experts, generator 100-1024-1024-784, batches of 100): iterations
/// (an energy step and a generator step) per second, and each step alone and the same iteration
/// in PyTorch (`xtask/bench/ebm_step.py`, when python3 has torch) as a ratio to the iteration.
pub fn ebm(backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    use gen_core::data::ItemShape;
    use gen_ebm::EbmTrainer;
    use gen_ebm::run::EbmRunConfig;
    let iterations = 10usize;
    let mut rows = Vec::new();
    for &backend in backends {
        let device = device_for(backend)?;
        device.seed(0);
        let mut config = EbmRunConfig::defaults("mnist", 0, backend);
        config.fit_to(ItemShape::Image {
            channels: 1,
            height: 28,
            width: 28,
        });
        let mut trainer = EbmTrainer::new(
            config.energy.init(&device),
            config.generator.init(&device),
            config.train.clone(),
            &device,
        )
        .map_err(anyhow::Error::msg)?;
        let batch = config.train.batch_size;
        let x = Tensor::<2>::random([batch, 784], Distribution::Default, trainer.device());
        // Warm-up.
        sync_1(trainer.energy_step(x.clone()).0);
        sync_1(trainer.generator_step().energy);
        let timed = |f: &mut dyn FnMut() -> Tensor<1>| {
            let start = Instant::now();
            let mut last = None;
            for _ in 0..iterations {
                last = Some(f());
            }
            sync_1(last.expect("at least one iteration"));
            iterations as f64 / start.elapsed().as_secs_f64()
        };
        let full = timed(&mut || {
            trainer.energy_step(x.clone());
            trainer.generator_step().energy
        });
        let energy_only = timed(&mut || trainer.energy_step(x.clone()).0);
        let generator_only = timed(&mut || trainer.generator_step().energy);
        for (name, rate) in [
            ("ebm iteration mnist default", full),
            ("ebm energy step alone", energy_only),
            ("ebm generator step alone", generator_only),
        ] {
            rows.push(BenchRow {
                backend,
                name: name.into(),
                throughput: rate,
                unit: "it/s",
                ratio: rate / full,
            });
        }
        if backend == backends[0]
            && let Some(torch) = pytorch_rate("ebm_step.py", &[iterations.to_string()])
        {
            rows.push(BenchRow {
                backend,
                name: "  PyTorch CPU, same iteration (ebm_step.py)".into(),
                throughput: torch,
                unit: "it/s",
                ratio: torch / full,
            });
        }
    }
    Ok(rows)
}

/// CycleGAN at the reference settings (ResNet generator of 9 blocks and 64 filters, 70x70
/// PatchGAN, least squares, identity loss, pool of 50, batch 1): training iterations (both
/// generators' step, then both discriminators') per second at 64x64 and 256x256, and the same
/// step in PyTorch on the CPU (`xtask/bench/cyclegan_step.py`) when python3 has torch. Ratios:
/// to the first backend's on the same size (PyTorch row: to that backend's).
pub fn i2i(backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    use gen_core::data::{Dataset, ItemShape};
    use gen_core::training::Trainer;
    use gen_i2i::{CycleGanConfig, CycleGanTrainConfig, CycleGanTrainer, TranslationData};
    let mut rows = Vec::new();
    for (side, iterations) in [(64usize, 5u64), (256, 2)] {
        let mut base = None;
        for &backend in backends {
            let device = device_for(backend)?;
            device.seed(0);
            let model = CycleGanConfig::for_image(3, 256);
            let random_images = |n: usize| {
                let values =
                    Tensor::<2>::random([n, 3 * side * side], Distribution::Default, &device);
                Dataset {
                    name: "random".into(),
                    values: to_vec_f32(values),
                    item_shape: ItemShape::Image {
                        channels: 3,
                        height: side,
                        width: side,
                    },
                    labels: None,
                }
            };
            let data = TranslationData {
                image: [3, side, side],
                train_a_len: 4,
                train_b: random_images(4),
                preview_a: random_images(1),
                preview_b: random_images(1),
            };
            let mut trainer = CycleGanTrainer::new(
                &model,
                model.init_translators(&device),
                model.init_critics(&device),
                CycleGanTrainConfig::default(),
                data,
                0,
                &device,
            )
            .map_err(anyhow::Error::msg)?;
            let a = Tensor::<2>::random(
                [1, 3 * side * side],
                Distribution::Default,
                trainer.device(),
            );
            // Warm-up, then timed steps (the last one logged, which waits for the device).
            trainer.train_step(a.clone(), 0, 1000, true);
            let start = Instant::now();
            for step in 1..=iterations {
                let monitors = trainer.train_step(a.clone(), step, 1000, step == iterations);
                if let Some((_, first)) = monitors.into_iter().next() {
                    sync_1(first);
                }
            }
            let rate = iterations as f64 / start.elapsed().as_secs_f64();
            let first = *base.get_or_insert(rate);
            rows.push(BenchRow {
                backend,
                name: format!("cyclegan iteration {side}x{side}"),
                throughput: rate,
                unit: "it/s",
                ratio: rate / first,
            });
            if backend == backends[0]
                && let Some(torch) = pytorch_rate(
                    "cyclegan_step.py",
                    &[side.to_string(), iterations.to_string()],
                )
            {
                rows.push(BenchRow {
                    backend,
                    name: "  PyTorch CPU, same step".into(),
                    throughput: torch,
                    unit: "it/s",
                    ratio: torch / first,
                });
            }
        }
    }
    Ok(rows)
}

/// Forces the device to finish the work behind a one-element tensor.
fn sync_1(t: Tensor<1>) {
    let _ = to_vec_f32(t);
}

/// Benchmarks by name; `all` runs every one.
pub const BENCHMARKS: [&str; 6] = ["gemm", "rbm", "mmd", "dae", "ebm", "i2i"];

/// Runs the named benchmarks once.
fn run_once(names: &[String], backends: &[BackendName]) -> Result<Vec<BenchRow>> {
    let mut rows = Vec::new();
    for name in names {
        match name.as_str() {
            "gemm" => rows.extend(gemm(backends)?),
            "rbm" => rows.extend(rbm(backends)?),
            "mmd" => rows.extend(mmd(backends)?),
            "dae" => rows.extend(dae(backends)?),
            "ebm" => rows.extend(ebm(backends)?),
            "i2i" => rows.extend(i2i(backends)?),
            other => anyhow::bail!(
                "unknown benchmark '{other}'; available: {}",
                BENCHMARKS.join(", ")
            ),
        }
    }
    Ok(rows)
}

/// Runs the named benchmarks `repeat` times (each repetition the whole set, so every ratio is
/// measured within one repetition) and prints a table of each row's median throughput and
/// ratio, with their ranges when `repeat > 1`.
pub fn run(
    names: &[String],
    backends: Option<Vec<BackendName>>,
    repeat: usize,
) -> Result<Vec<RowSpread>> {
    let backends = backends.unwrap_or_else(compiled_backends);
    let names: Vec<String> = if names.is_empty() || names.iter().any(|n| n == "all") {
        BENCHMARKS.iter().map(|s| s.to_string()).collect()
    } else {
        names.to_vec()
    };
    if repeat == 0 {
        anyhow::bail!("--repeat must be at least 1");
    }
    let mut repetitions = Vec::new();
    for r in 0..repeat {
        repetitions.push(run_once(&names, &backends)?);
        if repeat > 1 {
            eprintln!("repetition {}/{repeat} done", r + 1);
        }
    }
    let rows = spread(&repetitions)?;
    let ranged = repeat > 1;
    if ranged {
        println!("medians of {repeat} repetitions, with the lowest and highest value");
        println!(
            "{:<10} {:<40} {:>12} {:>21} {:<10} {:>8} {:>15}",
            "backend", "benchmark", "throughput", "range", "unit", "ratio", "range"
        );
    } else {
        println!(
            "{:<10} {:<40} {:>14} {:<10} {:>8}",
            "backend", "benchmark", "throughput", "unit", "ratio"
        );
    }
    for s in &rows {
        let r = &s.median;
        // Four decimals for slow steps (a 256x256 CycleGAN iteration takes tens of seconds).
        let decimals = if r.throughput.abs() < 1.0 { 4 } else { 2 };
        if ranged {
            let (lo, hi) = s.throughput_range;
            let (rlo, rhi) = s.ratio_range;
            println!(
                "{:<10} {:<40} {:>12.decimals$} {:>21} {:<10} {:>8.3} {:>15}",
                r.backend.as_str(),
                r.name,
                r.throughput,
                format!("{lo:.decimals$}-{hi:.decimals$}"),
                r.unit,
                r.ratio,
                format!("{rlo:.3}-{rhi:.3}")
            );
        } else {
            println!(
                "{:<10} {:<40} {:>14.decimals$} {:<10} {:>8.3}",
                r.backend.as_str(),
                r.name,
                r.throughput,
                r.unit,
                r.ratio
            );
        }
    }
    println!("ratio: gemm, rbm, mmd, dae chain: throughput / the first backend's on the same");
    println!("       benchmark in this run (PyTorch row: / flex's step); dae train: / the simple");
    println!("       DAE's on the same backend; ebm: / the full iteration's on the same backend;");
    println!("       i2i: / the first backend's at the same size (PyTorch row likewise);");
    println!("       exact log Z and AIS rows: the wall time in seconds");
    Ok(rows)
}
