//! Request arrivals: rate profiles and inter-arrival processes (`spec/workload.md`).

pub mod arrivals;
pub mod rate;

pub use arrivals::ArrivalProcess;
pub use rate::RateProfile;
