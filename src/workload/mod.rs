//! Request arrivals: rate curves, inter-arrival processes, the run's workload sources, lazy
//! arrival sources, recorded-arrival replay and the Azure Functions trace readers
//! (`docs/workloads.md`).

pub mod arrival_source;
pub mod arrivals;
pub mod azure;
pub mod bursts;
pub mod csv_rows;
pub mod error;
pub mod ramp;
pub mod random_walk;
pub mod rate;
pub mod replay;
pub mod source;
pub mod steps;
pub mod thinning;

pub use arrival_source::{Arrival, ArrivalSource};
pub use arrivals::ArrivalProcess;
pub use bursts::Bursts;
pub use error::WorkloadError;
pub use ramp::Ramp;
pub use random_walk::RandomWalk;
pub use rate::RateProfile;
pub use replay::Replay;
pub use source::{NextArrival, Source, WorkloadSources};
pub use steps::Steps;
