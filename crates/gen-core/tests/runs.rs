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

#[test]
fn loading_falls_back_to_an_older_checkpoint_when_the_newest_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let store = CheckpointStore::new(dir.path());
    store.save(&ckpt(10, 8)).unwrap();
    store.save(&ckpt(20, 8)).unwrap();
    // What a kill in the middle of deleting the newest folder leaves: no state.json.
    std::fs::remove_file(dir.path().join("step-0000000020/state.json")).unwrap();
    assert_eq!(store.steps(), vec![10, 20]);
    assert_eq!(store.latest().unwrap(), Some(ckpt(10, 8)));
    // A blob missing from the newest one: the same fallback (the two newest are kept, so
    // another pair of checkpoints).
    let other = tempfile::tempdir().unwrap();
    let store = CheckpointStore::new(other.path());
    store.save(&ckpt(40, 8)).unwrap();
    store.save(&ckpt(50, 8)).unwrap();
    std::fs::remove_file(other.path().join("step-0000000050/model.bin")).unwrap();
    assert_eq!(store.latest().unwrap(), Some(ckpt(40, 8)));
    // With no readable checkpoint at all, the newest one's error.
    std::fs::remove_file(other.path().join("step-0000000040/state.json")).unwrap();
    let err = store.latest().unwrap_err().to_string();
    assert!(err.contains("step-0000000050"), "{err}");
}

#[test]
fn a_blob_name_that_leaves_the_checkpoint_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = CheckpointStore::new(dir.path());
    store.save(&ckpt(10, 8)).unwrap();
    let state = dir.path().join("step-0000000010/state.json");
    let text = std::fs::read_to_string(&state)
        .unwrap()
        .replace("\"chains\"", "\"../../secret\"");
    std::fs::write(&state, text).unwrap();
    let err = store.load(10).unwrap_err().to_string();
    assert!(err.contains("not a plain name"), "{err}");
}

const REPLACER_ENV: &str = "GEN_CORE_CHECKPOINT_REPLACER_DIR";

/// Not a test on its own: re-run by the parent test with the variable set, it replaces the
/// checkpoint of one step over and over (as a resumed run re-saving its last step does), to be
/// killed in the middle of a replacement.
#[test]
fn checkpoint_replacer_child() {
    let Some(dir) = std::env::var_os(REPLACER_ENV) else {
        return;
    };
    let store = CheckpointStore::new(&dir);
    store.save(&ckpt(5, 8 << 20)).unwrap();
    std::fs::write(std::path::Path::new(&dir).join("ready"), b"").unwrap();
    loop {
        store.save(&ckpt(5, 8 << 20)).unwrap();
    }
}

#[test]
fn a_kill_while_a_checkpoint_is_replaced_leaves_it_readable() {
    // Killed at several moments of the replacement; before the old folder was renamed aside,
    // a kill inside its deletion left a `step-*` folder without its state (or with half its
    // blobs), and loading failed.
    for attempt in 0..6u64 {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "checkpoint_replacer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(REPLACER_ENV, dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !dir.path().join("ready").exists() {
            assert!(Instant::now() < deadline, "the replacer never started");
            std::thread::sleep(Duration::from_millis(2));
        }
        // Kill once an old folder is being moved aside, or the step's folder is seen without its
        // state (what deleting it in place looked like), a little later each time.
        let step_dir = dir.path().join("step-0000000005");
        loop {
            assert!(Instant::now() < deadline, "no replacement was seen");
            let replacing = std::fs::read_dir(dir.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with(".partial-old-"));
            let torn = step_dir.is_dir() && !step_dir.join("state.json").exists();
            if replacing || torn {
                break;
            }
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_micros(200 * attempt));
        child.kill().unwrap();
        child.wait().unwrap();
        let latest = CheckpointStore::new(dir.path())
            .latest()
            .unwrap()
            .expect("the checkpoint survives the kill");
        assert_eq!(latest, ckpt(5, 8 << 20), "attempt {attempt}");
    }
}

#[test]
fn a_folder_of_other_files_is_not_taken_as_a_run() {
    let dir = tempfile::tempdir().unwrap();
    // `--out .` in a project: its own config.toml is not a run's and must not be overwritten.
    std::fs::write(
        dir.path().join("config.toml"),
        "[package]\nname = \"mine\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    let err = RunDir::create(dir.path()).unwrap_err().to_string();
    assert!(err.contains("not a gen run folder"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("config.toml")).unwrap(),
        "[package]\nname = \"mine\"\n"
    );
    assert!(!dir.path().join("checkpoints").exists());
    // An empty folder, a new one and an existing run are all fine.
    RunDir::create(dir.path().join("new")).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = RunDir::create(&empty).unwrap();
    run.write_config("method = \"rbm\"\n").unwrap();
    RunDir::create(&empty).unwrap();
    // A file where the folder should be.
    let file = dir.path().join("notes.txt");
    assert!(RunDir::create(&file).is_err());
}

/// The message and its chain of causes, as `{:#}` of anyhow prints them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

#[test]
fn an_io_error_names_its_cause_once() {
    let missing = CheckpointStore::new("/nonexistent/ckpt")
        .load(3)
        .unwrap_err();
    let data =
        gen_core::data::idx::read_idx_images(std::path::Path::new("/nonexistent/idx")).unwrap_err();
    for text in [chain(&missing), chain(&data)] {
        assert_eq!(text.matches("(os error").count(), 1, "{text}");
    }
}

/// A module and an optimiser state saved as blobs come back through the checkpoint, equal to
/// what was saved; a missing blob, a record of another architecture and an optimiser state
/// that is not one are refused, each naming the blob.
#[test]
fn checkpoint_parts_load_back_or_name_what_is_wrong() {
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::{AdamConfig, GradientsParams};
    use burn::tensor::{Device, Tensor};
    use gen_core::module_bytes::{module_bytes, optimizer_bytes};
    use gen_core::tensor_io::to_vec_f32;

    let device = Device::flex().autodiff();
    device.seed(4);
    let linear: Linear = LinearConfig::new(3, 2).init(&device);
    // One Adam step, so the optimiser has moments to save.
    let mut optimizer = AdamConfig::new().init();
    let loss = linear.forward(Tensor::<2>::ones([4, 3], &device)).sum();
    let grads = GradientsParams::from_grads(loss.backward(), &linear);
    let linear = optimizer.step(1e-2, linear, grads);
    let checkpoint = Checkpoint {
        step: 1,
        epoch: 0,
        state: json!({}),
        blobs: vec![
            ("net".to_string(), module_bytes(&linear)),
            ("adam".to_string(), optimizer_bytes(&optimizer)),
        ],
    };

    let fresh = || LinearConfig::new(3, 2).init(&device);
    let loaded: Linear = checkpoint.module("net", fresh()).unwrap();
    assert_eq!(
        to_vec_f32(loaded.weight.val()),
        to_vec_f32(linear.weight.val())
    );
    // The restored state takes the next step exactly as the saved one does (its bytes are not
    // canonical: the record's tensor order varies), and differently from a fresh Adam's first.
    let next_step = |mut adam: burn::optim::ModuleOptimizer| {
        let loss = linear.forward(Tensor::<2>::ones([4, 3], &device)).sum();
        let grads = GradientsParams::from_grads(loss.backward(), &linear);
        to_vec_f32(adam.step(1e-2, linear.clone(), grads).weight.val())
    };
    let restored = checkpoint
        .optimizer("adam", AdamConfig::new().init())
        .unwrap();
    let continued = next_step(optimizer);
    assert_eq!(next_step(restored), continued);
    assert_ne!(next_step(AdamConfig::new().init()), continued);

    let missing = checkpoint.module("critic", fresh()).unwrap_err();
    assert_eq!(missing.to_string(), "checkpoint has no 'critic'");
    let wider = checkpoint
        .module("net", LinearConfig::new(5, 2).init(&device))
        .unwrap_err()
        .to_string();
    assert!(
        wider.starts_with("'net': the checkpoint does not fit this model's architecture"),
        "{wider}"
    );
    // Bytes that are no record at all are refused. (A module's record given as an optimiser
    // state is not: burn loads it as an empty state, so a blob name mixed up by a method would
    // go unnoticed here; the names are constants of each trainer.)
    let mut damaged = checkpoint.clone();
    damaged
        .blobs
        .push(("junk".to_string(), b"not a record".to_vec()));
    let not_a_state = damaged
        .optimizer("junk", AdamConfig::new().init())
        .err()
        .expect("bytes that are no record are refused")
        .to_string();
    assert!(
        not_a_state.starts_with("'junk': unreadable optimiser state"),
        "{not_a_state}"
    );
}

/// A run with no checkpoint says so when something asks for its trained model.
#[test]
fn an_untrained_run_has_no_trained_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::create(dir.path()).unwrap();
    let err = run.trained_checkpoint().unwrap_err().to_string();
    assert!(err.ends_with("no checkpoint yet: train it first"), "{err}");
    run.checkpoints().save(&ckpt(10, 8)).unwrap();
    assert_eq!(run.trained_checkpoint().unwrap().step, 10);
}
