//! `cargo xtask download` against an HTTP server on 127.0.0.1 that serves fixture files: mirror
//! fallback, a corrupted file, a connection dropped mid-transfer and resumed, `--from DIR`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use md5::{Digest, Md5};
use xtask::download::{Checksum, DatasetSpec, Outcome, RemoteFile, fetch_dataset, import_file};

/// How the fixture server answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Serves the files, honouring Range requests.
    Good,
    /// Answers 404 to everything.
    Missing,
    /// Serves bytes that differ from the fixture.
    Corrupt,
    /// Sends the headers and half the body, then closes the connection (first request only).
    DropOnce,
}

struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `files` on a loopback port in `mode`. At most `max_requests` connections are handled,
/// after which the thread exits (so a test never leaves a server running).
fn serve(files: Vec<(String, Vec<u8>)>, mode: Mode, max_requests: usize) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/data/", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    let dropped = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_requests) {
            let Ok(stream) = stream else { continue };
            handle(stream, &files, mode, &log, &dropped);
        }
    });
    Server { base, requests }
}

fn handle(
    mut stream: TcpStream,
    files: &[(String, Vec<u8>)],
    mode: Mode,
    log: &Mutex<Vec<String>>,
    dropped: &AtomicUsize,
) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut range_start = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("range: bytes=") {
            range_start = v.trim().trim_end_matches('-').parse::<usize>().ok();
        }
    }
    log.lock()
        .unwrap()
        .push(format!("{} range={range_start:?}", request_line.trim()));
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let name = path.rsplit('/').next().unwrap_or("");
    let file = files.iter().find(|(n, _)| n == name);
    let Some((_, body)) = file.filter(|_| mode != Mode::Missing) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let mut body = body.clone();
    if mode == Mode::Corrupt {
        body[0] ^= 0xff;
    }
    let (status, slice) = match range_start {
        Some(start) if start < body.len() => ("206 Partial Content", body[start..].to_vec()),
        Some(_) => ("416 Range Not Satisfiable", Vec::new()),
        None => ("200 OK", body),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        slice.len()
    );
    let _ = stream.write_all(header.as_bytes());
    if mode == Mode::DropOnce && dropped.fetch_add(1, Ordering::SeqCst) == 0 {
        let _ = stream.write_all(&slice[..slice.len() / 2]);
        let _ = stream.flush();
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return;
    }
    let _ = stream.write_all(&slice);
    let mut sink = [0u8; 16];
    let _ = stream.read(&mut sink);
}

fn md5_hex(bytes: &[u8]) -> &'static str {
    let hex: String = Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Box::leak(hex.into_boxed_str())
}

/// Two fixture files (a small IDX image file and a label file, gzipped) and their spec.
fn fixtures(mirrors: Vec<String>) -> (Vec<(String, Vec<u8>)>, DatasetSpec) {
    let images = gen_core::data::idx::encode_idx(&[3, 4, 4], &(0..48u8).collect::<Vec<_>>());
    let labels = gen_core::data::idx::encode_idx(&[3], &[1, 2, 3]);
    let gz = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let files = vec![
        ("train-images-idx3-ubyte.gz".to_string(), gz(&images)),
        ("train-labels-idx1-ubyte.gz".to_string(), gz(&labels)),
    ];
    let spec = DatasetSpec {
        name: "tiny".into(),
        mirrors,
        files: files
            .iter()
            .map(|(n, b)| RemoteFile {
                name: n.clone(),
                checksum: Checksum::Md5(md5_hex(b)),
            })
            .collect(),
    };
    (files, spec)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn downloads_verify_and_fall_back_to_the_next_mirror() {
    let (files, _) = fixtures(vec![]);
    let missing = serve(files.clone(), Mode::Missing, 2);
    let good = serve(files.clone(), Mode::Good, 2);
    let (_, spec) = fixtures(vec![missing.base.clone(), good.base.clone()]);
    let data = tempfile::tempdir().unwrap();
    let outcomes = fetch_dataset(&spec, data.path(), None).unwrap();
    assert_eq!(
        outcomes[0].1,
        Outcome::Downloaded {
            mirror: good.base.clone()
        }
    );
    for (name, bytes) in &files {
        assert_eq!(
            &std::fs::read(data.path().join("tiny").join(name)).unwrap(),
            bytes
        );
    }
    assert_eq!(missing.requests.lock().unwrap().len(), 2);
    // The downloaded folder loads as an IDX dataset.
    let train =
        gen_core::data::idx::load_idx_split(&data.path().join("tiny"), "train", "tiny").unwrap();
    assert_eq!(train.len(), 3);
    // A second run finds the verified files and downloads nothing.
    let again = fetch_dataset(&spec, data.path(), None).unwrap();
    assert!(again.iter().all(|(_, o)| *o == Outcome::AlreadyPresent));
}

#[test]
fn a_corrupted_file_leaves_nothing_behind_and_names_the_digest() {
    let (files, _) = fixtures(vec![]);
    let bad = serve(files, Mode::Corrupt, 1);
    let (_, spec) = fixtures(vec![bad.base.clone()]);
    let data = tempfile::tempdir().unwrap();
    let err = fetch_dataset(&spec, data.path(), None).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("train-images-idx3-ubyte.gz") && text.contains("MD5 mismatch"),
        "{text}"
    );
    let expected = match spec.files[0].checksum {
        Checksum::Md5(h) | Checksum::Sha256(h) => h,
    };
    assert!(text.contains(expected), "{text}");
    assert!(
        leftovers(&data.path().join("tiny")).is_empty(),
        "{:?}",
        leftovers(&data.path().join("tiny"))
    );
}

#[test]
fn a_dropped_connection_is_resumed_by_the_next_run() {
    let (files, _) = fixtures(vec![]);
    let flaky = serve(files.clone(), Mode::DropOnce, 4);
    let (_, spec) = fixtures(vec![flaky.base.clone()]);
    let data = tempfile::tempdir().unwrap();
    let err = fetch_dataset(&spec, data.path(), None).unwrap_err();
    assert!(
        format!("{err:#}").contains("train-images-idx3-ubyte.gz"),
        "{err:#}"
    );
    let dir = data.path().join("tiny");
    // Only the partial file is there, never a final file with half the bytes.
    assert_eq!(
        leftovers(&dir),
        vec!["train-images-idx3-ubyte.gz.part".to_string()]
    );
    let half = std::fs::metadata(dir.join("train-images-idx3-ubyte.gz.part"))
        .unwrap()
        .len() as usize;
    assert_eq!(half, files[0].1.len() / 2);
    fetch_dataset(&spec, data.path(), None).unwrap();
    assert_eq!(
        std::fs::read(dir.join("train-images-idx3-ubyte.gz")).unwrap(),
        files[0].1
    );
    // The resume asked only for the missing bytes.
    let log = flaky.requests.lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|r| r.contains(&format!("range=Some({half})"))),
        "{log:?}"
    );
}

#[test]
fn import_from_a_folder_is_verified() {
    let (files, spec) = fixtures(vec![]);
    let src = tempfile::tempdir().unwrap();
    for (name, bytes) in &files {
        std::fs::write(src.path().join(name), bytes).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let outcomes = fetch_dataset(&spec, data.path(), Some(src.path())).unwrap();
    assert!(outcomes.iter().all(|(_, o)| *o == Outcome::Imported));
    // A tampered source file is refused and not copied.
    std::fs::write(src.path().join(&files[1].0), b"tampered").unwrap();
    let dest = tempfile::tempdir().unwrap();
    let err = import_file(&spec.files[1], src.path(), dest.path()).unwrap_err();
    assert!(format!("{err:#}").contains("MD5 mismatch"), "{err:#}");
    assert!(leftovers(dest.path()).is_empty());
}

#[test]
fn the_published_digests_are_well_formed() {
    for spec in xtask::download::known_datasets() {
        assert_eq!(spec.files.len(), 4, "{}", spec.name);
        assert!(
            spec.mirrors.len() >= 2,
            "{} needs a fallback mirror",
            spec.name
        );
        for f in &spec.files {
            let Checksum::Md5(h) = f.checksum else {
                panic!("{}: MD5 expected", f.name)
            };
            assert!(
                h.len() == 32 && h.chars().all(|c| c.is_ascii_hexdigit()),
                "{h}"
            );
        }
    }
    assert!(xtask::download::spec("cifar").is_err());
}

#[test]
fn digests_match_their_published_test_vectors() {
    // FIPS 180-2 and RFC 1321 test vectors for "abc".
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("abc");
    std::fs::write(&path, b"abc").unwrap();
    assert_eq!(
        Checksum::Md5("").compute(&path).unwrap(),
        "900150983cd24fb0d6963f7d28e17f72"
    );
    assert_eq!(
        Checksum::Sha256("").compute(&path).unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

/// A CycleGAN-layout archive `<name>.zip` holding `<name>/<part>/<i>.png` images of 8x8
/// (`parts` of them, 2 images each), plus a stray file outside the four folders.
fn cyclegan_zip(name: &str, parts: &[&str]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for part in parts {
        for i in 0..2u8 {
            let img = image::RgbImage::from_fn(8, 8, |x, y| {
                image::Rgb([x as u8 * 30, y as u8 * 30, i * 90])
            });
            let mut png = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .unwrap();
            zip.start_file(format!("{name}/{part}/{i}.png"), options)
                .unwrap();
            zip.write_all(&png).unwrap();
        }
    }
    zip.start_file(format!("{name}/README.txt"), options)
        .unwrap();
    zip.write_all(b"not an image").unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn a_cyclegan_archive_is_unpacked_checked_and_loadable() {
    use xtask::archive::{ArchiveOutcome, PARTS, fetch_archive};
    let bytes = cyclegan_zip("tiny2tiny", &PARTS);
    let server = serve(vec![("tiny2tiny.zip".into(), bytes)], Mode::Good, 4);
    let dir = tempfile::tempdir().unwrap();
    let outcome = fetch_archive("tiny2tiny", &server.base, dir.path(), None).unwrap();
    assert_eq!(
        outcome,
        ArchiveOutcome::Unpacked {
            counts: [2, 2, 2, 2]
        }
    );
    // Only the unpacked set remains: no archive, no partial or unpacking folder.
    assert_eq!(leftovers(dir.path()), ["tiny2tiny"]);
    assert!(!dir.path().join("tiny2tiny/README.txt").exists());
    // gen-core loads it as two domains.
    let domains =
        gen_core::data::image_folder::load_two_domain(&dir.path().join("tiny2tiny"), "tiny2tiny")
            .unwrap();
    assert_eq!((domains.train_a.len(), domains.test_b.len()), (2, 2));
    // A second run finds it complete and fetches nothing.
    let before = server.requests.lock().unwrap().len();
    let again = fetch_archive("tiny2tiny", &server.base, dir.path(), None).unwrap();
    assert_eq!(again, ArchiveOutcome::AlreadyPresent);
    assert_eq!(server.requests.lock().unwrap().len(), before);
}

#[test]
fn a_corrupt_or_incomplete_archive_leaves_nothing_behind() {
    use xtask::archive::fetch_archive;
    // One flipped byte inside the first entry's compressed data: its CRC-32 no longer matches.
    let mut corrupt = cyclegan_zip("bad", &xtask::archive::PARTS);
    corrupt[60] ^= 0xFF;
    let server = serve(vec![("bad.zip".into(), corrupt)], Mode::Good, 2);
    let dir = tempfile::tempdir().unwrap();
    let err = format!(
        "{:#}",
        fetch_archive("bad", &server.base, dir.path(), None).unwrap_err()
    );
    assert!(err.contains("not a usable CycleGAN archive"), "{err}");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    // An archive without testB names the missing folder.
    let server = serve(
        vec![(
            "half.zip".into(),
            cyclegan_zip("half", &["trainA", "trainB", "testA"]),
        )],
        Mode::Good,
        2,
    );
    let err = format!(
        "{:#}",
        fetch_archive("half", &server.base, dir.path(), None).unwrap_err()
    );
    assert!(err.contains("testB"), "{err}");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    // --from DIR takes the archive from a folder.
    let from = tempfile::tempdir().unwrap();
    std::fs::write(
        from.path().join("mine.zip"),
        cyclegan_zip("mine", &xtask::archive::PARTS),
    )
    .unwrap();
    fetch_archive("mine", "http://127.0.0.1:9/", dir.path(), Some(from.path())).unwrap();
    assert!(dir.path().join("mine/testB/1.png").is_file());
}

#[test]
fn an_archive_given_from_the_data_folder_itself_is_never_truncated_or_deleted() {
    use xtask::archive::fetch_archive;
    let dir = tempfile::tempdir().unwrap();
    // A bad archive already in the data folder, passed with `--from` that folder: it used to be
    // copied onto itself (truncated to nothing) and then deleted as unusable.
    let mut corrupt = cyclegan_zip("own", &xtask::archive::PARTS);
    corrupt[60] ^= 0xFF;
    std::fs::write(dir.path().join("own.zip"), &corrupt).unwrap();
    let err = format!(
        "{:#}",
        fetch_archive("own", "http://127.0.0.1:9/", dir.path(), Some(dir.path())).unwrap_err()
    );
    assert!(err.contains("left as it is"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("own.zip")).unwrap(), corrupt);
    // A good one in the same place unpacks and stays where the user put it.
    let good = cyclegan_zip("kept", &xtask::archive::PARTS);
    std::fs::write(dir.path().join("kept.zip"), &good).unwrap();
    fetch_archive("kept", "http://127.0.0.1:9/", dir.path(), Some(dir.path())).unwrap();
    assert!(dir.path().join("kept/testB/1.png").is_file());
    assert_eq!(std::fs::read(dir.path().join("kept.zip")).unwrap(), good);
}

#[test]
fn an_archive_entry_past_the_size_limit_is_refused() {
    use std::io::Write as _;
    use xtask::archive::{MAX_ENTRY_BYTES, fetch_archive};
    // One entry of MAX_ENTRY_BYTES + 1 zeros: a few kB deflated.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("big/trainA/0.png", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = MAX_ENTRY_BYTES + 1;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        zip.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 1 << 20);
    let from = tempfile::tempdir().unwrap();
    std::fs::write(from.path().join("big.zip"), &bytes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = format!(
        "{:#}",
        fetch_archive("big", "http://127.0.0.1:9/", dir.path(), Some(from.path())).unwrap_err()
    );
    assert!(err.contains("declares 67108865 bytes"), "{err}");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}
