//! Per-run recorders: latency histograms, the names rows refer to, and the row buffers of the
//! output tables (whose row types are defined with their columns in [`crate::output::tables`]
//! and re-exported here, so recording code names them `metrics::…Row`).

pub mod buckets;
pub mod histogram;
pub mod names;
pub mod records;
pub mod request_latencies;

pub use crate::output::tables::{
    FlowRow, HistogramRow, InvocationRow, InvocationStatus, LinkRow, MetricStats, NodeRow,
    ParamValue, PlacementRow, ReplicaCountRow, ReplicaRow, RunIdentity, RunRow, RunStatus,
    ScalingRow, SummaryRow, UtilizationRow, SUMMARY_METRICS,
};
pub use histogram::LatencyHistogram;
pub use names::Names;
pub use records::*;
pub use request_latencies::RequestLatencies;
