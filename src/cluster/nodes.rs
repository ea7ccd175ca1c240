//! `NodeTable`: the cluster's compute nodes as struct-of-arrays columns.
//!
//! Static attributes (capacity, type, arch, labels) are set at build time; the mutable columns
//! (`cpu_free`, `mem_free`, `pods`) change only through [`NodeTable::reserve`] and
//! [`NodeTable::release`], so scheduler columns stay consistent without rebuilding. Both record
//! the node in the table's [`ChangeLog`], which per-node scheduler caches of functions of the
//! free resources follow; writing the free columns directly would bypass it.

use super::change_log::ChangeLog;
use crate::config::Labels;

/// Dense node index, `0..N` in topology insertion order.
pub type NodeId = u32;

/// Columns of every compute and storage node (the registry is not a row).
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
    pub cpu_free: Vec<i64>,
    /// Remaining allocatable memory.
    pub mem_free: Vec<i64>,
    /// Pods on the node (Scheduled … Teardown).
    pub pods: Vec<u32>,
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

    /// The log of reserve and release calls (which nodes' free resources changed).
    #[inline]
    pub fn changes(&self) -> &ChangeLog {
        &self.changes
    }

    /// Label value of `key` on `node`.
    pub fn label(&self, node: NodeId, key: &str) -> Option<&str> {
        self.labels[node as usize].get(key).map(String::as_str)
    }
}
