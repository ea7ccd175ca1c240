//! `StorageIndex`: buckets on storage nodes and the sizes of their items (`docs/scenario.md`).

use super::nodes::NodeId;
use std::collections::BTreeMap;

/// Buckets → storage nodes (registration order) and `(bucket, item)` → size.
#[derive(Clone, Debug, Default)]
pub struct StorageIndex {
    /// Storage nodes of each bucket, in registration order.
    pub buckets: BTreeMap<String, Vec<NodeId>>,
    /// Item sizes in bytes.
    pub items: BTreeMap<(String, String), u64>,
}

impl StorageIndex {
    /// Registers `node` as a holder of `bucket`.
    pub fn add_bucket(&mut self, bucket: &str, node: NodeId) {
        let v = self.buckets.entry(bucket.to_string()).or_default();
        if !v.contains(&node) {
            v.push(node);
        }
    }

    /// Records an item's size.
    pub fn add_item(&mut self, bucket: &str, item: &str, size: u64) {
        self.items
            .insert((bucket.to_string(), item.to_string()), size);
    }

    /// Storage nodes and size of `bucket/item` (a path), if the item exists.
    pub fn lookup(&self, path: &str) -> Option<(&[NodeId], u64)> {
        let (b, i) = path.split_once('/')?;
        let size = *self.items.get(&(b.to_string(), i.to_string()))?;
        let nodes = self.buckets.get(b)?;
        Some((nodes.as_slice(), size))
    }
}
