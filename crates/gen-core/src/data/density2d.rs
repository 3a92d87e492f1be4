//! Two-dimensional densities whose log density is known, so a model's likelihood, its modes
//! covered and its samples can be checked exactly rather than by eye.
//!
//! | name | distribution | source of the settings |
//! |---|---|---|
//! | `ring8` | 8 Gaussians, std 0.02, evenly on a circle of radius 2 | Metz et al. 2017 (unrolled GAN), VEEGAN |
//! | `grid25` | 25 Gaussians, std 0.05, on the grid {-4,-2,0,2,4}^2 | VEEGAN, PacGAN |
//! | `two-moons` | two interleaved half circles + N(0, 0.1^2) noise | scikit-learn `make_moons` |
//! | `swiss-roll` | `(t cos t, t sin t) / 5`, t ~ U(1.5pi, 4.5pi), + N(0, 0.2^2) | scikit-learn `make_swiss_roll` (x, z) / 5, noise 1 |
//! | `checkerboard` | uniform on the 8 dark unit squares of a 4x4 board on [-2, 2]^2 | FFJORD's toy set, rescaled |
//!
//! The curve-based sets (moons, swiss roll) are a Gaussian blurred along a curve; their density
//! is the integral over the curve's parameter, computed with a midpoint rule fine enough
//! (thousands of nodes, node spacing far below the noise scale) that its error is negligible.

use std::f64::consts::PI;

use rand::Rng;

use crate::seed::standard_normal;

use super::dataset::{Dataset, ItemShape};

/// One of the shipped 2-D densities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Density2d {
    /// Eight Gaussians on a circle.
    Ring8,
    /// A 5x5 grid of Gaussians.
    Grid25,
    /// Two interleaved half circles.
    TwoMoons,
    /// A two-dimensional Swiss roll.
    SwissRoll,
    /// A 4x4 checkerboard of uniform squares.
    Checkerboard,
}

/// Quadrature nodes along the curve of the moons and the swiss roll.
const CURVE_NODES: usize = 4096;

impl Density2d {
    /// Every density, in a fixed order.
    pub const ALL: [Density2d; 5] = [
        Density2d::Ring8,
        Density2d::Grid25,
        Density2d::TwoMoons,
        Density2d::SwissRoll,
        Density2d::Checkerboard,
    ];

    /// The dataset name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Density2d::Ring8 => "ring8",
            Density2d::Grid25 => "grid25",
            Density2d::TwoMoons => "two-moons",
            Density2d::SwissRoll => "swiss-roll",
            Density2d::Checkerboard => "checkerboard",
        }
    }

    /// Looks a density up by its command-line name.
    pub fn from_name(name: &str) -> Option<Density2d> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// One line saying what the density is.
    pub fn description(self) -> &'static str {
        match self {
            Density2d::Ring8 => "8 Gaussians (std 0.02) on a circle of radius 2",
            Density2d::Grid25 => "25 Gaussians (std 0.05) on the grid {-4,-2,0,2,4}^2",
            Density2d::TwoMoons => "two interleaved half circles + N(0, 0.1^2) noise",
            Density2d::SwissRoll => "2-D swiss roll / 5 + N(0, 0.2^2) noise",
            Density2d::Checkerboard => "uniform on the 8 dark unit squares of a 4x4 board",
        }
    }

    /// Centres of the mixture components, for the mode-coverage measures (ring and grid only).
    pub fn modes(self) -> Option<Vec<[f64; 2]>> {
        match self {
            Density2d::Ring8 => Some(
                (0..8)
                    .map(|k| {
                        let a = 2.0 * PI * k as f64 / 8.0;
                        [2.0 * a.cos(), 2.0 * a.sin()]
                    })
                    .collect(),
            ),
            Density2d::Grid25 => Some(
                (0..25)
                    .map(|k| [-4.0 + 2.0 * (k / 5) as f64, -4.0 + 2.0 * (k % 5) as f64])
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Standard deviation of each mixture component (ring and grid), else of the noise.
    pub fn noise_std(self) -> f64 {
        match self {
            Density2d::Ring8 => 0.02,
            Density2d::Grid25 => 0.05,
            Density2d::TwoMoons => 0.1,
            Density2d::SwissRoll => 0.2,
            Density2d::Checkerboard => 0.0,
        }
    }

    /// A square `[lo, hi]^2` holding all but a negligible part of the mass (for grids and plots).
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Density2d::Ring8 => (-2.5, 2.5),
            Density2d::Grid25 => (-5.0, 5.0),
            Density2d::TwoMoons => (-1.75, 2.75),
            Density2d::SwissRoll => (-3.5, 3.5),
            Density2d::Checkerboard => (-2.5, 2.5),
        }
    }

    /// Point `t in [0, 1)` of the curve underlying the moons (two halves) and the swiss roll.
    fn curve(self, t: f64) -> [f64; 2] {
        match self {
            Density2d::TwoMoons => {
                if t < 0.5 {
                    let a = PI * t * 2.0;
                    [a.cos(), a.sin()]
                } else {
                    let a = PI * (t - 0.5) * 2.0;
                    [1.0 - a.cos(), 0.5 - a.sin()]
                }
            }
            Density2d::SwissRoll => {
                let s = 1.5 * PI * (1.0 + 2.0 * t);
                [s * s.cos() / 5.0, s * s.sin() / 5.0]
            }
            _ => unreachable!("only the curve densities have a curve"),
        }
    }

    /// The exact log density at `p` (natural log; `-inf` outside the checkerboard's support).
    pub fn log_density(self, p: [f64; 2]) -> f64 {
        match self {
            Density2d::Checkerboard => {
                if on_checkerboard(p) {
                    -(8f64.ln())
                } else {
                    f64::NEG_INFINITY
                }
            }
            _ => self.log_density_with_std(p, self.noise_std()),
        }
    }

    /// The log density of `X + ε` with `X` from this density and `ε ~ N(0, extra_std² I)`: the
    /// density a denoising auto-encoder with Gaussian corruption of that std sees, whose score
    /// gives the optimal reconstruction (Tweedie: `E[X | X' = x] = x + σ² ∇ log p_σ(x)`).
    /// Exact for the mixtures and the curves (their noise std becomes `sqrt(s² + σ²)`); `None`
    /// for the checkerboard.
    pub fn smoothed_log_density(self, p: [f64; 2], extra_std: f64) -> Option<f64> {
        match self {
            Density2d::Checkerboard => None,
            _ => Some(self.log_density_with_std(p, self.noise_std().hypot(extra_std))),
        }
    }

    /// `∇ log p_σ(p)` of [`smoothed_log_density`](Self::smoothed_log_density), by central
    /// differences of step 1e-5 (relative error ~1e-9 for these smooth densities).
    pub fn smoothed_score(self, p: [f64; 2], extra_std: f64) -> Option<[f64; 2]> {
        const H: f64 = 1e-5;
        let f = |q: [f64; 2]| self.smoothed_log_density(q, extra_std);
        Some([
            (f([p[0] + H, p[1]])? - f([p[0] - H, p[1]])?) / (2.0 * H),
            (f([p[0], p[1] + H])? - f([p[0], p[1] - H])?) / (2.0 * H),
        ])
    }

    /// Log density of a mixture or curve density whose Gaussian noise has std `s`.
    fn log_density_with_std(self, p: [f64; 2], s: f64) -> f64 {
        match self {
            Density2d::Ring8 | Density2d::Grid25 => {
                let modes = self.modes().expect("mixtures have modes");
                let terms: Vec<f64> = modes.iter().map(|m| log_normal2(p, *m, s)).collect();
                log_sum_exp(&terms) - (modes.len() as f64).ln()
            }
            Density2d::TwoMoons | Density2d::SwissRoll => {
                let terms: Vec<f64> = (0..CURVE_NODES)
                    .map(|i| log_normal2(p, self.curve((i as f64 + 0.5) / CURVE_NODES as f64), s))
                    .collect();
                log_sum_exp(&terms) - (CURVE_NODES as f64).ln()
            }
            Density2d::Checkerboard => unreachable!("the checkerboard has no Gaussian noise"),
        }
    }

    /// Draws `n` points.
    pub fn sample_points<R: Rng>(self, n: usize, rng: &mut R) -> Vec<[f64; 2]> {
        (0..n)
            .map(|_| match self {
                Density2d::Ring8 | Density2d::Grid25 => {
                    let modes = self.modes().expect("mixtures have modes");
                    let m = modes[rng.random_range(0..modes.len())];
                    let s = self.noise_std();
                    [
                        m[0] + s * standard_normal(rng),
                        m[1] + s * standard_normal(rng),
                    ]
                }
                Density2d::TwoMoons | Density2d::SwissRoll => {
                    let c = self.curve(rng.random::<f64>());
                    let s = self.noise_std();
                    [
                        c[0] + s * standard_normal(rng),
                        c[1] + s * standard_normal(rng),
                    ]
                }
                Density2d::Checkerboard => loop {
                    let p = [rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)];
                    if on_checkerboard(p) {
                        break p;
                    }
                },
            })
            .collect()
    }

    /// `n` points as a dataset of 2-vectors.
    pub fn sample<R: Rng>(self, n: usize, rng: &mut R) -> Dataset {
        let points = self.sample_points(n, rng);
        Dataset {
            name: self.name().to_string(),
            values: points
                .iter()
                .flat_map(|p| [p[0] as f32, p[1] as f32])
                .collect(),
            item_shape: ItemShape::Vector { dim: 2 },
            labels: None,
        }
    }
}

/// The checkerboard's support: a unit square of `[-2, 2]^2` whose integer corner sums to even.
fn on_checkerboard(p: [f64; 2]) -> bool {
    if !(-2.0..2.0).contains(&p[0]) || !(-2.0..2.0).contains(&p[1]) {
        return false;
    }
    (p[0].floor() as i64 + p[1].floor() as i64).rem_euclid(2) == 0
}

/// Log density of an isotropic 2-D Gaussian.
fn log_normal2(p: [f64; 2], mean: [f64; 2], std: f64) -> f64 {
    let dx = p[0] - mean[0];
    let dy = p[1] - mean[1];
    -(dx * dx + dy * dy) / (2.0 * std * std) - (2.0 * PI * std * std).ln()
}

/// `log(sum(exp(terms)))` without overflow.
pub fn log_sum_exp(terms: &[f64]) -> f64 {
    let max = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
}
