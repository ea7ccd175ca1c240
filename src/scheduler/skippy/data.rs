//! `DataLocality` map columns, one per (direction, `bucket/item` path), built on first use.
//!
//! The map value of a node depends only on the path and the node (the bandwidth oracle is
//! static), so each column is computed once per run.

use super::super::facts::NodeFacts;
use crate::cluster::Cluster;
use std::collections::BTreeMap;

/// Cached receive and send columns.
#[derive(Clone, Debug, Default)]
pub struct DataColumns {
    recv: BTreeMap<String, Option<Vec<f64>>>,
    send: BTreeMap<String, Option<Vec<f64>>>,
}

/// The column of `path` (`send` = pod writes to storage): per node, `trunc(size / min_bw)`
/// over the bucket's storage nodes in registration order (0 on a storage node itself); `None`
/// if the item does not exist.
fn build(path: &str, send: bool, cluster: &Cluster, facts: &NodeFacts) -> Option<Vec<f64>> {
    let (holders, size) = cluster.storage.lookup(path)?;
    let size = size as f64;
    let links: Vec<&[f64]> = holders
        .iter()
        .map(|&s| {
            facts.storage_links(s).map_or(&[][..], |l| {
                if send {
                    l.to.as_slice()
                } else {
                    l.from.as_slice()
                }
            })
        })
        .collect();
    let mut col = Vec::with_capacity(facts.n);
    for n in 0..facts.n {
        let mut min_bw = f64::INFINITY;
        let mut local = false;
        for (&s, l) in holders.iter().zip(&links) {
            if s as usize == n {
                local = true;
                break;
            }
            let bw = l.get(n).copied().unwrap_or(f64::INFINITY);
            if bw < min_bw {
                min_bw = bw;
            }
        }
        col.push(if local { 0.0 } else { (size / min_bw).trunc() });
    }
    Some(col)
}

impl DataColumns {
    /// Builds the column of `path` in direction `send` if it is not cached yet.
    pub fn prepare(&mut self, path: &str, send: bool, cluster: &Cluster, facts: &NodeFacts) {
        let map = if send { &mut self.send } else { &mut self.recv };
        if !map.contains_key(path) {
            map.insert(path.to_string(), build(path, send, cluster, facts));
        }
    }

    /// The cached column of `path` in direction `send` (after [`DataColumns::prepare`]).
    pub fn get(&self, path: &str, send: bool) -> Option<&[f64]> {
        let map = if send { &self.send } else { &self.recv };
        map.get(path).and_then(|c| c.as_deref())
    }
}
