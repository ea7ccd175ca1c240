//! Schedulers written by a user of the library, registered under a name so that a scenario or a
//! sweep can select them with `scheduler.profile = "<name>"` like a built-in profile
//! (`docs/schedulers.md`, "Your own scheduler in a sweep").
//!
//! A [`SchedulerRegistry`] maps names to factories. A factory receives the run's cluster and
//! master seed and returns a fresh scheduler for that run; it is called once per run, from the
//! sweep's worker threads, so it must be `Send + Sync` and should derive any randomness from the
//! seed (`faasim::engine::stream_rng(seed, "sched")`) to keep runs reproducible.
//!
//! A run's identity (`run_id`) covers the scenario, and so the profile *name*, not the code
//! behind it: give a changed implementation a new name (`mine-v2`) when results must not mix.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::{Scheduler, PROFILES};
use crate::cluster::Cluster;

/// Builds a scheduler for one run: `(cluster, master seed) → scheduler`.
pub type SchedulerFactory = dyn Fn(&Cluster, u64) -> Box<dyn Scheduler> + Send + Sync;

/// Why a name cannot be registered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The name is one of the built-in profiles.
    #[error("scheduler name `{0}` is a built-in profile (built-in: {builtin}); choose another name", builtin = PROFILES.join(", "))]
    Builtin(String),
    /// The name is already registered.
    #[error("scheduler name `{0}` is already registered")]
    Duplicate(String),
    /// The name is empty or holds characters that do not survive a TOML key or a shell.
    #[error("scheduler name `{0}`: use letters, digits, `-`, `_` and `.` only")]
    InvalidName(String),
}

/// Named user-written schedulers (see the module docs). Cheap to clone: factories are shared.
#[derive(Clone, Default)]
pub struct SchedulerRegistry {
    factories: BTreeMap<String, Arc<SchedulerFactory>>,
}

impl SchedulerRegistry {
    /// An empty registry: only the built-in profiles are available.
    pub fn new() -> SchedulerRegistry {
        SchedulerRegistry::default()
    }

    /// Registers `factory` under `name`, so `scheduler.profile = "<name>"` selects it.
    pub fn register(
        &mut self,
        name: &str,
        factory: impl Fn(&Cluster, u64) -> Box<dyn Scheduler> + Send + Sync + 'static,
    ) -> Result<&mut SchedulerRegistry, RegistryError> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(RegistryError::InvalidName(name.to_string()));
        }
        if PROFILES.contains(&name) {
            return Err(RegistryError::Builtin(name.to_string()));
        }
        if self.factories.contains_key(name) {
            return Err(RegistryError::Duplicate(name.to_string()));
        }
        self.factories.insert(name.to_string(), Arc::new(factory));
        Ok(self)
    }

    /// The factory registered under `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<SchedulerFactory>> {
        self.factories.get(name)
    }

    /// Registered names in sorted order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.factories.keys().map(String::as_str)
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.factories.is_empty()
    }
}

impl fmt::Debug for SchedulerRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::firstfit::FirstFit;

    fn first_fit(c: &Cluster, _seed: u64) -> Box<dyn Scheduler> {
        Box::new(FirstFit::new(c))
    }

    #[test]
    fn a_registered_name_is_found_and_listed() {
        let mut r = SchedulerRegistry::new();
        r.register("mine", first_fit).unwrap();
        r.register("also-mine.v2", first_fit).unwrap();
        assert!(r.get("mine").is_some());
        assert!(r.get("yours").is_none());
        assert_eq!(r.names().collect::<Vec<_>>(), ["also-mine.v2", "mine"]);
    }

    #[test]
    fn built_in_duplicate_and_odd_names_are_refused() {
        let mut r = SchedulerRegistry::new();
        r.register("mine", first_fit).unwrap();
        assert_eq!(
            r.register("skippy", first_fit).err(),
            Some(RegistryError::Builtin("skippy".into()))
        );
        assert_eq!(
            r.register("mine", first_fit).err(),
            Some(RegistryError::Duplicate("mine".into()))
        );
        for bad in ["", "my scheduler", "a\"b"] {
            assert_eq!(
                r.register(bad, first_fit).err(),
                Some(RegistryError::InvalidName(bad.into()))
            );
        }
    }
}
