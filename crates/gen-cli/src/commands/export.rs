//! `gen export RUN --format safetensors`.

use anyhow::{Context, Result};
use gen_core::safetensors::write_safetensors;

use crate::cli::{ExportArgs, ExportFormat};
use crate::registry::open;

pub fn run(args: &ExportArgs) -> Result<()> {
    let (run, trained, _device) = open(&args.run, None)?;
    let tensors = trained.export(&run)?;
    let out = args.out.clone().unwrap_or_else(|| match args.format {
        ExportFormat::Safetensors => run.root().join("model.safetensors"),
    });
    write_safetensors(&out, &tensors).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {} tensors to {}", tensors.len(), out.display());
    Ok(())
}
