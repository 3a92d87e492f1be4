//! One image written at its own size, without the grids' borders or enlargement: what
//! `gen translate` writes for each input image.

use std::path::Path;

use image::{ImageBuffer, ImageFormat, Rgb};

use crate::image_grid::GridError;
use crate::run::atomic::write_atomic;

/// Writes the channel-first image `values` (1 or 3 channels of `height x width`, in `[0, 1]`)
/// atomically to `path`, encoded as its extension names (PNG or JPEG).
pub fn write_image(
    path: &Path,
    values: &[f32],
    [channels, height, width]: [usize; 3],
) -> Result<(), GridError> {
    let plane = height * width;
    if !matches!(channels, 1 | 3) || values.len() != channels * plane || plane == 0 {
        return Err(GridError::SizeMismatch {
            values: values.len(),
            count: 1,
            item: channels * plane,
        });
    }
    let format = ImageFormat::from_path(path).map_err(|e| GridError::Encode(e.to_string()))?;
    let to_u8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let img = ImageBuffer::from_fn(width as u32, height as u32, |x, y| {
        let p = y as usize * width + x as usize;
        let channel = |c: usize| to_u8(values[if channels == 3 { c * plane + p } else { p }]);
        Rgb([channel(0), channel(1), channel(2)])
    });
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .map_err(|e| GridError::Encode(e.to_string()))?;
    write_atomic(path, &bytes).map_err(|e| GridError::Io {
        path: path.display().to_string(),
        error: e,
    })
}
