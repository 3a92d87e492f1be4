//! `gen export RUN --format safetensors`.

use anyhow::{Context, Result, bail};
use gen_core::safetensors::write_safetensors;

use super::trained::{Trained, open};
use crate::cli::{ExportArgs, ExportFormat};
use crate::methods;

pub fn run(args: &ExportArgs) -> Result<()> {
    let (run, trained, _device) = open(&args.run, None)?;
    let tensors = match &trained {
        Trained::Rbm(t) => methods::rbm::export(t),
        Trained::Gmmn(t) => methods::gmmn::export(t),
        Trained::Dae(t) => methods::dae::export(t),
        Trained::Ebm(t) => methods::ebm::export(t),
        Trained::CycleGan(t) => methods::cyclegan::export(t),
        Trained::Unit(t) => methods::unit::export(t),
        Trained::Classifier(_) => bail!(
            "a classifier run keeps its weights in {} (burn's burnpack); it has no safetensors export",
            run.root().join("model.bpk").display()
        ),
    };
    let out = args.out.clone().unwrap_or_else(|| match args.format {
        ExportFormat::Safetensors => run.root().join("model.safetensors"),
    });
    write_safetensors(&out, &tensors).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {} tensors to {}", tensors.len(), out.display());
    Ok(())
}
