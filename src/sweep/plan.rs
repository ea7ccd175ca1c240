//! A loaded sweep: the sweep file, its base scenario, the expansion, `sweep_id`, and how one run
//! of it is resolved, identified and executed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use super::expand::{param_value, Expansion, RunSpec};
use super::spec::{parse_sweep, SweepDefinition};
use super::variants::{Variant, VariantCache};
use crate::config::{
    parse_key_path, parse_scenario, parse_toml_value, scenario_from_value, set_by_key_path,
    ConfigError, Scenario, Segment,
};
use crate::metrics::{ParamValue, RunIdentity, RunOutput, RunRow, RunStatus};
use crate::output::{param_columns_of, ParamColumn};
use crate::run::{run_id, short_hash};
use crate::scheduler::SchedulerRegistry;

/// Prefix of the hashed canonical sweep definition (`docs/sweeps.md`, "Expansion and identity").
const SWEEP_HASH_TAG: &[u8] = b"faasim-sweep-v1";

/// A sweep ready to run.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// `name`, else the sweep file's stem.
    pub name: String,
    /// The sweep file as given.
    pub sweep_file: PathBuf,
    /// Its text.
    pub sweep_text: String,
    /// The base scenario file (the sweep file's directory joined with `scenario`).
    pub scenario_file: PathBuf,
    /// Its text.
    pub scenario_text: String,
    /// The base scenario, resolved and validated.
    pub base_scenario: Scenario,
    /// The runs.
    pub expansion: Expansion,
    /// Runs per part file: the sweep's `runs_per_batch`, else the base's
    /// `outputs.runs_per_batch`.
    pub runs_per_batch: u32,
    /// Hash of the canonical sweep definition.
    pub sweep_id: String,
    base: toml::Value,
    /// User-written schedulers a variant's `scheduler.profile` may name ([`Sweep::with_schedulers`]).
    schedulers: SchedulerRegistry,
    /// `faasim sweep --set KEY=VALUE` edits applied to the base scenario before expansion, in
    /// order (recorded in the manifest; part of `sweep_id`).
    pub base_overrides: Vec<(String, toml::Value)>,
    /// The variants of the runs in flight, shared by their seeds.
    variants: VariantCache,
}

impl Sweep {
    /// Reads the sweep file at `path` and its base scenario.
    ///
    /// Errors are bad input: an unreadable or invalid sweep file, an unreadable or invalid base
    /// scenario (it must be valid on its own), or a swept key path that does not exist in a
    /// scenario (`scheduler.profil`), reported with the loader's suggestion. A *value* that
    /// makes a variant invalid is not an error here: that run is recorded with status `error`.
    pub fn load(path: &Path) -> Result<Sweep, ConfigError> {
        Self::load_with_overrides(path, Vec::new())
    }

    /// [`Sweep::load`] with `overrides` (`faasim sweep --set KEY=VALUE`) applied to the base
    /// scenario before expansion: every run starts from the edited base, and the sweep axes
    /// still win over it. An override whose key path does not exist, or that makes the base
    /// invalid, is an error naming the key.
    pub fn load_with_overrides(
        path: &Path,
        overrides: Vec<(String, toml::Value)>,
    ) -> Result<Sweep, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(&file, "", format!("cannot read the sweep file: {e}")))?;
        let def = parse_sweep(&text, &file)?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let scenario_file = dir.join(&def.scenario);
        let scenario_text = std::fs::read_to_string(&scenario_file).map_err(|e| {
            ConfigError::new(
                &file,
                "scenario",
                format!("cannot read {}: {e}", scenario_file.display()),
            )
        })?;
        Sweep::from_parts_with_overrides(def, path, text, scenario_file, scenario_text, overrides)
    }

    /// A sweep from an already parsed definition and the texts of both files (`faasim repro`
    /// rebuilds a sweep from the texts stored in a manifest).
    pub fn from_parts(
        def: SweepDefinition,
        sweep_file: &Path,
        sweep_text: String,
        scenario_file: PathBuf,
        scenario_text: String,
    ) -> Result<Sweep, ConfigError> {
        Self::from_parts_with_overrides(
            def,
            sweep_file,
            sweep_text,
            scenario_file,
            scenario_text,
            Vec::new(),
        )
    }

    /// [`Sweep::from_parts`] with `--set` overrides of the base scenario
    /// ([`Sweep::load_with_overrides`]).
    pub fn from_parts_with_overrides(
        def: SweepDefinition,
        sweep_file: &Path,
        sweep_text: String,
        scenario_file: PathBuf,
        scenario_text: String,
        base_overrides: Vec<(String, toml::Value)>,
    ) -> Result<Sweep, ConfigError> {
        let scenario_label = scenario_file.display().to_string();
        let mut base = parse_toml_value(&scenario_text, &scenario_label)?;
        for (key, value) in &base_overrides {
            set_by_key_path(&mut base, key, value.clone())
                .map_err(|e| ConfigError::new("--set", key, e))?;
        }
        let mut base_scenario = if base_overrides.is_empty() {
            parse_scenario(&scenario_text, &scenario_label)?
        } else {
            // The message names the key path, which is the overridden key when it is at fault.
            scenario_from_value(base.clone(), &format!("{scenario_label} with --set"))?
        };
        base_scenario.topology.base_dir = scenario_file.parent().map(Path::to_path_buf);
        let name = def.name.clone().unwrap_or_else(|| {
            sweep_file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sweep".into())
        });
        let runs_per_batch = def
            .runs_per_batch
            .unwrap_or(base_scenario.outputs.runs_per_batch);
        let sweep_id = sweep_id(&def, &base);
        let sweep = Sweep {
            name,
            sweep_file: sweep_file.to_path_buf(),
            sweep_text,
            scenario_file,
            scenario_text,
            base_scenario,
            expansion: Expansion::new(def.dimensions, def.seeds),
            runs_per_batch,
            sweep_id,
            base,
            schedulers: SchedulerRegistry::new(),
            base_overrides,
            variants: VariantCache::default(),
        };
        sweep.check_key_paths()?;
        Ok(sweep)
    }

    /// This sweep with `schedulers` available to its runs: a variant whose `scheduler.profile`
    /// names one of them runs with it (`docs/schedulers.md`, "Your own scheduler in a sweep").
    pub fn with_schedulers(mut self, schedulers: SchedulerRegistry) -> Sweep {
        self.schedulers = schedulers;
        self
    }

    /// The user-written schedulers available to the runs.
    pub fn schedulers(&self) -> &SchedulerRegistry {
        &self.schedulers
    }

    /// Number of runs.
    pub fn runs(&self) -> u32 {
        self.expansion.len()
    }

    /// Number of batches (`ceil(runs / runs_per_batch)`).
    pub fn batches(&self) -> u32 {
        self.runs().div_ceil(self.runs_per_batch)
    }

    /// The run indices of batch `b`.
    pub fn batch_runs(&self, b: u32) -> std::ops::Range<u32> {
        let start = b.saturating_mul(self.runs_per_batch).min(self.runs());
        start..start.saturating_add(self.runs_per_batch).min(self.runs())
    }

    /// The `param.<key>` columns, typed from every listed value (so every part has one schema).
    pub fn param_columns(&self) -> Vec<ParamColumn> {
        let values: Vec<(&str, ParamValue)> = self
            .expansion
            .dimensions()
            .iter()
            .flat_map(|d| {
                d.entries.iter().flat_map(move |entry| {
                    d.keys
                        .iter()
                        .zip(entry)
                        .map(|(k, v)| (k.as_str(), param_value(v)))
                })
            })
            .collect();
        param_columns_of(values.iter().map(|(k, v)| (*k, v)))
    }

    /// The base scenario's TOML with `spec`'s overrides applied.
    pub fn edited(&self, spec: &RunSpec) -> Result<toml::Value, ConfigError> {
        let mut v = self.base.clone();
        for (key, value) in &spec.params {
            for path in self.expansion.targets(key) {
                set_by_key_path(&mut v, path, value.clone())
                    .map_err(|e| ConfigError::new(self.scenario_label(), "", e))?;
            }
        }
        Ok(v)
    }

    /// The resolved and validated scenario of `spec`.
    pub fn resolve(&self, spec: &RunSpec) -> Result<Scenario, ConfigError> {
        let mut sc = scenario_from_value(self.edited(spec)?, &self.scenario_label())?;
        // Files a scenario names (an explicit topology, a latency matrix) are relative to the
        // base scenario's folder, whatever the working directory of the sweep.
        sc.topology.base_dir = self.base_scenario.topology.base_dir.clone();
        Ok(sc)
    }

    /// The identity of `spec`'s run given its resolved scenario (None if it is invalid). A run
    /// whose scenario is invalid is identified by the canonical JSON of its edited (unresolved)
    /// TOML instead, so it still has a `run_id` that is stable under key reordering.
    pub fn identity(&self, spec: &RunSpec, resolved: Option<&Scenario>) -> RunIdentity {
        let params: Vec<(String, ParamValue)> = spec
            .params
            .iter()
            .map(|(k, v)| (k.clone(), param_value(v)))
            .collect();
        match resolved {
            Some(sc) => crate::identity(sc, spec.seed, spec.run_index, &self.sweep_id, params),
            None => {
                let edited = self.edited(spec).unwrap_or_else(|_| self.base.clone());
                let canonical = canonical_toml(&edited);
                let scenario = edited
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or(&self.base_scenario.name)
                    .to_string();
                RunIdentity {
                    run_id: run_id(&canonical, spec.seed),
                    run_index: spec.run_index,
                    sweep_id: self.sweep_id.clone(),
                    scenario,
                    seed: spec.seed,
                    params,
                    config_hash: short_hash(&[canonical.as_bytes()]),
                    params_json: canonical,
                }
            }
        }
    }

    /// The `run_id` of run `run_index`.
    pub fn run_id(&self, run_index: u32) -> String {
        let spec = self.expansion.get(run_index);
        let resolved = self.resolve(&spec);
        self.identity(&spec, resolved.as_ref().ok()).run_id
    }

    /// Runs run `run_index` on the calling thread. An invalid variant or a panic inside the
    /// simulation becomes a run with status `error` and the message; nothing escapes.
    pub fn execute(&self, run_index: u32) -> RunOutput {
        let spec = self.expansion.get(run_index);
        // Seeds vary fastest: the runs of one variant are consecutive.
        let variant_index = run_index / self.expansion.seeds().len().max(1) as u32;
        let variant = self
            .variants
            .get(variant_index, || Variant::new(self.resolve(&spec)));
        match &variant.scenario {
            Ok(sc) => {
                let params = spec
                    .params
                    .iter()
                    .map(|(k, v)| (k.clone(), param_value(v)))
                    .collect();
                let id = crate::run::identity_of_canonical(
                    variant.canonical.clone(),
                    sc,
                    spec.seed,
                    spec.run_index,
                    &self.sweep_id,
                    params,
                );
                let row = RunRow::new(id.clone());
                match catch_unwind(AssertUnwindSafe(|| match variant.model(&self.schedulers) {
                    Ok(model) => crate::run::run_model(model, id),
                    Err(e) => RunOutput::failed(row.clone(), RunStatus::Error, e.to_string()),
                })) {
                    Ok(out) => out,
                    Err(payload) => {
                        let msg = payload
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| payload.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "unknown panic".into());
                        RunOutput::failed(row, RunStatus::Error, format!("panic: {msg}"))
                    }
                }
            }
            Err(e) => {
                let id = self.identity(&spec, None);
                RunOutput::failed(RunRow::new(id), RunStatus::Error, e.to_string())
            }
        }
    }

    fn scenario_label(&self) -> String {
        self.scenario_file.display().to_string()
    }

    /// A swept key must name a place in a scenario: applying its first value to the base must
    /// not fail on the path itself (an index past the end, a path through a number) nor yield an
    /// unknown key at or below it. Other validation errors depend on the value and are left to
    /// the runs.
    fn check_key_paths(&self) -> Result<(), ConfigError> {
        let sweep_label = self.sweep_file.display().to_string();
        for dim in self.expansion.dimensions() {
            for (k, key) in dim.keys.iter().enumerate() {
                for target in &dim.targets[k] {
                    let mut v = self.base.clone();
                    let at = format!("{}.{key}", dim.origin);
                    set_by_key_path(&mut v, target, dim.entries[0][k].clone())
                        .map_err(|e| ConfigError::new(&sweep_label, &at, e))?;
                    if let Err(e) = scenario_from_value(v, &self.scenario_label()) {
                        if e.message.starts_with("unknown key") && inside(&e.key_path, target) {
                            return Err(ConfigError::new(
                                &sweep_label,
                                &at,
                                format!("not a scenario key: {}: {}", e.key_path, e.message),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// True if the loader's error path `error_path` (`workloads[0].rate.x`) lies at or below the key
/// path `key_path` (`workloads.*.rate`; `*` matches any index).
fn inside(error_path: &str, key_path: &str) -> bool {
    let Ok(segments) = parse_key_path(key_path) else {
        return false;
    };
    let mut rest = error_path;
    for (i, seg) in segments.iter().enumerate() {
        let s = seg.as_str();
        let is_index = *seg == Segment::EveryIndex || s.bytes().all(|b| b.is_ascii_digit());
        let after = if is_index {
            let Some(tail) = rest.strip_prefix('[') else {
                return false;
            };
            let Some((index, tail)) = tail.split_once(']') else {
                return false;
            };
            if *seg != Segment::EveryIndex && index != s {
                return false;
            }
            tail
        } else {
            let tail = if i == 0 {
                Some(rest)
            } else {
                rest.strip_prefix('.')
            };
            match tail.and_then(|t| t.strip_prefix(s)) {
                Some(t) => t,
                None => return false,
            }
        };
        rest = after;
    }
    rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')
}

/// Canonical JSON of a TOML value: keys sorted, no whitespace, shortest floats.
pub fn canonical_toml(v: &toml::Value) -> String {
    // serde_json's Map is a BTreeMap here (no `preserve_order`), so keys come out sorted.
    let json = serde_json::to_value(v).expect("TOML values serialise");
    serde_json::to_string(&json).expect("JSON values serialise")
}

/// The canonical sweep definition: the base scenario's TOML (keys sorted), the axes in
/// expansion order with their keys and values, and the expanded seed list. Independent of key
/// order inside the scenario file, of comments and formatting, of how the seeds were written
/// (list, range or `replications`), of the sweep's `name` and of file paths.
pub fn canonical_sweep(def: &SweepDefinition, base: &toml::Value) -> String {
    let dims: Vec<serde_json::Value> = def
        .dimensions
        .iter()
        .map(|d| {
            let mut axis = serde_json::json!({
                "keys": d.keys,
                "values": d.entries.iter().map(|e| e.iter().map(|v| serde_json::to_value(v).expect("TOML values serialise")).collect::<Vec<_>>()).collect::<Vec<_>>(),
            });
            // Only named axes add their targets, so sweeps without them keep their sweep_id.
            if d.has_named_keys() {
                axis["targets"] = serde_json::json!(d.targets);
            }
            axis
        })
        .collect();
    let v = serde_json::json!({
        "base": serde_json::to_value(base).expect("TOML values serialise"),
        "dimensions": dims,
        "seeds": def.seeds,
    });
    serde_json::to_string(&v).expect("JSON values serialise")
}

/// `sweep_id` = first 8 bytes of SHA-256("faasim-sweep-v1" ‖ canonical sweep definition).
pub fn sweep_id(def: &SweepDefinition, base: &toml::Value) -> String {
    short_hash(&[SWEEP_HASH_TAG, canonical_sweep(def, base).as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loader_error_path_lies_inside_a_key_path_with_indices_stars_and_quotes() {
        assert!(inside("workloads[0].rate.constant.rps", "workloads.0.rate"));
        assert!(inside("workloads[3].rate.x", "workloads.*.rate"));
        assert!(inside("scheduler.profil", "scheduler.profil"));
        assert!(inside(
            "functions[1].labels.a.b/c",
            r#"functions.1.labels."a.b/c""#
        ));
        assert!(!inside("workloads[1].rate", "workloads.0.rate"));
        assert!(!inside("scheduler.profiles", "scheduler.profile"));
        assert!(!inside("run", "run.horizon_s"));
    }

    #[test]
    fn canonical_toml_sorts_keys_whatever_the_file_order() {
        let a: toml::Value = toml::from_str("b = 1\na = { y = 2.5, x = \"s\" }\n").unwrap();
        let b: toml::Value = toml::from_str("a = { x = \"s\", y = 2.5 }\nb = 1\n").unwrap();
        assert_eq!(canonical_toml(&a), canonical_toml(&b));
        assert_eq!(canonical_toml(&a), r#"{"a":{"x":"s","y":2.5},"b":1}"#);
    }
}
