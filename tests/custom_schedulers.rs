//! User-written schedulers outside the CLI: registered by name and swept with
//! `faasim::sweep::run_with`, and driven on a hand-written cluster through the placement
//! protocol (`faasim::scheduler::Placer` on a `faasim::cluster::ClusterBuilder` cluster).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use faasim::cluster::{Cluster, ClusterBuilder, NodeId};
use faasim::config::Labels;
use faasim::scheduler::{Decision, Placer, Pod, SchedContext, Scheduler, SchedulerRegistry};
use faasim::sweep::{run_sweep, run_with, Sweep, SweepOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Two NUCs and a server: a scheduler that wants the node with the most free memory always
/// picks the server, first-fit picks the first NUC.
const BASE: &str = r#"
name = "mine"
run = { horizon_s = 3 }
topology = { generator = "cluster", nodes = [{ type = "nuc", count = 2 }, { type = "server", count = 1 }] }

[[images]]
name = "img"
variants = [{ arch = "x86", size = "10M" }]

[[functions]]
name = "f"
images = ["img"]

[[deployments]]
function = "f"
scaling = { scale_min = 2, scale_max = 2 }
[[deployments.containers]]
image = "img"
requests = { cpu = "1", memory = "256Mi" }

[[workloads]]
function = "f"
rate = { constant = { rps = 5 } }
"#;

const SWEEP: &str = r#"
scenario = "base.toml"
seeds = [1, 2]
runs_per_batch = 2
[grid]
"scheduler.profile" = ["most-free-memory", "first-fit"]
"#;

/// Places every pod on the node with the most free memory (lowest id on ties).
struct MostFreeMemory;

impl Scheduler for MostFreeMemory {
    fn profile(&self) -> &'static str {
        "most-free-memory"
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        let nodes = &ctx.cluster.nodes;
        out.nodes_total = nodes.len() as u32;
        out.nodes_evaluated = nodes.len() as u32;
        let (cpu_free, mem_free) = (nodes.cpu_free(), nodes.mem_free());
        let mut best: Option<usize> = None;
        for n in 0..nodes.len() {
            if cpu_free[n] < pod.cpu_millis || mem_free[n] < pod.memory_bytes {
                continue;
            }
            out.feasible += 1;
            if best.is_none_or(|b| mem_free[n] > mem_free[b]) {
                best = Some(n);
            }
        }
        out.node = best.map(|n| n as NodeId);
    }
}

fn registry() -> SchedulerRegistry {
    let mut r = SchedulerRegistry::new();
    r.register("most-free-memory", |_c: &Cluster, _seed| {
        Box::new(MostFreeMemory)
    })
    .unwrap();
    r
}

fn sweep_in(dir: &Path) -> Sweep {
    std::fs::write(dir.join("base.toml"), BASE).unwrap();
    std::fs::write(dir.join("sweep.toml"), SWEEP).unwrap();
    Sweep::load(&dir.join("sweep.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn quiet() -> SweepOptions {
    SweepOptions {
        progress: false,
        ..SweepOptions::default()
    }
}

fn table(root: &Path, name: &str) -> Vec<RecordBatch> {
    let mut parts: Vec<PathBuf> = std::fs::read_dir(root.join(name))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts
        .iter()
        .flat_map(|p| {
            let f = std::fs::File::open(p).unwrap();
            ParquetRecordBatchReaderBuilder::try_new(f)
                .unwrap()
                .build()
                .unwrap()
                .map(|b| b.unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A string column, plain or dictionary-encoded.
fn strings(batches: &[RecordBatch], col: &str) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let a = b.column_by_name(col).unwrap_or_else(|| panic!("no {col}"));
        match a.data_type() {
            DataType::Utf8 => {
                let s = a.as_string::<i32>();
                out.extend((0..s.len()).map(|i| s.value(i).to_string()));
            }
            DataType::Dictionary(_, _) => {
                let d = a.as_dictionary::<Int32Type>();
                let values = d.values().as_string::<i32>();
                out.extend(
                    d.keys()
                        .iter()
                        .map(|k| values.value(k.unwrap() as usize).to_string()),
                );
            }
            t => panic!("{col}: unexpected type {t}"),
        }
    }
    out
}

#[test]
fn a_sweep_runs_a_registered_scheduler_by_its_profile_name() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = sweep_in(dir.path());
    let out = dir.path().join("out");
    let summary = run_with(&sweep, &out, &quiet(), &registry()).unwrap();
    assert_eq!((summary.executed, summary.failed), (4, 0));

    let runs = table(&out, "runs");
    assert_eq!(strings(&runs, "status"), ["ok", "ok", "ok", "ok"]);
    let placements = table(&out, "placements");
    let profiles = strings(&placements, "profile");
    let nodes = strings(&placements, "node");
    // Runs 0-1 use most-free-memory (the server), runs 2-3 first-fit (the first NUC).
    assert_eq!(profiles.len(), 8);
    for (i, (p, n)) in profiles.iter().zip(&nodes).enumerate() {
        if i < 4 {
            assert_eq!((p.as_str(), n.as_str()), ("most-free-memory", "server_0"));
        } else {
            assert_eq!((p.as_str(), n.as_str()), ("first-fit", "nuc_0"));
        }
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"most-free-memory\""), "{manifest}");
}

#[test]
fn without_the_registration_those_runs_fail_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = sweep_in(dir.path());
    let out = dir.path().join("out");
    let summary = run_sweep(&sweep, &out, &quiet()).unwrap();
    assert_eq!((summary.executed, summary.failed), (4, 2));
    let errors = strings(&table(&out, "runs"), "status");
    assert_eq!(errors, ["error", "error", "ok", "ok"]);
    let (index, message) = summary.first_failure.unwrap();
    assert_eq!(index, 0);
    assert!(
        message.contains("unknown profile `most-free-memory`"),
        "{message}"
    );
}

#[test]
fn an_unknown_profile_lists_the_registered_schedulers() {
    let mut sc: faasim::config::Scenario =
        faasim::config::parse_scenario(BASE, "base.toml").unwrap();
    sc.scheduler.profile = "most-free-memroy".into();
    let e = faasim::model::Model::compile_with(&sc, &registry()).unwrap_err();
    let e = e.to_string();
    assert!(e.contains("unknown profile `most-free-memroy`"), "{e}");
    assert!(e.contains("registered: most-free-memory"), "{e}");
}

/// Records the protocol calls it receives.
struct Recording {
    calls: Arc<Mutex<Vec<String>>>,
}

impl Scheduler for Recording {
    fn profile(&self) -> &'static str {
        "recording"
    }

    fn schedule(&mut self, pod: &Pod, ctx: &SchedContext, out: &mut Decision) {
        MostFreeMemory.schedule(pod, ctx, out);
        self.calls
            .lock()
            .unwrap()
            .push(format!("schedule {}", pod.replica));
    }

    fn on_placed(&mut self, pod: &Pod, node: NodeId, ctx: &SchedContext) {
        // The requests are already reserved when the scheduler hears of the placement.
        let free = ctx.cluster.nodes.mem_free()[node as usize];
        self.calls
            .lock()
            .unwrap()
            .push(format!("placed {} on {node} (free {free})", pod.replica));
    }

    fn on_removed(&mut self, pod: &Pod, node: NodeId, ctx: &SchedContext) {
        let free = ctx.cluster.nodes.mem_free()[node as usize];
        self.calls
            .lock()
            .unwrap()
            .push(format!("removed {} from {node} (free {free})", pod.replica));
    }
}

#[test]
fn the_placer_follows_the_placement_protocol_on_a_built_cluster() {
    let mut b = ClusterBuilder::new();
    b.node("small", "rpi4", Labels::new()).unwrap(); // 1 GB
    b.node("big", "nuc", Labels::new()).unwrap(); // 16 GiB
    b.image("fn", &[("any", 1_000_000)]).unwrap();
    let cluster = b.build();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let mut placer = Placer::new(
        cluster,
        Box::new(Recording {
            calls: Arc::clone(&calls),
        }),
    );
    let labels = Labels::new();
    let gib = 1 << 30;
    let pod = |replica| Pod::new(replica, 0, 0, 1000, 10 * gib, &labels);
    assert_eq!(placer.place(&pod(0)), Some(1));
    assert_eq!(placer.decision().feasible, 1);
    assert_eq!(
        placer.place(&pod(1)),
        None,
        "nothing has 10 GiB free any more"
    );
    placer.remove(&pod(0), 1);
    assert_eq!(placer.place(&pod(2)), Some(1));
    let mem = 17_179_869_184i64;
    assert_eq!(
        *calls.lock().unwrap(),
        [
            "schedule 0".to_string(),
            format!("placed 0 on 1 (free {})", mem - 10 * gib),
            "schedule 1".to_string(),
            format!("removed 0 from 1 (free {mem})"),
            "schedule 2".to_string(),
            format!("placed 2 on 1 (free {})", mem - 10 * gib),
        ]
    );
    assert_eq!(placer.cluster().nodes.pods(), [0, 1]);
}
