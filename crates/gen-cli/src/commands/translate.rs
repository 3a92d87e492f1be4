//! `gen translate RUN --direction a2b|b2a --input DIR --out DIR`.

use anyhow::Result;
use gen_core::method::TranslateRequest;

use crate::cli::TranslateArgs;
use crate::registry::open;

pub fn run(args: &TranslateArgs) -> Result<()> {
    let (run, trained, device) = open(&args.run, args.backend)?;
    let request = TranslateRequest {
        direction: args.direction,
        input: &args.input,
        out: &args.out,
    };
    trained.translate(&run, &request, &device)
}
