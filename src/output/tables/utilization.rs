//! The `utilization` table (docs/outputs.md, `utilization`): at each monitor tick, one row per
//! node and one per Running replica.

use crate::engine::SimTime;
use crate::output::columns::{secs, OptI64, OptUtf8, Utf8, F64, I64};
use crate::output::define::output_table;

output_table! {
    /// One `utilization` row (docs/outputs.md, `utilization`): a node, or a Running replica when
    /// `replica` is set, at a monitor tick.
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct UtilizationRow in "utilization" {
        /// Tick time.
        pub t: SimTime,
        /// Node id.
        pub node: u32,
        /// Replica id (replica rows).
        pub replica: Option<u32>,
        /// Function id (replica rows).
        pub function: Option<u32>,
        /// Node capacity, or the replica's CPU request.
        pub cpu_capacity_m: u64,
        /// Node capacity, or the replica's memory request.
        pub mem_capacity_bytes: u64,
        /// Requested CPU now.
        pub cpu_requested_m: u64,
        /// Requested memory now.
        pub mem_requested_bytes: u64,
        /// Time-weighted average used CPU over the last interval.
        pub cpu_used_avg_m: f64,
        /// Time-weighted average used memory over the last interval.
        pub mem_used_avg_bytes: f64,
        /// `cpu_used_avg_m / cpu_capacity_m`.
        pub cpu_util: f64,
        /// `mem_used_avg_bytes / mem_capacity_bytes`.
        pub mem_util: f64,
        /// Live replicas on the node (1 for replica rows).
        pub replicas_live: u32,
        /// Running replicas on the node (1 for replica rows).
        pub replicas_running: u32,
        /// Executing requests.
        pub executing: u32,
        /// Locally queued requests.
        pub queued: u32,
    }
    columns |run, row| {
        "t_s": F64 = secs(row.t),
        "level": Utf8 = if row.replica.is_some() { "replica" } else { "node" },
        "node": Utf8 = run.node(row.node),
        "replica_id": OptI64<u32> = row.replica,
        "function": OptUtf8 = row.function.map(|f| run.function(f)),
        "cpu_capacity_m": I64<u64> = row.cpu_capacity_m,
        "mem_capacity_bytes": I64<u64> = row.mem_capacity_bytes,
        "cpu_requested_m": I64<u64> = row.cpu_requested_m,
        "mem_requested_bytes": I64<u64> = row.mem_requested_bytes,
        "cpu_used_avg_m": F64 = row.cpu_used_avg_m,
        "mem_used_avg_bytes": F64 = row.mem_used_avg_bytes,
        "cpu_util": F64 = row.cpu_util,
        "mem_util": F64 = row.mem_util,
        "replicas_live": I64<u32> = row.replicas_live,
        "replicas_running": I64<u32> = row.replicas_running,
        "executing": I64<u32> = row.executing,
        "queued": I64<u32> = row.queued,
    }
}
