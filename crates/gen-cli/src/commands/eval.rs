//! `gen eval RUN --metric NAME`: prints the numbers and merges them into `RUN/summary.json`.

use anyhow::Result;
use gen_core::run::summary::merge_summary;

use super::trained::{Trained, open};
use crate::cli::EvalArgs;
use crate::methods;

pub fn run(args: &EvalArgs) -> Result<()> {
    let (run, trained, device) = open(&args.run, args.backend)?;
    let values = match &trained {
        Trained::Rbm(t) => methods::rbm::eval(t, &args.metric, args.data.as_deref(), &device)?,
        Trained::Gmmn(t) => methods::gmmn::eval(t, &args.metric, args.data.as_deref(), &device)?,
        Trained::Dae(t) => methods::dae::eval(t, &args.metric, args.data.as_deref(), &device)?,
        Trained::Ebm(t) => {
            methods::ebm::eval(t, &run, &args.metric, args.data.as_deref(), &device)?
        }
        Trained::CycleGan(t) => methods::translation::eval(
            t.as_ref(),
            "CycleGAN",
            &args.metric,
            args.data.as_deref(),
            &device,
        )?,
        Trained::Unit(t) => methods::translation::eval(
            t.as_ref(),
            "UNIT",
            &args.metric,
            args.data.as_deref(),
            &device,
        )?,
    };
    for (k, v) in &values {
        println!("{k} = {v}");
    }
    merge_summary(&run.summary_path(), values)?;
    Ok(())
}
