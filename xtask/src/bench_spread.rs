//! `cargo xtask bench --repeat N`: the spread of each row over repeated runs of the whole
//! benchmark set. On a shared machine one run's throughput moves by half within an hour
//! (docs/speed.md), so a single ratio can mislead. Each repetition measures `gen` and its
//! PyTorch baseline back to back, so each ratio is taken within one repetition; the table
//! gives the median and the range of both the throughput and the ratio.

use anyhow::{Result, bail};

use crate::bench::BenchRow;

/// One row over all repetitions.
#[derive(Debug, Clone)]
pub struct RowSpread {
    /// The row with its median throughput and median ratio.
    pub median: BenchRow,
    /// The lowest and highest throughput.
    pub throughput_range: (f64, f64),
    /// The lowest and highest ratio (NaN where the row has none).
    pub ratio_range: (f64, f64),
    /// How many repetitions measured it.
    pub repetitions: usize,
}

/// The median of `values` (the mean of the middle two for an even count); NaN when empty or
/// when any value is NaN (a row without a ratio).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if !sorted.len().is_multiple_of(2) {
        sorted[mid]
    } else {
        0.5 * (sorted[mid - 1] + sorted[mid])
    }
}

fn range(values: &[f64]) -> (f64, f64) {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return (f64::NAN, f64::NAN);
    }
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

/// Each row's spread over `repetitions` (every repetition the same rows in the same order,
/// else an error naming the first difference).
pub fn spread(repetitions: &[Vec<BenchRow>]) -> Result<Vec<RowSpread>> {
    let Some(first) = repetitions.first() else {
        bail!("no repetitions to summarise");
    };
    for (i, rows) in repetitions.iter().enumerate().skip(1) {
        let names = |rows: &[BenchRow]| -> Vec<(String, String)> {
            rows.iter()
                .map(|r| (r.backend.as_str().to_string(), r.name.clone()))
                .collect()
        };
        if names(rows) != names(first) {
            bail!(
                "repetition {} measured other rows than the first ({} against {} rows)",
                i + 1,
                rows.len(),
                first.len()
            );
        }
    }
    Ok((0..first.len())
        .map(|row| {
            let throughputs: Vec<f64> = repetitions.iter().map(|r| r[row].throughput).collect();
            let ratios: Vec<f64> = repetitions.iter().map(|r| r[row].ratio).collect();
            RowSpread {
                median: BenchRow {
                    throughput: median(&throughputs),
                    ratio: median(&ratios),
                    ..first[row].clone()
                },
                throughput_range: range(&throughputs),
                ratio_range: range(&ratios),
                repetitions: repetitions.len(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gen_core::backend::BackendName;

    fn row(name: &str, throughput: f64, ratio: f64) -> BenchRow {
        BenchRow {
            backend: BackendName::Flex,
            name: name.into(),
            throughput,
            unit: "steps/s",
            ratio,
        }
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert!(median(&[1.0, f64::NAN]).is_nan());
    }

    #[test]
    fn each_row_gets_its_median_and_range_and_ratios_stay_per_repetition() {
        // gen's step and PyTorch's, three repetitions on a machine whose speed moves: the
        // ratio's median is the median of the per-repetition ratios (1.5), not the ratio of
        // the medians (6 / 4).
        let reps = vec![
            vec![row("step", 4.0, 1.0), row("torch", 6.0, 1.5)],
            vec![row("step", 2.0, 1.0), row("torch", 4.0, 2.0)],
            vec![row("step", 5.0, 1.0), row("torch", 6.5, 1.3)],
        ];
        let s = spread(&reps).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].median.throughput, 4.0);
        assert_eq!(s[0].throughput_range, (2.0, 5.0));
        assert_eq!(s[1].median.throughput, 6.0);
        assert_eq!(s[1].median.ratio, 1.5);
        assert_eq!(s[1].ratio_range, (1.3, 2.0));
        assert_eq!(s[1].repetitions, 3);
    }

    #[test]
    fn repetitions_with_other_rows_are_refused() {
        let reps = vec![vec![row("step", 4.0, 1.0)], vec![row("other", 4.0, 1.0)]];
        assert!(spread(&reps).is_err());
        assert!(spread(&[]).is_err());
    }
}
