//! Exact likelihoods of a 2-D energy model: `P(x) = exp(-E(x)) / Z` normalised numerically on a
//! grid (docs/evaluation.md and docs/ebm.md: 2-D densities). `log Z` is the midpoint rule
//! `log Σ_cells exp(-E(c)) + log(h²)` over a square that extends the data's own square by a
//! quarter of its side on every side, so that mass the model puts just outside the data is
//! counted; the share of `Z` outside the data's square is reported so that a model leaking mass
//! further out is visible.

use burn::tensor::Device;

use crate::energy::EnergyModel;
use crate::metrics::parzen::mean_and_standard_error;
use crate::tensor_io::{matrix, to_vec_f32};

/// Points per energy evaluation.
const BLOCK: usize = 16_384;

/// An energy evaluated on a grid and normalised.
#[derive(Debug, Clone)]
pub struct GridDensity {
    /// The square `[lo, hi]²` the grid covers.
    pub extent: (f64, f64),
    /// Cells per side.
    pub resolution: usize,
    /// `-E` at each cell centre, row `i` at `y = lo + (i + ½) h`, column `j` at
    /// `x = lo + (j + ½) h`.
    pub neg_energy: Vec<f64>,
    /// `log Z` by the midpoint rule.
    pub log_z: f64,
    /// Share of `Z` outside the data's square.
    pub mass_outside: f64,
}

impl GridDensity {
    /// Cell side `h`.
    pub fn cell(&self) -> f64 {
        (self.extent.1 - self.extent.0) / self.resolution as f64
    }

    /// The normalised log density at each cell centre (same order as `neg_energy`).
    pub fn log_density(&self) -> Vec<f64> {
        self.neg_energy.iter().map(|v| v - self.log_z).collect()
    }
}

/// `-E` of row-major 2-D `points`, in blocks.
pub fn neg_energies(model: &dyn EnergyModel, points: &[[f64; 2]], device: &Device) -> Vec<f64> {
    let mut out = Vec::with_capacity(points.len());
    for block in points.chunks(BLOCK) {
        let values: Vec<f32> = block
            .iter()
            .flat_map(|p| [p[0] as f32, p[1] as f32])
            .collect();
        let x = matrix(values, block.len(), 2, device);
        out.extend(
            to_vec_f32(model.unnormalized_log_prob(x))
                .into_iter()
                .map(f64::from),
        );
    }
    out
}

/// Evaluates `model` on a `resolution`² grid over the data square `bounds` widened by a quarter
/// of its side on each side, and normalises it.
pub fn normalise_on_grid(
    model: &dyn EnergyModel,
    bounds: (f64, f64),
    resolution: usize,
    device: &Device,
) -> GridDensity {
    let side = bounds.1 - bounds.0;
    let extent = (bounds.0 - side / 4.0, bounds.1 + side / 4.0);
    let h = (extent.1 - extent.0) / resolution as f64;
    let centre = |k: usize| extent.0 + (k as f64 + 0.5) * h;
    let points: Vec<[f64; 2]> = (0..resolution)
        .flat_map(|i| (0..resolution).map(move |j| [centre(j), centre(i)]))
        .collect();
    let neg_energy = neg_energies(model, &points, device);
    let max = neg_energy.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut total, mut outside) = (0.0, 0.0);
    for (p, v) in points.iter().zip(&neg_energy) {
        let w = (v - max).exp();
        total += w;
        let inside = (bounds.0..=bounds.1).contains(&p[0]) && (bounds.0..=bounds.1).contains(&p[1]);
        if !inside {
            outside += w;
        }
    }
    GridDensity {
        extent,
        resolution,
        log_z: max + total.ln() + 2.0 * h.ln(),
        mass_outside: outside / total,
        neg_energy,
    }
}

/// Mean and standard error of `log P(x) = -E(x) - log Z` over `test` points.
pub fn exact_log_likelihood(
    model: &dyn EnergyModel,
    log_z: f64,
    test: &[[f64; 2]],
    device: &Device,
) -> (f64, f64) {
    let ll: Vec<f64> = neg_energies(model, test, device)
        .into_iter()
        .map(|v| v - log_z)
        .collect();
    mean_and_standard_error(&ll)
}

#[cfg(test)]
mod tests {
    use burn::tensor::Tensor;

    use super::*;

    /// `E(x) = |x - m|² / (2 s²)`: a Gaussian with `Z = 2 π s²`.
    struct Quadratic {
        mean: [f32; 2],
        s: f64,
    }

    impl EnergyModel for Quadratic {
        fn energy(&self, x: Tensor<2>) -> Tensor<1> {
            let m = matrix(self.mean.to_vec(), 1, 2, &x.device());
            (x - m)
                .powi_scalar(2)
                .sum_dim(1)
                .squeeze_dim(1)
                .div_scalar(2.0 * self.s * self.s)
        }
    }

    #[test]
    fn a_gaussian_energy_normalises_to_its_closed_form() {
        let device = Device::flex();
        let model = Quadratic {
            mean: [0.5, -0.25],
            s: 0.3,
        };
        let grid = normalise_on_grid(&model, (-2.0, 2.0), 200, &device);
        let exact = (2.0 * std::f64::consts::PI * 0.09f64).ln();
        assert!(
            (grid.log_z - exact).abs() < 1e-4,
            "{} vs {exact}",
            grid.log_z
        );
        // The mass beyond [-2, 2]² is that of a Gaussian more than 5.8 sd away: none in f64.
        assert!(grid.mass_outside < 1e-6, "{}", grid.mass_outside);
        // log P at the mean is -log(2 π s²).
        let (ll, _) = exact_log_likelihood(&model, grid.log_z, &[[0.5, -0.25]], &device);
        assert!((ll + exact).abs() < 1e-4, "{ll}");
    }

    #[test]
    fn mass_outside_the_data_square_is_reported() {
        let device = Device::flex();
        // A broad Gaussian: the share outside [-1, 1]² is 1 - (2Φ(1/s) - 1)².
        let model = Quadratic {
            mean: [0.0, 0.0],
            s: 0.5,
        };
        let grid = normalise_on_grid(&model, (-1.0, 1.0), 300, &device);
        // Φ(2) = 0.977249868, so the inside share is (0.954499736)².
        let inside = 0.954_499_736f64.powi(2);
        // The grid only reaches 3 sd: its total misses 1 - (0.9973)² of the true mass, so
        // compare with the grid's own normalisation: inside / (2Φ(3) - 1)².
        let on_grid = inside / 0.997_300_204f64.powi(2);
        assert!(
            (grid.mass_outside - (1.0 - on_grid)).abs() < 1e-4,
            "{} vs {}",
            grid.mass_outside,
            1.0 - on_grid
        );
    }
}
