//! `gen sample RUN -n N --out FILE.png|FILE.npy`.

use anyhow::{Context, Result, bail};
use gen_core::data::ItemShape;
use gen_core::image_grid::write_grid;
use gen_core::method::DrawRequest;
use gen_core::npy::write_npy;

use crate::cli::SampleArgs;
use crate::registry::open;

/// The most values `gen sample` produces at once: 2^28 floats (1 GiB; 342,000 MNIST images), so
/// that a mistyped `-n` is refused with a message instead of an allocation abort.
pub const MAX_SAMPLE_VALUES: usize = 1 << 28;

pub fn run(args: &SampleArgs) -> Result<()> {
    if args.n == 0 {
        bail!("-n must be at least 1");
    }
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("png" | "npy")) {
        bail!(
            "{}: the output must end in .png (a grid) or .npy (raw float32 samples)",
            args.out.display()
        );
    }
    let (_run, trained, device) = open(&args.run, args.backend)?;
    if let Some(shape) = trained.sample_shape()
        && args.n.saturating_mul(shape.len()) > MAX_SAMPLE_VALUES
    {
        bail!(
            "-n {} asks for samples of {} values each, more than the {MAX_SAMPLE_VALUES} values one call may write; draw them in several calls",
            args.n,
            shape.len()
        );
    }
    let drawn = trained.draw(
        &DrawRequest {
            n: args.n,
            chain: args.chain,
            steps: args.steps,
            seed: args.seed,
        },
        &device,
    )?;
    let (values, shape, cols) = (drawn.values, drawn.shape, drawn.cols);
    let count = values.len() / shape.len();
    if ext.as_deref() == Some("png") && shape == (ItemShape::Vector { dim: 2 }) {
        // Points: a scatter plot over their own square range.
        let xy: Vec<[f64; 2]> = values
            .chunks_exact(2)
            .map(|p| [p[0] as f64, p[1] as f64])
            .collect();
        let extent = xy
            .iter()
            .flat_map(|p| [p[0].abs(), p[1].abs()])
            .filter(|v| v.is_finite())
            .fold(1.0, f64::max);
        gen_core::plot::scatter_plot(
            &args.out,
            &format!("{count} samples"),
            (-1.05 * extent, 1.05 * extent),
            &[("samples".to_string(), xy)],
        )
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    } else if ext.as_deref() == Some("png") {
        write_grid(&args.out, &values, shape, cols)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
    } else {
        let mut dims = vec![count];
        match shape {
            ItemShape::Image {
                channels,
                height,
                width,
            } => dims.extend([channels, height, width]),
            ItemShape::Vector { dim } => dims.push(dim),
        }
        write_npy(&args.out, &dims, &values)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
    }
    eprintln!("wrote {count} samples to {}", args.out.display());
    Ok(())
}
