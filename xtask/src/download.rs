//! `cargo xtask download NAME`: fetch a dataset's files from its canonical mirrors, verify each
//! against the digest published with it, and move it into place atomically.
//!
//! Each file is downloaded to `FILE.part` (resumed with an HTTP Range request when a previous
//! attempt was interrupted), its digest checked, then renamed to `FILE`. A digest mismatch
//! deletes the partial file and names the file and both digests. `--from DIR` imports files the
//! user already has, verified the same way.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use md5::{Digest, Md5};

/// A published digest of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    Md5(&'static str),
    Sha256(&'static str),
}

impl Checksum {
    fn expected(&self) -> &'static str {
        match self {
            Checksum::Md5(h) | Checksum::Sha256(h) => h,
        }
    }

    fn algorithm(&self) -> &'static str {
        match self {
            Checksum::Md5(_) => "MD5",
            Checksum::Sha256(_) => "SHA-256",
        }
    }

    /// The digest of `path` in this checksum's algorithm, lower-case hex.
    pub fn compute(&self, path: &Path) -> Result<String> {
        match self {
            Checksum::Md5(_) => hash_file::<Md5>(path),
            Checksum::Sha256(_) => hash_file::<sha2::Sha256>(path),
        }
    }
}

/// Streams a file through a hash function; lower-case hex digest.
fn hash_file<H: Digest>(path: &Path) -> Result<String> {
    let mut f = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut hasher = H::new();
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// One file of a dataset.
#[derive(Debug, Clone)]
pub struct RemoteFile {
    pub name: String,
    pub checksum: Checksum,
}

/// A downloadable dataset: its files and the mirrors that serve them, in order of preference.
#[derive(Debug, Clone)]
pub struct DatasetSpec {
    pub name: String,
    pub mirrors: Vec<String>,
    pub files: Vec<RemoteFile>,
}

fn file(name: &str, checksum: Checksum) -> RemoteFile {
    RemoteFile {
        name: name.to_string(),
        checksum,
    }
}

/// The datasets `cargo xtask download` knows. Digests are the MD5 sums published by the
/// reference loaders (torchvision's `MNIST.resources` and `FashionMNIST.resources`).
pub fn known_datasets() -> Vec<DatasetSpec> {
    vec![
        DatasetSpec {
            name: "mnist".into(),
            mirrors: vec![
                "https://ossci-datasets.s3.amazonaws.com/mnist/".into(),
                "https://storage.googleapis.com/cvdf-datasets/mnist/".into(),
            ],
            files: vec![
                file("train-images-idx3-ubyte.gz", Checksum::Md5("f68b3c2dcbeaaa9fbdd348bbdeb94873")),
                file("train-labels-idx1-ubyte.gz", Checksum::Md5("d53e105ee54ea40749a09fcbcd1e9432")),
                file("t10k-images-idx3-ubyte.gz", Checksum::Md5("9fb629c4189551a2d022fa330f9573f3")),
                file("t10k-labels-idx1-ubyte.gz", Checksum::Md5("ec29112dd5afa0611ce80d1b7f02629c")),
            ],
        },
        DatasetSpec {
            name: "fashion-mnist".into(),
            mirrors: vec![
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/".into(),
                "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/".into(),
            ],
            files: vec![
                file("train-images-idx3-ubyte.gz", Checksum::Md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d")),
                file("train-labels-idx1-ubyte.gz", Checksum::Md5("25c81989df183df01b3e8a0aad5dffbe")),
                file("t10k-images-idx3-ubyte.gz", Checksum::Md5("bef4ecab320f06d8554ea6380940ec79")),
                file("t10k-labels-idx1-ubyte.gz", Checksum::Md5("bb300cfdad3c16e7a12a480ee83cd310")),
            ],
        },
    ]
}

/// Looks a dataset up by name.
pub fn spec(name: &str) -> Result<DatasetSpec> {
    let all = known_datasets();
    match all.iter().find(|s| s.name == name) {
        Some(s) => Ok(s.clone()),
        None => bail!(
            "unknown dataset '{name}'; downloadable: {}",
            all.iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Already present with the right digest.
    AlreadyPresent,
    /// Downloaded from this mirror.
    Downloaded { mirror: String },
    /// Copied from a local folder.
    Imported,
}

pub(crate) fn part_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().expect("a file target").to_os_string();
    name.push(".part");
    target.with_file_name(name)
}

/// Verifies `path` against `checksum`; on mismatch removes it and says which file and digests.
fn verify_or_remove(path: &Path, shown_name: &str, checksum: &Checksum) -> Result<()> {
    let got = checksum.compute(path)?;
    if got != checksum.expected() {
        let _ = fs::remove_file(path);
        bail!(
            "{shown_name}: {} mismatch: expected {}, got {got}; the file was removed",
            checksum.algorithm(),
            checksum.expected()
        );
    }
    Ok(())
}

pub(crate) fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// Downloads `url` into `part`, continuing an existing partial file with a Range request.
pub(crate) fn fetch_to_part(agent: &ureq::Agent, url: &str, part: &Path) -> Result<()> {
    let have = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut request = agent.get(url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
    }
    let response = match request.call() {
        Ok(r) => r,
        // The partial file already holds every byte: nothing is left to fetch.
        Err(ureq::Error::StatusCode(416)) if have > 0 => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("GET {url}")),
    };
    let status = response.status().as_u16();
    let append = status == 206 && have > 0;
    let mut out = if append {
        OpenOptions::new().append(true).open(part)?
    } else {
        File::create(part)?
    };
    let mut body = response.into_body().into_reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = body.read(&mut buf).with_context(|| {
            format!("connection to {url} broke off; run the command again to resume")
        })?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
    }
    out.sync_all()?;
    Ok(())
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        // A stalled connection is one that delivers nothing for a minute; a slow one that keeps
        // delivering may take as long as the archive needs (a total body budget of 120 s cut
        // off a 290 MB archive below 2.4 MB/s).
        .timeout_per_read(Some(Duration::from_secs(60)))
        .http_status_as_error(true)
        .build()
        .into()
}

/// Downloads (or keeps) one file into `dir`, trying each mirror in turn.
pub fn download_file(spec: &DatasetSpec, file: &RemoteFile, dir: &Path) -> Result<Outcome> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let target = dir.join(&file.name);
    if target.is_file() && file.checksum.compute(&target)? == file.checksum.expected() {
        return Ok(Outcome::AlreadyPresent);
    }
    let part = part_path(&target);
    let agent = agent();
    let mut errors = Vec::new();
    for mirror in &spec.mirrors {
        let url = format!("{mirror}{}", file.name);
        match fetch_to_part(&agent, &url, &part) {
            Ok(()) => {
                verify_or_remove(&part, &file.name, &file.checksum)?;
                fs::rename(&part, &target)?;
                sync_parent(&target);
                return Ok(Outcome::Downloaded {
                    mirror: mirror.clone(),
                });
            }
            Err(e) => {
                // A broken-off transfer keeps its partial file so the next run resumes it;
                // an HTTP error from this mirror moves on to the next one.
                errors.push(format!("{url}: {e:#}"));
            }
        }
    }
    bail!(
        "{}: no mirror could serve it:\n  {}",
        file.name,
        errors.join("\n  ")
    )
}

/// Copies one file from `from` into `dir`, verified.
pub fn import_file(file: &RemoteFile, from: &Path, dir: &Path) -> Result<Outcome> {
    let source = from.join(&file.name);
    if !source.is_file() {
        bail!("{}: not found (expected {})", file.name, source.display());
    }
    let got = file.checksum.compute(&source)?;
    if got != file.checksum.expected() {
        bail!(
            "{}: {} mismatch: expected {}, got {got}; not imported",
            source.display(),
            file.checksum.algorithm(),
            file.checksum.expected()
        );
    }
    fs::create_dir_all(dir)?;
    let target = dir.join(&file.name);
    let part = part_path(&target);
    fs::copy(&source, &part).with_context(|| format!("cannot copy to {}", part.display()))?;
    File::open(&part)?.sync_all()?;
    fs::rename(&part, &target)?;
    sync_parent(&target);
    Ok(Outcome::Imported)
}

/// Downloads or imports every file of `spec` into `data_dir/<name>/`.
pub fn fetch_dataset(
    spec: &DatasetSpec,
    data_dir: &Path,
    from: Option<&Path>,
) -> Result<Vec<(String, Outcome)>> {
    let dir = data_dir.join(&spec.name);
    let mut outcomes = Vec::new();
    for f in &spec.files {
        let outcome = match from {
            Some(src) => import_file(f, src, &dir)?,
            None => download_file(spec, f, &dir)?,
        };
        eprintln!("{}/{}: {:?}", spec.name, f.name, outcome);
        outcomes.push((f.name.clone(), outcome));
    }
    Ok(outcomes)
}
