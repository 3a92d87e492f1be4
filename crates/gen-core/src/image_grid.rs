//! Sample grids as PNG: images side by side with a thin border, small images enlarged by an
//! integer factor so that 8x8 digits are visible.

use std::path::Path;

use image::{ImageBuffer, Rgb};

use crate::data::ItemShape;
use crate::run::atomic::write_atomic;

/// Gap between images, in output pixels.
const GAP: u32 = 2;
/// Images smaller than this many pixels on a side are enlarged by an integer factor.
const MIN_CELL: usize = 48;

/// Why a grid could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GridError {
    #[error("cannot draw a grid of {0:?}: only images can be drawn as a grid")]
    /// The data are points, not images.
    NotImages(ItemShape),
    #[error("{values} values do not hold {count} images of {item} values")]
    /// Fewer or more values than the images asked for.
    SizeMismatch {
        /// Values given.
        values: usize,
        /// Images asked for.
        count: usize,
        /// Values per image.
        item: usize,
    },
    #[error("{path}: {error}")]
    /// The file could not be written.
    Io {
        /// The file.
        path: String,
        /// Shown in the message, not as a separate cause: a chain printed with `{:#}` would
        /// repeat it ("No such file...: No such file...").
        error: std::io::Error,
    },
    #[error("image encoding failed: {0}")]
    /// The PNG encoder failed.
    Encode(String),
}

/// Renders `values` (`count` channel-first images in `[0, 1]`) into an RGB grid `cols` wide.
pub fn render_grid(
    values: &[f32],
    shape: ItemShape,
    cols: usize,
) -> Result<ImageBuffer<Rgb<u8>, Vec<u8>>, GridError> {
    let ItemShape::Image {
        channels,
        height,
        width,
    } = shape
    else {
        return Err(GridError::NotImages(shape));
    };
    let item = shape.len();
    if item == 0 || !values.len().is_multiple_of(item) || values.is_empty() {
        return Err(GridError::SizeMismatch {
            values: values.len(),
            count: values.len() / item.max(1),
            item,
        });
    }
    let count = values.len() / item;
    let cols = cols.clamp(1, count);
    let rows = count.div_ceil(cols);
    let scale = MIN_CELL.div_ceil(height.max(width)).max(1) as u32;
    let (cw, ch) = (width as u32 * scale, height as u32 * scale);
    let mut img = ImageBuffer::from_pixel(
        cols as u32 * (cw + GAP) + GAP,
        rows as u32 * (ch + GAP) + GAP,
        Rgb([96u8, 96, 96]),
    );
    let plane = height * width;
    let to_u8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    for k in 0..count {
        let img_values = &values[k * item..(k + 1) * item];
        let (ox, oy) = (
            GAP + (k % cols) as u32 * (cw + GAP),
            GAP + (k / cols) as u32 * (ch + GAP),
        );
        for y in 0..height {
            for x in 0..width {
                let p = y * width + x;
                let rgb = if channels >= 3 {
                    [
                        to_u8(img_values[p]),
                        to_u8(img_values[plane + p]),
                        to_u8(img_values[2 * plane + p]),
                    ]
                } else {
                    let g = to_u8(img_values[p]);
                    [g, g, g]
                };
                for dy in 0..scale {
                    for dx in 0..scale {
                        img.put_pixel(
                            ox + x as u32 * scale + dx,
                            oy + y as u32 * scale + dy,
                            Rgb(rgb),
                        );
                    }
                }
            }
        }
    }
    Ok(img)
}

/// Writes a grid PNG atomically.
pub fn write_grid(
    path: &Path,
    values: &[f32],
    shape: ItemShape,
    cols: usize,
) -> Result<(), GridError> {
    let img = render_grid(values, shape, cols)?;
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )
    .map_err(|e| GridError::Encode(e.to_string()))?;
    write_atomic(path, &bytes).map_err(|e| GridError::Io {
        path: path.display().to_string(),
        error: e,
    })
}

/// The usual number of columns for `n` images: a near-square grid.
pub fn default_cols(n: usize) -> usize {
    (n as f64).sqrt().ceil().max(1.0) as usize
}
