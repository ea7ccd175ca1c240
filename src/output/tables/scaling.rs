//! The `scaling` table (docs/outputs.md, `scaling`): one row per scaling decision or deployment
//! life-cycle event.

use crate::engine::SimTime;
use crate::output::columns::{secs, OptF64, OptI64, OptUtf8, Utf8, F64, I64};
use crate::output::define::output_table;

output_table! {
    /// One `scaling` row (docs/outputs.md, `scaling`).
    #[derive(Clone, Debug)]
    pub struct ScalingRow in "scaling" {
        /// Decision time.
        pub t: SimTime,
        /// Function id.
        pub function: u32,
        /// Scaler name, or `lifecycle`, `router`, `command`.
        pub scaler: &'static str,
        /// `deploy`, `scale_up`, `scale_down`, `none`, …
        pub action: &'static str,
        /// Metric the scaler read.
        pub metric_name: Option<&'static str>,
        /// Its value.
        pub metric_value: Option<f64>,
        /// Running replicas.
        pub running: u32,
        /// Pending replicas.
        pub pending: u32,
        /// Live replicas.
        pub current: u32,
        /// Desired replicas, when the scaler computed one.
        pub desired: Option<u32>,
        /// Replicas created (negative for removals).
        pub applied: i32,
        /// Why.
        pub reason: &'static str,
    }
    columns |run, row| {
        "t_s": F64 = secs(row.t),
        "function": Utf8 = run.function(row.function),
        "scaler": Utf8 = row.scaler,
        "action": Utf8 = row.action,
        "metric_name": OptUtf8 = row.metric_name,
        "metric_value": OptF64 = row.metric_value,
        "running": I64<u32> = row.running,
        "pending": I64<u32> = row.pending,
        "current": I64<u32> = row.current,
        "desired": OptI64<u32> = row.desired,
        "applied": I64<i32> = row.applied,
        "reason": Utf8 = row.reason,
    }
}
