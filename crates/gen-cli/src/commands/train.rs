//! `gen train <method>`.

use crate::cli::{TrainCommand, TrainMethod};
use crate::methods;

pub fn run(cmd: &TrainCommand) -> anyhow::Result<()> {
    match &cmd.method {
        TrainMethod::Rbm(args) => methods::rbm::train(args),
        TrainMethod::Gmmn(args) => methods::gmmn::train("gmmn", args),
        TrainMethod::GmmnAe(args) => methods::gmmn::train("gmmn-ae", args),
        TrainMethod::Dae(args) => methods::dae::train(args),
        TrainMethod::Ebm(args) => methods::ebm::train(args),
        TrainMethod::Cyclegan(args) => methods::cyclegan::train(args),
        TrainMethod::Unit(args) => methods::unit::train(args),
        TrainMethod::Classifier(common) => methods::classifier::train(common),
    }
}
