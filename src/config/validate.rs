//! Semantic checks of a deserialised [`Scenario`]: everything serde cannot see (ranges, cross
//! references between sections, names). The first violation in file order is reported with its
//! key path, e.g. `deployments[2].scaling.scale_max: must be >= scale_min (1), got 0`.
//!
//! Choices where the model leaves room (documented for users in `docs/scenario.md`):
//! - durations are finite and `>= 0`; `run.horizon_s`, `routing.request_timeout_s`,
//!   `run.max_wall_s`, `scheduler.retry_backoff_s`, scaler periods and targets must be `> 0`
//!   (a zero period or back-off would repeat at one instant forever; a zero target divides by 0);
//! - `ranking.function_factor` values lie in `[0, 1]`: 0 makes an image reachable only through
//!   scheduling fallback, and a cap above `scale_max` could never bind, so a larger value is
//!   almost certainly a percentage written by mistake;
//! - a lognormal's `loc` may be negative (fitted tables have such shifts); negative samples are
//!   clamped to 0 at run time;
//! - `scheduler.profile` names are checked by the scheduler module, not here.

use super::error::{suggest, ConfigError};
use super::quantity::{Cpu, MAX_CPU_MILLIS};
use super::scaling::KeepaliveConfig;
use super::scenario::*;
use super::timemodel::{TimeModel, TimeModelSpec};
use crate::cluster::{builtin_catalog, normalize_image_name, Accelerator};
use std::collections::{BTreeMap, BTreeSet};

type Check = Result<(), ConfigError>;

/// Topology generators (`docs/network.md`).
const GENERATORS: &[&str] = &[
    "cluster",
    "urban_sensing",
    "urban_sensing_hetero",
    "cloud_regions",
    "explicit",
];
const LABEL_SCHEMES: &[&str] = &["ether", "raith21"];

/// Checks every semantic rule of `sc`. The returned error's `file` is empty: the caller (see
/// [`super::parse_scenario`]) fills it in.
pub fn validate(sc: &Scenario) -> Result<(), ConfigError> {
    let mut node_types: BTreeSet<String> = builtin_catalog().into_iter().map(|t| t.name).collect();
    node_types.extend(sc.topology.node_types.keys().cloned());
    let v = Validator {
        sc,
        node_types: node_types.iter().map(String::as_str).collect(),
        images: sc
            .images
            .iter()
            .map(|i| normalize_image_name(&i.name))
            .collect(),
        functions: sc.functions.iter().map(|f| f.name.as_str()).collect(),
    };
    v.run()?;
    v.topology()?;
    v.images()?;
    v.functions()?;
    v.deployments()?;
    non_negative("workload.scale", v.sc.workload.scale)?;
    v.workloads()?;
    v.traces()?;
    v.scheduler()?;
    v.routing_network_outputs()?;
    v.scaling_and_monitor()
}

struct Validator<'a> {
    sc: &'a Scenario,
    node_types: Vec<&'a str>,
    /// Normalised image names in declaration order.
    images: Vec<String>,
    functions: Vec<&'a str>,
}

fn fail(path: impl Into<String>, message: impl Into<String>) -> Check {
    Err(ConfigError::new("", path, message))
}

/// A container's used CPU is given once: as a CPU quantity (`idle_cpu = "100m"`, where a bare
/// number means cores) or as integer millicores (`idle_cpu_millis = 100`), never both, since the
/// two keys read numbers in different units. The millicores obey the CPU quantities' cap.
fn cpu_in_one_unit(
    path: &str,
    (quantity_key, quantity): (&str, Option<Cpu>),
    (millis_key, millis): (&str, Option<u64>),
) -> Check {
    let Some(m) = millis else {
        return Ok(());
    };
    if quantity.is_some() {
        return fail(
            format!("{path}.{millis_key}"),
            format!(
                "give either `{quantity_key}` (a CPU quantity such as \"100m\"; a bare number is cores) or `{millis_key}` (an integer number of millicores), not both"
            ),
        );
    }
    if m > MAX_CPU_MILLIS {
        return fail(
            format!("{path}.{millis_key}"),
            format!("must be at most {MAX_CPU_MILLIS} millicores (one million cores), got {m}"),
        );
    }
    Ok(())
}

fn non_negative(path: &str, v: f64) -> Check {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        fail(path, format!("must be a finite number >= 0, got {v}"))
    }
}

fn positive(path: &str, v: f64) -> Check {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        fail(path, format!("must be a finite number > 0, got {v}"))
    }
}

/// Sizes that come from the config and size allocations are capped, so that a typo is an error
/// naming its key rather than an aborted process (`docs/scenario.md`, "Limits").
pub const MAX_NODES: u64 = 100_000;
/// Bins of a hybrid-histogram keep-alive, per function.
pub const MAX_HISTOGRAM_BINS: u64 = 1_000_000;
/// Runs held in memory per batch.
pub const MAX_RUNS_PER_BATCH: u32 = 100_000;
/// Live replicas of one deployment (`scaling.scale_max`): every replica is a row in the run's
/// tables, and scale-ups and commands are capped by `scale_max`.
pub const MAX_REPLICAS: u32 = 1_000_000;

/// The simulation clock counts whole nanoseconds: a shorter period would round to 0 and repeat
/// at one instant forever.
pub const TIME_RESOLUTION_S: f64 = 1e-9;

/// The highest request rate the clock can represent: one request per nanosecond.
pub const MAX_RATE_RPS: f64 = 1e9;

/// A period or interval that repeats: `> 0` and at least the time resolution.
fn period(path: &str, v: f64) -> Check {
    positive(path, v)?;
    if v < TIME_RESOLUTION_S {
        return fail(
            path,
            format!(
                "must be at least {TIME_RESOLUTION_S} s (1 ns, the simulation's time resolution), got {v}"
            ),
        );
    }
    Ok(())
}

fn finite(path: &str, v: f64) -> Check {
    if v.is_finite() {
        Ok(())
    } else {
        fail(path, format!("must be a finite number, got {v}"))
    }
}

fn within(path: &str, v: f64, lo: f64, hi: f64) -> Check {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        fail(path, format!("must be between {lo} and {hi}, got {v}"))
    }
}

/// `unknown <what> `name``, with a suggestion from `valid` when one is close.
fn unknown(what: &str, name: &str, valid: &[&str], hint: &str) -> String {
    match suggest(name, valid) {
        Some(s) => format!("unknown {what} `{name}`; did you mean `{s}`?"),
        None => format!("unknown {what} `{name}`; {hint}"),
    }
}

fn non_empty_name(path: &str, name: &str) -> Check {
    if name.trim().is_empty() {
        fail(path, "must not be empty")
    } else {
        Ok(())
    }
}

impl Validator<'_> {
    fn run(&self) -> Check {
        let run = &self.sc.run;
        if let Some(h) = run.horizon_s {
            positive("run.horizon_s", h)?;
        }
        non_negative("run.drain_timeout_s", run.drain_timeout_s)?;
        if run.max_events == Some(0) {
            fail("run.max_events", "must be >= 1 when set, got 0")?;
        }
        if let Some(w) = run.max_wall_s {
            positive("run.max_wall_s", w)?;
        }
        if run.max_memory_mb == Some(0) {
            fail("run.max_memory_mb", "must be >= 1 when set, got 0")?;
        }
        Ok(())
    }

    fn topology(&self) -> Check {
        let t = &self.sc.topology;
        if !GENERATORS.contains(&t.generator.as_str()) {
            fail(
                "topology.generator",
                unknown(
                    "generator",
                    &t.generator,
                    GENERATORS,
                    &format!("expected one of {}", GENERATORS.join(", ")),
                ),
            )?;
        }
        self.generator_parameters()?;
        for (name, nt) in &t.node_types {
            let path = format!("topology.node_types.{name}");
            non_empty_name(&format!("{path}.arch"), &nt.arch)?;
            if Accelerator::parse(&nt.accelerator).is_none() {
                fail(
                    format!("{path}.accelerator"),
                    format!("expected `NONE`, `GPU` or `TPU`, got `{}`", nt.accelerator),
                )?;
            }
            if nt.locality != "edge" && nt.locality != "cloud" {
                fail(
                    format!("{path}.locality"),
                    format!("expected `edge` or `cloud`, got `{}`", nt.locality),
                )?;
            }
            positive(&format!("{path}.link_mbit"), nt.link_mbit)?;
        }
        for (i, group) in t.nodes.iter().enumerate() {
            self.node_type(&format!("topology.nodes[{i}].type"), &group.node_type)?;
        }
        let mut total: u64 = 0;
        for (i, group) in t.nodes.iter().enumerate() {
            total += group.count as u64;
            if total > MAX_NODES {
                fail(
                    format!("topology.nodes[{i}].count"),
                    format!(
                        "the topology would have {total} nodes or more; at most {MAX_NODES} are supported"
                    ),
                )?;
            }
        }
        let needs_nodes = matches!(t.generator.as_str(), "cluster" | "urban_sensing_hetero");
        if needs_nodes && t.nodes.iter().all(|g| g.count == 0) {
            fail(
                "topology.nodes",
                "the topology has no compute nodes: add a group such as { type = \"server\", count = 1 }",
            )?;
        }
        if t.lan_size == 0 {
            fail("topology.lan_size", "must be >= 1, got 0")?;
        }
        let mut storage_names = BTreeSet::new();
        for (i, s) in t.storage.iter().enumerate() {
            let path = format!("topology.storage[{i}]");
            non_empty_name(&format!("{path}.name"), &s.name)?;
            if !storage_names.insert(s.name.as_str()) {
                fail(
                    format!("{path}.name"),
                    format!("storage node `{}` is declared twice", s.name),
                )?;
            }
            self.node_type(&format!("{path}.type"), &s.node_type)?;
        }
        if !LABEL_SCHEMES.contains(&t.label_scheme()) {
            fail(
                "topology.labels",
                unknown(
                    "label scheme",
                    t.label_scheme(),
                    LABEL_SCHEMES,
                    "expected `ether` or `raith21`",
                ),
            )?;
        }
        Ok(())
    }

    /// Parameters of the non-`cluster` generators (deeper checks of explicit graphs and
    /// latency matrices happen when the topology is built, with the same key paths).
    fn generator_parameters(&self) -> Check {
        let t = &self.sc.topology;
        match t.generator.as_str() {
            "urban_sensing" | "urban_sensing_hetero" => {
                match &t.cell_density {
                    CellDensity::List(list) => {
                        if list.is_empty() {
                            fail("topology.cell_density", "must list at least one density")?;
                        }
                        if let Some(i) = list.iter().position(|&d| d == 0 || d > 10_000) {
                            fail(
                                format!("topology.cell_density[{i}]"),
                                format!("must be in 1..=10000, got {}", list[i]),
                            )?;
                        }
                    }
                    CellDensity::Lognormal { s, loc, scale } => {
                        non_negative("topology.cell_density.s", *s)?;
                        finite("topology.cell_density.loc", *loc)?;
                        positive("topology.cell_density.scale", *scale)?;
                        if t.cells == 0 || t.cells > 10_000 {
                            fail(
                                "topology.cells",
                                format!("must be in 1..=10000, got {}", t.cells),
                            )?;
                        }
                    }
                }
                positive("topology.shared_mbit", t.shared_mbit)?;
                let c = &t.cloudlet;
                self.node_type("topology.cloudlet.type", &c.node_type)?;
                if u64::from(c.servers_per_rack) * u64::from(c.racks) > MAX_NODES {
                    fail(
                        "topology.cloudlet.racks",
                        format!("the cloudlet would exceed {MAX_NODES} nodes"),
                    )?;
                }
            }
            "cloud_regions" => {
                if t.regions.is_empty() {
                    fail(
                        "topology.regions",
                        "cloud_regions needs at least one region",
                    )?;
                }
                let mut names = BTreeSet::new();
                let mut total = 0u64;
                for (i, r) in t.regions.iter().enumerate() {
                    non_empty_name(&format!("topology.regions[{i}].name"), &r.name)?;
                    if !names.insert(r.name.as_str()) {
                        fail(
                            format!("topology.regions[{i}].name"),
                            format!("region `{}` is declared twice", r.name),
                        )?;
                    }
                    self.node_type(&format!("topology.regions[{i}].type"), &r.node_type)?;
                    total += u64::from(r.servers_per_rack) * u64::from(r.racks);
                    if total > MAX_NODES {
                        fail(
                            format!("topology.regions[{i}].racks"),
                            format!("the topology would exceed {MAX_NODES} nodes"),
                        )?;
                    }
                }
                if t.matrix_kind != "rtt" && t.matrix_kind != "one_way" {
                    fail(
                        "topology.matrix_kind",
                        format!("expected `rtt` or `one_way`, got `{}`", t.matrix_kind),
                    )?;
                }
            }
            "explicit" => {
                if t.file.is_none() && t.vertices.is_empty() {
                    fail(
                        "topology.vertices",
                        "an explicit topology lists its vertices here or in `topology.file`",
                    )?;
                }
                if t.file.is_some() && (!t.vertices.is_empty() || !t.edges.is_empty()) {
                    fail(
                        "topology.file",
                        "give vertices and edges either in the scenario or in `file`, not both",
                    )?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn network(&self) -> Check {
        let n = &self.sc.network;
        positive("network.default_bandwidth_mbit", n.default_bandwidth_mbit)?;
        if !["mode", "mean", "sampled"].contains(&n.latency.as_str()) {
            fail(
                "network.latency",
                unknown(
                    "latency mode",
                    &n.latency,
                    &["mode", "mean", "sampled"],
                    "expected `mode`, `mean` or `sampled`",
                ),
            )?;
        }
        if !(n.goodput_factor > 0.0 && n.goodput_factor <= 1.0) {
            fail(
                "network.goodput_factor",
                format!("must be in (0, 1], got {}", n.goodput_factor),
            )?;
        }
        if let Some(m) = n.registry_link_mbit {
            positive("network.registry_link_mbit", m)?;
        }
        if n.storage_choice != "first" && n.storage_choice != "nearest" {
            fail(
                "network.storage_choice",
                format!("expected `first` or `nearest`, got `{}`", n.storage_choice),
            )?;
        }
        positive("network.local_io_bytes_per_s", n.local_io_bytes_per_s)
    }

    fn node_type(&self, path: &str, name: &str) -> Check {
        if self.node_types.contains(&name) {
            return Ok(());
        }
        let hint = format!(
            "expected a catalog type ({}) or one defined in `topology.node_types`",
            self.node_types.join(", ")
        );
        fail(path, unknown("node type", name, &self.node_types, &hint))
    }

    fn image(&self, path: &str, name: &str) -> Check {
        if self.images.contains(&normalize_image_name(name)) {
            return Ok(());
        }
        let declared: Vec<&str> = self.sc.images.iter().map(|i| i.name.as_str()).collect();
        let hint = "declare it in an [[images]] entry";
        fail(path, unknown("image", name, &declared, hint))
    }

    fn function(&self, path: &str, name: &str) -> Check {
        if self.functions.contains(&name) {
            return Ok(());
        }
        fail(
            path,
            unknown(
                "function",
                name,
                &self.functions,
                "declare it in a [[functions]] entry",
            ),
        )
    }

    fn images(&self) -> Check {
        for (i, img) in self.sc.images.iter().enumerate() {
            let path = format!("images[{i}]");
            non_empty_name(&format!("{path}.name"), &img.name)?;
            if let Some(j) = self.images[..i].iter().position(|n| *n == self.images[i]) {
                fail(
                    format!("{path}.name"),
                    format!(
                        "image `{}` is already declared at images[{j}]",
                        self.images[i]
                    ),
                )?;
            }
            if img.variants.is_empty() {
                fail(
                    format!("{path}.variants"),
                    "an image needs at least one variant, e.g. { arch = \"x86\", size = \"58M\" }",
                )?;
            }
            for (k, var) in img.variants.iter().enumerate() {
                let vpath = format!("{path}.variants[{k}].arch");
                non_empty_name(&vpath, &var.arch)?;
                if img.variants[..k].iter().any(|o| o.arch == var.arch) {
                    fail(
                        vpath,
                        format!("architecture `{}` has two variants in this image", var.arch),
                    )?;
                }
            }
        }
        Ok(())
    }

    fn functions(&self) -> Check {
        for (i, f) in self.sc.functions.iter().enumerate() {
            let path = format!("functions[{i}]");
            non_empty_name(&format!("{path}.name"), &f.name)?;
            if let Some(j) = self.functions[..i].iter().position(|n| *n == f.name) {
                fail(
                    format!("{path}.name"),
                    format!(
                        "function `{}` is already declared at functions[{j}]",
                        f.name
                    ),
                )?;
            }
            for (k, img) in f.images.iter().enumerate() {
                self.image(&format!("{path}.images[{k}]"), img)?;
            }
            for (key, spec) in [
                ("exec", &f.exec),
                ("startup", &f.startup),
                ("setup", &f.setup),
                ("teardown", &f.teardown),
                ("cold_penalty", &f.cold_penalty),
            ] {
                if let Some(spec) = spec {
                    self.time_model_spec(&format!("{path}.{key}"), spec)?;
                }
            }
            if let Some(ConcurrencyConfig::HttpWatchdog { workers: 0, .. }) = f.concurrency {
                fail(
                    format!("{path}.concurrency.http_watchdog.workers"),
                    "must be >= 1, got 0",
                )?;
            }
        }
        Ok(())
    }

    fn deployments(&self) -> Check {
        let mut deployed: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, d) in self.sc.deployments.iter().enumerate() {
            let path = format!("deployments[{i}]");
            self.function(&format!("{path}.function"), &d.function)?;
            if let Some(j) = deployed.insert(&d.function, i) {
                fail(
                    format!("{path}.function"),
                    format!(
                        "function `{}` already has a deployment (deployments[{j}])",
                        d.function
                    ),
                )?;
            }
            if d.containers.is_empty() {
                fail(
                    format!("{path}.containers"),
                    "a deployment needs at least one container, e.g. { image = \"...\" }",
                )?;
            }
            let container_images: Vec<String> = d
                .containers
                .iter()
                .map(|c| normalize_image_name(&c.image))
                .collect();
            for (k, c) in d.containers.iter().enumerate() {
                let cpath = format!("{path}.containers[{k}]");
                self.image(&format!("{cpath}.image"), &c.image)?;
                if container_images[..k].contains(&container_images[k]) {
                    fail(
                        format!("{cpath}.image"),
                        format!(
                            "image `{}` already has a container in this deployment",
                            c.image
                        ),
                    )?;
                }
                self.container(&cpath, c)?;
            }
            if let Some(r) = &d.ranking {
                ranking(&format!("{path}.ranking"), r, &container_images)?;
            }
            scaling(&format!("{path}.scaling"), &d.scaling)?;
            topology_spread(&format!("{path}.topology_spread"), &d.topology_spread)?;
            non_negative(&format!("{path}.deploy_at_s"), d.deploy_at_s)?;
        }
        Ok(())
    }

    fn container(&self, path: &str, c: &ContainerConfig) -> Check {
        for (key, spec) in [
            ("exec", &c.exec),
            ("startup", &c.startup),
            ("setup", &c.setup),
            ("teardown", &c.teardown),
        ] {
            self.time_model_spec(&format!("{path}.{key}"), spec)?;
        }
        if let Some(spec) = &c.cold_penalty {
            self.time_model_spec(&format!("{path}.cold_penalty"), spec)?;
        }
        cpu_in_one_unit(
            path,
            ("idle_cpu", c.idle_cpu),
            ("idle_cpu_millis", c.idle_cpu_millis),
        )?;
        cpu_in_one_unit(
            path,
            ("cpu_per_invocation", c.cpu_per_invocation),
            ("cpu_per_invocation_millis", c.cpu_per_invocation_millis),
        )?;
        if let Some(aff) = &c.affinity {
            // Upstream's API validation: a preferred term's weight is 1..100.
            for (i, t) in aff.preferred.iter().enumerate() {
                if !(1..=100).contains(&t.weight) {
                    fail(
                        format!("{path}.affinity.preferred[{i}].weight"),
                        format!("must be in 1..=100, got {}", t.weight),
                    )?;
                }
            }
        }
        if let Some(ConcurrencyConfig::HttpWatchdog { workers: 0, .. }) = c.concurrency {
            fail(
                format!("{path}.concurrency.http_watchdog.workers"),
                "must be >= 1, got 0",
            )?;
        }
        Ok(())
    }

    fn time_model_spec(&self, path: &str, spec: &TimeModelSpec) -> Check {
        if spec.default.is_none() && spec.by_node_type.is_empty() {
            return fail(
                path,
                "a time model needs a `default` or at least one `by_node_type` entry",
            );
        }
        if let Some(m) = &spec.default {
            // Without overrides the model was most likely written in the plain form.
            let mpath = if spec.by_node_type.is_empty() {
                path.to_string()
            } else {
                format!("{path}.default")
            };
            time_model(&mpath, m)?;
        }
        for (node_type, m) in &spec.by_node_type {
            let tpath = format!("{path}.by_node_type.{node_type}");
            self.node_type(&tpath, node_type)?;
            time_model(&tpath, m)?;
        }
        Ok(())
    }

    fn workloads(&self) -> Check {
        let deployments: Vec<&str> = self
            .sc
            .deployments
            .iter()
            .map(|d| d.function.as_str())
            .collect();
        for (i, w) in self.sc.workloads.iter().enumerate() {
            let path = format!("workloads[{i}]");
            self.function(&format!("{path}.function"), &w.function)?;
            match (&w.rate, &w.arrivals) {
                (Some(_), ArrivalsConfig::Batch { .. }) => fail(
                    format!("{path}.rate"),
                    "a batch has no rate: all `count` requests arrive at the start; remove `rate`",
                )?,
                (None, ArrivalsConfig::Batch { .. }) => {}
                (Some(_), ArrivalsConfig::Replay(_)) => fail(
                    format!("{path}.rate"),
                    "recorded arrivals have no rate: the file gives every arrival time; remove `rate`",
                )?,
                (None, ArrivalsConfig::Replay(file)) => {
                    if file.trim().is_empty() {
                        fail(
                            format!("{path}.arrivals.replay"),
                            "must name a CSV or Parquet file of arrival times",
                        )?;
                    }
                }
                (Some(RateConfig::RandomWalk { .. }), ArrivalsConfig::PoissonExact {}) => fail(
                    format!("{path}.arrivals"),
                    "`poisson_exact` needs a rate curve of time; a random walk is drawn per arrival: use `static` or `poisson`",
                )?,
                (Some(r), _) => rate(&format!("{path}.rate"), r)?,
                (None, _) => fail(
                    format!("{path}.rate"),
                    "missing: every workload needs a rate profile (e.g. `rate = { constant = { rps = 10 } }`) unless its arrivals are a batch",
                )?,
            }
            arrivals(&format!("{path}.arrivals"), &w.arrivals)?;
            peak_rate(&path, w, self.sc.workload.scale)?;
            if let Some(t) = w.start.fixed_s() {
                non_negative(&format!("{path}.start"), t)?;
            }
            for (k, name) in w.ready_for.iter().flatten().enumerate() {
                if !deployments.contains(&name.as_str()) {
                    fail(
                        format!("{path}.ready_for[{k}]"),
                        unknown(
                            "deployment",
                            name,
                            &deployments,
                            "name the function of a [[deployments]] entry",
                        ),
                    )?;
                }
            }
            if let Some(d) = w.duration_s {
                non_negative(&format!("{path}.duration_s"), d)?;
            }
            if w.max_requests == Some(0) {
                fail(
                    format!("{path}.max_requests"),
                    "must be >= 1 when set, got 0",
                )?;
            }
            let finite_kind = matches!(
                w.arrivals,
                ArrivalsConfig::Batch { .. } | ArrivalsConfig::Replay(_)
            );
            if self.sc.run.horizon_s.is_none()
                && w.duration_s.is_none()
                && w.max_requests.is_none()
                && !finite_kind
            {
                fail(
                    path,
                    "this workload never ends: without `run.horizon_s` the run ends when every workload \
                     has produced its last request, so set `duration_s` or `max_requests` here, or set \
                     `run.horizon_s`",
                )?;
            }
        }
        Ok(())
    }

    fn traces(&self) -> Check {
        use crate::config::{TraceFormat, MEMORY_PERCENTILES_2019};
        use crate::workload::azure::Selection;
        for (i, t) in self.sc.traces.iter().enumerate() {
            let path = format!("traces[{i}]");
            if t.dir.trim().is_empty() {
                fail(
                    format!("{path}.dir"),
                    "must name the trace (a 2019 directory or a 2021 file)",
                )?;
            }
            if !t.triggers.is_empty() {
                fail(
                    format!("{path}.triggers"),
                    "given both here (the older place) and in `select.triggers`: keep only `select.triggers`",
                )?;
            }
            if t.format == TraceFormat::Azure2021 && !t.select.triggers.is_empty() {
                fail(
                    format!("{path}.select.triggers"),
                    "the 2021 trace has no trigger column: remove `triggers`",
                )?;
            }
            match &t.select.rule {
                Selection::Top { count } | Selection::Sample { count } if *count == 0 => fail(
                    format!("{path}.select"),
                    "must select at least one function, got count = 0",
                )?,
                Selection::List { ids } if ids.is_empty() => fail(
                    format!("{path}.select.list.ids"),
                    "must name at least one function hash",
                )?,
                _ => {}
            }
            if t.days.is_empty() {
                fail(format!("{path}.days"), "must list at least one day")?;
            }
            if t.days.contains(&0) {
                fail(format!("{path}.days"), "days are numbered from 1, got 0")?;
            }
            if t.days.windows(2).any(|w| w[1] != w[0] + 1) {
                fail(
                    format!("{path}.days"),
                    format!(
                        "must be consecutive days in ascending order, got {:?}",
                        t.days
                    ),
                )?;
            }
            if t.minutes == 0 {
                fail(format!("{path}.minutes"), "must be >= 1, got 0")?;
            }
            non_negative(&format!("{path}.rate_scale"), t.rate_scale)?;
            if !MEMORY_PERCENTILES_2019.contains(&t.memory_percentile) {
                fail(
                    format!("{path}.memory_percentile"),
                    format!(
                        "must be one of {MEMORY_PERCENTILES_2019:?} (the memory file's columns), got {}",
                        t.memory_percentile
                    ),
                )?;
            }
            if let Some(d) = t.default_duration_s {
                non_negative(&format!("{path}.default_duration_s"), d)?;
            }
            if let Some(m) = t.default_memory_mb {
                non_negative(&format!("{path}.default_memory_mb"), m)?;
            }
            if let Some(m) = &t.memory_model {
                time_model(&format!("{path}.memory_model"), m)?;
            }
            match t.format {
                TraceFormat::Azure2019 if t.memory_model.is_some() => fail(
                    format!("{path}.memory_model"),
                    "a 2019 trace takes memory from its memory files (`memory_percentile`); use `default_memory_mb` for applications they lack",
                )?,
                TraceFormat::Azure2021 if t.default_memory_mb.is_some() => fail(
                    format!("{path}.default_memory_mb"),
                    "a 2021 trace has no memory data: give every function's memory with `memory_model` (or the template's `requests.memory`)",
                )?,
                TraceFormat::Azure2021 if t.default_duration_s.is_some() => fail(
                    format!("{path}.default_duration_s"),
                    "a 2021 request carries its own duration; remove `default_duration_s`",
                )?,
                _ => {}
            }
            if !t.offset_s.is_finite() {
                fail(format!("{path}.offset_s"), "must be a finite number")?;
            }
            if let Some(w) = t.window_s {
                period(&format!("{path}.window_s"), w)?;
            }
            non_negative(&format!("{path}.reorder_window_s"), t.reorder_window_s)?;
            if t.format == TraceFormat::Azure2021
                && t.window_s.is_none()
                && self.sc.run.horizon_s.is_none()
            {
                fail(
                    format!("{path}.window_s"),
                    "a 2021 trace spans two weeks: set `window_s` (seconds of the trace to replay) or `run.horizon_s`",
                )?;
            }
            if let Some(s) = t.start.fixed_s() {
                non_negative(&format!("{path}.start"), s)?;
            }
            let c = &t.deployment_template.container;
            let cpath = format!("{path}.deployment_template.container");
            self.image(&format!("{cpath}.image"), &c.image)?;
            self.container(&cpath, c)?;
            scaling(
                &format!("{path}.deployment_template.scaling"),
                &t.deployment_template.scaling,
            )?;
        }
        Ok(())
    }

    fn scheduler(&self) -> Check {
        let s = &self.sc.scheduler;
        non_negative("scheduler.latency.constant_s", s.latency.constant_s)?;
        non_negative(
            "scheduler.latency.per_node_evaluated_s",
            s.latency.per_node_evaluated_s,
        )?;
        non_negative(
            "scheduler.latency.per_node_scored_s",
            s.latency.per_node_scored_s,
        )?;
        period("scheduler.retry_backoff_s", s.retry_backoff_s)?;
        within(
            "scheduler.skippy.percentage_of_nodes_to_score",
            s.skippy.percentage_of_nodes_to_score,
            0.0,
            100.0,
        )
    }

    fn routing_network_outputs(&self) -> Check {
        let r = &self.sc.routing;
        non_negative("routing.cold_start_poll_s", r.cold_start_poll_s)?;
        // 0 means "no polling"; any other value repeats and must be representable.
        if r.cold_start_poll_s > 0.0 {
            period("routing.cold_start_poll_s", r.cold_start_poll_s)?;
        }
        if let Some(t) = r.request_timeout_s {
            positive("routing.request_timeout_s", t)?;
        }
        if r.mode == RoutingMode::Pull && r.cold_start_poll_s > 0.0 {
            fail(
                "routing.cold_start_poll_s",
                "must be 0 with routing.mode = \"pull\" (replicas take waiting requests as soon as a worker is free)",
            )?;
        }
        for (image, &cores) in &self.sc.execution.cpu_share {
            let path = format!("execution.cpu_share.{image}");
            self.image(&path, image)?;
            positive(&path, cores)?;
        }
        for (node_type, &f) in &self.sc.execution.speed_factor {
            let path = format!("execution.speed_factor.{node_type}");
            self.node_type(&path, node_type)?;
            positive(&path, f)?;
        }
        if let DegradationConfig::Table { by_node_type } = &self.sc.execution.degradation {
            for (node_type, factors) in by_node_type {
                let path = format!("execution.degradation.table.by_node_type.{node_type}");
                self.node_type(&path, node_type)?;
                if factors.is_empty() {
                    fail(
                        &path,
                        "must list at least one factor (the factor with no other request computing first)",
                    )?;
                }
                for (o, &f) in factors.iter().enumerate() {
                    positive(&format!("{path}[{o}]"), f)?;
                }
            }
        }
        if let DegradationConfig::Linear { alpha, max_factor } = self.sc.execution.degradation {
            non_negative("execution.degradation.linear.alpha", alpha)?;
            if let Some(m) = max_factor {
                finite("execution.degradation.linear.max_factor", m)?;
                if m < 1.0 {
                    fail(
                        "execution.degradation.linear.max_factor",
                        format!("must be >= 1, got {m}"),
                    )?;
                }
            }
        }
        self.network()?;
        let o = &self.sc.outputs;
        if let InvocationRows::Sample { sample } = o.invocations {
            within("outputs.invocations.sample", sample, 0.0, 1.0)?;
        }
        if o.runs_per_batch == 0 {
            fail("outputs.runs_per_batch", "must be >= 1, got 0")?;
        }
        if o.runs_per_batch > MAX_RUNS_PER_BATCH {
            fail(
                "outputs.runs_per_batch",
                format!(
                    "must be at most {MAX_RUNS_PER_BATCH} (a batch is held in memory until it is written), got {}",
                    o.runs_per_batch
                ),
            )?;
        }
        if o.utilization.every == 0 {
            fail("outputs.utilization.every", "must be >= 1, got 0")?;
        }
        Ok(())
    }

    fn scaling_and_monitor(&self) -> Check {
        let s = &self.sc.scaling;
        let h = &s.hpa;
        period("scaling.hpa.period_s", h.period_s)?;
        non_negative("scaling.hpa.tolerance", h.tolerance)?;
        period("scaling.hpa.window_s", h.window_s)?;
        non_negative(
            "scaling.hpa.scale_down_stabilization_s",
            h.scale_down_stabilization_s,
        )?;
        non_negative("scaling.idler.inactivity_s", s.idler.inactivity_s)?;
        period("scaling.idler.interval_s", s.idler.interval_s)?;
        keepalive("scaling.keepalive", &s.keepalive)?;
        period("monitor.interval_s", self.sc.monitor.interval_s)
    }
}

fn keepalive(path: &str, k: &KeepaliveConfig) -> Check {
    match *k {
        KeepaliveConfig::None => Ok(()),
        KeepaliveConfig::Fixed {
            keepalive_s,
            prewarm_s,
        } => {
            non_negative(&format!("{path}.fixed.keepalive_s"), keepalive_s)?;
            non_negative(&format!("{path}.fixed.prewarm_s"), prewarm_s)
        }
        KeepaliveConfig::HybridHistogram {
            range_s,
            bin_s,
            cv_threshold,
            oob_threshold,
            margin,
        } => {
            let p = format!("{path}.hybrid_histogram");
            positive(&format!("{p}.range_s"), range_s)?;
            period(&format!("{p}.bin_s"), bin_s)?;
            let bins = (range_s / bin_s).round();
            if bins > MAX_HISTOGRAM_BINS as f64 {
                fail(
                    format!("{p}.bin_s"),
                    format!(
                        "range_s / bin_s gives {bins:e} bins per function; at most {MAX_HISTOGRAM_BINS} are supported (use a larger bin_s or a smaller range_s)"
                    ),
                )?;
            }
            if bins < 2.0 {
                fail(
                    format!("{p}.bin_s"),
                    format!("must leave at least 2 bins in range_s ({range_s}), got {bin_s}"),
                )?;
            }
            non_negative(&format!("{p}.cv_threshold"), cv_threshold)?;
            within(&format!("{p}.oob_threshold"), oob_threshold, 0.0, 1.0)?;
            within(&format!("{p}.margin"), margin, 0.0, 1.0)
        }
    }
}

/// Upstream's API validation of topology spread constraints: `max_skew` ≥ 1, a topology key,
/// and no two constraints with the same key and `when_unsatisfiable`.
fn topology_spread(path: &str, list: &[SpreadConstraintConfig]) -> Check {
    for (i, c) in list.iter().enumerate() {
        if c.max_skew < 1 {
            fail(
                format!("{path}[{i}].max_skew"),
                format!("must be >= 1, got {}", c.max_skew),
            )?;
        }
        if c.topology_key.is_empty() {
            fail(
                format!("{path}[{i}].topology_key"),
                "must name a node label, e.g. \"topology.kubernetes.io/zone\"",
            )?;
        }
        if let Some(j) = list[..i].iter().position(|d| {
            d.topology_key == c.topology_key && d.when_unsatisfiable == c.when_unsatisfiable
        }) {
            fail(
                format!("{path}[{i}]"),
                format!("duplicate of {path}[{j}] (same topology_key and when_unsatisfiable)"),
            )?;
        }
    }
    Ok(())
}

fn ranking(path: &str, r: &RankingConfig, container_images: &[String]) -> Check {
    if r.images.is_empty() {
        fail(
            format!("{path}.images"),
            "must name at least one image (or leave `ranking` out)",
        )?;
    }
    let ranked: Vec<String> = r.images.iter().map(|i| normalize_image_name(i)).collect();
    for (k, name) in r.images.iter().enumerate() {
        let ipath = format!("{path}.images[{k}]");
        if !container_images.contains(&ranked[k]) {
            fail(
                &ipath,
                format!("ranked image `{name}` has no container in this deployment"),
            )?;
        }
        if ranked[..k].contains(&ranked[k]) {
            fail(&ipath, format!("image `{name}` is ranked twice"))?;
        }
    }
    for (name, factor) in &r.function_factor {
        let fpath = format!("{path}.function_factor.{name}");
        if !ranked.contains(&normalize_image_name(name)) {
            fail(&fpath, format!("image `{name}` is not in `ranking.images`"))?;
        }
        within(&fpath, *factor, 0.0, 1.0)?;
    }
    Ok(())
}

fn scaling(path: &str, s: &ScalingConfig) -> Check {
    if s.scale_max < 1 {
        fail(format!("{path}.scale_max"), "must be >= 1, got 0")?;
    }
    if s.scale_max > MAX_REPLICAS {
        fail(
            format!("{path}.scale_max"),
            format!(
                "{} replicas are too many: at most {MAX_REPLICAS} per deployment",
                s.scale_max
            ),
        )?;
    }
    if s.scale_max < s.scale_min {
        fail(
            format!("{path}.scale_max"),
            format!(
                "must be >= scale_min ({}), got {}",
                s.scale_min, s.scale_max
            ),
        )?;
    }
    non_negative(&format!("{path}.rps_threshold"), s.rps_threshold)?;
    period(
        &format!("{path}.rps_threshold_duration"),
        s.rps_threshold_duration,
    )?;
    period(&format!("{path}.alert_window"), s.alert_window)?;
    positive(
        &format!("{path}.target_average_utilization"),
        s.target_average_utilization,
    )?;
    positive(&format!("{path}.target_average_rps"), s.target_average_rps)?;
    positive(
        &format!("{path}.target_queue_length"),
        s.target_queue_length,
    )?;
    non_negative(
        &format!("{path}.target_average_rps_threshold"),
        s.target_average_rps_threshold,
    )?;
    if let Some(k) = &s.keepalive {
        keepalive(&format!("{path}.keepalive"), k)?;
    }
    Ok(())
}

fn rate(path: &str, r: &RateConfig) -> Check {
    match r {
        RateConfig::Constant { rps } => non_negative(&format!("{path}.constant.rps"), *rps),
        RateConfig::Sine {
            max_rps,
            period_s,
            phase_s,
        } => {
            non_negative(&format!("{path}.sine.max_rps"), *max_rps)?;
            period(&format!("{path}.sine.period_s"), *period_s)?;
            finite(&format!("{path}.sine.phase_s"), *phase_s)
        }
        RateConfig::Ramp {
            from_rps,
            to_rps,
            start_s,
            duration_s,
        } => {
            non_negative(&format!("{path}.ramp.from_rps"), *from_rps)?;
            non_negative(&format!("{path}.ramp.to_rps"), *to_rps)?;
            non_negative(&format!("{path}.ramp.start_s"), *start_s)?;
            non_negative(&format!("{path}.ramp.duration_s"), *duration_s)
        }
        RateConfig::Bursts {
            base_rps,
            burst_rps,
            first_s,
            length_s,
            every_s,
        } => {
            non_negative(&format!("{path}.bursts.base_rps"), *base_rps)?;
            non_negative(&format!("{path}.bursts.burst_rps"), *burst_rps)?;
            non_negative(&format!("{path}.bursts.first_s"), *first_s)?;
            non_negative(&format!("{path}.bursts.length_s"), *length_s)?;
            period(&format!("{path}.bursts.every_s"), *every_s)
        }
        RateConfig::RandomWalk {
            mu,
            sigma,
            max_rps,
            min_rps,
        } => {
            non_negative(&format!("{path}.random_walk.min_rps"), *min_rps)?;
            non_negative(&format!("{path}.random_walk.sigma"), *sigma)?;
            if max_rps < min_rps || !max_rps.is_finite() {
                fail(
                    format!("{path}.random_walk.max_rps"),
                    format!("must be finite and >= min_rps ({min_rps}), got {max_rps}"),
                )?;
            }
            if !(min_rps..=max_rps).contains(&mu) {
                fail(
                    format!("{path}.random_walk.mu"),
                    format!("must lie in [min_rps, max_rps] = [{min_rps}, {max_rps}], got {mu}"),
                )?;
            }
            Ok(())
        }
        RateConfig::Steps { points } => {
            if points.is_empty() {
                fail(
                    format!("{path}.steps.points"),
                    "must list at least one [t_s, rps] point",
                )?;
            }
            for (k, &[t, r]) in points.iter().enumerate() {
                non_negative(&format!("{path}.steps.points[{k}][0]"), t)?;
                non_negative(&format!("{path}.steps.points[{k}][1]"), r)?;
                if k > 0 && t <= points[k - 1][0] {
                    fail(
                        format!("{path}.steps.points[{k}][0]"),
                        format!("times must increase: {t} is not after {}", points[k - 1][0]),
                    )?;
                }
            }
            Ok(())
        }
    }
}

/// The mean inter-arrival time at the peak rate must be at least the time resolution, or the
/// arrivals of one workload would pile up at one instant.
fn peak_rate(path: &str, w: &WorkloadConfig, scale: f64) -> Check {
    let Some(r) = &w.rate else { return Ok(()) };
    let key = match r {
        RateConfig::Constant { .. } => "constant.rps",
        RateConfig::Sine { .. } => "sine.max_rps",
        RateConfig::Ramp { .. } => "ramp",
        RateConfig::Bursts { .. } => "bursts",
        RateConfig::Steps { .. } => "steps.points",
        RateConfig::RandomWalk { .. } => "random_walk.max_rps",
    };
    let rps = crate::workload::RateProfile::from_config(r, scale).max_rate();
    let ia_scale = match w.arrivals {
        ArrivalsConfig::Poisson { scale, .. } => scale,
        _ => 1.0,
    };
    if rps / ia_scale > MAX_RATE_RPS {
        let max = MAX_RATE_RPS * ia_scale;
        let scaled = if scale == 1.0 {
            String::new()
        } else {
            format!(" (after `workload.scale` = {scale})")
        };
        return fail(
            format!("{path}.rate.{key}"),
            format!(
                "must be at most {max:e} requests/s (one request per nanosecond, the simulation's time resolution), got {rps}{scaled}"
            ),
        );
    }
    Ok(())
}

fn arrivals(path: &str, a: &ArrivalsConfig) -> Check {
    let (kind, max_ia) = match a {
        ArrivalsConfig::Static {
            max_ia,
            zero_rate_step_s,
        } => {
            if let Some(step) = zero_rate_step_s {
                period(&format!("{path}.static.zero_rate_step_s"), *step)?;
            }
            ("static", max_ia)
        }
        ArrivalsConfig::Poisson { scale, max_ia } => {
            period(&format!("{path}.poisson.scale"), *scale)?;
            ("poisson", max_ia)
        }
        ArrivalsConfig::PoissonExact {} | ArrivalsConfig::Replay(_) => return Ok(()),
        ArrivalsConfig::Batch { count } => {
            if *count == 0 {
                fail(format!("{path}.batch.count"), "must be >= 1, got 0")?;
            }
            return Ok(());
        }
    };
    match max_ia {
        Some(m) => period(&format!("{path}.{kind}.max_ia"), *m),
        None => Ok(()),
    }
}

fn model_name(m: &TimeModel) -> &'static str {
    match m {
        TimeModel::Constant { .. } => "constant",
        TimeModel::Uniform { .. } => "uniform",
        TimeModel::Exponential { .. } => "exponential",
        TimeModel::Normal { .. } => "normal",
        TimeModel::Lognormal { .. } => "lognormal",
        TimeModel::Empirical { .. } => "empirical",
        TimeModel::Percentiles { .. } => "percentiles",
    }
}

/// Checks one distribution written at `path` (the table holding its name).
fn time_model(path: &str, m: &TimeModel) -> Check {
    let base = format!("{path}.{}", model_name(m));
    let at = |field: &str| format!("{base}.{field}");
    let bounds = match m {
        TimeModel::Constant { value } => return non_negative(&at("value"), *value),
        TimeModel::Uniform { low, high, bounds } => {
            non_negative(&at("low"), *low)?;
            non_negative(&at("high"), *high)?;
            if high < low {
                fail(at("high"), format!("must be >= low ({low}), got {high}"))?;
            }
            bounds
        }
        TimeModel::Exponential { mean, bounds } => {
            non_negative(&at("mean"), *mean)?;
            bounds
        }
        TimeModel::Normal { mean, std, bounds } => {
            non_negative(&at("mean"), *mean)?;
            non_negative(&at("std"), *std)?;
            bounds
        }
        TimeModel::Lognormal {
            s,
            loc,
            scale,
            bounds,
        } => {
            non_negative(&at("s"), *s)?;
            finite(&at("loc"), *loc)?;
            positive(&at("scale"), *scale)?;
            bounds
        }
        TimeModel::Empirical { values, bounds } => {
            if values.is_empty() {
                fail(at("values"), "must hold at least one value")?;
            }
            for (i, v) in values.iter().enumerate() {
                non_negative(&format!("{base}.values[{i}]"), *v)?;
            }
            bounds
        }
        TimeModel::Percentiles { points, bounds } => {
            percentiles(&base, points)?;
            bounds
        }
    };
    if let Some([lo, hi]) = bounds {
        let bpath = at("bounds");
        if !(lo.is_finite() && *lo >= 0.0) {
            fail(
                &bpath,
                format!("the lower bound must be a finite number >= 0, got {lo}"),
            )?;
        }
        if hi.is_nan() || hi < lo {
            fail(
                &bpath,
                format!("the upper bound must be >= the lower bound ({lo}), got {hi}"),
            )?;
        }
    }
    Ok(())
}

fn percentiles(base: &str, points: &[[f64; 2]]) -> Check {
    let ppath = format!("{base}.points");
    if points.len() < 2 {
        return fail(
            ppath,
            "needs at least two [p, value] points, from p = 0 to p = 1",
        );
    }
    for (i, [p, v]) in points.iter().enumerate() {
        let at = format!("{ppath}[{i}]");
        within(&at, *p, 0.0, 1.0)
            .or_else(|_| fail(&at, format!("p must be between 0 and 1, got {p}")))?;
        non_negative(&at, *v)
            .or_else(|_| fail(&at, format!("value must be a finite number >= 0, got {v}")))?;
        if i > 0 {
            let [p0, v0] = points[i - 1];
            if *p <= p0 {
                fail(&at, format!("p must increase strictly: {p} follows {p0}"))?;
            }
            if *v < v0 {
                fail(&at, format!("values must not decrease: {v} follows {v0}"))?;
            }
        }
    }
    if points[0][0] != 0.0 {
        fail(
            format!("{ppath}[0]"),
            format!("the first point must have p = 0, got {}", points[0][0]),
        )?;
    }
    let last = points.len() - 1;
    if points[last][0] != 1.0 {
        fail(
            format!("{ppath}[{last}]"),
            format!("the last point must have p = 1, got {}", points[last][0]),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::load::parse_scenario;
    use super::*;

    /// A valid scenario (the format tests' example).
    use super::super::tests::EXAMPLE as BASE;

    fn parse(text: &str) -> Result<Scenario, ConfigError> {
        parse_scenario(text, "t.toml")
    }

    /// The error for `BASE` with `from` replaced by `to`.
    fn err_with(from: &str, to: &str) -> ConfigError {
        assert!(BASE.contains(from), "test setup: `{from}` not in BASE");
        parse(&BASE.replacen(from, to, 1)).expect_err("the scenario should be rejected")
    }

    fn assert_err(e: &ConfigError, path: &str, message_part: &str) {
        assert_eq!(e.key_path, path, "{e}");
        assert!(
            e.message.contains(message_part),
            "`{message_part}` not in: {e}"
        );
    }

    #[test]
    fn the_base_scenario_is_valid() {
        parse(BASE).unwrap();
    }

    #[test]
    fn used_cpu_may_be_given_in_integer_millicores() {
        let text = BASE.replacen(
            "exec = { constant = { value = 1.0 } }",
            "exec = { constant = { value = 1.0 } }\nidle_cpu_millis = 100\ncpu_per_invocation_millis = 250",
            1,
        );
        let c = &parse(&text).unwrap().deployments[0].containers[0];
        assert_eq!((c.idle_cpu, c.idle_cpu_millis), (None, Some(100)));
        assert_eq!(c.idle_cpu_millicores(), 100);
        assert_eq!(c.cpu_per_invocation_millicores(), 250);
        // A bare number under the quantity keys is cores, not millicores.
        let text = BASE.replacen(
            "exec = { constant = { value = 1.0 } }",
            "exec = { constant = { value = 1.0 } }\nidle_cpu = 2\ncpu_per_invocation = 0.5",
            1,
        );
        let c = &parse(&text).unwrap().deployments[0].containers[0];
        assert_eq!(c.idle_cpu_millicores(), 2000);
        assert_eq!(c.cpu_per_invocation_millicores(), 500);
    }

    #[test]
    fn used_cpu_given_both_as_a_quantity_and_in_millicores_is_refused() {
        for (both, path) in [
            (
                "idle_cpu = \"100m\"\nidle_cpu_millis = 100",
                "idle_cpu_millis",
            ),
            (
                "cpu_per_invocation = 1\ncpu_per_invocation_millis = 1000",
                "cpu_per_invocation_millis",
            ),
        ] {
            let e = err_with(
                "exec = { constant = { value = 1.0 } }",
                &format!("exec = {{ constant = {{ value = 1.0 }} }}\n{both}"),
            );
            assert_err(
                &e,
                &format!("deployments[0].containers[0].{path}"),
                "not both",
            );
            assert_eq!(e.file, "t.toml");
        }
        let e = err_with(
            "exec = { constant = { value = 1.0 } }",
            "exec = { constant = { value = 1.0 } }\nidle_cpu_millis = 1000000001",
        );
        assert_err(
            &e,
            "deployments[0].containers[0].idle_cpu_millis",
            "at most",
        );
    }

    #[test]
    fn scale_max_above_the_replica_cap_is_rejected_before_any_replica_exists() {
        let e = err_with(
            "scale_min = 1, scale_max = 5",
            "scale_min = 1, scale_max = 4294967295",
        );
        assert_err(&e, "deployments[0].scaling.scale_max", "at most 1000000");
    }

    #[test]
    fn scale_max_below_scale_min_is_rejected_with_both_values() {
        let e = err_with(
            "scale_min = 1, scale_max = 5",
            "scale_min = 3, scale_max = 2",
        );
        assert_eq!(
            e.to_string(),
            "t.toml: deployments[0].scaling.scale_max: must be >= scale_min (3), got 2"
        );
        let e = err_with(
            "scale_min = 1, scale_max = 5",
            "scale_min = 0, scale_max = 0",
        );
        assert_err(&e, "deployments[0].scaling.scale_max", "must be >= 1");
    }

    #[test]
    fn negative_duration_is_rejected() {
        let e = err_with(
            "max_requests = 100",
            "max_requests = 100\nduration_s = -1.5",
        );
        assert_err(
            &e,
            "workloads[0].duration_s",
            "must be a finite number >= 0, got -1.5",
        );
        let e = err_with(
            "function = \"python-pi\"\nscaling",
            "function = \"python-pi\"\ndeploy_at_s = -2\nscaling",
        );
        assert_err(&e, "deployments[0].deploy_at_s", "got -2");
        let e = err_with("max_requests = 100", "max_requests = 100\nstart = nan");
        assert_err(&e, "workloads[0].start", "got NaN");
    }

    #[test]
    fn horizon_must_be_positive() {
        let e = err_with("horizon_s = 60", "horizon_s = 0");
        assert_err(&e, "run.horizon_s", "must be a finite number > 0, got 0");
    }

    #[test]
    fn undefined_image_is_rejected_with_a_suggestion() {
        let e = err_with("image = \"python-pi-cpu\"", "image = \"python-pi-gpu\"");
        assert_err(
            &e,
            "deployments[0].containers[0].image",
            "unknown image `python-pi-gpu`; did you mean `python-pi-cpu`?",
        );
        let e = err_with("images = [\"python-pi-cpu\"]", "images = [\"other\"]");
        assert_err(&e, "functions[0].images[0]", "unknown image `other`");
    }

    #[test]
    fn image_names_compare_after_normalisation() {
        let text = BASE.replacen(
            "image = \"python-pi-cpu\"",
            "image = \"python-pi-cpu:latest\"",
            1,
        );
        parse(&text).unwrap();
        let e = err_with(
            "[[functions]]",
            "[[images]]\nname = \"python-pi-cpu:latest\"\nvariants = [{ arch = \"x86\", size = 1 }]\n[[functions]]",
        );
        assert_err(
            &e,
            "images[1].name",
            "image `python-pi-cpu:latest` is already declared at images[0]",
        );
    }

    #[test]
    fn image_without_variants_is_rejected() {
        let e = err_with(
            "variants = [{ arch = \"x86\", size = \"58M\" }, { arch = \"aarch64\", size = \"58M\" }]",
            "variants = []",
        );
        assert_err(&e, "images[0].variants", "at least one variant");
    }

    #[test]
    fn deployment_of_unknown_or_twice_deployed_function_is_rejected() {
        let e = err_with(
            "function = \"python-pi\"\nscaling",
            "function = \"python-py\"\nscaling",
        );
        assert_err(
            &e,
            "deployments[0].function",
            "unknown function `python-py`; did you mean `python-pi`?",
        );
        let twice = format!("{BASE}\n[[deployments]]\nfunction = \"python-pi\"\ncontainers = [{{ image = \"python-pi-cpu\" }}]\n");
        let e = parse(&twice).unwrap_err();
        assert_err(
            &e,
            "deployments[1].function",
            "already has a deployment (deployments[0])",
        );
    }

    #[test]
    fn duplicate_function_names_are_rejected() {
        let e = err_with(
            "[[deployments]]",
            "[[functions]]\nname = \"python-pi\"\n[[deployments]]",
        );
        assert_err(&e, "functions[1].name", "already declared at functions[0]");
    }

    #[test]
    fn ranking_must_match_containers_and_factors_lie_in_0_1() {
        let e = err_with(
            "scaling = { scale_min",
            "ranking = { images = [\"nope\"] }\nscaling = { scale_min",
        );
        assert_err(&e, "deployments[0].ranking.images[0]", "has no container");
        let e = err_with(
            "scaling = { scale_min",
            "ranking = { images = [\"python-pi-cpu\"], function_factor = { python-pi-cpu = 30 } }\nscaling = { scale_min",
        );
        assert_err(
            &e,
            "deployments[0].ranking.function_factor.python-pi-cpu",
            "between 0 and 1, got 30",
        );
        let ok = BASE.replacen(
            "scaling = { scale_min",
            "ranking = { images = [\"python-pi-cpu\"], function_factor = { python-pi-cpu = 0.5 } }\nscaling = { scale_min",
            1,
        );
        parse(&ok).unwrap();
    }

    #[test]
    fn unknown_node_type_and_generator_are_rejected() {
        let e = err_with("type = \"tx2\"", "type = \"tx3\"");
        assert_err(
            &e,
            "topology.nodes[1].type",
            "unknown node type `tx3`; did you mean `tx2`?",
        );
        let e = err_with("generator = \"cluster\"", "generator = \"urban_sensng\"");
        assert_err(&e, "topology.generator", "did you mean `urban_sensing`?");
        let e = err_with("count = 2 }, { type = \"tx2\", count = 2 }", "count = 0 }");
        assert_err(&e, "topology.nodes", "no compute nodes");
    }

    #[test]
    fn scenario_node_types_are_known_names() {
        let text = BASE.replacen(
            "{ type = \"tx2\", count = 2 }] }",
            "{ type = \"mybox\", count = 2 }], node_types = { mybox = { arch = \"x86\", cpu = 2, memory = \"4Gi\" } } }",
            1,
        );
        parse(&text).unwrap();
    }

    #[test]
    fn label_scheme_must_be_known() {
        let e = err_with(
            "generator = \"cluster\"",
            "generator = \"cluster\", labels = \"raith\"",
        );
        assert_err(&e, "topology.labels", "did you mean `raith21`?");
    }

    #[test]
    fn workload_without_end_needs_a_horizon() {
        let text =
            BASE.replacen("run = { horizon_s = 60 }", "", 1)
                .replacen("max_requests = 100", "", 1);
        let e = parse(&text).unwrap_err();
        assert_err(&e, "workloads[0]", "never ends");
        let text = BASE.replacen("run = { horizon_s = 60 }", "", 1);
        parse(&text).unwrap();
    }

    #[test]
    fn workload_parameters_are_checked() {
        let e = err_with("rps = 20", "rps = -1");
        assert_err(&e, "workloads[0].rate.constant.rps", "got -1");
        let e = err_with(
            "rate = { constant = { rps = 20 } }",
            "rate = { sine = { max_rps = 20, period_s = 0 } }",
        );
        assert_err(&e, "workloads[0].rate.sine.period_s", "> 0");
        let e = err_with("max_requests = 100", "max_requests = 0");
        assert_err(&e, "workloads[0].max_requests", ">= 1");
        let e = err_with(
            "arrivals = { poisson = {} }",
            "arrivals = { static = { max_ia = 0 } }",
        );
        assert_err(&e, "workloads[0].arrivals.static.max_ia", "> 0");
        let e = err_with(
            "function = \"python-pi\"\nrate",
            "function = \"nope\"\nrate",
        );
        assert_err(&e, "workloads[0].function", "unknown function `nope`");
        let e = err_with(
            "max_requests = 100",
            "max_requests = 100\nstart = \"after_ready\"\nready_for = [\"python-pi\", \"x\"]",
        );
        assert_err(&e, "workloads[0].ready_for[1]", "unknown deployment `x`");
    }

    #[test]
    fn data_phase_is_none_setup_or_invocation() {
        for phase in ["none", "setup", "invocation"] {
            parse(&BASE.replacen(
                "exec = { constant = { value = 1.0 } }",
                &format!("exec = {{ constant = {{ value = 1.0 }} }}\ndata_phase = \"{phase}\""),
                1,
            ))
            .unwrap();
        }
        let e = err_with(
            "exec = { constant = { value = 1.0 } }",
            "exec = { constant = { value = 1.0 } }\ndata_phase = \"always\"",
        );
        assert_err(&e, "deployments[0].containers[0].data_phase", "invocation");
    }

    #[test]
    fn time_model_parameters_are_checked() {
        let cases = [
            ("{ uniform = { low = 2, high = 1 } }", "exec.uniform.high", "must be >= low (2), got 1"),
            ("{ exponential = { mean = -1 } }", "exec.exponential.mean", ">= 0"),
            ("{ normal = { mean = 1, std = -0.1 } }", "exec.normal.std", ">= 0"),
            ("{ lognormal = { s = -1 } }", "exec.lognormal.s", ">= 0"),
            ("{ lognormal = { s = 1, scale = 0 } }", "exec.lognormal.scale", "> 0"),
            ("{ empirical = { values = [] } }", "exec.empirical.values", "at least one"),
            ("{ percentiles = { points = [[0.1, 1], [1, 2]] } }", "exec.percentiles.points[0]", "p = 0"),
            ("{ percentiles = { points = [[0, 1], [0.9, 2]] } }", "exec.percentiles.points[1]", "p = 1"),
            ("{ percentiles = { points = [[0, 1], [0.5, 2], [0.5, 3], [1, 4]] } }", "exec.percentiles.points[2]", "increase"),
            ("{ exponential = { mean = 1, bounds = [2, 1] } }", "exec.exponential.bounds", "upper bound"),
            ("{ exponential = { mean = 1, bounds = [-1, 1] } }", "exec.exponential.bounds", "lower bound"),
            ("{ default = { constant = { value = 1 } }, by_node_type = { tx3 = { constant = { value = 1 } } } }", "exec.by_node_type.tx3", "did you mean `tx2`?"),
            ("{ default = { constant = { value = -1 } }, by_node_type = { tx2 = { constant = { value = 1 } } } }", "exec.default.constant.value", ">= 0"),
        ];
        for (model, path, part) in cases {
            let e = err_with(
                "exec = { constant = { value = 1.0 } }",
                &format!("exec = {model}"),
            );
            assert_err(&e, &format!("deployments[0].containers[0].{path}"), part);
        }
        let ok = BASE.replacen(
            "exec = { constant = { value = 1.0 } }",
            "exec = { lognormal = { s = 0.5, loc = -0.1, scale = 2, bounds = [0, inf] } }",
            1,
        );
        parse(&ok).unwrap();
    }

    #[test]
    fn preferred_affinity_weights_must_be_1_to_100() {
        for (w, ok) in [
            (0, false),
            (1, true),
            (100, true),
            (101, false),
            (-5, false),
        ] {
            let text = BASE.replacen(
                "exec = { constant = { value = 1.0 } }",
                &format!(
                    "exec = {{ constant = {{ value = 1.0 }} }}\naffinity.preferred = [{{ weight = 3, match_expressions = [] }}, {{ weight = {w}, match_expressions = [] }}]"
                ),
                1,
            );
            match parse(&text) {
                Ok(_) => assert!(ok, "weight {w} accepted"),
                Err(e) => {
                    assert!(!ok, "weight {w} rejected: {e}");
                    assert_err(
                        &e,
                        "deployments[0].containers[0].affinity.preferred[1].weight",
                        &format!("must be in 1..=100, got {w}"),
                    );
                }
            }
        }
    }

    #[test]
    fn concurrency_and_outputs_ranges_are_checked() {
        let e = err_with("workers = 4", "workers = 0");
        assert_err(
            &e,
            "deployments[0].containers[0].concurrency.http_watchdog.workers",
            ">= 1",
        );
        let e = err_with(
            "name = \"basic\"",
            "name = \"basic\"\noutputs = { invocations = { sample = 1.5 }, runs_per_batch = 1 }",
        );
        assert_err(&e, "outputs.invocations.sample", "between 0 and 1");
        let e = err_with(
            "name = \"basic\"",
            "name = \"basic\"\noutputs = { runs_per_batch = 0 }",
        );
        assert_err(&e, "outputs.runs_per_batch", ">= 1");
    }

    #[test]
    fn scheduler_and_routing_ranges_are_checked() {
        let e = err_with(
            "name = \"basic\"",
            "name = \"basic\"\nscheduler = { skippy = { percentage_of_nodes_to_score = 150 } }",
        );
        assert_err(
            &e,
            "scheduler.skippy.percentage_of_nodes_to_score",
            "between 0 and 100, got 150",
        );
        let e = err_with(
            "name = \"basic\"",
            "name = \"basic\"\nscheduler = { latency = { constant_s = -0.1 } }",
        );
        assert_err(&e, "scheduler.latency.constant_s", ">= 0");
        let e = err_with(
            "name = \"basic\"",
            "name = \"basic\"\nrouting = { request_timeout_s = 0 }",
        );
        assert_err(&e, "routing.request_timeout_s", "> 0");
        let e = err_with(
            "name = \"basic\"",
            "name = \"basic\"\nrouting = { cold_start_poll_s = inf }",
        );
        assert_err(&e, "routing.cold_start_poll_s", "finite");
        // Profile names are the scheduler module's business.
        parse(&BASE.replacen(
            "name = \"basic\"",
            "name = \"basic\"\nscheduler = { profile = \"whatever\" }",
            1,
        ))
        .unwrap();
    }

    #[test]
    fn scaling_targets_must_be_positive() {
        let e = err_with(
            "scale_min = 1, scale_max = 5",
            "scale_min = 1, scale_max = 5, target_average_rps = 0",
        );
        assert_err(&e, "deployments[0].scaling.target_average_rps", "> 0");
        let e = err_with(
            "scale_min = 1, scale_max = 5",
            "scale_min = 1, scale_max = 5, alert_window = -1",
        );
        assert_err(&e, "deployments[0].scaling.alert_window", "> 0");
    }

    /// The error of `BASE` changed by `change`.
    fn err_after(change: impl FnOnce(&mut Scenario)) -> ConfigError {
        let mut sc = parse(BASE).expect("BASE is valid");
        change(&mut sc);
        validate(&sc).expect_err("the scenario should be rejected")
    }

    #[test]
    fn periods_below_the_time_resolution_are_rejected_with_the_smallest_accepted_value() {
        let e = err_after(|sc| sc.monitor.interval_s = 1e-12);
        assert_err(
            &e,
            "monitor.interval_s",
            "must be at least 0.000000001 s (1 ns",
        );
        let e = err_after(|sc| sc.scaling.idler.interval_s = 1e-10);
        assert_err(&e, "scaling.idler.interval_s", "1 ns");
        let e = err_after(|sc| sc.scaling.hpa.period_s = 1e-10);
        assert_err(&e, "scaling.hpa.period_s", "1 ns");
        let e = err_after(|sc| sc.routing.cold_start_poll_s = 1e-12);
        assert_err(&e, "routing.cold_start_poll_s", "1 ns");
    }

    #[test]
    fn rates_above_one_request_per_nanosecond_are_rejected() {
        let e = err_after(|sc| sc.workloads[0].rate = Some(RateConfig::Constant { rps: 1e10 }));
        assert_err(
            &e,
            "workloads[0].rate.constant.rps",
            "must be at most 1e9 requests/s",
        );
    }

    #[test]
    fn sizes_that_would_be_allocated_are_capped_naming_the_key() {
        let e = err_after(|sc| {
            sc.scaling.keepalive = KeepaliveConfig::HybridHistogram {
                range_s: 1e12,
                bin_s: 1.0,
                cv_threshold: 2.0,
                oob_threshold: 0.5,
                margin: 0.1,
            }
        });
        assert_err(
            &e,
            "scaling.keepalive.hybrid_histogram.bin_s",
            "at most 1000000",
        );
        let e = err_after(|sc| sc.topology.nodes[0].count = u32::MAX);
        assert_err(&e, "topology.nodes[0].count", "at most 100000");
        let e = err_after(|sc| sc.outputs.runs_per_batch = u32::MAX);
        assert_err(&e, "outputs.runs_per_batch", "at most 100000");
    }
}
