//! `gen translate RUN --direction a2b|b2a --input DIR --out DIR`.

use anyhow::{Result, bail};

use super::trained::{Trained, open};
use crate::cli::TranslateArgs;
use crate::methods;

pub fn run(args: &TranslateArgs) -> Result<()> {
    let (run, trained, device) = open(&args.run, args.backend)?;
    match &trained {
        Trained::CycleGan(t) => methods::cyclegan::translate(args, t, &device),
        _ => bail!(
            "{} is not a translation run: gen translate needs a run of gen train cyclegan",
            run.root().display()
        ),
    }
}
