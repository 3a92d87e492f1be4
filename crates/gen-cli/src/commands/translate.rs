//! `gen translate RUN --direction a2b|b2a --input DIR --out DIR`.

use anyhow::{Result, bail};

use super::trained::open;
use crate::cli::TranslateArgs;
use crate::methods;

pub fn run(args: &TranslateArgs) -> Result<()> {
    let (run, trained, device) = open(&args.run, args.backend)?;
    match trained.translation() {
        Some(t) => methods::translation::translate(args, t, &device),
        None => bail!(
            "{} is not a translation run: gen translate needs a run of gen train cyclegan or unit",
            run.root().display()
        ),
    }
}
