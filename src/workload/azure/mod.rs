//! Readers of the Azure Functions public traces (`docs/workloads.md`): the 2019 dataset
//! (per-minute invocation counts, duration and memory percentiles) and the 2021 dataset (one row
//! per invocation).
//!
//! Both readers stream: selection makes one pass keeping one counter per distinct function, and
//! replay holds one day of the selected functions' counts (2019) or a bounded reorder buffer
//! (2021), never the whole trace. Both yield [`TraceRequest`]s in time order, ties broken by the
//! selected function's index.

pub mod azure2019;
pub mod azure2021;
pub mod hash;
pub mod select;
pub mod select_config;
pub mod synthesis;

pub use azure2019::{
    Azure2019Function, Azure2019Options, Azure2019Replay, Azure2019Trace, DurationColumns,
};
pub use azure2021::{Azure2021Options, Azure2021Replay, Azure2021Trace};
pub use hash::{content_hash, content_hash_cached};
pub use select::Selection;
pub use select_config::SelectConfig;
pub use synthesis::Synthesis;

use crate::engine::SimTime;

/// One request replayed from a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceRequest {
    /// Arrival time since the start of the window.
    pub time: SimTime,
    /// Index of the function among the selected ones (ascending key order).
    pub function: u32,
    /// The recorded duration, when the trace has one per request (2021).
    pub duration: Option<SimTime>,
    /// Which of its function's execution-time models the request executes with (2019: the
    /// model of the day it arrived in; 0 is the deployment's own `exec`).
    pub exec_model: u16,
}
