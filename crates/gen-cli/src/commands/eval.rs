//! `gen eval RUN --metric NAME`: prints the numbers and merges them into `RUN/summary.json`.

use anyhow::Result;
use gen_core::run::summary::merge_summary;

use super::trained::{Trained, open};
use crate::cli::EvalArgs;
use crate::methods;

pub fn run(args: &EvalArgs) -> Result<()> {
    let (run, trained, device) = open(&args.run, args.backend)?;
    let (metric, data) = (args.metric.as_str(), args.data.as_deref());
    let classifier = args.classifier.as_deref();
    let values = match &trained {
        Trained::Rbm(t) => methods::rbm::eval(t, metric, data, classifier, &device)?,
        Trained::Gmmn(t) => methods::gmmn::eval(t, metric, data, classifier, &device)?,
        Trained::Dae(t) => methods::dae::eval(t, metric, data, classifier, &device)?,
        Trained::Ebm(t) => methods::ebm::eval(t, &run, metric, data, classifier, &device)?,
        Trained::CycleGan(t) => {
            methods::translation::eval(t.as_ref(), "CycleGAN", metric, data, classifier, &device)?
        }
        Trained::Unit(t) => {
            methods::translation::eval(t.as_ref(), "UNIT", metric, data, classifier, &device)?
        }
        Trained::Classifier(t) => methods::classifier::eval(t, metric, data, &device)?,
    };
    for (k, v) in &values {
        println!("{k} = {v}");
    }
    merge_summary(&run.summary_path(), values)?;
    Ok(())
}
