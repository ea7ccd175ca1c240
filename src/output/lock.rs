//! The advisory lock on an output directory: one writer of a dataset at a time (or several
//! shards of one sweep, each shard index once), refused up front with the holder's PID
//! (`docs/outputs.md`, "Writing safely").
//!
//! The lock is a sibling file `.<name>.lock` (or `.<name>.shard-K-of-N.lock`) next to the
//! output directory, not inside it, because `faasim run` replaces the directory as a whole.
//! It is an `flock` lock: the kernel releases it when the process dies, even by SIGKILL, so
//! a lock is never stale. The file holds the PID of the last process that took it, for the
//! message, and is removed by the last holder on release.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use super::dataset::OutputError;

/// How a writer shares the output directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMode {
    /// Alone: a run, or a sweep that is not sharded.
    Exclusive,
    /// With other shards of the same sweep (each also takes an exclusive per-shard lock).
    Shared,
}

/// A held lock; released (and its file removed when no one else holds it) on drop.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
    file: Option<File>,
}

/// `.<name><suffix>.lock` next to `out`.
pub fn lock_path(out: &Path, suffix: &str) -> Result<PathBuf, OutputError> {
    let name = out.file_name().ok_or_else(|| OutputError::Invalid {
        path: out.to_path_buf(),
        message: "not a usable output directory (it must end in a directory name)".into(),
    })?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok(parent.join(format!(".{}{suffix}.lock", name.to_string_lossy())))
}

impl OutputLock {
    /// Takes the lock `.<name><suffix>.lock` of `out` in `mode`, without waiting: if another
    /// process holds it, fails with [`OutputError::Locked`] naming that process.
    pub fn acquire(out: &Path, suffix: &str, mode: LockMode) -> Result<OutputLock, OutputError> {
        let path = lock_path(out, suffix)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| OutputError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let io = |source| OutputError::Io {
            path: path.clone(),
            source,
        };
        // A releasing holder may remove the file between our open and our lock: then we hold
        // a lock on a file no one else will ever open, so try again on the new file.
        loop {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            let op = match mode {
                LockMode::Exclusive => libc::LOCK_EX,
                LockMode::Shared => libc::LOCK_SH,
            };
            match try_flock(&file, op) {
                Ok(true) => {}
                Ok(false) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(OutputError::Locked {
                        path: out.to_path_buf(),
                        holder: text.trim().parse().ok(),
                    });
                }
                Err(e) => return Err(io(e)),
            }
            let same = match (file.metadata(), fs::metadata(&path)) {
                (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
                _ => false,
            };
            if !same {
                continue;
            }
            file.set_len(0).map_err(io)?;
            file.rewind().map_err(io)?;
            write!(file, "{}", std::process::id()).map_err(io)?;
            return Ok(OutputLock {
                path,
                file: Some(file),
            });
        }
    }

    /// Like [`OutputLock::acquire`], but waits (polling) up to `patience` while another
    /// process holds the lock: for short critical sections such as updating a manifest.
    pub fn acquire_waiting(
        out: &Path,
        suffix: &str,
        mode: LockMode,
        patience: std::time::Duration,
    ) -> Result<OutputLock, OutputError> {
        let start = std::time::Instant::now();
        loop {
            match OutputLock::acquire(out, suffix, mode) {
                Err(OutputError::Locked { .. }) if start.elapsed() < patience => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `flock(fd, op | LOCK_NB)`: true when taken, false when another process holds it.
fn try_flock(file: &File, op: libc::c_int) -> std::io::Result<bool> {
    // SAFETY: the descriptor is open for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), op | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            // Only the last holder removes the file: an exclusive lock succeeds only then.
            if try_flock(&file, libc::LOCK_EX).unwrap_or(false) {
                let _ = fs::remove_file(&self.path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_exclusive_writer_is_refused_with_the_holders_pid() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ds");
        let held = OutputLock::acquire(&out, "", LockMode::Exclusive).unwrap();
        let err = OutputLock::acquire(&out, "", LockMode::Exclusive).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("in use by PID {}", std::process::id())),
            "{msg}"
        );
        drop(held);
        assert!(
            !dir.path().join(".ds.lock").exists(),
            "released and removed"
        );
        OutputLock::acquire(&out, "", LockMode::Exclusive).unwrap();
    }

    #[test]
    fn shards_share_the_directory_lock_but_exclude_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ds");
        let a = OutputLock::acquire(&out, "", LockMode::Shared).unwrap();
        let b = OutputLock::acquire(&out, "", LockMode::Shared).unwrap();
        assert!(OutputLock::acquire(&out, "", LockMode::Exclusive).is_err());
        drop(a);
        assert!(b.path().exists(), "the other shard still holds it");
        drop(b);
        assert!(!dir.path().join(".ds.lock").exists());
    }

    #[test]
    fn the_lock_of_a_relative_name_lives_in_the_working_directory() {
        assert_eq!(
            lock_path(Path::new("ds/"), "").unwrap(),
            Path::new("./.ds.lock")
        );
        assert!(lock_path(Path::new("/"), "").is_err());
    }
}
