//! Every kind of bad input gives an error naming the file and the problem, never a panic.

use std::io::Write;
use std::path::Path;

use gen_core::data::error::DataError;
use gen_core::data::idx::{encode_idx, load_idx_folder, read_idx_images, read_idx_labels};
use gen_core::data::image_folder::{load_image_dir, load_two_domain};

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A tiny MNIST-layout folder: `n` images of 3x2 pixels and `labels` labels.
fn mnist_like(dir: &Path, n: usize, labels: usize) {
    for prefix in ["train", "t10k"] {
        let pixels: Vec<u8> = (0..n * 6).map(|i| (i * 37 % 256) as u8).collect();
        write(
            &dir.join(format!("{prefix}-images-idx3-ubyte.gz")),
            &gzip(&encode_idx(&[n, 3, 2], &pixels)),
        );
        let labs: Vec<u8> = (0..labels).map(|i| (i % 10) as u8).collect();
        write(
            &dir.join(format!("{prefix}-labels-idx1-ubyte")),
            &encode_idx(&[labels], &labs),
        );
    }
}

fn message(e: &DataError) -> String {
    e.to_string()
}

#[test]
fn idx_reads_the_count_from_the_header_gzipped_or_not() {
    let dir = tempfile::tempdir().unwrap();
    mnist_like(dir.path(), 5, 5);
    let splits = load_idx_folder(dir.path(), "tiny").unwrap();
    assert_eq!(splits.train.len(), 5);
    assert_eq!(splits.train.dim(), 6);
    // Pixel 7 is 7*37 % 256 = 3, scaled by 1/255.
    assert!((splits.train.values[7] - 3.0 / 255.0).abs() < 1e-7);
    assert_eq!(splits.test.labels.as_ref().unwrap(), &vec![0, 1, 2, 3, 4]);
}

#[test]
fn wrong_magic_is_reported_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad-images");
    let mut bytes = encode_idx(&[1, 2, 2], &[0, 1, 2, 3]);
    bytes[3] = 0x02; // a label-style header where images are expected
    write(&path, &bytes);
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(err, DataError::WrongMagic { found: 0x0802, .. }),
        "{err}"
    );
    assert!(message(&err).contains("bad-images"), "{err}");
}

#[test]
fn truncated_data_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.gz");
    let bytes = encode_idx(&[4, 2, 2], &[7u8; 16]);
    write(&path, &gzip(&bytes[..bytes.len() - 3]));
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 16,
                found: 13,
                ..
            }
        ),
        "{err}"
    );
    assert!(message(&err).contains("short.gz"));
}

#[test]
fn truncated_header_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("header");
    write(&path, &[0, 0, 8, 3, 0, 0]);
    let err = read_idx_images(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::Truncated {
                expected: 16,
                found: 6,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn header_count_that_does_not_match_the_bytes_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels");
    // Header says 3 labels, 5 follow.
    let mut bytes = encode_idx(&[3], &[1, 2, 3]);
    bytes.extend_from_slice(&[4, 5]);
    write(&path, &bytes);
    let err = read_idx_labels(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CountMismatch {
                header: 3,
                found: 5,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn label_file_of_another_length_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    mnist_like(dir.path(), 5, 4);
    let err = load_idx_folder(dir.path(), "tiny").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LabelCountMismatch {
                labels: 4,
                images: 5,
                ..
            }
        ),
        "{err}"
    );
    assert!(message(&err).contains("train-labels-idx1-ubyte"), "{err}");
}

#[test]
fn corrupt_gzip_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.gz");
    let mut bytes = gzip(&encode_idx(&[2, 2, 2], &[1u8; 8]));
    let n = bytes.len();
    bytes.truncate(n / 2);
    write(&path, &bytes);
    let err = read_idx_images(&path).unwrap_err();
    assert!(matches!(err, DataError::Malformed { .. }), "{err}");
    assert!(message(&err).contains("broken.gz"));
}

#[test]
fn missing_mnist_folder_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_idx_folder(&dir.path().join("mnist"), "mnist").unwrap_err();
    assert!(matches!(err, DataError::NotFound { .. }), "{err}");
    assert!(message(&err).contains("xtask download"), "{err}");
}

fn png(path: &Path, w: u32, h: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8 * 10, y as u8 * 10, 200]))
        .save(path)
        .unwrap();
}

#[test]
fn image_folder_loads_channel_first_rgb() {
    let dir = tempfile::tempdir().unwrap();
    png(&dir.path().join("b.png"), 4, 3);
    png(&dir.path().join("a.png"), 4, 3);
    let (ds, names) = load_image_dir(dir.path(), "x", None).unwrap();
    assert_eq!(names, vec!["a.png", "b.png"]);
    assert_eq!(ds.len(), 2);
    // Red channel of pixel (x=2, y=1) is 20, blue channel plane holds 200.
    assert!((ds.item(0)[4 + 2] - 20.0 / 255.0).abs() < 1e-6);
    assert!((ds.item(0)[2 * 12] - 200.0 / 255.0).abs() < 1e-6);
}

#[test]
fn unreadable_image_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    png(&dir.path().join("good.png"), 4, 4);
    write(&dir.path().join("junk.png"), b"this is not a png");
    let err = load_image_dir(dir.path(), "x", None).unwrap_err();
    assert!(matches!(err, DataError::UnreadableImage { .. }), "{err}");
    assert!(message(&err).contains("junk.png"), "{err}");
}

#[test]
fn wrongly_sized_image_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    png(&dir.path().join("a.png"), 4, 4);
    png(&dir.path().join("b.png"), 5, 4);
    let err = load_image_dir(dir.path(), "x", None).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::WrongImageSize {
                found_w: 5,
                found_h: 4,
                expected_w: 4,
                expected_h: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(message(&err).contains("b.png"));
}

#[test]
fn empty_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    for part in ["trainA", "trainB", "testA", "testB"] {
        std::fs::create_dir_all(dir.path().join(part)).unwrap();
    }
    png(&dir.path().join("trainA/x.png"), 4, 4);
    let err = load_two_domain(dir.path(), "x").unwrap_err();
    assert!(matches!(err, DataError::EmptyFolder { .. }), "{err}");
    assert!(message(&err).contains("trainB"), "{err}");
}

#[test]
fn two_domain_parts_must_share_one_size() {
    let dir = tempfile::tempdir().unwrap();
    png(&dir.path().join("trainA/x.png"), 4, 4);
    png(&dir.path().join("trainB/x.png"), 4, 4);
    png(&dir.path().join("testA/x.png"), 4, 4);
    png(&dir.path().join("testB/x.png"), 8, 8);
    let err = load_two_domain(dir.path(), "x").unwrap_err();
    assert!(matches!(err, DataError::WrongImageSize { .. }), "{err}");
    assert!(message(&err).contains("testB"), "{err}");
}

#[test]
fn unknown_dataset_name_lists_the_known_ones() {
    let err = gen_core::data::load("no-such-set", Path::new("/nonexistent")).unwrap_err();
    let text = message(&err);
    assert!(
        text.contains("no-such-set") && text.contains("digits") && text.contains("mnist"),
        "{text}"
    );
}

#[test]
fn an_idx_header_with_a_zero_size_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, dims) in [("rows", [3usize, 0, 2]), ("count", [0, 2, 2])] {
        let path = dir.path().join(name);
        write(&path, &encode_idx(&dims, &[]));
        let err = read_idx_images(&path).unwrap_err();
        assert!(matches!(err, DataError::Malformed { .. }), "{err}");
        assert!(message(&err).contains("zero"), "{err}");
    }
}

#[test]
fn an_idx_header_announcing_more_than_the_cap_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.gz");
    // 65535 x 65535 x 65535 bytes announced, a few bytes present.
    let mut bytes = encode_idx(&[65535, 65535, 65535], &[]);
    bytes.extend_from_slice(&[1, 2, 3]);
    write(&path, &gzip(&bytes));
    let err = read_idx_images(&path).unwrap_err();
    assert!(message(&err).contains("more than the"), "{err}");
}

#[test]
fn a_gzip_stream_longer_than_its_header_is_counted_not_kept() {
    // A header of 2 labels, then 3 MB of zeros that gzip packs into a few kB: the reader keeps
    // 2 bytes and counts the rest for the message (it used to inflate all of it first).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.gz");
    let mut bytes = encode_idx(&[2], &[1, 2]);
    bytes.resize(bytes.len() + (3 << 20), 0);
    let packed = gzip(&bytes);
    assert!(packed.len() < 64 << 10);
    write(&path, &packed);
    let err = read_idx_labels(&path).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::CountMismatch {
                header: 2,
                found: 3_145_730,
                ..
            }
        ),
        "{err}"
    );
}

/// A valid PNG of `w` x `h` pixels whose header then says `fake_w` x `fake_h` (CRC fixed), as
/// a small hostile file would.
fn png_claiming(path: &Path, fake_w: u32, fake_h: u32) {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(4, 4, image::Rgb([9, 9, 9]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    // Signature (8), IHDR length (4), "IHDR" (4), width, height, 5 more bytes, CRC.
    bytes[16..20].copy_from_slice(&fake_w.to_be_bytes());
    bytes[20..24].copy_from_slice(&fake_h.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    write(path, &bytes);
}

#[test]
fn an_image_whose_header_is_too_large_is_refused_before_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    png_claiming(&path, 12000, 12000);
    let err = load_image_dir(dir.path(), "x", None).unwrap_err();
    assert!(matches!(err, DataError::UnreadableImage { .. }), "{err}");
    assert!(message(&err).contains("12000x12000"), "{err}");
    // Within the cap but lying about its size: the decoder's limit or its data says so.
    let lying = dir.path().join("lying");
    png_claiming(&lying.join("a.png"), 2000, 2000);
    let err = load_image_dir(&lying, "x", None).unwrap_err();
    assert!(matches!(err, DataError::UnreadableImage { .. }), "{err}");
}

#[test]
fn an_npy_shape_whose_product_overflows_is_an_error() {
    let bytes = gen_core::npy::encode_npy(&[2], &[1.0, 2.0]);
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    let (small, huge) = ("(2,)", "(4294967296, 4294967296, 8)");
    // The same header length: the padding gives up as many spaces as the shape gains.
    let fake =
        header
            .replacen(small, huge, 1)
            .replacen(&" ".repeat(huge.len() - small.len()), "", 1);
    assert_eq!(fake.len(), header_len);
    let mut bytes = bytes[..10].to_vec();
    bytes.extend_from_slice(fake.as_bytes());
    bytes.extend_from_slice(&[0; 8]);
    let err = gen_core::npy::decode_npy(&bytes).unwrap_err().to_string();
    assert!(err.contains("overflows"), "{err}");
    let too_long = gen_core::npy::encode_npy(&[2], &[1.0, 2.0]);
    let err = gen_core::npy::decode_npy(&too_long[..too_long.len() - 1])
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs 8 data bytes, found 7"), "{err}");
}
