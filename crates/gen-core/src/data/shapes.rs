//! A generated two-domain image set for unpaired translation whose every image has a known
//! counterpart in the other domain, so translation error can be measured exactly.
//!
//! A scene is one or two discs (centre, radius, colour index). Domain A draws it on a light
//! background with palette A; domain B draws the same scene on a dark background with palette
//! B, a fixed recolouring of palette A. The training parts are unpaired (independent
//! scenes for A and B); in the test parts `test_b[i]` is the counterpart of `test_a[i]`.

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::dataset::{Dataset, ItemShape};
use super::image_folder::TwoDomain;

/// Background and disc colours of domain A (light background).
const BACKGROUND_A: [f32; 3] = [0.92, 0.92, 0.88];
const PALETTE_A: [[f32; 3]; 4] = [
    [0.85, 0.15, 0.15],
    [0.15, 0.55, 0.15],
    [0.15, 0.25, 0.85],
    [0.85, 0.70, 0.10],
];
/// Background and disc colours of domain B (dark background, colours rotated in hue).
const BACKGROUND_B: [f32; 3] = [0.10, 0.10, 0.18];
const PALETTE_B: [[f32; 3]; 4] = [
    [0.20, 0.85, 0.85],
    [0.90, 0.35, 0.90],
    [0.95, 0.80, 0.30],
    [0.30, 0.45, 0.95],
];
/// Sub-pixel samples per axis used to anti-alias the disc edges.
const SUPERSAMPLE: usize = 3;

#[derive(Debug, Clone, Copy)]
struct Disc {
    cx: f32,
    cy: f32,
    r: f32,
    colour: usize,
}

fn random_scene(rng: &mut StdRng, size: usize) -> Vec<Disc> {
    let s = size as f32;
    let count = rng.random_range(1..=2);
    (0..count)
        .map(|_| {
            let r = rng.random_range(0.12..0.25) * s;
            Disc {
                cx: rng.random_range(r..s - r),
                cy: rng.random_range(r..s - r),
                r,
                colour: rng.random_range(0..PALETTE_A.len()),
            }
        })
        .collect()
}

/// Renders a scene channel-first, later discs drawn over earlier ones.
fn render(scene: &[Disc], size: usize, background: [f32; 3], palette: &[[f32; 3]; 4]) -> Vec<f32> {
    let plane = size * size;
    let mut out = vec![0f32; 3 * plane];
    let n = SUPERSAMPLE * SUPERSAMPLE;
    for y in 0..size {
        for x in 0..size {
            let mut acc = [0f32; 3];
            for sy in 0..SUPERSAMPLE {
                for sx in 0..SUPERSAMPLE {
                    let px = x as f32 + (sx as f32 + 0.5) / SUPERSAMPLE as f32;
                    let py = y as f32 + (sy as f32 + 0.5) / SUPERSAMPLE as f32;
                    let mut c = background;
                    for d in scene {
                        if (px - d.cx).powi(2) + (py - d.cy).powi(2) <= d.r * d.r {
                            c = palette[d.colour];
                        }
                    }
                    for k in 0..3 {
                        acc[k] += c[k];
                    }
                }
            }
            for k in 0..3 {
                out[k * plane + y * size + x] = acc[k] / n as f32;
            }
        }
    }
    out
}

fn image_set(images: Vec<Vec<f32>>, size: usize, name: &str) -> Dataset {
    Dataset {
        name: name.to_string(),
        values: images.concat(),
        item_shape: ItemShape::Image {
            channels: 3,
            height: size,
            width: size,
        },
        labels: None,
    }
}

/// Generates the set: `n_train` unpaired images per domain, `n_test` paired test images,
/// `size x size` pixels, all from `seed`.
pub fn two_domain_shapes(n_train: usize, n_test: usize, size: usize, seed: u64) -> TwoDomain {
    let mut rng = StdRng::seed_from_u64(seed);
    let draw = |rng: &mut StdRng, n: usize| -> Vec<Vec<Disc>> {
        (0..n).map(|_| random_scene(rng, size)).collect()
    };
    let scenes_a = draw(&mut rng, n_train);
    let scenes_b = draw(&mut rng, n_train);
    let scenes_test = draw(&mut rng, n_test);
    let in_a = |s: &Vec<Disc>| render(s, size, BACKGROUND_A, &PALETTE_A);
    let in_b = |s: &Vec<Disc>| render(s, size, BACKGROUND_B, &PALETTE_B);
    let names: Vec<String> = (0..n_test).map(|i| format!("{i:05}.png")).collect();
    TwoDomain {
        train_a: image_set(scenes_a.iter().map(in_a).collect(), size, "shapes"),
        train_b: image_set(scenes_b.iter().map(in_b).collect(), size, "shapes"),
        test_a: image_set(scenes_test.iter().map(in_a).collect(), size, "shapes"),
        test_b: image_set(scenes_test.iter().map(in_b).collect(), size, "shapes"),
        test_a_names: names.clone(),
        test_b_names: names,
    }
}
