//! Request arrivals: rate profiles and inter-arrival processes (`docs/scenario.md`).

pub mod arrivals;
pub mod rate;

pub use arrivals::ArrivalProcess;
pub use rate::RateProfile;
