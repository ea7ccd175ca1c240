//! The data a replica moves to and from storage buckets, compiled from its pod's skippy data
//! labels and its container's `data_phase` (`docs/network.md`, "Data transfers").
//!
//! `data.skippy.io/receives-from-storage` (a size) with `…/path` (`bucket/item`) is a download,
//! `data.skippy.io/sends-to-storage` with its `…/path` an upload. The transfer size is the
//! label's size; the item's size in the storage index is what the scheduler's `DataLocality`
//! scores.

use super::error::ModelError;
use crate::cluster::StorageIndex;
use crate::config::{parse_size, DataPhase, Labels};

/// Label key of the size read from storage.
pub const KEY_RECV_SIZE: &str = "data.skippy.io/receives-from-storage";
/// Label key of the size written to storage.
pub const KEY_SEND_SIZE: &str = "data.skippy.io/sends-to-storage";

/// One item moved between a replica and a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataItem {
    /// The bucket (its storage nodes serve the transfer).
    pub bucket: String,
    /// Bytes moved.
    pub bytes: u64,
}

/// When and what a replica of a container moves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataTransfers {
    /// `containers[*].data_phase`.
    pub phase: DataPhase,
    /// What it downloads.
    pub download: Option<DataItem>,
    /// What it uploads.
    pub upload: Option<DataItem>,
}

impl DataTransfers {
    /// Compiles the data transfers of a container with pod `labels`; `at` is the container's
    /// key path for messages. With `data_phase = "none"` nothing moves.
    pub fn compile(
        phase: DataPhase,
        labels: &Labels,
        storage: &StorageIndex,
        at: &str,
    ) -> Result<DataTransfers, ModelError> {
        if phase == DataPhase::None {
            return Ok(DataTransfers::default());
        }
        let item = |size_key: &str| -> Result<Option<DataItem>, ModelError> {
            let path_key = format!("{size_key}/path");
            let (size, path) = match (labels.get(size_key), labels.get(&path_key)) {
                (Some(size), Some(path)) => (size, path),
                (None, None) => return Ok(None),
                // Half a pair would silently move nothing.
                (Some(_), None) => {
                    return Err(ModelError::at(
                        format!("{at}.labels"),
                        format!("`{size_key}` needs `{path_key}` (`bucket/item`) beside it"),
                    ))
                }
                (None, Some(_)) => {
                    return Err(ModelError::at(
                        format!("{at}.labels"),
                        format!("`{path_key}` needs `{size_key}` (a size) beside it"),
                    ))
                }
            };
            let bytes = parse_size(size).map_err(|e| {
                ModelError::at(format!("{at}.labels.\"{size_key}\""), e.to_string())
            })?;
            let bucket = path.split_once('/').map_or(path.as_str(), |(b, _)| b);
            if !storage.buckets.contains_key(bucket) {
                return Err(ModelError::at(
                    format!("{at}.labels.\"{path_key}\""),
                    format!("no storage node holds bucket `{bucket}` (topology.storage)"),
                ));
            }
            Ok(Some(DataItem {
                bucket: bucket.to_string(),
                bytes,
            }))
        };
        let data = DataTransfers {
            phase,
            download: item(KEY_RECV_SIZE)?,
            upload: item(KEY_SEND_SIZE)?,
        };
        // A phase that moves nothing is a mistake worth naming (setup only downloads).
        let nothing = match phase {
            DataPhase::Setup => data.download.is_none().then_some(("setup", KEY_RECV_SIZE)),
            _ => (data.download.is_none() && data.upload.is_none())
                .then_some(("invocation", "data.skippy.io/*-storage")),
        };
        if let Some((name, key)) = nothing {
            return Err(ModelError::at(
                format!("{at}.data_phase"),
                format!(
                    "\"{name}\" moves nothing: the container has no `{key}` label (with its \
                     `/path` label)"
                ),
            ));
        }
        Ok(data)
    }
}
