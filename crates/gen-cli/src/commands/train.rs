//! `gen train <method>`: the command line's arguments mapped onto the method crate's request
//! and shortcuts.

use gen_core::classifier::run::ClassifierMethod;
use gen_core::method::{GenerativeMethod, TrainRequest};
use gen_dae::run::{DaeFlags, DaeMethod};
use gen_ebm::run::{EbmFlags, EbmMethod};
use gen_i2i::run::cyclegan::{CycleGanFlags, CycleGanMethod};
use gen_i2i::run::unit::{UnitFlags, UnitMethod};
use gen_mmd::run::{GmmnFlags, GmmnMethod};
use gen_rbm::run::{RbmFlags, RbmMethod};

use crate::cli::{CommonTrainArgs, TrainCommand, TrainMethod};

/// What every method is asked, from the common flags.
fn request(common: &CommonTrainArgs) -> TrainRequest {
    TrainRequest {
        data: common.data.clone(),
        epochs: common.epochs,
        seed: common.seed,
        out: common.out.clone(),
        backend: common.backend,
        sets: common.sets.clone(),
        config: common.config.clone(),
        resume: common.resume,
        quiet: common.quiet,
    }
}

pub fn run(cmd: &TrainCommand) -> anyhow::Result<()> {
    match &cmd.method {
        TrainMethod::Rbm(args) => RbmMethod::train(
            "rbm",
            &request(&args.common),
            &RbmFlags {
                hidden: args.hidden,
                method: args.method,
                k: args.k,
            },
        ),
        TrainMethod::Gmmn(args) => GmmnMethod::train(
            "gmmn",
            &request(&args.common),
            &GmmnFlags { noise: args.noise },
        ),
        TrainMethod::GmmnAe(args) => GmmnMethod::train(
            "gmmn-ae",
            &request(&args.common),
            &GmmnFlags { noise: args.noise },
        ),
        TrainMethod::Dae(args) => DaeMethod::train(
            "dae",
            &request(&args.common),
            &DaeFlags {
                walkback: args.walkback,
                walkback_p: args.walkback_p,
                walkback_max: args.walkback_max,
                noise: args.noise,
            },
        ),
        TrainMethod::Ebm(args) => EbmMethod::train(
            "ebm",
            &request(&args.common),
            &EbmFlags {
                entropy_weight: args.entropy_weight,
                no_entropy: args.no_entropy,
                energy_steps: args.energy_steps,
                sigma: args.sigma,
            },
        ),
        TrainMethod::Cyclegan(args) => CycleGanMethod::train(
            "cyclegan",
            &request(&args.common),
            &CycleGanFlags {
                cycle_weight: args.cycle_weight,
                identity_weight: args.identity_weight,
                gan: args.gan,
            },
        ),
        TrainMethod::Unit(args) => UnitMethod::train(
            "unit",
            &request(&args.common),
            &UnitFlags {
                no_share: args.no_share,
            },
        ),
        TrainMethod::Classifier(common) => {
            ClassifierMethod::train("classifier", &request(common), &())
        }
    }
}
