//! The readers of files a user may hand `gen` (IDX data, `.npy` arrays, an image pool's state,
//! a checkpoint folder), driven by proptest over random and mutated inputs: none panics, and
//! none allocates more than a small multiple of the bytes it was given (the sizes a header
//! announces are claims, checked before any allocation). Each property runs a fixed number of
//! cases, so the file takes seconds in CI.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use gen_core::data::idx::{encode_idx, read_idx_images, read_idx_labels};
use gen_core::npy::{decode_npy, encode_npy};
use gen_core::run::{Checkpoint, CheckpointStore};
use gen_i2i::pool::ImagePool;
use proptest::prelude::*;

/// Counts the bytes each thread holds and the most it held since the last reset: the
/// properties measure one reader call on their own thread.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn add(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(bytes);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn remove(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        remove(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size);
        remove(layout.size());
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes `f` held at once beyond what was held before it ran, and its result.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let out = f();
    (out, PEAK.with(Cell::get) - before)
}

/// Fixed costs of a read whatever its input: buffered readers (8 KiB), the inflater's window
/// and tables (under 64 KiB), error messages, the path.
const OVERHEAD: usize = 256 << 10;
/// The "small factor": a vector grown by doubling holds at most twice its contents, once more
/// while it is copied into its final place.
const FACTOR: usize = 4;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn inflated_len(bytes: &[u8]) -> usize {
    let mut out = 0usize;
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut buf = [0u8; 4096];
    while let Ok(n) = std::io::Read::read(&mut decoder, &mut buf) {
        if n == 0 {
            break;
        }
        out += n;
    }
    out
}

/// A valid IDX file of small random sizes, then `edits` (offset, value) written over it: most
/// land in the header, where a lie costs the most.
fn mutated_idx() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (
        1usize..4,
        1usize..6,
        1usize..6,
        proptest::collection::vec((0usize..24, any::<u8>()), 0..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(n, rows, cols, edits, labels, gzipped)| {
            let mut bytes = if labels {
                encode_idx(&[n], &vec![3; n])
            } else {
                encode_idx(&[n, rows, cols], &vec![7; n * rows * cols])
            };
            for (at, value) in edits {
                if at < bytes.len() {
                    bytes[at] = value;
                }
            }
            (if gzipped { gzip(&bytes) } else { bytes }, labels)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn idx_files_never_panic_or_over_allocate(
        (bytes, labels) in prop_oneof![
            mutated_idx(),
            (proptest::collection::vec(any::<u8>(), 0..64), any::<bool>()),
        ]
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file");
        std::fs::write(&path, &bytes).unwrap();
        let (result, peak) = peak_of(|| {
            if labels { read_idx_labels(&path) } else { read_idx_images(&path) }
        });
        let present = bytes.len().max(inflated_len(&bytes));
        prop_assert!(peak <= FACTOR * present + OVERHEAD, "{peak} bytes for {present}");
        if let Ok(array) = result {
            prop_assert_eq!(array.data.len(), array.dims.iter().product::<usize>());
            prop_assert!(array.dims.iter().all(|&d| d > 0));
        }
    }

    #[test]
    fn npy_arrays_never_panic_or_over_allocate(
        bytes in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            (proptest::collection::vec(1usize..5, 1..4), proptest::collection::vec((0usize..140, any::<u8>()), 0..6))
                .prop_map(|(shape, edits)| {
                    let n: usize = shape.iter().product();
                    let mut bytes = encode_npy(&shape, &vec![0.5; n]);
                    for (at, value) in edits {
                        if at < bytes.len() {
                            bytes[at] = value;
                        }
                    }
                    bytes
                }),
            // Shapes written as text: any digits, including products past usize.
            proptest::collection::vec(0u64..=u64::MAX, 1..4).prop_map(|dims| {
                let shape = dims.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
                let header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({shape},), }}\n");
                let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
                bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
                bytes.extend_from_slice(header.as_bytes());
                bytes.extend_from_slice(&[0; 16]);
                bytes
            }),
        ]
    ) {
        let (result, peak) = peak_of(|| decode_npy(&bytes));
        prop_assert!(peak <= FACTOR * bytes.len() + OVERHEAD, "{peak} bytes for {}", bytes.len());
        if let Ok((shape, values)) = result {
            prop_assert_eq!(values.len(), shape.iter().product::<usize>());
        }
    }

    #[test]
    fn pool_states_never_panic_or_over_allocate(
        words in proptest::collection::vec(prop_oneof![0u64..8, any::<u64>()], 5),
        body in proptest::collection::vec(any::<u8>(), 0..96),
    ) {
        let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        bytes.extend_from_slice(&body);
        let (result, peak) = peak_of(|| ImagePool::<Vec<f32>>::from_bytes(&bytes));
        prop_assert!(peak <= FACTOR * bytes.len() + OVERHEAD, "{peak} bytes for {}", bytes.len());
        if let Ok(pool) = result {
            prop_assert!(pool.len() <= pool.capacity());
            // A pool with images writes back the bytes it came from (an empty one writes width 0).
            if !pool.is_empty() {
                prop_assert_eq!(pool.to_bytes(), bytes);
            }
        }
    }

    #[test]
    fn checkpoint_folders_never_panic_or_over_allocate(
        state in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..80),
            (any::<u64>(), proptest::collection::vec("[a-z./_-]{0,12}", 0..4)).prop_map(|(step, names)| {
                serde_json::json!({"step": step, "epoch": 1, "state": {}, "blobs": names})
                    .to_string()
                    .into_bytes()
            }),
        ],
        blob in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::new(dir.path().join("checkpoints"));
        store.save(&Checkpoint {
            step: 3,
            epoch: 1,
            state: serde_json::json!({}),
            blobs: vec![("model".to_string(), blob.clone())],
        }).unwrap();
        let folder = dir.path().join("checkpoints/step-0000000003");
        std::fs::write(folder.join("state.json"), &state).unwrap();
        let present = state.len() + blob.len();
        let (result, peak) = peak_of(|| store.load(3));
        prop_assert!(peak <= FACTOR * present + OVERHEAD, "{peak} bytes for {present}");
        if let Ok(ckpt) = result {
            for (name, bytes) in &ckpt.blobs {
                prop_assert_eq!(name.as_str(), "model");
                prop_assert_eq!(bytes, &blob);
            }
        }
    }
}
