//! `--set field=value` and `--config FILE.toml` for any serde configuration struct.
//!
//! The configuration is serialised to a TOML table, the overrides are applied field by field
//! (dotted paths reach nested tables), and the table is deserialised back, so a value of the
//! wrong type or a field that does not exist is an error naming that field.

use serde::{Serialize, de::DeserializeOwned};
use toml::{Table, Value};

/// Why an override could not be applied.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OverrideError {
    #[error("'{0}' is not of the form field=value")]
    /// A `--set` argument not of the form `field=value`.
    Syntax(String),
    #[error("unknown field '{field}'; known fields: {known}")]
    /// A key the configuration does not have.
    UnknownField {
        /// The key given.
        field: String,
        /// The keys the configuration has, for the message.
        known: String,
    },
    #[error("invalid configuration: {0}")]
    /// A value that does not fit its field, or text that is not TOML.
    Invalid(String),
}

/// Parses the right-hand side of `field=value` as a TOML value (`3`, `0.1`, `true`,
/// `[1, 2]`, `"text"`), falling back to a bare string (`cd`, `pcd`).
fn parse_value(text: &str) -> Value {
    let doc = format!("v = {text}");
    match doc.parse::<Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| Value::String(text.to_string())),
        Err(_) => Value::String(text.to_string()),
    }
}

fn to_table<C: Serialize>(config: &C) -> Result<Table, OverrideError> {
    Table::try_from(config).map_err(|e| OverrideError::Invalid(e.to_string()))
}

fn from_table<C: DeserializeOwned>(table: Table) -> Result<C, OverrideError> {
    table
        .try_into()
        .map_err(|e: toml::de::Error| OverrideError::Invalid(e.message().to_string()))
}

/// Sets one dotted field of `table`; the field must already exist (every field of a resolved
/// config is present, so an absent one is a typo). Optional fields that serialise as absent
/// can still be set at the top level when `allow_new` lists them.
fn set_path(
    table: &mut Table,
    path: &str,
    value: Value,
    allow_new: &[&str],
) -> Result<(), OverrideError> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().expect("split yields at least one part");
    let mut current = table;
    for part in &parts {
        current = match current.get_mut(*part) {
            Some(Value::Table(t)) => t,
            _ => {
                return Err(OverrideError::UnknownField {
                    field: path.to_string(),
                    known: String::new(),
                });
            }
        };
    }
    if !current.contains_key(last) && !allow_new.contains(&path) {
        let mut known: Vec<&str> = current.keys().map(String::as_str).collect();
        known.sort_unstable();
        return Err(OverrideError::UnknownField {
            field: path.to_string(),
            known: known.join(", "),
        });
    }
    // Keep floats floats: `--set lr=1` on a float field means 1.0.
    let value = match (current.get(last), value) {
        (Some(Value::Float(_)), Value::Integer(i)) => Value::Float(i as f64),
        (_, v) => v,
    };
    current.insert(last.to_string(), value);
    Ok(())
}

/// Applies `field=value` overrides to `config`.
pub fn apply_sets<C: Serialize + DeserializeOwned>(
    config: &C,
    sets: &[String],
    optional_fields: &[&str],
) -> Result<C, OverrideError> {
    let mut table = to_table(config)?;
    for set in sets {
        let (field, value) = set
            .split_once('=')
            .ok_or_else(|| OverrideError::Syntax(set.clone()))?;
        set_path(
            &mut table,
            field.trim(),
            parse_value(value.trim()),
            optional_fields,
        )?;
    }
    from_table(table)
}

/// Applies every field present in a TOML document to `config`.
pub fn apply_toml<C: Serialize + DeserializeOwned>(
    config: &C,
    text: &str,
    optional_fields: &[&str],
) -> Result<C, OverrideError> {
    let overrides: Table = text
        .parse()
        .map_err(|e: toml::de::Error| OverrideError::Invalid(e.message().to_string()))?;
    let mut table = to_table(config)?;
    fn merge(
        into: &mut Table,
        from: Table,
        prefix: &str,
        optional: &[&str],
    ) -> Result<(), OverrideError> {
        for (k, v) in from {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match (into.get_mut(&k), v) {
                (Some(Value::Table(dst)), Value::Table(src)) => merge(dst, src, &path, optional)?,
                (_, v) => set_path(into, &k, v, optional).map_err(|e| match e {
                    OverrideError::UnknownField { known, .. } => OverrideError::UnknownField {
                        field: path.clone(),
                        known,
                    },
                    other => other,
                })?,
            }
        }
        Ok(())
    }
    merge(&mut table, overrides, "", optional_fields)?;
    from_table(table)
}

/// The configuration as TOML text (what `config.toml` holds).
pub fn to_toml_string<C: Serialize>(config: &C) -> Result<String, OverrideError> {
    toml::to_string_pretty(config).map_err(|e| OverrideError::Invalid(e.to_string()))
}
