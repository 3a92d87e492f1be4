//! `gen train cyclegan`, `gen sample`, `gen eval --metric translation`, `gen translate`,
//! `gen export` and `--resume` on the generated two-domain shapes, with tiny networks; `gen
//! translate` of a grey run (the digits); and the refusals of bad input.

use std::path::Path;

mod common;
use common::{fails, ok, summary};

/// Tiny networks, batches of 100: 10 steps an epoch on the 1,000 training images.
const TINY: [&str; 14] = [
    "--set",
    "model.generator.filters=4",
    "--set",
    "model.generator.blocks=1",
    "--set",
    "model.discriminator.filters=4",
    "--set",
    "train.batch_size=100",
    "--set",
    "train.learning_rate=0.002",
    "--set",
    "checkpoint_every=4",
    "--set",
    "log_every=2",
];

fn train_tiny(out: &Path, epochs: &str) {
    let mut args = vec![
        "train",
        "cyclegan",
        "--data",
        "shapes",
        "--epochs",
        epochs,
        "--seed",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(TINY);
    ok(&args);
}

fn tensor(path: &Path, name: &str) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    st.tensor(name).unwrap().data().to_vec()
}

#[test]
fn cyclegan_trains_translates_evaluates_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("cg");
    let r = run.to_str().unwrap();
    train_tiny(&run, "3");
    // Every monitor was logged, with the learning rate constant then decaying.
    let records: Vec<serde_json::Value> = std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for key in [
        "translators",
        "cycle_a",
        "cycle_b",
        "critic_a",
        "critic_b",
        "identity_b",
    ] {
        assert!(records.iter().any(|r| r[key].is_number()), "{key}");
    }
    let rate = |step: u64| {
        records
            .iter()
            .find(|r| r["step"] == step)
            .and_then(|r| r["learning_rate"].as_f64())
            .unwrap()
    };
    // 3 epochs of 10 steps, the last 2 (round(1.5)) decaying: 1, 2/3, 1/3 of 0.002.
    assert!((rate(10) - 0.002).abs() < 1e-9);
    assert!((rate(20) - 0.002 * 2.0 / 3.0).abs() < 1e-8);
    assert!((rate(30) - 0.002 / 3.0).abs() < 1e-8);
    // One grid of triplets per epoch.
    let grids = std::fs::read_dir(run.join("samples")).unwrap().count();
    assert_eq!(grids, 4, "step 0 and three epochs");

    // Translation error against the known counterparts, beside the identity map's.
    let out = ok(&["eval", r, "--metric", "translation"]);
    assert!(out.contains("l1_a_to_b"), "{out}");
    let s = summary(&run);
    for key in [
        "l1_a_to_b",
        "l1_b_to_a",
        "identity_l1",
        "cycle_l1_a",
        "cycle_l1_b",
    ] {
        let v = s[key].as_f64().unwrap();
        assert!(v.is_finite() && (0.0..=1.0).contains(&v), "{key} = {v}");
    }
    assert_eq!(s["test_pairs"], 200);

    // Sample grid and a folder translated image by image, names kept.
    let grid = dir.path().join("grid.png");
    ok(&["sample", r, "-n", "12", "--out", grid.to_str().unwrap()]);
    assert!(image::open(&grid).is_ok());
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (name, side) in [("a.png", 32u32), ("b.jpg", 64)] {
        image::RgbImage::from_fn(side, side, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 4) as u8, 90])
        })
        .save(input.join(name))
        .unwrap();
    }
    let translated = translate_a_to_b(&run, &input);
    for (name, side) in [("a.png", 32u32), ("b.jpg", 64)] {
        let img = image::open(translated.join(name)).unwrap();
        assert_eq!((img.width(), img.height()), (side, side), "{name}");
    }
    // Translating a folder into itself would replace the originals: refused, files untouched.
    let original = std::fs::read(input.join("a.png")).unwrap();
    let input_s = input.to_str().unwrap();
    let same = input.join(".").join("..").join("in");
    for out in [input_s, same.to_str().unwrap()] {
        let err = fails(&[
            "translate",
            r,
            "--direction",
            "a2b",
            "--input",
            input_s,
            "--out",
            out,
        ]);
        assert!(err.contains("is the input folder"), "{err}");
    }
    assert_eq!(std::fs::read(input.join("a.png")).unwrap(), original);

    // Killed after its second-to-last checkpoint: resuming reproduces the final weights.
    let resumed = dir.path().join("resumed");
    copy_dir(&run, &resumed);
    let ckpts = resumed.join("checkpoints");
    let mut steps: Vec<_> = std::fs::read_dir(&ckpts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    steps.sort();
    assert!(steps.len() >= 2);
    std::fs::remove_dir_all(steps.last().unwrap()).unwrap();
    let rr = resumed.to_str().unwrap();
    ok(&[
        "train", "cyclegan", "--data", "shapes", "--out", rr, "--resume", "--quiet",
    ]);
    ok(&["export", r]);
    ok(&["export", rr]);
    for name in [
        "a_to_b.head.weight",
        "b_to_a.blocks.0.first.weight",
        "critic_b.head.weight",
    ] {
        assert_eq!(
            tensor(&run.join("model.safetensors"), name),
            tensor(&resumed.join("model.safetensors"), name),
            "{name}"
        );
    }
}

#[test]
fn a_grey_run_translates_the_grey_levels_of_image_files() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("digits");
    let r = run.to_str().unwrap();
    let mut args = vec![
        "train",
        "cyclegan",
        "--data",
        "digits2restyled",
        "--epochs",
        "1",
        "--seed",
        "3",
        "--quiet",
        "--out",
        r,
    ];
    args.extend(TINY);
    ok(&args);
    // The same 8x8 picture twice: as grey levels, and in colours whose luma
    // (0.2126 R + 0.7152 G + 0.0722 B, rounded to 8 bits) is exactly those levels. A grey run
    // reads the luma, so the two must translate to the same image.
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let colour = |x: u32, y: u32| image::Rgb([(x * 30) as u8, (y * 30) as u8, 0]);
    let luma = |p: image::Rgb<u8>| {
        ((2126 * p.0[0] as u32 + 7152 * p.0[1] as u32 + 722 * p.0[2] as u32 + 5000) / 10000) as u8
    };
    image::RgbImage::from_fn(8, 8, colour)
        .save(input.join("colour.png"))
        .unwrap();
    image::GrayImage::from_fn(8, 8, |x, y| image::Luma([luma(colour(x, y))]))
        .save(input.join("grey.png"))
        .unwrap();
    let translated = translate_a_to_b(&run, &input);
    let read = |name: &str| image::open(translated.join(name)).unwrap().to_rgb8();
    let (from_colour, from_grey) = (read("colour.png"), read("grey.png"));
    assert_eq!(from_grey.dimensions(), (8, 8));
    assert!(
        from_grey
            .pixels()
            .all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]),
        "a grey translation is written as three equal channels"
    );
    assert_eq!(from_colour, from_grey);
}

/// `gen translate RUN --direction a2b` of the folder `input` into `input`'s sibling `out`.
fn translate_a_to_b(run: &Path, input: &Path) -> std::path::PathBuf {
    let out = input.with_file_name("out");
    ok(&[
        "translate",
        run.to_str().unwrap(),
        "--direction",
        "a2b",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn bad_cyclegan_input_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = out.to_str().unwrap();
    let err = fails(&["train", "cyclegan", "--data", "digits", "--out", o]);
    assert!(err.contains("two domains"), "{err}");
    let err = fails(&[
        "train",
        "cyclegan",
        "--data",
        "shapes",
        "--out",
        o,
        "--set",
        "train.augmentation.crop=40",
    ]);
    assert!(err.contains("smaller than the 40x40 crop"), "{err}");
    let err = fails(&[
        "train",
        "cyclegan",
        "--data",
        "shapes",
        "--out",
        o,
        "--set",
        "model.generator.channels=1",
    ]);
    assert!(err.contains("1-channel images but the data has 3"), "{err}");
    let err = fails(&[
        "train",
        "cyclegan",
        "--data",
        "shapes",
        "--out",
        o,
        "--identity-weight",
        "nan",
    ]);
    assert!(err.contains("identity_weight"), "{err}");
    assert!(!out.exists(), "a refused run leaves no folder");

    // A domain folder without images is named.
    let root = dir.path().join("pairs");
    for part in ["trainA", "trainB", "testA", "testB"] {
        std::fs::create_dir_all(root.join(part)).unwrap();
    }
    for part in ["trainA", "testA", "testB"] {
        image::RgbImage::new(16, 16)
            .save(root.join(part).join("0.png"))
            .unwrap();
    }
    let err = fails(&[
        "train",
        "cyclegan",
        "--data",
        root.to_str().unwrap(),
        "--out",
        o,
    ]);
    assert!(err.contains("trainB"), "{err}");

    // A checkpoint from another architecture is refused on load.
    let run = dir.path().join("cg");
    train_tiny(&run, "1");
    let err = fails(&["eval", run.to_str().unwrap(), "--metric", "parzen"]);
    assert!(
        err.contains("unknown metric 'parzen'") && err.contains("translation"),
        "{err}"
    );
    let err = fails(&[
        "eval",
        run.to_str().unwrap(),
        "--metric",
        "translation",
        "--data",
        "digits",
    ]);
    assert!(err.contains("two domains"), "{err}");
    let config = run.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("blocks = 1", "blocks = 2")).unwrap();
    let err = fails(&["export", run.to_str().unwrap()]);
    assert!(
        err.contains("architecture") && err.contains("a_to_b.blocks.1.first.weight"),
        "{err}"
    );
}
