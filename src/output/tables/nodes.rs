//! The `nodes` table (docs/outputs.md, `nodes`): the facts of every node of the run's topology,
//! so that placements and flows can be joined to node facts without parsing names.

use crate::output::columns::{Bool, Utf8, I64};
use crate::output::define::output_table;

output_table! {
    /// One `nodes` row: a node of the run's cluster, in node-id order.
    #[derive(Clone, Debug, PartialEq)]
    pub struct NodeRow in "nodes" {
        /// Node id.
        pub node: u32,
        /// Catalog type name.
        pub node_type: String,
        /// Architecture.
        pub arch: String,
        /// CPU capacity, millicores.
        pub cpu_m: u64,
        /// Memory capacity, bytes.
        pub memory_bytes: u64,
        /// `NONE`, `GPU` or `TPU`.
        pub accelerator: &'static str,
        /// `edge` or `cloud`.
        pub locality: String,
        /// The LAN, cell, cloudlet or region of the node (`""`: none).
        pub zone: String,
        /// A storage node (holds buckets, hosts no pods).
        pub storage: bool,
        /// Labels as a JSON object, keys sorted.
        pub labels: String,
    }
    columns |run, row| {
        "node_id": I64<u32> = row.node,
        "node": Utf8 = run.node(row.node),
        "type": Utf8 = row.node_type.as_str(),
        "arch": Utf8 = row.arch.as_str(),
        "cpu_m": I64<u64> = row.cpu_m,
        "memory_bytes": I64<u64> = row.memory_bytes,
        "accelerator": Utf8 = row.accelerator,
        "locality": Utf8 = row.locality.as_str(),
        "zone": Utf8 = row.zone.as_str(),
        "storage": Bool = row.storage,
        "labels": Utf8 = row.labels.as_str(),
    }
}
