//! `content_hash`: the SHA-256 of trace files, so a run's identity follows a trace's content,
//! not its path (`docs/workloads.md`).

use crate::workload::WorkloadError;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// SHA-256 over the files in the given order (each preceded by its length), as 64 hex characters.
/// Files are read in 64 KiB blocks, so a trace of any size is hashed in constant memory.
pub fn content_hash(paths: &[&Path]) -> Result<String, WorkloadError> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    for p in paths {
        let mut f = std::fs::File::open(p).map_err(|e| WorkloadError::unreadable(p, e))?;
        let len = f
            .metadata()
            .map_err(|e| WorkloadError::unreadable(p, e))?
            .len();
        h.update(len.to_le_bytes());
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| WorkloadError::unreadable(p, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// [`content_hash`], remembered per process for files whose path, length and modification time
/// have not changed: every run of a sweep names the same trace, which is read once.
pub fn content_hash_cached(paths: &[PathBuf]) -> Result<String, WorkloadError> {
    type Key = Vec<(PathBuf, u64, Option<std::time::SystemTime>)>;
    static MEMO: OnceLock<Mutex<HashMap<Key, String>>> = OnceLock::new();
    let key: Key = paths
        .iter()
        .map(|p| {
            let m = std::fs::metadata(p).map_err(|e| WorkloadError::unreadable(p, e))?;
            Ok((p.clone(), m.len(), m.modified().ok()))
        })
        .collect::<Result<_, WorkloadError>>()?;
    let memo = MEMO.get_or_init(Default::default);
    if let Some(h) = memo.lock().expect("hash memo").get(&key) {
        return Ok(h.clone());
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let h = content_hash(&refs)?;
    memo.lock().expect("hash memo").insert(key, h.clone());
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_follows_content_not_path() {
        let d = tempfile::tempdir().unwrap();
        let (a, b, c) = (d.path().join("a"), d.path().join("b"), d.path().join("c"));
        std::fs::write(&a, "app,func\n").unwrap();
        std::fs::write(&b, "app,func\n").unwrap();
        std::fs::write(&c, "app,func,x\n").unwrap();
        let ha = content_hash(&[&a]).unwrap();
        assert_eq!(ha, content_hash(&[&b]).unwrap());
        assert_ne!(ha, content_hash(&[&c]).unwrap());
        assert_eq!(ha.len(), 64);
    }
}
