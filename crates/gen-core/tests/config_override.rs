//! `--set` and `--config` overrides on a serde configuration.

use gen_core::config_override::{OverrideError, apply_sets, apply_toml, to_toml_string};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    k: u32,
    method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cfg {
    hidden: usize,
    lr: f64,
    quiet: bool,
    inner: Inner,
}

fn base() -> Cfg {
    Cfg {
        hidden: 25,
        lr: 0.1,
        quiet: false,
        inner: Inner {
            k: 1,
            method: "cd".into(),
        },
    }
}

#[test]
fn sets_apply_with_types() {
    let sets: Vec<String> = [
        "hidden=500",
        "lr=1",
        "quiet=true",
        "inner.k=10",
        "inner.method=pcd",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let c = apply_sets(&base(), &sets, &[]).unwrap();
    assert_eq!(
        c,
        Cfg {
            hidden: 500,
            lr: 1.0,
            quiet: true,
            inner: Inner {
                k: 10,
                method: "pcd".into()
            }
        }
    );
}

#[test]
fn unknown_fields_and_bad_values_are_errors() {
    let err = apply_sets(&base(), &["hiden=3".to_string()], &[]).unwrap_err();
    assert!(
        matches!(&err, OverrideError::UnknownField { field, known } if field == "hiden" && known.contains("hidden")),
        "{err}"
    );
    assert!(matches!(
        apply_sets(&base(), &["hidden".to_string()], &[]).unwrap_err(),
        OverrideError::Syntax(_)
    ));
    assert!(matches!(
        apply_sets(&base(), &["hidden=-3".to_string()], &[]).unwrap_err(),
        OverrideError::Invalid(_)
    ));
}

#[test]
fn toml_files_merge_and_round_trip() {
    let c = apply_toml(&base(), "lr = 0.5\n[inner]\nk = 3\n", &[]).unwrap();
    assert_eq!((c.lr, c.inner.k, c.hidden), (0.5, 3, 25));
    let err = apply_toml(&base(), "[inner]\nkk = 3\n", &[]).unwrap_err();
    assert!(
        matches!(&err, OverrideError::UnknownField { field, .. } if field == "inner.kk"),
        "{err}"
    );
    let text = to_toml_string(&c).unwrap();
    assert_eq!(apply_toml(&base(), &text, &[]).unwrap(), c);
}
