//! The command line's help texts, the dataset table and the default configuration, as insta
//! snapshots: a change to what users read shows up in review.

use clap::CommandFactory;
use gen_cli::cli::Cli;

fn help(path: &[&str]) -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut current = &mut cmd;
    for name in path {
        current = current
            .find_subcommand_mut(name)
            .unwrap_or_else(|| panic!("no subcommand {name}"));
    }
    current.render_long_help().to_string()
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(help(&[]));
}

#[test]
fn train_help() {
    insta::assert_snapshot!(help(&["train"]));
}

#[test]
fn train_rbm_help() {
    insta::assert_snapshot!(help(&["train", "rbm"]));
}

#[test]
fn sample_help() {
    insta::assert_snapshot!(help(&["sample"]));
}

#[test]
fn eval_help() {
    insta::assert_snapshot!(help(&["eval"]));
}

#[test]
fn export_help() {
    insta::assert_snapshot!(help(&["export"]));
}

#[test]
fn datasets_help_and_table() {
    insta::assert_snapshot!(help(&["datasets"]));
    insta::assert_snapshot!(gen_cli::commands::datasets::datasets_table(
        std::path::Path::new("/data")
    ));
}

#[test]
fn cli_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn default_rbm_configuration() {
    let config =
        gen_rbm::run::RbmRunConfig::defaults("digits", 42, gen_core::backend::BackendName::Flex);
    insta::assert_snapshot!(gen_core::run::configuration::to_text(&config).unwrap());
}

#[test]
fn train_gmmn_help() {
    insta::assert_snapshot!(help(&["train", "gmmn"]));
}

#[test]
fn default_gmmn_configurations() {
    for method in ["gmmn", "gmmn-ae"] {
        let config = gen_mmd::run::GmmnRunConfig::defaults(
            method,
            "mnist",
            42,
            gen_core::backend::BackendName::Flex,
        );
        insta::assert_snapshot!(
            format!("default_{}_configuration", method.replace('-', "_")),
            gen_core::run::configuration::to_text(&config).unwrap()
        );
    }
}

#[test]
fn train_ebm_help() {
    insta::assert_snapshot!(help(&["train", "ebm"]));
}

#[test]
fn default_ebm_configurations() {
    for data in ["mnist", "ring8"] {
        let config =
            gen_ebm::run::EbmRunConfig::defaults(data, 42, gen_core::backend::BackendName::Flex);
        insta::assert_snapshot!(
            format!("default_ebm_{data}_configuration"),
            gen_core::run::configuration::to_text(&config).unwrap()
        );
    }
}

#[test]
fn train_cyclegan_help() {
    insta::assert_snapshot!(help(&["train", "cyclegan"]));
}

#[test]
fn translate_help() {
    insta::assert_snapshot!(help(&["translate"]));
}

#[test]
fn default_cyclegan_configurations() {
    // The reference's settings for 256x256 images (horse2zebra) and ours for the 32x32 shapes.
    for (data, side) in [("horse2zebra", 256), ("shapes", 32)] {
        let config = gen_i2i::run::cyclegan::CycleGanRunConfig::defaults(
            data,
            42,
            gen_core::backend::BackendName::Flex,
            [3, side, side],
        );
        insta::assert_snapshot!(
            format!("default_cyclegan_{data}_configuration"),
            gen_core::run::configuration::to_text(&config).unwrap()
        );
    }
}

#[test]
fn train_unit_help() {
    insta::assert_snapshot!(help(&["train", "unit"]));
}

#[test]
fn default_unit_configurations() {
    // The reference's settings for horse2zebra's 1,067 horses at 256x256, ours for the shapes.
    for (data, side, train_a) in [("horse2zebra", 256, 1067), ("shapes", 32, 1000)] {
        let config = gen_i2i::run::unit::UnitRunConfig::defaults(
            data,
            42,
            gen_core::backend::BackendName::Flex,
            [3, side, side],
            train_a,
        );
        insta::assert_snapshot!(
            format!("default_unit_{data}_configuration"),
            gen_core::run::configuration::to_text(&config).unwrap()
        );
    }
}
