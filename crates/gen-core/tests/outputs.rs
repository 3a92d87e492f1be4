//! What runs write for people and other tools: PNG grids and plots, .npy and safetensors files,
//! each decoded again by an independent reader.

use gen_core::data::ItemShape;
use gen_core::image_grid::write_grid;
use gen_core::npy::{decode_npy, encode_npy, write_npy};
use gen_core::plot::{Series, line_plot, scatter_plot};
use gen_core::safetensors::{NamedTensor, write_safetensors};

#[test]
fn grid_png_holds_the_images() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.png");
    // Three 2x2 grey images: all black, all white, a diagonal.
    let values = [
        0.0, 0.0, 0.0, 0.0, //
        1.0, 1.0, 1.0, 1.0, //
        1.0, 0.0, 0.0, 1.0,
    ];
    let shape = ItemShape::Image {
        channels: 1,
        height: 2,
        width: 2,
    };
    write_grid(&path, &values, shape, 2).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    // 2x2 images enlarged 24x to 48 px cells, 2 px gaps, 2 columns and 2 rows.
    assert_eq!(img.dimensions(), (2 * 50 + 2, 2 * 50 + 2));
    let at = |x: u32, y: u32| img.get_pixel(x, y).0;
    assert_eq!(at(2, 2), [0, 0, 0]); // first image
    assert_eq!(at(52 + 10, 2 + 10), [255, 255, 255]); // second image
    assert_eq!(at(2 + 5, 52 + 5), [255, 255, 255]); // third image, top-left pixel
    assert_eq!(at(2 + 30, 52 + 5), [0, 0, 0]); // third image, top-right pixel
    assert_eq!(at(0, 0), [96, 96, 96]); // border
    // Points are not images.
    assert!(write_grid(&path, &values, ItemShape::Vector { dim: 2 }, 2).is_err());
}

#[test]
fn colour_grid_keeps_channels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rgb.png");
    // One 1x1 RGB image (0.2, 0.4, 0.6).
    write_grid(
        &path,
        &[0.2, 0.4, 0.6],
        ItemShape::Image {
            channels: 3,
            height: 1,
            width: 1,
        },
        1,
    )
    .unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(img.get_pixel(10, 10).0, [51, 102, 153]);
}

#[test]
fn plots_are_png_with_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("curve.png");
    let series = vec![
        Series {
            name: "train".into(),
            points: (0..50)
                .map(|i| (i as f64, (-(i as f64) / 10.0).exp()))
                .collect(),
        },
        Series {
            name: "test".into(),
            points: (0..50).map(|i| (i as f64, 0.5)).collect(),
        },
    ];
    line_plot(&path, "loss", "step", "loss", &series).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (800, 500));
    // The first series' colour (31, 119, 180) appears: the curve was drawn.
    assert!(img.pixels().filter(|p| p.0 == [31, 119, 180]).count() > 100);
    // Text was drawn: dark pixels exist outside the plotting area (labels, caption).
    assert!(
        img.pixels()
            .filter(|p| p.0[0] < 60 && p.0[1] < 60 && p.0[2] < 60)
            .count()
            > 200
    );

    let path = dir.path().join("scatter.png");
    scatter_plot(
        &path,
        "ring",
        (-2.5, 2.5),
        &[("data".into(), vec![[0.0, 0.0], [1.0, 1.0]])],
    )
    .unwrap();
    assert_eq!(
        image::open(&path).unwrap().to_rgb8().dimensions(),
        (800, 500)
    );
}

#[test]
fn npy_matches_numpy_layout() {
    let bytes = encode_npy(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
    // numpy: magic, version 1.0, header length, dict padded so data starts at byte 64 or 128.
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0);
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
    assert!(header.ends_with('\n'));
    assert_eq!(&bytes[10 + header_len + 20..], &6.5f32.to_le_bytes());
    let (shape, values) = decode_npy(&bytes).unwrap();
    assert_eq!(shape, vec![2, 3]);
    assert_eq!(values[5], 6.5);
    let one_d = encode_npy(&[4], &[0.0; 4]);
    assert!(String::from_utf8_lossy(&one_d[..64]).contains("'shape': (4,)"));
    let dir = tempfile::tempdir().unwrap();
    write_npy(&dir.path().join("x.npy"), &[1], &[3.0]).unwrap();
    assert_eq!(
        decode_npy(&std::fs::read(dir.path().join("x.npy")).unwrap())
            .unwrap()
            .1,
        vec![3.0]
    );
}

#[test]
fn safetensors_load_with_the_reference_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    let tensors = vec![
        NamedTensor {
            name: "weights".into(),
            shape: vec![2, 3],
            values: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        },
        NamedTensor {
            name: "bias".into(),
            shape: vec![3],
            values: vec![-1.0, 0.5, 0.25],
        },
    ];
    write_safetensors(&path, &tensors).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let loaded = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let w = loaded.tensor("weights").unwrap();
    assert_eq!(w.shape(), &[2, 3]);
    assert_eq!(w.dtype(), safetensors::Dtype::F32);
    let values: Vec<f32> = w
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let b = loaded.tensor("bias").unwrap();
    let values: Vec<f32> = b
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(values, vec![-1.0, 0.5, 0.25]);
}
