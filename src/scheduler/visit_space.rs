//! The kubernetes profile's node columns in visit order.
//!
//! Upstream visits nodes zone by zone, round robin ([`super::node_tree`]): with many zones,
//! consecutive visits land on node ids far apart, and kernels that read node columns by id
//! gather from scattered cache lines. The profile therefore stores every per-node column it
//! reads in visit order, renumbering node `order[p]` as position `p`: the walk over visit
//! positions is a contiguous range again, the same fast path as id order (`docs/performance.md`,
//! "Scheduler"). Only the boundary translates: node ids coming in (`on_placed`, `on_removed`,
//! the image caches) and going out (the chosen node, the candidates). Every computation is the
//! same on the same values, so decisions are unchanged.
//!
//! This module owns the permutation ([`VisitOrder`]) and the mirror of the node table's
//! resource columns ([`mirror_nodes`], [`sync_node`]), which the profile refreshes for one node
//! whenever the protocol tells it that node's requests changed.

use super::facts::BitRows;
use crate::cluster::{NodeId, NodeTable};

/// A permutation of node ids: `ids[p]` is the node at visit position `p`, `pos[id]` its inverse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisitOrder {
    /// Position → node id.
    pub ids: Vec<u32>,
    /// Node id → position.
    pub pos: Vec<u32>,
}

impl VisitOrder {
    /// The order visiting `ids` (a permutation of `0..ids.len()`).
    pub fn new(ids: Vec<u32>) -> VisitOrder {
        let mut pos = vec![u32::MAX; ids.len()];
        for (p, &id) in ids.iter().enumerate() {
            assert!(
                pos[id as usize] == u32::MAX,
                "visit order repeats node {id}"
            );
            pos[id as usize] = p as u32;
        }
        VisitOrder { ids, pos }
    }

    /// The node at position `p`.
    #[inline]
    pub fn id(&self, p: u32) -> NodeId {
        self.ids[p as usize]
    }

    /// The position of node `id`.
    #[inline]
    pub fn pos(&self, id: NodeId) -> u32 {
        self.pos[id as usize]
    }

    /// A per-node column (by id) in visit order.
    pub fn gather<T: Clone>(&self, col: &[T]) -> Vec<T> {
        self.ids
            .iter()
            .map(|&id| col[id as usize].clone())
            .collect()
    }

    /// A column of `width` entries per node (by id) in visit order.
    pub fn gather_rows_of<T: Copy>(&self, col: &[T], width: usize) -> Vec<T> {
        let mut out = Vec::with_capacity(col.len());
        for &id in &self.ids {
            let a = id as usize * width;
            out.extend_from_slice(&col[a..a + width]);
        }
        out
    }

    /// Bit rows (one per node, by id) in visit order.
    pub fn gather_bits(&self, rows: &BitRows) -> BitRows {
        BitRows {
            words: rows.words,
            data: self.gather_rows_of(&rows.data, rows.words),
        }
    }
}

/// The columns of `nodes` that kernels read (capacities, free resources, pod counts,
/// architecture, type, storage role, link speed), in visit order. Names are empty strings (they
/// only give the table its length) and labels are left out: kernels read labels through
/// [`super::facts::NodeFacts`]. [`sync_node`] keeps its free resources current.
pub fn mirror_nodes(nodes: &NodeTable, order: &VisitOrder) -> NodeTable {
    nodes.reordered_kernel_columns(&order.ids)
}

/// Copies node `id`'s free resources and pod count from `nodes` into the mirror.
#[inline]
pub fn sync_node(mirror: &mut NodeTable, nodes: &NodeTable, order: &VisitOrder, id: NodeId) {
    mirror.copy_usage(order.pos(id), nodes, id);
}

/// The mirror holds `nodes`' current free resources and pod counts (a debug check of the
/// placement protocol: requests change only through reserve/release followed by the
/// scheduler's `on_placed` / `on_removed`).
pub fn mirror_matches(mirror: &NodeTable, nodes: &NodeTable, order: &VisitOrder) -> bool {
    let (cpu, mem, pods) = (nodes.cpu_free(), nodes.mem_free(), nodes.pods());
    let (m_cpu, m_mem, m_pods) = (mirror.cpu_free(), mirror.mem_free(), mirror.pods());
    order.ids.iter().enumerate().all(|(p, &id)| {
        let n = id as usize;
        m_cpu[p] == cpu[n] && m_mem[p] == mem[n] && m_pods[p] == pods[n]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_ids_are_inverse_and_columns_follow_the_order() {
        let o = VisitOrder::new(vec![2, 0, 3, 1]);
        assert_eq!(o.pos, vec![1, 3, 0, 2]);
        assert_eq!((o.id(0), o.pos(0)), (2, 1));
        assert_eq!(o.gather(&["a", "b", "c", "d"]), ["c", "a", "d", "b"]);
        assert_eq!(
            o.gather_rows_of(&[0, 0, 1, 1, 2, 2, 3, 3], 2),
            [2, 2, 0, 0, 3, 3, 1, 1]
        );
    }

    #[test]
    fn the_mirror_follows_reserve_and_release_through_sync() {
        let mut nodes = NodeTable::default();
        for i in 0..3 {
            nodes.push(
                format!("n{i}"),
                0,
                0,
                1000 * (i + 1),
                1 << 30,
                Default::default(),
                1.0,
            );
        }
        let o = VisitOrder::new(vec![1, 2, 0]);
        let mut m = mirror_nodes(&nodes, &o);
        assert_eq!(m.cpu_capacity, vec![2000, 3000, 1000]);
        nodes.reserve(2, 500, 1 << 20);
        assert!(!mirror_matches(&m, &nodes, &o));
        sync_node(&mut m, &nodes, &o, 2);
        assert!(mirror_matches(&m, &nodes, &o));
        assert_eq!((m.cpu_free()[1], m.pods()[1]), (2500, 1));
    }
}
