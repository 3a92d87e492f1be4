//! The mode measures of the mixture-of-Gaussians benchmarks (`ring8`, `grid25`), as VEEGAN
//! (Srivastava et al. 2017) and PacGAN (Lin et al. 2018) report them: a sample is of high quality
//! when it lies within three standard deviations of the nearest mode centre; a mode is covered
//! when at least 20 high-quality samples are nearest to it (PacGAN's threshold, a fifth of the
//! 100 samples per mode that 2,500 samples give the 25-mode grid).

/// Samples each measure is taken on (VEEGAN, PacGAN).
pub const MODE_SAMPLES: usize = 2500;
/// High-quality samples a mode needs to count as covered (PacGAN).
pub const MODE_MIN_SAMPLES: usize = 20;
/// The high-quality radius in component standard deviations (VEEGAN, PacGAN).
pub const MODE_RADIUS_STDS: f64 = 3.0;

/// The mode measures of one set of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeCoverage {
    /// Modes with at least [`MODE_MIN_SAMPLES`] high-quality samples.
    pub covered: usize,
    /// Number of modes of the density.
    pub modes: usize,
    /// Share of samples within [`MODE_RADIUS_STDS`] standard deviations of their nearest mode.
    pub high_quality: f64,
    /// High-quality samples assigned to each mode, in the order of `modes`.
    pub per_mode: Vec<usize>,
}

/// The mode measures of 2-D `points` for a mixture with centres `modes` and component standard
/// deviation `std`.
pub fn mode_coverage(points: &[[f64; 2]], modes: &[[f64; 2]], std: f64) -> ModeCoverage {
    let radius2 = (MODE_RADIUS_STDS * std).powi(2);
    let mut per_mode = vec![0usize; modes.len()];
    let mut good = 0usize;
    for p in points {
        let nearest = modes
            .iter()
            .map(|m| (p[0] - m[0]).powi(2) + (p[1] - m[1]).powi(2))
            .enumerate()
            .fold((usize::MAX, f64::INFINITY), |(bi, bd), (i, d)| {
                if d < bd { (i, d) } else { (bi, bd) }
            });
        if nearest.1 <= radius2 {
            per_mode[nearest.0] += 1;
            good += 1;
        }
    }
    ModeCoverage {
        covered: per_mode.iter().filter(|&&c| c >= MODE_MIN_SAMPLES).count(),
        modes: modes.len(),
        high_quality: if points.is_empty() {
            0.0
        } else {
            good as f64 / points.len() as f64
        },
        per_mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_modes_by_hand() {
        let modes = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]];
        // 25 points at mode 0 (inside 3 std = 0.3), 19 at mode 1 (one short of covered), 6 far.
        let mut points = vec![[0.1, 0.2]; 25];
        points.extend(vec![[10.0, -0.29]; 19]);
        points.extend(vec![[5.0, 5.0]; 6]);
        let m = mode_coverage(&points, &modes, 0.1);
        assert_eq!(m.per_mode, vec![25, 19, 0]);
        assert_eq!(m.covered, 1);
        assert_eq!(m.modes, 3);
        assert!((m.high_quality - 44.0 / 50.0).abs() < 1e-12);
    }
}
