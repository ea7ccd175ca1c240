//! `NodeTable`: the cluster's compute nodes as struct-of-arrays columns.
//!
//! Static attributes (capacity, type, arch, labels) are set at build time; the mutable columns
//! (free CPU, free memory, pod count) are private and change only through methods that record
//! the node in the table's [`ChangeLog`] ([`NodeTable::reserve`], [`NodeTable::release`],
//! [`NodeTable::copy_usage`]). Per-node scheduler caches of functions of the free resources
//! follow that log, so the compiler, not a debug check, guarantees they see every change.

use super::change_log::ChangeLog;
use crate::config::Labels;

/// Dense node index, `0..N` in topology insertion order.
pub type NodeId = u32;

/// Columns of every compute and storage node (the registry is not a row).
///
/// The free-resource columns are read-only outside this module (read them as slices with
/// [`NodeTable::cpu_free`], [`NodeTable::mem_free`] and [`NodeTable::pods`]): every change
/// goes through a method that records the node in the change log, which the skippy profile's
/// per-node fit memo follows to stay exact without comparing every node before each decision
/// (`docs/schedulers.md`, "Performance").
///
/// ```compile_fail
/// let mut nodes = faasim::cluster::NodeTable::default();
/// nodes.cpu_free[0] = 0; // private: free resources change through `reserve` / `release`
/// ```
#[derive(Clone, Debug, Default)]
pub struct NodeTable {
    /// Node names (`server_0`, …).
    pub name: Vec<String>,
    /// Index into the cluster's node-type catalog.
    pub node_type: Vec<u32>,
    /// Interned architecture id (index into `Cluster::archs`).
    pub arch: Vec<u32>,
    /// CPU capacity, millicores.
    pub cpu_capacity: Vec<i64>,
    /// Memory capacity, bytes.
    pub mem_capacity: Vec<i64>,
    /// Remaining allocatable CPU: capacity − Σ requests of pods on the node.
    cpu_free: Vec<i64>,
    /// Remaining allocatable memory.
    mem_free: Vec<i64>,
    /// Pods on the node (Scheduled … Teardown).
    pods: Vec<u32>,
    /// All labels of the node, including `beta.kubernetes.io/arch`.
    pub labels: Vec<Labels>,
    /// Carries `data.skippy.io/storage`.
    pub is_storage: Vec<bool>,
    /// Access-link bandwidth, Mbit/s.
    pub link_mbit: Vec<f64>,
    /// The nodes whose free resources changed, in order.
    changes: ChangeLog,
}

impl NodeTable {
    /// Number of nodes.
    #[inline]
    pub fn len(&self) -> usize {
        self.name.len()
    }

    /// True when the table has no node.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }

    /// Appends a node with full free capacity; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        name: String,
        node_type: u32,
        arch: u32,
        cpu: i64,
        mem: i64,
        labels: Labels,
        link_mbit: f64,
    ) -> NodeId {
        let id = self.len() as NodeId;
        self.is_storage
            .push(labels.contains_key("data.skippy.io/storage"));
        self.name.push(name);
        self.node_type.push(node_type);
        self.arch.push(arch);
        self.cpu_capacity.push(cpu);
        self.mem_capacity.push(mem);
        self.cpu_free.push(cpu);
        self.mem_free.push(mem);
        self.pods.push(0);
        self.labels.push(labels);
        self.link_mbit.push(link_mbit);
        id
    }

    /// Reserves a pod's requests on `node` (at the scheduling decision).
    #[inline]
    pub fn reserve(&mut self, node: NodeId, cpu: i64, mem: i64) {
        let n = node as usize;
        self.cpu_free[n] -= cpu;
        self.mem_free[n] -= mem;
        self.pods[n] += 1;
        self.changes.record(node);
    }

    /// Releases a pod's requests (when its replica becomes terminal).
    #[inline]
    pub fn release(&mut self, node: NodeId, cpu: i64, mem: i64) {
        let n = node as usize;
        self.cpu_free[n] += cpu;
        self.mem_free[n] += mem;
        self.pods[n] -= 1;
        self.changes.record(node);
    }

    /// Gives node `row` the free resources and pod count of node `node` of `from`, recording
    /// the change (a table mirroring another one in a different node order follows it this
    /// way).
    #[inline]
    pub fn copy_usage(&mut self, row: NodeId, from: &NodeTable, node: NodeId) {
        let (r, n) = (row as usize, node as usize);
        self.cpu_free[r] = from.cpu_free[n];
        self.mem_free[r] = from.mem_free[n];
        self.pods[r] = from.pods[n];
        self.changes.record(row);
    }

    /// The columns that scheduler kernels read (everything but labels), with node `ids[p]` of
    /// this table as row `p`. Names are empty strings, which only give the table its length;
    /// labels are left out (so [`NodeTable::label`] must not be asked). The change log starts
    /// empty.
    pub fn reordered_kernel_columns(&self, ids: &[NodeId]) -> NodeTable {
        fn gather<T: Clone>(col: &[T], ids: &[NodeId]) -> Vec<T> {
            ids.iter().map(|&id| col[id as usize].clone()).collect()
        }
        NodeTable {
            name: vec![String::new(); ids.len()],
            node_type: gather(&self.node_type, ids),
            arch: gather(&self.arch, ids),
            cpu_capacity: gather(&self.cpu_capacity, ids),
            mem_capacity: gather(&self.mem_capacity, ids),
            cpu_free: gather(&self.cpu_free, ids),
            mem_free: gather(&self.mem_free, ids),
            pods: gather(&self.pods, ids),
            labels: Vec::new(),
            is_storage: gather(&self.is_storage, ids),
            link_mbit: gather(&self.link_mbit, ids),
            changes: ChangeLog::default(),
        }
    }

    /// Remaining allocatable CPU of every node, millicores (capacity − Σ requests).
    #[inline]
    pub fn cpu_free(&self) -> &[i64] {
        &self.cpu_free
    }

    /// Remaining allocatable memory of every node, bytes.
    #[inline]
    pub fn mem_free(&self) -> &[i64] {
        &self.mem_free
    }

    /// Pods on every node (Scheduled … Teardown).
    #[inline]
    pub fn pods(&self) -> &[u32] {
        &self.pods
    }

    /// The log of changes to free resources (which nodes' changed, in order).
    #[inline]
    pub fn changes(&self) -> &ChangeLog {
        &self.changes
    }

    /// Label value of `key` on `node`.
    pub fn label(&self, node: NodeId, key: &str) -> Option<&str> {
        self.labels[node as usize].get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_nodes() -> NodeTable {
        let mut t = NodeTable::default();
        t.push("a".into(), 0, 0, 4000, 4 << 30, Labels::default(), 1.0);
        t.push("b".into(), 1, 0, 2000, 2 << 30, Labels::default(), 1.0);
        t
    }

    #[test]
    fn every_change_of_free_resources_is_logged() {
        let mut t = two_nodes();
        t.reserve(1, 500, 1 << 20);
        assert_eq!(
            (t.cpu_free()[1], t.mem_free()[1], t.pods()[1]),
            (1500, (2 << 30) - (1 << 20), 1)
        );
        t.release(1, 500, 1 << 20);
        assert_eq!((t.cpu_free(), t.pods()), (&[4000, 2000][..], &[0, 0][..]));
        let mut mirror = t.reordered_kernel_columns(&[1, 0]);
        assert_eq!(
            mirror.changes().count(),
            0,
            "a new table starts with an empty log"
        );
        t.reserve(0, 1000, 0);
        mirror.copy_usage(1, &t, 0);
        assert_eq!(
            (mirror.cpu_free(), mirror.pods()),
            (&[2000, 3000][..], &[0, 1][..])
        );
        assert_eq!(mirror.changes().since(0).unwrap().collect::<Vec<_>>(), [1]);
        assert_eq!(t.changes().since(0).unwrap().collect::<Vec<_>>(), [1, 1, 0]);
    }

    #[test]
    fn a_reordered_table_lists_the_kernel_columns_in_the_given_order() {
        let m = two_nodes().reordered_kernel_columns(&[1, 0]);
        assert_eq!(m.len(), 2);
        assert_eq!(m.node_type, [1, 0]);
        assert_eq!(m.cpu_capacity, [2000, 4000]);
        assert_eq!(m.mem_free(), [2 << 30, 4 << 30]);
        assert!(m.labels.is_empty(), "kernels read labels elsewhere");
    }
}
