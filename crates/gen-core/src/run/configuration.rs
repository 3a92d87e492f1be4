//! Resolving a run's configuration: the method's defaults (the papers' settings), then a
//! `--config` file, then the command-line shortcuts and `--set` overrides. The result is what
//! `RUN/config.toml` holds, so `gen train ... --config RUN/config.toml` reruns a run.

use std::path::Path;

use crate::config_override::{apply_sets, apply_toml, to_toml_string};
use anyhow::{Context, Result, anyhow, bail};
use serde::{Serialize, de::DeserializeOwned};
use toml::{Table, Value};

/// Turns an unqualified `field=value` into `section.field=value` when exactly one section of
/// the configuration has that field, so `--set hidden=500` works as well as
/// `--set model.hidden=500`.
pub fn qualify_sets<C: Serialize>(config: &C, sets: &[String]) -> Result<Vec<String>> {
    let table = Table::try_from(config).context("configuration does not serialise")?;
    sets.iter()
        .map(|set| {
            let (field, value) = set
                .split_once('=')
                .ok_or_else(|| anyhow!("'{set}' is not of the form field=value"))?;
            let field = field.trim();
            if field.contains('.') || table.contains_key(field) {
                return Ok(set.clone());
            }
            let sections: Vec<&String> = table
                .iter()
                .filter(|(_, v)| matches!(v, Value::Table(t) if t.contains_key(field)))
                .map(|(k, _)| k)
                .collect();
            match sections.as_slice() {
                [one] => Ok(format!("{one}.{field}={value}")),
                [] => Ok(set.clone()), // reported as unknown, with the known fields, below
                many => bail!(
                    "'{field}' is ambiguous: it is a field of {}; write it as section.{field}",
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        })
        .collect()
}

/// Applies `--config FILE` then `--set` overrides to `defaults`.
pub fn resolve<C: Serialize + DeserializeOwned>(
    defaults: C,
    config_file: Option<&Path>,
    sets: &[String],
    optional_fields: &[&str],
) -> Result<C> {
    let mut config = defaults;
    if let Some(path) = config_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        config = apply_toml(&config, &text, optional_fields)
            .with_context(|| format!("{}: invalid configuration", path.display()))?;
    }
    let sets = qualify_sets(&config, sets)?;
    apply_sets(&config, &sets, optional_fields).context("invalid --set")
}

/// The first setting of `config` that is a non-finite number (`nan`, `inf`), by its dotted
/// name: no setting of any method means anything at NaN or infinity, and one that slips past a
/// method's own checks trains garbage or panics deep inside burn.
pub fn non_finite_setting<C: Serialize>(config: &C) -> Result<Option<(String, f64)>> {
    fn walk(value: &Value, name: &str) -> Option<(String, f64)> {
        match value {
            Value::Float(v) if !v.is_finite() => Some((name.to_string(), *v)),
            Value::Table(t) => t.iter().find_map(|(k, v)| {
                walk(
                    v,
                    &if name.is_empty() {
                        k.clone()
                    } else {
                        format!("{name}.{k}")
                    },
                )
            }),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{name}[{i}]"))),
            _ => None,
        }
    }
    let table = Table::try_from(config).context("configuration does not serialise")?;
    Ok(walk(&Value::Table(table), ""))
}

/// Reads a run's `config.toml` over `defaults`: a field the file lacks (one added to `gen` after
/// the run was written) takes its default, so that older run folders still load, resume and
/// evaluate; an unknown field is still an error.
pub fn read_run_config<C: Serialize + DeserializeOwned>(
    text: &str,
    defaults: &C,
    optional_fields: &[&str],
) -> Result<C> {
    Ok(apply_toml(defaults, text, optional_fields)?)
}

/// The TOML text of a resolved configuration.
pub fn to_text<C: Serialize>(config: &C) -> Result<String> {
    Ok(to_toml_string(config)?)
}

/// Reads the `method` field of a run's `config.toml`.
pub fn run_method(text: &str, path: &Path) -> Result<String> {
    let table: Table = text
        .parse()
        .with_context(|| format!("{}: not valid TOML", path.display()))?;
    table
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("{}: no 'method' field", path.display()))
}
