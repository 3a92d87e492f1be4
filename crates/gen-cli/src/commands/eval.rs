//! `gen eval RUN --metric NAME`: prints the numbers and merges them into `RUN/summary.json`.

use anyhow::Result;
use gen_core::method::EvalRequest;
use gen_core::run::summary::merge_summary;

use crate::cli::EvalArgs;
use crate::registry::open;

pub fn run(args: &EvalArgs) -> Result<()> {
    let (run, trained, device) = open(&args.run, args.backend)?;
    let request = EvalRequest {
        metric: args.metric,
        data: args.data.as_deref(),
        classifier: args.classifier.as_deref(),
    };
    let values = trained.eval(&run, &request, &device)?;
    for (k, v) in &values {
        println!("{k} = {v}");
    }
    merge_summary(&run.summary_path(), values)?;
    Ok(())
}
