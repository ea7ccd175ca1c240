//! The `links` table (docs/outputs.md, `links`): per link that carried at least one flow, the
//! bytes it carried and the time it was busy.

use crate::engine::SimTime;
use crate::output::columns::{Utf8, F64, I64};
use crate::output::define::output_table;

output_table! {
    /// One `links` row: a link's totals over the run.
    #[derive(Clone, Debug, PartialEq)]
    pub struct LinkRow in "links" {
        /// Link id (insertion order).
        pub link: u32,
        /// Link name.
        pub name: String,
        /// Role tag: `node`, `shared`, `uplink` or `downlink`.
        pub kind: &'static str,
        /// Capacity, Mbit/s.
        pub capacity_mbit: f64,
        /// Bytes of the flows that finished on it.
        pub bytes: u64,
        /// Time it carried at least one active flow.
        pub busy: SimTime,
    }
    columns |run, row| {
        "link_id": I64<u32> = row.link,
        "link": Utf8 = row.name.as_str(),
        "kind": Utf8 = row.kind,
        "capacity_mbit": F64 = row.capacity_mbit,
        "bytes": I64<u64> = row.bytes,
        "busy_s": F64 = row.busy.as_secs_f64(),
    }
}
