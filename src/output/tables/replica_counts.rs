//! The `replica_counts` table (docs/outputs.md, `replica_counts`): per function, a step function
//! of its replica counts, one row per instant at which a count changed.

use crate::engine::SimTime;
use crate::output::columns::{secs, Utf8, F64, I64};
use crate::output::define::output_table;

output_table! {
    /// One `replica_counts` row: a function's replica counts from `t` until its next row.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct ReplicaCountRow in "replica_counts" {
        /// Time of the change.
        pub t: SimTime,
        /// Function id.
        pub function: u32,
        /// Live replicas (Conceived … Running).
        pub live: u32,
        /// Running replicas (`pending = live − running`).
        pub running: u32,
    }
    columns |run, row| {
        "t_s": F64 = secs(row.t),
        "function": Utf8 = run.function(row.function),
        "live": I64<u32> = row.live,
        "running": I64<u32> = row.running,
        "pending": I64<u32> = row.live.saturating_sub(row.running),
    }
}
