//! The exclusive lock a training process holds on its run folder.
//!
//! `RUN/.lock` is locked with the operating system's advisory file lock (`flock` on Unix,
//! `LockFileEx` on Windows), which the kernel releases when the holder exits, however it exits:
//! a lock left by a killed process is simply taken by the next one. The holder writes its pid
//! into the file, so that a refused process can say who holds the run.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::RunError;

/// The lock file's name inside a run folder.
pub const LOCK_FILE: &str = ".lock";

/// A held lock on a run folder; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    _file: File,
}

impl RunLock {
    /// Takes the lock of the run folder `root`, or says which process holds it.
    pub fn acquire(root: &Path) -> Result<Self, RunError> {
        let path = root.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| RunError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(RunError::Invalid {
                    path: root.to_path_buf(),
                    problem: format!(
                        "in use by another gen process (pid {}); wait for it to finish or choose another --out",
                        if holder.is_empty() { "unknown" } else { holder }
                    ),
                });
            }
            Err(TryLockError::Error(e)) => return Err(RunError::io(&path, e)),
        }
        // Ours now: replace whatever pid a previous holder left.
        let write_pid = |f: &mut File| -> std::io::Result<()> {
            f.set_len(0)?;
            f.seek(SeekFrom::Start(0))?;
            f.write_all(std::process::id().to_string().as_bytes())?;
            f.sync_all()
        };
        write_pid(&mut file).map_err(|e| RunError::io(&path, e))?;
        Ok(Self { path, _file: file })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
