//! A single image written by `write_image` reads back as the same pixels, at its own size.

use gen_core::data::image_folder::load_image;
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
