//! `gen train <method>`.

use crate::cli::{TrainCommand, TrainMethod};
use crate::methods;

pub fn run(cmd: &TrainCommand) -> anyhow::Result<()> {
    match &cmd.method {
        TrainMethod::Rbm(args) => methods::rbm::train(args),
    }
}
