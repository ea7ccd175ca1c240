//! The `flows` table (docs/outputs.md, `flows`): one row per transfer of at least one byte —
//! image pulls and data downloads and uploads — in completion order, then the transfers still
//! moving when the run ended (without an end).

use crate::engine::SimTime;
use crate::output::columns::{diff_secs, secs, OptF64, OptI64, OptUtf8, Utf8, F64, I64};
use crate::output::define::output_table;

output_table! {
    /// One `flows` row: a finished transfer.
    #[derive(Clone, Debug, PartialEq)]
    pub struct FlowRow in "flows" {
        /// When the transfer was requested (its set-up started).
        pub requested: SimTime,
        /// When its flow became active (set-up over; `NEVER`: still setting up at the end).
        pub activated: SimTime,
        /// When its last byte arrived (`NEVER`: still moving at the end of the run).
        pub ended: SimTime,
        /// `image_pull`, `data_download` or `data_upload`.
        pub kind: &'static str,
        /// Source node id (`None`: the registry).
        pub source: Option<u32>,
        /// Destination node id (`None`: the registry).
        pub destination: Option<u32>,
        /// Bytes moved.
        pub bytes: u64,
        /// Links on the route.
        pub hops: u32,
        /// Round-trip time of the route as used by this transfer, ms.
        pub rtt_ms: f64,
        /// Mean payload rate while active, Mbit/s (`None` when active for no time).
        pub mean_rate_mbit: Option<f64>,
        /// The replica the transfer served.
        pub replica_id: Option<u32>,
        /// The request the transfer served (per-invocation data transfers only).
        pub request_id: Option<u64>,
        /// The image pulled.
        pub image: Option<u32>,
    }
    columns |run, row| {
        "t_request_s": F64 = secs(row.requested),
        "t_active_s": OptF64 = row.activated.is_set().then(|| secs(row.activated)),
        "t_end_s": OptF64 = row.ended.is_set().then(|| secs(row.ended)),
        "duration_s": OptF64 = diff_secs(row.ended, row.requested),
        "kind": Utf8 = row.kind,
        "source": Utf8 = row.source.map_or("registry", |n| run.node(n)),
        "destination": Utf8 = row.destination.map_or("registry", |n| run.node(n)),
        "bytes": I64<u64> = row.bytes,
        "hops": I64<u32> = row.hops,
        "rtt_ms": F64 = row.rtt_ms,
        "mean_rate_mbit": OptF64 = row.mean_rate_mbit,
        "replica_id": OptI64<u32> = row.replica_id,
        "request_id": OptI64<u64> = row.request_id,
        "image": OptUtf8 = row.image.map(|i| run.image(i)),
    }
}
