//! Per-run recorders: latency histograms and the row buffers of the output tables.

pub mod histogram;
pub mod records;

pub use histogram::LatencyHistogram;
pub use records::*;
