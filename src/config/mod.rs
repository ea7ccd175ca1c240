//! Scenario files: TOML parsed with serde into [`Scenario`], then validated.
//!
//! Every error names the file, the key path and what was expected; unknown keys are errors, with a
//! suggestion when a valid key is close. The user-facing reference of every key is
//! `docs/scenario.md`.

pub mod error;
pub mod integers;
pub mod key_path;
pub mod load;
pub mod quantity;
pub mod scaling;
pub mod scenario;
pub mod scheduler;
pub mod timemodel;
pub mod topology;
pub mod traces;
pub mod validate;

#[cfg(test)]
mod tests;

pub use error::ConfigError;
pub use key_path::{parse_key_path, render_key_path, split_assignment, Segment};
pub use load::{
    load_scenario, parse_scenario, parse_toml_as, parse_toml_value, scenario_from_value,
    set_by_key_path,
};
pub use quantity::{parse_size, Cpu, Size};
pub use scaling::*;
pub use scenario::*;
pub use scheduler::*;
pub use timemodel::{TimeModel, TimeModelSpec};
pub use validate::validate;
