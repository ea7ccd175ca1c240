//! Scenario files: TOML parsed with serde into [`Scenario`], then validated.
//!
//! Every error names the file, the key path and what was expected; unknown keys are errors.

pub mod quantity;
pub mod scenario;
pub mod scheduler;
pub mod timemodel;

pub use quantity::{Cpu, Size};
pub use scenario::*;
pub use scheduler::*;
pub use timemodel::{TimeModel, TimeModelSpec};
