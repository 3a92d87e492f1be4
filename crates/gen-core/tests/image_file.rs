//! A single image written by `write_image` reads back as the same pixels, at its own size.

use gen_core::data::image_folder::{load_image, load_image_channels};
use gen_core::image_file::write_image;

#[test]
fn written_images_read_back_at_their_own_size() {
    let dir = tempfile::tempdir().unwrap();
    let (h, w) = (3usize, 5usize);
    let plane = h * w;
    let values: Vec<f32> = (0..3 * plane)
        .map(|i| i as f32 / (3 * plane) as f32)
        .collect();
    let path = dir.path().join("x.png");
    write_image(&path, &values, [3, h, w]).unwrap();
    let (back, bw, bh) = load_image(&path, None).unwrap();
    assert_eq!((bw as usize, bh as usize), (w, h));
    for (a, b) in values.iter().zip(&back) {
        assert!((a - b).abs() <= 0.5 / 255.0 + 1e-6, "{a} vs {b}");
    }
    // Grey images are written as three equal channels.
    let grey: Vec<f32> = (0..plane).map(|i| i as f32 / plane as f32).collect();
    write_image(&path, &grey, [1, h, w]).unwrap();
    let (back, _, _) = load_image(&path, None).unwrap();
    for c in 0..3 {
        for (a, b) in grey.iter().zip(&back[c * plane..(c + 1) * plane]) {
            assert!((a - b).abs() <= 0.5 / 255.0 + 1e-6);
        }
    }
    // A JPEG name gives a JPEG file; a size that does not fit the values is refused.
    let jpeg = dir.path().join("x.jpg");
    write_image(&jpeg, &values, [3, h, w]).unwrap();
    assert_eq!(&std::fs::read(&jpeg).unwrap()[..2], &[0xFF, 0xD8]);
    assert!(write_image(&path, &values, [3, h, w + 1]).is_err());
    assert!(write_image(&dir.path().join("x.unknown"), &values, [3, h, w]).is_err());
}

#[test]
fn images_read_as_one_channel_give_grey_levels_or_the_luma_of_colours() {
    let dir = tempfile::tempdir().unwrap();
    let (h, w) = (2usize, 3usize);
    let grey: Vec<f32> = (0..h * w).map(|i| i as f32 / 6.0).collect();
    let path = dir.path().join("g.png");
    write_image(&path, &grey, [1, h, w]).unwrap();
    let (back, bw, bh) = load_image_channels(&path, None, 1).unwrap();
    assert_eq!((bw as usize, bh as usize, back.len()), (w, h, h * w));
    for (a, b) in grey.iter().zip(&back) {
        assert!((a - b).abs() <= 0.5 / 255.0 + 1e-6, "{a} vs {b}");
    }
    // One colour pixel (200, 100, 50): Rec. 709 luma 0.2126·200 + 0.7152·100 + 0.0722·50 =
    // 117.65, rounded to the 8-bit level 118.
    let colour = dir.path().join("c.png");
    image::RgbImage::from_pixel(1, 1, image::Rgb([200, 100, 50]))
        .save(&colour)
        .unwrap();
    let (v, _, _) = load_image_channels(&colour, None, 1).unwrap();
    assert_eq!(v, vec![118.0 / 255.0]);
    assert!(load_image_channels(&colour, Some((2, 1)), 1).is_err());
}
