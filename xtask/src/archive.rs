//! `cargo xtask download horse2zebra` (and the other CycleGAN sets): the reference's zip
//! archives (`datasets/download_cyclegan_dataset.sh` of the CycleGAN code), unpacked into the
//! CycleGAN folder layout `$GEN_DATA_DIR/<name>/{trainA,trainB,testA,testB}`.
//!
//! The reference publishes no digests for these archives, so verification is what the archive
//! itself carries and what the layout must be: every entry's CRC-32 is checked while unpacking
//! (the zip reader refuses a mismatch), and the four folders must each hold images of one size.
//! The archive is downloaded to `<name>.zip.part` (resumed on a rerun), unpacked into
//! `.<name>.unpack/`, checked, and only then renamed to `<name>/`: an interrupted or failed
//! download never leaves a folder that `gen` would load.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::download::{agent, fetch_to_part, part_path, sync_parent};

/// Where the reference download script fetches the archives from.
pub const CYCLEGAN_MIRROR: &str = "https://efrosgans.eecs.berkeley.edu/cyclegan/datasets/";

/// The most entries an archive may hold: the largest CycleGAN set (cityscapes) has under 6,000.
pub const MAX_ENTRIES: usize = 100_000;
/// The most bytes one entry may inflate to (the sets hold 256x256 JPEGs of tens of kB).
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;
/// The most bytes all entries together may inflate to.
pub const MAX_TOTAL_BYTES: u64 = 16 << 30;

/// The four folders of the CycleGAN layout.
pub const PARTS: [&str; 4] = ["trainA", "trainB", "testA", "testB"];

/// What [`fetch_archive`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveOutcome {
    /// `<name>/` was already there, complete.
    AlreadyPresent,
    /// Downloaded (or imported), unpacked and checked; the image counts of the four folders.
    Unpacked { counts: [usize; 4] },
}

/// Downloads `<mirror><name>.zip` (or takes `<from>/<name>.zip`) and unpacks it into
/// `data_dir/<name>/`, verified.
pub fn fetch_archive(
    name: &str,
    mirror: &str,
    data_dir: &Path,
    from: Option<&Path>,
) -> Result<ArchiveOutcome> {
    let target = data_dir.join(name);
    if PARTS.iter().all(|p| target.join(p).is_dir()) {
        return Ok(ArchiveOutcome::AlreadyPresent);
    }
    fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let copy_path = data_dir.join(format!("{name}.zip"));
    // The archive to unpack, and whether it is ours to delete: a user's own file given by
    // `--from` is never removed (and never copied onto itself when it already lies in the data
    // folder, which would truncate it).
    let (zip_path, ours) = match from {
        Some(dir) => {
            let source = dir.join(format!("{name}.zip"));
            if !source.is_file() {
                bail!("{name}.zip: not found (expected {})", source.display());
            }
            let same = fs::canonicalize(&source)
                .ok()
                .is_some_and(|s| fs::canonicalize(&copy_path).is_ok_and(|c| c == s));
            if same {
                (source, false)
            } else {
                fs::copy(&source, &copy_path)
                    .with_context(|| format!("cannot copy {}", source.display()))?;
                (copy_path, true)
            }
        }
        None => {
            let url = format!("{mirror}{name}.zip");
            let part = part_path(&copy_path);
            fetch_to_part(&agent(), &url, &part)?;
            fs::rename(&part, &copy_path)?;
            (copy_path, true)
        }
    };
    let unpack = data_dir.join(format!(".{name}.unpack"));
    if unpack.exists() {
        fs::remove_dir_all(&unpack)?;
    }
    let checked = unpack_archive(&zip_path, name, &unpack).and_then(|()| check_layout(&unpack));
    let counts = match checked {
        Ok(counts) => counts,
        Err(e) => {
            let _ = fs::remove_dir_all(&unpack);
            if !ours {
                return Err(e.context(format!(
                    "{} is not a usable CycleGAN archive (left as it is)",
                    zip_path.display()
                )));
            }
            let _ = fs::remove_file(&zip_path);
            return Err(e.context(format!(
                "{name}.zip is not a usable CycleGAN archive; it was removed, run the command again to download it anew"
            )));
        }
    };
    fs::rename(&unpack, &target)
        .with_context(|| format!("cannot move the unpacked set to {}", target.display()))?;
    sync_parent(&target);
    if ours {
        fs::remove_file(&zip_path)?;
    }
    Ok(ArchiveOutcome::Unpacked { counts })
}

/// The path inside `<name>/` an archive entry unpacks to, or `None` for entries outside the
/// four folders (the archives hold nothing else of use). Refuses paths that climb out.
fn entry_path(entry: &str, name: &str) -> Result<Option<PathBuf>> {
    let path = Path::new(entry);
    if path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        bail!("archive entry '{entry}' is not a plain relative path");
    }
    let Ok(inside) = path.strip_prefix(name) else {
        return Ok(None);
    };
    let mut parts = inside.components();
    match parts.next() {
        Some(Component::Normal(first)) if PARTS.iter().any(|p| first == *p) => {
            Ok(Some(inside.to_path_buf()))
        }
        _ => Ok(None),
    }
}

/// Unpacks the four folders of `zip_path` into `into`, checking every entry's CRC-32 and the
/// limits above (entries, bytes per entry, bytes in all), on the bytes actually inflated: an
/// entry's declared size is only a claim.
fn unpack_archive(zip_path: &Path, name: &str, into: &Path) -> Result<()> {
    let file = File::open(zip_path)?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("{}: not a zip archive", zip_path.display()))?;
    if archive.len() > MAX_ENTRIES {
        bail!(
            "{}: {} entries, more than the {MAX_ENTRIES} a CycleGAN set has",
            zip_path.display(),
            archive.len()
        );
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        // The entry's name as stored (zip 9 also refuses names that are not valid UTF-8 here).
        let shown = entry
            .name()
            .with_context(|| format!("entry {i}: unreadable name"))?
            .into_owned();
        let Some(relative) = entry_path(&shown, name)? else {
            continue;
        };
        let out = into.join(&relative);
        if entry.is_dir() {
            fs::create_dir_all(&out)?;
            continue;
        }
        if let Some(parent) = out.parent() {
            fs::create_dir_all(parent)?;
        }
        if entry.size() > MAX_ENTRY_BYTES {
            bail!(
                "{shown}: declares {} bytes, more than the {MAX_ENTRY_BYTES} an image of these sets has",
                entry.size()
            );
        }
        let mut writer = File::create(&out)?;
        // Reading to the end checks the entry's CRC-32; a mismatch is an error here. The read
        // stops one byte past the limit, whatever the entry declared.
        let written = io::copy(&mut (&mut entry).take(MAX_ENTRY_BYTES + 1), &mut writer)
            .with_context(|| format!("{shown}: corrupt entry"))?;
        total += written;
        if written > MAX_ENTRY_BYTES {
            bail!("{shown}: inflates past {MAX_ENTRY_BYTES} bytes");
        }
        if total > MAX_TOTAL_BYTES {
            bail!("the archive inflates past {MAX_TOTAL_BYTES} bytes in all");
        }
    }
    Ok(())
}

/// The image counts of the four folders, all non-empty and of one image size.
fn check_layout(dir: &Path) -> Result<[usize; 4]> {
    let mut counts = [0; 4];
    let mut size = None;
    for (k, part) in PARTS.iter().enumerate() {
        let files = gen_core::data::image_folder::list_images(&dir.join(part))
            .map_err(|e| anyhow::anyhow!("{part}: {e}"))?;
        for f in &files {
            let dims = image::image_dimensions(f)
                .with_context(|| format!("{part}/{}: not a readable image", f.display()))?;
            if *size.get_or_insert(dims) != dims {
                bail!(
                    "{part}/{}: {}x{} pixels, but the set's images are {}x{}",
                    f.file_name().unwrap_or_default().to_string_lossy(),
                    dims.0,
                    dims.1,
                    size.unwrap().0,
                    size.unwrap().1
                );
            }
        }
        counts[k] = files.len();
    }
    Ok(counts)
}
