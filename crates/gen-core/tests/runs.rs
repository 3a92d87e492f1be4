//! Run directories, metrics logs and checkpoints, including a kill in the middle of a write.

use std::process::Command;
use std::time::{Duration, Instant};

use gen_core::run::metrics::{read_metrics, series};
use gen_core::run::summary::{merge_summary, read_summary};
use gen_core::run::{Checkpoint, CheckpointStore, MetricsLog, RunDir};
use serde_json::json;

fn ckpt(step: u64, size: usize) -> Checkpoint {
    Checkpoint {
        step,
        epoch: step / 10,
        state: json!({"position": step * 3}),
        blobs: vec![
            ("model".to_string(), vec![(step % 251) as u8; size]),
            ("chains".to_string(), (0..17u8).collect()),
        ],
    }
}

#[test]
fn checkpoints_round_trip_and_only_the_newest_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = CheckpointStore::new(dir.path());
    assert_eq!(store.latest().unwrap(), None);
    for step in [10, 20, 30] {
        store.save(&ckpt(step, 100)).unwrap();
    }
    assert_eq!(store.steps(), vec![20, 30]);
    let latest = store.latest().unwrap().unwrap();
    assert_eq!(latest, ckpt(30, 100));
    assert_eq!(latest.blob("chains").unwrap().len(), 17);
}

#[test]
fn run_dir_layout_metrics_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path().join("run")).unwrap();
    for sub in ["checkpoints", "samples", "plots"] {
        assert!(run.root().join(sub).is_dir());
    }
    run.write_config("seed = 1\n").unwrap();
    assert_eq!(
        RunDir::open(run.root()).unwrap().read_config().unwrap(),
        "seed = 1\n"
    );
    assert!(RunDir::open(dir.path()).is_err());

    let mut log = MetricsLog::open(&run.metrics_path(), None).unwrap();
    for step in 1..=5 {
        log.log(step, 0, &[("loss", 1.0 / step as f64), ("bad", f64::NAN)])
            .unwrap();
    }
    drop(log);
    let records = read_metrics(&run.metrics_path()).unwrap();
    assert_eq!(records.len(), 5);
    assert_eq!(records[2]["step"], 3);
    assert!(records[2]["wall_s"].as_f64().unwrap() >= 0.0);
    assert!(records[2]["bad"].is_null());
    assert_eq!(series(&records, "loss")[1], (2.0, 0.5));

    // Resuming from step 3 drops the records the killed process wrote after it.
    let mut log = MetricsLog::open(&run.metrics_path(), Some(3)).unwrap();
    log.log(4, 0, &[("loss", 9.0)]).unwrap();
    drop(log);
    let steps: Vec<u64> = read_metrics(&run.metrics_path())
        .unwrap()
        .iter()
        .map(|r| r["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, vec![1, 2, 3, 4]);

    let mut m = serde_json::Map::new();
    m.insert("ll".into(), json!(-100.5));
    merge_summary(&run.summary_path(), m).unwrap();
    let mut m = serde_json::Map::new();
    m.insert("train_seconds".into(), json!(2.0));
    merge_summary(&run.summary_path(), m).unwrap();
    let s = read_summary(&run.summary_path()).unwrap();
    assert_eq!(s["ll"], json!(-100.5));
    assert_eq!(s["train_seconds"], json!(2.0));
}

const CHILD_ENV: &str = "GEN_CORE_CHECKPOINT_WRITER_DIR";

/// Not a test on its own: when the parent test re-runs this binary with the variable set, it
/// writes large checkpoints forever, to be killed mid-write.
#[test]
fn checkpoint_writer_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = CheckpointStore::new(dir);
    store.save(&ckpt(1, 1000)).unwrap();
    std::fs::write(
        std::path::Path::new(&std::env::var_os(CHILD_ENV).unwrap()).join("ready"),
        b"",
    )
    .unwrap();
    for step in 2.. {
        store.save(&ckpt(step, 64 << 20)).unwrap();
    }
}

#[test]
fn a_kill_mid_write_leaves_the_previous_checkpoint_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "checkpoint_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .spawn()
        .unwrap();
    // Wait until the first checkpoint exists and a large one is being written.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(Instant::now() < deadline, "the writer never started");
        let writing = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".partial-"));
        if dir.path().join("ready").exists() && writing {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let store = CheckpointStore::new(dir.path());
    let latest = store
        .latest()
        .unwrap()
        .expect("a complete checkpoint survives");
    // Whatever step was newest, it is whole: its blob has the size and content written.
    let expected = ckpt(latest.step, if latest.step == 1 { 1000 } else { 64 << 20 });
    assert_eq!(latest, expected);
    // A later save leaves the partial folder of the killed writer alone (it cannot tell a dead
    // writer from a live one); the holder of the run's lock, who can, clears it.
    let partials = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".partial-"))
            .count()
    };
    store.save(&ckpt(latest.step + 1, 10)).unwrap();
    assert_eq!(partials(), 1);
    store.remove_stale_partials();
    assert_eq!(partials(), 0);
}

#[test]
fn a_second_trainer_on_a_locked_run_is_refused_with_the_holders_pid() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = RunDir::create(dir.path().join("run")).unwrap();
    first.lock_for_training().unwrap();
    let mut second = RunDir::create(dir.path().join("run")).unwrap();
    let err = second.lock_for_training().unwrap_err().to_string();
    assert!(
        err.contains(&format!(
            "in use by another gen process (pid {})",
            std::process::id()
        )),
        "{err}"
    );
    assert!(!second.is_locked());
    // A clone shares the lock; the lock goes with the last one.
    let clone = first.clone();
    drop(first);
    assert!(second.lock_for_training().is_err());
    drop(clone);
    second.lock_for_training().unwrap();
    assert!(second.is_locked());
}

#[test]
fn a_writer_removes_only_its_own_partial_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path().join("run")).unwrap();
    let store = run.checkpoints();
    let own = run
        .checkpoints_dir()
        .join(format!(".partial-7-{}", std::process::id()));
    // Another process's save in progress (pid 0 is never a user process).
    let other = run.checkpoints_dir().join(".partial-9-0");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::create_dir_all(&other).unwrap();
    store.save(&ckpt(10, 8)).unwrap();
    assert!(!own.exists(), "a failed save of this process is cleaned up");
    assert!(
        other.exists(),
        "another writer's partial folder is left alone"
    );
    // The holder of the run's lock knows no other writer exists: it clears the rest.
    let mut locked = RunDir::create(run.root()).unwrap();
    locked.lock_for_training().unwrap();
    assert!(!other.exists());
    assert_eq!(store.steps(), vec![10]);
}
