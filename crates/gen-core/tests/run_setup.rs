//! The order in which a new run's configuration is resolved (`prepare_run`): the method's
//! defaults, then `--config`, then the method's own shortcuts on the typed configuration, then
//! `--epochs` and `--set`; and a resumed run refuses every change, shortcuts included.

use std::path::PathBuf;

use anyhow::Result;
use gen_core::backend::BackendName;
use gen_core::method::{Shortcuts, TrainRequest};
use gen_core::run::RunDir;
use gen_core::run::setup::{RunConfig, prepare_run};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Settings {
    method: String,
    epochs: u64,
    backend: BackendName,
    train: Train,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Train {
    k: usize,
    rate: f64,
}

impl RunConfig for Settings {
    fn backend_mut(&mut self) -> &mut BackendName {
        &mut self.backend
    }

    fn default_out(&self) -> PathBuf {
        PathBuf::from("runs/test")
    }
}

fn defaults(backend: BackendName) -> Settings {
    Settings {
        method: "test".into(),
        epochs: 20,
        backend,
        train: Train { k: 1, rate: 0.1 },
    }
}

/// A `--k` shortcut.
struct KFlag(Option<usize>);

impl Shortcuts<Settings> for KFlag {
    fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    fn apply(&self, config: &mut Settings) -> Result<()> {
        if let Some(k) = self.0 {
            config.train.k = k;
        }
        Ok(())
    }
}

fn request(sets: &[&str], config: Option<PathBuf>, epochs: Option<u64>) -> TrainRequest {
    TrainRequest {
        data: "digits".into(),
        epochs,
        backend: Some(BackendName::Flex),
        sets: sets.iter().map(|s| s.to_string()).collect(),
        config,
        ..TrainRequest::default()
    }
}

fn resolved(request: &TrainRequest, flag: Option<usize>) -> Settings {
    prepare_run(request, defaults, &KFlag(flag), &[], |_| Ok(()))
        .unwrap()
        .config
}

#[test]
fn shortcuts_come_after_the_config_file_and_before_set() {
    // Alone, each lands where it names.
    let c = resolved(&request(&["train.rate=0.5"], None, Some(7)), Some(5));
    assert_eq!((c.train.k, c.train.rate, c.epochs), (5, 0.5, 7));
    // --set is applied last: it wins over the shortcut.
    let c = resolved(&request(&["train.k=3"], None, None), Some(5));
    assert_eq!(c.train.k, 3);
    // The shortcut wins over --config.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "[train]\nk = 9\nrate = 0.25\n").unwrap();
    let c = resolved(&request(&[], Some(file.clone()), None), Some(5));
    assert_eq!((c.train.k, c.train.rate), (5, 0.25));
    // Without the shortcut the file's value stands.
    let c = resolved(&request(&[], Some(file), None), None);
    assert_eq!(c.train.k, 9);
}

#[test]
fn a_resumed_run_refuses_a_shortcut() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    RunDir::create(&out).unwrap();
    let text = gen_core::run::configuration::to_text(&defaults(BackendName::Flex)).unwrap();
    std::fs::write(out.join("config.toml"), text).unwrap();
    let mut request = request(&[], None, None);
    request.resume = true;
    request.out = Some(out);
    let err = prepare_run(&request, defaults, &KFlag(Some(5)), &[], |_| Ok(()))
        .err()
        .expect("a shortcut on --resume is refused");
    assert!(
        err.to_string().contains("takes no configuration changes"),
        "{err}"
    );
}
