//! Unpaired translation data in the CycleGAN layout: `ROOT/trainA`, `ROOT/trainB`,
//! `ROOT/testA`, `ROOT/testB`, each a folder of PNG or JPEG images. Every image is decoded to
//! RGB, scaled to `[0, 1]` and stored channel-first; all images of one dataset share one size.

use std::path::{Path, PathBuf};

use super::dataset::{Dataset, ItemShape};
use super::error::DataError;

/// The four folders of a CycleGAN-layout dataset.
#[derive(Debug, Clone)]
pub struct TwoDomain {
    /// Domain A's training images (`trainA/`).
    pub train_a: Dataset,
    /// Domain B's training images (`trainB/`).
    pub train_b: Dataset,
    /// Domain A's test images (`testA/`).
    pub test_a: Dataset,
    /// Domain B's test images (`testB/`).
    pub test_b: Dataset,
    /// File names of the test images, in dataset order (translations keep them).
    pub test_a_names: Vec<String>,
    /// File names of `testB/`, to pair translations with their targets by name.
    pub test_b_names: Vec<String>,
}

/// The most pixels one image may have: 4096 x 4096, sixteen times the translation papers'
/// 256 x 256 and 200 MB as channel-first floats; a larger header is refused before decoding.
pub const MAX_IMAGE_PIXELS: u64 = 4096 * 4096;

fn is_image(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("png" | "jpg" | "jpeg")
    )
}

/// The PNG/JPEG files of `dir`, sorted by name so that loading is deterministic.
pub fn list_images(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            DataError::NotFound {
                path: dir.to_path_buf(),
                hint: "expected a folder of PNG or JPEG images".to_string(),
            }
        } else {
            DataError::io(dir, e)
        }
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| DataError::io(dir, e))?.path();
        if path.is_file() && is_image(&path) {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(DataError::EmptyFolder {
            path: dir.to_path_buf(),
        });
    }
    Ok(files)
}

/// Decodes one image to channel-first RGB in `[0, 1]`, checking its size when one is given.
pub fn load_image(
    path: &Path,
    size: Option<(u32, u32)>,
) -> Result<(Vec<f32>, u32, u32), DataError> {
    load_image_channels(path, size, 3)
}

/// Decodes one image to `channels` channel-first values in `[0, 1]` (3: RGB; 1: grey levels,
/// for colour files the Rec. 709 luma `0.2126 R + 0.7152 G + 0.0722 B` rounded to 8 bits, as
/// the file saved in grey would hold), checking its size when one is given.
pub fn load_image_channels(
    path: &Path,
    size: Option<(u32, u32)>,
    channels: usize,
) -> Result<(Vec<f32>, u32, u32), DataError> {
    assert!(
        matches!(channels, 1 | 3),
        "images are decoded to 1 or 3 channels, not {channels}"
    );
    let unreadable = |e: &dyn std::fmt::Display| DataError::UnreadableImage {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let open = || -> Result<image::ImageReader<_>, DataError> {
        image::ImageReader::open(path)
            .map_err(|e| DataError::io(path, e))?
            .with_guessed_format()
            .map_err(|e| DataError::io(path, e))
    };
    // The size comes from the header alone, so a small file announcing a huge image is refused
    // before anything is decoded.
    let (w, h) = open()?.into_dimensions().map_err(|e| unreadable(&e))?;
    if let Some((ew, eh)) = size
        && (w, h) != (ew, eh)
    {
        return Err(DataError::WrongImageSize {
            path: path.to_path_buf(),
            found_w: w,
            found_h: h,
            expected_w: ew,
            expected_h: eh,
        });
    }
    if w as u64 * h as u64 > MAX_IMAGE_PIXELS {
        return Err(unreadable(&format_args!(
            "{w}x{h} pixels is more than the {MAX_IMAGE_PIXELS} an image may have here"
        )));
    }
    let mut reader = open()?;
    // The decoder's own allocation limit, for a header that lies about the size.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(16 * MAX_IMAGE_PIXELS);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| unreadable(&e))?;
    if (img.width(), img.height()) != (w, h) {
        return Err(unreadable(&format_args!(
            "decoded {}x{} where the header said {w}x{h}",
            img.width(),
            img.height()
        )));
    }
    let rgb = img.to_rgb8();
    if channels == 1 {
        // Integer weights summing to 10,000, so that grey pixels keep their level exactly.
        let luma = |[r, g, b]: [u8; 3]| {
            (2126 * r as u32 + 7152 * g as u32 + 722 * b as u32 + 5000) / 10000
        };
        let grey = rgb.pixels().map(|p| luma(p.0) as f32 / 255.0).collect();
        return Ok((grey, w, h));
    }
    let plane = (w * h) as usize;
    let mut chw = vec![0f32; 3 * plane];
    for (i, px) in rgb.pixels().enumerate() {
        for c in 0..3 {
            chw[c * plane + i] = px.0[c] as f32 / 255.0;
        }
    }
    Ok((chw, w, h))
}

/// Loads every image of `dir` into one dataset. `size` forces `(width, height)`; without it
/// the first image's size is required of all the others.
pub fn load_image_dir(
    dir: &Path,
    name: &str,
    size: Option<(u32, u32)>,
) -> Result<(Dataset, Vec<String>), DataError> {
    let files = list_images(dir)?;
    let mut values = Vec::new();
    let mut names = Vec::with_capacity(files.len());
    let mut expected = size;
    for file in &files {
        let (chw, w, h) = load_image(file, expected)?;
        expected = Some((w, h));
        values.extend_from_slice(&chw);
        names.push(
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    }
    let (w, h) = expected.expect("at least one image was loaded");
    Ok((
        Dataset {
            name: name.to_string(),
            values,
            item_shape: ItemShape::Image {
                channels: 3,
                height: h as usize,
                width: w as usize,
            },
            labels: None,
        },
        names,
    ))
}

/// Loads a CycleGAN-layout folder; all four parts must share one image size.
pub fn load_two_domain(root: &Path, name: &str) -> Result<TwoDomain, DataError> {
    let (train_a, _) = load_image_dir(&root.join("trainA"), name, None)?;
    let size = match train_a.item_shape {
        ItemShape::Image { height, width, .. } => Some((width as u32, height as u32)),
        ItemShape::Vector { .. } => None,
    };
    let (train_b, _) = load_image_dir(&root.join("trainB"), name, size)?;
    let (test_a, test_a_names) = load_image_dir(&root.join("testA"), name, size)?;
    let (test_b, test_b_names) = load_image_dir(&root.join("testB"), name, size)?;
    Ok(TwoDomain {
        train_a,
        train_b,
        test_a,
        test_b,
        test_a_names,
        test_b_names,
    })
}
