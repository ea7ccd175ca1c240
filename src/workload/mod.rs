//! Request arrivals: rate profiles, inter-arrival processes (`docs/scenario.md`) and the run's
//! workload sources.

pub mod arrivals;
pub mod rate;
pub mod source;

pub use arrivals::ArrivalProcess;
pub use rate::RateProfile;
pub use source::{NextArrival, Source, WorkloadSources};
