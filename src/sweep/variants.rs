//! What the runs of one sweep variant share: the runs of a variant (one grid point or zip entry)
//! differ only in their seed, so its scenario is resolved and validated, its canonical JSON
//! (the `run_id` input) serialised and its model compiled once, not once per run
//! (docs/performance.md, "A model of sweep scaling": in a sweep of 2 ms runs this was 6 % of
//! the CPU).
//!
//! The cache holds the few most recent variants: runs are started in `run_index` order, seeds
//! innermost, so the runs in flight belong to a handful of variants at a time.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use crate::config::{ConfigError, Scenario};
use crate::model::Model;
use crate::scheduler::SchedulerRegistry;

/// Variants kept (the runs in flight span about two batches).
const CAPACITY: usize = 8;

/// One variant's resolved scenario, its canonical JSON and, once a run needed it, its model.
#[derive(Debug)]
pub struct Variant {
    /// The resolved and validated scenario, or why it is invalid.
    pub scenario: Result<Scenario, ConfigError>,
    /// [`crate::run::canonical_json`] of the scenario (empty when it is invalid).
    pub canonical: String,
    model: OnceLock<Result<Model, String>>,
}

impl Variant {
    /// A variant of `scenario`.
    pub fn new(scenario: Result<Scenario, ConfigError>) -> Variant {
        let canonical = scenario
            .as_ref()
            .map(crate::run::canonical_json)
            .unwrap_or_default();
        Variant {
            scenario,
            canonical,
            model: OnceLock::new(),
        }
    }

    /// The compiled model (compiled by the first run that asks), or the compile error's message.
    /// Call it under `catch_unwind`: a panic while compiling leaves the model uncompiled.
    pub fn model(&self, schedulers: &SchedulerRegistry) -> Result<&Model, &str> {
        let Ok(sc) = &self.scenario else {
            return Err("the scenario is invalid");
        };
        self.model
            .get_or_init(|| Model::compile_with(sc, schedulers).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// Variants by index, oldest first.
type Recent = VecDeque<(u32, Arc<Variant>)>;

/// The most recent variants by index, shared by the worker threads.
#[derive(Clone, Default)]
pub struct VariantCache {
    recent: Arc<Mutex<Recent>>,
}

impl std::fmt::Debug for VariantCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.recent.lock().map_or(0, |r| r.len());
        write!(f, "VariantCache({n} variants)")
    }
}

impl VariantCache {
    /// Variant `index`, made by `make` if it is not cached. The lock is not held while `make`
    /// runs; two threads may then both make it, and one result is kept (they are equal).
    pub fn get(&self, index: u32, make: impl FnOnce() -> Variant) -> Arc<Variant> {
        if let Some(v) = self.find(index) {
            return v;
        }
        let made = Arc::new(make());
        let mut recent = self.recent.lock().expect("variant cache lock");
        if let Some((_, v)) = recent.iter().find(|(i, _)| *i == index) {
            return Arc::clone(v);
        }
        if recent.len() == CAPACITY {
            recent.pop_front();
        }
        recent.push_back((index, Arc::clone(&made)));
        made
    }

    fn find(&self, index: u32) -> Option<Arc<Variant>> {
        let recent = self.recent.lock().expect("variant cache lock");
        recent
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, v)| Arc::clone(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid() -> Variant {
        Variant::new(Err(ConfigError::new("x.toml", "run", "invalid")))
    }

    #[test]
    fn a_variant_is_made_once_while_cached_and_the_oldest_is_evicted_first() {
        let cache = VariantCache::default();
        let mut made = 0;
        for i in [0, 0, 1, 0] {
            cache.get(i, || {
                made += 1;
                invalid()
            });
        }
        assert_eq!(made, 2);
        for i in 2..(CAPACITY as u32 + 1) {
            cache.get(i, invalid);
        }
        // Variant 0 was the oldest of CAPACITY + 1 variants: it is made again.
        cache.get(0, || {
            made += 1;
            invalid()
        });
        assert_eq!(made, 3);
    }
}
