//! The `invocations` table (docs/outputs.md, `invocations`): one row per request, when the
//! scenario asks for it. Times that were never reached are `SimTime::NEVER` in the row and null
//! in the table.

use crate::engine::SimTime;
use crate::output::columns::{diff_secs, secs, Bool, OptF64, OptI64, OptUtf8, Utf8, F64, I64};
use crate::output::define::output_table;

/// Final status of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvocationStatus {
    /// Processing finished.
    Completed,
    /// Still in flight when the run stopped.
    Incomplete,
    /// Rejected (see reason).
    Rejected,
    /// Not started before its timeout.
    TimedOut,
}

impl InvocationStatus {
    /// Column value.
    pub fn as_str(self) -> &'static str {
        match self {
            InvocationStatus::Completed => "completed",
            InvocationStatus::Incomplete => "incomplete",
            InvocationStatus::Rejected => "rejected",
            InvocationStatus::TimedOut => "timed_out",
        }
    }
}

output_table! {
    /// One `invocations` row (docs/outputs.md, `invocations`). Unset times are `SimTime::NEVER`.
    #[derive(Clone, Debug)]
    pub struct InvocationRow in "invocations" {
        /// Global arrival order.
        pub request_id: u64,
        /// Per-function arrival order.
        pub fn_seq: u64,
        /// Function id.
        pub function: u32,
        /// Final status.
        pub status: InvocationStatus,
        /// `unknown_function`, `removed`, `queue_full` when rejected.
        pub reject_reason: Option<&'static str>,
        /// Waited for a replica to become Running.
        pub cold: bool,
        /// Arrival at the gateway.
        pub arrival: SimTime,
        /// Handed to a replica.
        pub dispatch: SimTime,
        /// Processing began.
        pub start: SimTime,
        /// Processing finished.
        pub end: SimTime,
        /// Data-transfer time inside exec (NEVER if not started).
        pub transfer: SimTime,
        /// Slowdown factor applied (None if not started).
        pub slowdown: Option<f64>,
        /// Replica (None if not dispatched).
        pub replica: Option<u32>,
        /// Node id (None if not dispatched).
        pub node: Option<u32>,
        /// Image id (None if not dispatched).
        pub image: Option<u32>,
        /// Container memory request (None if not dispatched).
        pub memory_bytes: Option<u64>,
    }
    columns |run, row| {
        "request_id": I64<u64> = row.request_id,
        "fn_seq": I64<u64> = row.fn_seq,
        "function": Utf8 = run.function(row.function),
        "status": Utf8 = row.status.as_str(),
        "reject_reason": OptUtf8 = row.reject_reason,
        "cold": Bool = row.cold,
        "arrival_s": F64 = secs(row.arrival),
        "dispatch_s": OptF64 = row.dispatch.secs_opt(),
        "start_s": OptF64 = row.start.secs_opt(),
        "end_s": OptF64 = row.end.secs_opt(),
        "wait_s": OptF64 = diff_secs(row.dispatch, row.arrival),
        "cold_wait_s": OptF64 = cold_wait(row),
        "queue_s": OptF64 = diff_secs(row.start, row.dispatch),
        "exec_s": OptF64 = diff_secs(row.end, row.start),
        "response_s": OptF64 = diff_secs(row.end, row.arrival),
        "transfer_s": OptF64 = row.transfer.secs_opt(),
        "slowdown": OptF64 = row.slowdown,
        "replica_id": OptI64<u32> = row.replica,
        "node": OptUtf8 = row.node.map(|n| run.node(n)),
        "image": OptUtf8 = row.image.map(|i| run.image(i)),
        "memory_bytes": OptI64<u64> = row.memory_bytes,
    }
}

/// The part of the wait spent for a replica to start: the whole wait of a cold request, 0 for a
/// request that found a Running replica, null for one never dispatched.
fn cold_wait(row: &InvocationRow) -> Option<f64> {
    let wait = diff_secs(row.dispatch, row.arrival)?;
    Some(if row.cold { wait } else { 0.0 })
}
