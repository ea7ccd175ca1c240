//! The `replicas` table (docs/outputs.md, `replicas`): one row per replica, with its life-cycle
//! times and image pull. Times that were never reached are `SimTime::NEVER` in the row and null
//! in the table.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::ArrayRef;
use arrow_schema::DataType;

use crate::engine::SimTime;
use crate::output::columns::{secs, ColumnKind, OptBool, OptF64, OptI64, OptUtf8, Utf8, F64, I64};
use crate::output::define::output_table;

output_table! {
    /// One `replicas` row (docs/outputs.md, `replicas`). Unset times are `SimTime::NEVER`.
    #[derive(Clone, Debug)]
    pub struct ReplicaRow in "replicas" {
        /// Replica id.
        pub replica_id: u32,
        /// Function id.
        pub function: u32,
        /// Image id.
        pub image: u32,
        /// The `<n>` of the pod name `pod-<function>-<n>` (the name itself is only spelled out
        /// when the table is built: one string per replica would cost an allocation and a
        /// formatting pass per replica lifecycle during the run).
        pub pod_n: u32,
        /// Fallback attempt.
        pub attempt: u8,
        /// Replica whose failure created this one.
        pub parent_replica_id: Option<u32>,
        /// Node, if ever placed.
        pub node: Option<u32>,
        /// CPU request.
        pub cpu_request_m: u32,
        /// Memory request.
        pub memory_request_bytes: u64,
        /// Entered Conceived.
        pub created: SimTime,
        /// Entered Scheduled.
        pub scheduled: SimTime,
        /// Entered Deploying.
        pub deploying: SimTime,
        /// Entered Starting.
        pub starting: SimTime,
        /// Setup phase began.
        pub setup_start: SimTime,
        /// Entered Running.
        pub running: SimTime,
        /// Entered Teardown.
        pub teardown: SimTime,
        /// Became terminal.
        pub ended: SimTime,
        /// State at the end of the run.
        pub final_state: &'static str,
        /// Why it ended.
        pub end_reason: Option<&'static str>,
        /// Bytes pulled (None if never deployed).
        pub pull_bytes: Option<u64>,
        /// Deploy-phase duration.
        pub pull: SimTime,
        /// Image was cached.
        pub pull_cached: Option<bool>,
        /// Joined an in-flight pull.
        pub pull_joined: Option<bool>,
        /// Completed invocations.
        pub requests_served: u64,
    }
    columns |run, row| {
        "replica_id": I64<u32> = row.replica_id,
        "function": Utf8 = run.function(row.function),
        "image": Utf8 = run.image(row.image),
        "pod": PodName = (run.function(row.function), row.pod_n),
        "attempt": I64<u8> = row.attempt,
        "parent_replica_id": OptI64<u32> = row.parent_replica_id,
        "node": OptUtf8 = row.node.map(|n| run.node(n)),
        "cpu_request_m": I64<u32> = row.cpu_request_m,
        "memory_request_bytes": I64<u64> = row.memory_request_bytes,
        "created_s": F64 = secs(row.created),
        "scheduled_s": OptF64 = row.scheduled.secs_opt(),
        "deploying_s": OptF64 = row.deploying.secs_opt(),
        "starting_s": OptF64 = row.starting.secs_opt(),
        "setup_start_s": OptF64 = row.setup_start.secs_opt(),
        "running_s": OptF64 = row.running.secs_opt(),
        "teardown_s": OptF64 = row.teardown.secs_opt(),
        "ended_s": OptF64 = row.ended.secs_opt(),
        "final_state": Utf8 = row.final_state,
        "end_reason": OptUtf8 = row.end_reason,
        "pull_bytes": OptI64<u64> = row.pull_bytes,
        "pull_s": OptF64 = row.pull.secs_opt(),
        "pull_cached": OptBool = row.pull_cached,
        "pull_joined": OptBool = row.pull_joined,
        "requests_served": I64<u64> = row.requests_served,
    }
}

/// `pod`: the name `pod-<function>-<n>`, written straight into the column's buffer from the
/// function's name and `n`.
#[derive(Clone, Copy, Debug)]
pub struct PodName;

impl ColumnKind for PodName {
    type Value<'a> = (&'a str, u32);
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        let (rows, _) = values.size_hint();
        // `pod-`, a function name, `-` and a few digits: 32 bytes a name is a fair first guess.
        let mut names = StringBuilder::with_capacity(rows, rows * 32);
        for (function, n) in values {
            // Writing to the builder's value buffer cannot fail.
            let _ = write!(names, "pod-{function}-{n}");
            names.append_value("");
        }
        Arc::new(names.finish())
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::{Array, StringArray};

    use super::*;

    #[test]
    fn pod_names_spell_out_function_and_number() {
        let array = PodName::array([("fa", 0), ("image-resizer", 17)].into_iter());
        let names = array.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(names.value(0), "pod-fa-0");
        assert_eq!(names.value(1), "pod-image-resizer-17");
        assert_eq!(names.null_count(), 0);
    }
}
