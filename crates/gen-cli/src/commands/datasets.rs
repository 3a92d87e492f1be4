//! `gen datasets`: every dataset, where it is looked for, whether it is present.

use std::fmt::Write;

use gen_core::data::registry::{DataKind, Location, catalogue};

/// The table printed by `gen datasets`, for the data folder `data_dir`.
pub fn datasets_table(data_dir: &std::path::Path) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "data folder: {} (set GEN_DATA_DIR to change it)\n",
        data_dir.display()
    );
    let _ = writeln!(
        out,
        "{:<24} {:<10} {:<8} {:<48} origin; licence",
        "name", "kind", "present", "location"
    );
    for info in catalogue(data_dir) {
        let kind = match info.kind {
            DataKind::Images => "images",
            DataKind::Points2d => "2-d",
            DataKind::TwoDomain => "two-domain",
        };
        let location = match &info.location {
            Location::Shipped => "shipped in gen-core".to_string(),
            Location::Generated => "generated".to_string(),
            Location::Folder(p) => p.display().to_string(),
            Location::DerivedFrom(p) => format!("from {}", p.display()),
        };
        let present = if info.is_present() { "yes" } else { "no" };
        let _ = writeln!(
            out,
            "{:<24} {:<10} {:<8} {:<48} {}; {}",
            info.name, kind, present, location, info.origin, info.licence
        );
    }
    let _ = writeln!(
        out,
        "\nmissing sets: `cargo xtask download NAME` (or `--from DIR` to import files you have)"
    );
    out
}

pub fn run() -> anyhow::Result<()> {
    print!("{}", datasets_table(&gen_core::data::data_dir()));
    Ok(())
}
