//! Learning curves and 2-D scatter plots as PNG (plotters, drawing text with the DejaVu Sans
//! font shipped in `assets/`, so no system font library is needed).

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::run::atomic::write_atomic;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const WIDTH: u32 = 800;
const HEIGHT: u32 = 500;
const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// A named line of `(x, y)` points.
#[derive(Debug, Clone)]
pub struct Series {
    /// The legend's label.
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
}

fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in, so registration cannot fail on a valid build.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

fn plot_err<E: std::fmt::Display>(e: E) -> std::io::Error {
    std::io::Error::other(format!("plotting failed: {e}"))
}

fn save_rgb(path: &Path, buffer: Vec<u8>) -> std::io::Result<()> {
    let img =
        image::RgbImage::from_raw(WIDTH, HEIGHT, buffer).ok_or_else(|| plot_err("buffer size"))?;
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .map_err(plot_err)?;
    write_atomic(path, &bytes)
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

/// Draws line series against a shared x axis and writes a PNG.
pub fn line_plot(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> std::io::Result<()> {
    register();
    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (x0, x1) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
        let (y0, y1) = range(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        for (i, s) in series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied().filter(|p| p.1.is_finite()),
                    colour.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(s.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    save_rgb(path, buffer)
}

/// Draws point clouds in the plane (e.g. data and model samples of a 2-D density).
pub fn scatter_plot(
    path: &Path,
    title: &str,
    bounds: (f64, f64),
    clouds: &[(String, Vec<[f64; 2]>)],
) -> std::io::Result<()> {
    register();
    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(bounds.0..bounds.1, bounds.0..bounds.1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        for (i, (name, points)) in clouds.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new((p[0], p[1]), 2, colour.mix(0.5).filled())),
                )
                .map_err(plot_err)?
                .label(name.clone())
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    save_rgb(path, buffer)
}

/// A vector field sampled at points: each arrow starts at `from` and has direction `vector`.
#[derive(Debug, Clone)]
pub struct VectorField {
    /// The legend's label.
    pub name: String,
    /// `(from, vector)` pairs.
    pub arrows: Vec<([f64; 2], [f64; 2])>,
}

/// Draws vector fields side by side, one panel each, over the square `bounds`. Each field's
/// arrows are scaled so that its longest is 0.8 grid spacings (`spacing`), so that fields of
/// different magnitudes can be compared by direction and relative length.
pub fn vector_fields_plot(
    path: &Path,
    title: &str,
    bounds: (f64, f64),
    spacing: f64,
    fields: &[VectorField],
) -> std::io::Result<()> {
    register();
    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let root = root.titled(title, ("sans-serif", 22)).map_err(plot_err)?;
        let panels = root.split_evenly((1, fields.len().max(1)));
        for (i, (field, panel)) in fields.iter().zip(&panels).enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let mut chart = ChartBuilder::on(panel)
                .caption(&field.name, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(40)
                .build_cartesian_2d(bounds.0..bounds.1, bounds.0..bounds.1)
                .map_err(plot_err)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(plot_err)?;
            let longest = field
                .arrows
                .iter()
                .map(|(_, v)| v[0].hypot(v[1]))
                .filter(|l| l.is_finite())
                .fold(0.0, f64::max);
            let scale = if longest > 0.0 {
                0.8 * spacing / longest
            } else {
                0.0
            };
            for (from, v) in &field.arrows {
                let to = (from[0] + scale * v[0], from[1] + scale * v[1]);
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(from[0], from[1]), to],
                        colour.stroke_width(1),
                    )))
                    .map_err(plot_err)?;
                chart
                    .draw_series(std::iter::once(Circle::new(to, 1, colour.filled())))
                    .map_err(plot_err)?;
            }
        }
        root.present().map_err(plot_err)?;
    }
    save_rgb(path, buffer)
}

/// A scalar field on a square grid: `values[i * resolution + j]` at cell row `i` (from the
/// bottom, `y`) and column `j` (`x`), over `[extent.0, extent.1]²`.
#[derive(Debug, Clone)]
pub struct GridField<'a> {
    /// The square's lower and upper bound, on both axes.
    pub extent: (f64, f64),
    /// Cells per side.
    pub resolution: usize,
    /// `resolution²` values, row-major from the bottom row.
    pub values: &'a [f64],
}

/// A dark-to-bright colour for `t` in [0, 1] (blue through green to yellow, close to viridis).
fn heat_colour(t: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [68.0, 1.0, 84.0]),
        (0.25, [59.0, 82.0, 139.0]),
        (0.5, [33.0, 145.0, 140.0]),
        (0.75, [94.0, 201.0, 98.0]),
        (1.0, [253.0, 231.0, 37.0]),
    ];
    let t = t.clamp(0.0, 1.0);
    let k = STOPS
        .windows(2)
        .position(|w| t <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((t0, c0), (t1, c1)) = (STOPS[k], STOPS[k + 1]);
    let f = (t - t0) / (t1 - t0);
    let mix = |i: usize| (c0[i] + f * (c1[i] - c0[i])).round() as u8;
    RGBColor(mix(0), mix(1), mix(2))
}

/// Draws `field` as a heat map, values below `max - range` shown at the darkest colour (a log
/// density spans hundreds of nats; the top `range` are where the mass is), with `points` on top
/// in white.
pub fn heatmap_plot(
    path: &Path,
    title: &str,
    field: &GridField,
    range: f64,
    points: &[[f64; 2]],
) -> std::io::Result<()> {
    register();
    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        // A square plot: the title row plus a square of side HEIGHT - title, centred.
        let side = (HEIGHT - 40) as i32;
        let pad = (WIDTH as i32 - side) / 2;
        let area = root.margin(0, 0, pad, pad);
        let (lo, hi) = field.extent;
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(lo..hi, lo..hi)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(plot_err)?;
        let n = field.resolution;
        let max = field
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::NEG_INFINITY, f64::max);
        let h = (hi - lo) / n as f64;
        chart
            .draw_series((0..n * n).map(|k| {
                let (i, j) = (k / n, k % n);
                let (x, y) = (lo + j as f64 * h, lo + i as f64 * h);
                let t = 1.0 + (field.values[k] - max) / range;
                Rectangle::new([(x, y), (x + h, y + h)], heat_colour(t).filled())
            }))
            .map_err(plot_err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p[0] > lo && p[0] < hi && p[1] > lo && p[1] < hi)
                    .map(|p| Circle::new((p[0], p[1]), 1, WHITE.mix(0.7).filled())),
            )
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    save_rgb(path, buffer)
}
