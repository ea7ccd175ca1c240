//! Differential test of the kubernetes profile against `tests/k8s_reference.py`, an independent
//! Python implementation of kube-scheduler v1.35's default profile as `docs/schedulers.md`
//! describes it.
//!
//! 1,200 random clusters (zones, regions, labels for every affinity operator, taints of every
//! effect, cordoned nodes, extended resources, pod limits, storage nodes, images cached here
//! and there, replicas of three functions already placed, user-given spread constraints of
//! both kinds, both Fit strategies, sampled and full walks) each get one pod to place. faasim's
//! answer — the first failing filter of every node, the walk, every plugin's score of every
//! candidate, the totals and the choice — is dumped as JSON and checked by the Python oracle in
//! one process, so the whole test takes a few seconds.

use faasim::cluster::{Cluster, ImageCache};
use faasim::config::{Labels, Scenario};
use faasim::scheduler::kubernetes::Kubernetes;
use faasim::scheduler::{Decision, Pod, SchedContext, Scheduler};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{json, Value};
use std::process::Command;

const CASES: u64 = 1_200;
const TYPES: &[&str] = &["server", "nuc", "rpi3", "rpi4", "nano", "tx2", "xeoncpu"];
const ARCHS: &[&str] = &["x86", "arm32", "arm32v7", "aarch64"];
const ZONE: &str = "topology.kubernetes.io/zone";
const HOSTNAME: &str = "kubernetes.io/hostname";

type Rng = Xoshiro256PlusPlus;

fn pick<'a, T>(r: &mut Rng, xs: &'a [T]) -> &'a T {
    &xs[r.random_range(0..xs.len())]
}

fn chance(r: &mut Rng, p: f64) -> bool {
    r.random::<f64>() < p
}

fn taint(r: &mut Rng) -> Value {
    let (key, value) = *pick(r, &[("dedicated", "gpu"), ("spot", "true"), ("maint", "")]);
    let effect = *pick(
        r,
        &[
            "NoSchedule",
            "PreferNoSchedule",
            "NoExecute",
            "PreferNoSchedule",
        ],
    );
    json!({ "key": key, "value": value, "effect": effect })
}

fn toleration(r: &mut Rng) -> Value {
    let mut t = serde_json::Map::new();
    match r.random_range(0..5) {
        0 => {
            t.insert("key".into(), json!("node.kubernetes.io/unschedulable"));
            t.insert("operator".into(), json!("Exists"));
        }
        1 => {
            t.insert("operator".into(), json!("Exists"));
        }
        _ => {
            let (key, value) = *pick(r, &[("dedicated", "gpu"), ("spot", "true"), ("maint", "")]);
            t.insert("key".into(), json!(key));
            t.insert("value".into(), json!(value));
        }
    }
    if chance(r, 0.6) {
        let e = *pick(r, &["NoSchedule", "PreferNoSchedule", "NoExecute"]);
        t.insert("effect".into(), json!(e));
    }
    Value::Object(t)
}

fn expression(r: &mut Rng, names: &[String]) -> Value {
    let op = *pick(r, &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]);
    let key = *pick(r, &[ZONE, "disk", "rank", HOSTNAME, "missing"]);
    let values: Vec<String> = match op {
        "Exists" | "DoesNotExist" => vec![],
        "Gt" | "Lt" => vec![pick(r, &["3", "5", " 7", "x"]).to_string()],
        _ => (0..r.random_range(1..3))
            .map(|_| match key {
                ZONE => pick(r, &["z0", "z1", "z2"]).to_string(),
                HOSTNAME => pick(r, names).clone(),
                "rank" => r.random_range(0..10).to_string(),
                _ => pick(r, &["ssd", "hdd"]).to_string(),
            })
            .collect(),
    };
    json!({ "key": key, "operator": op, "values": values })
}

fn term(r: &mut Rng, names: &[String]) -> Vec<Value> {
    // Sometimes empty: such a term matches no node.
    (0..r.random_range(0..3))
        .map(|_| expression(r, names))
        .collect()
}

/// One random scenario: its JSON form (fed to faasim) and the node count.
fn scenario(r: &mut Rng) -> (Value, usize) {
    let big = chance(r, 0.15);
    let n = if big {
        r.random_range(100..180)
    } else {
        r.random_range(1..13)
    };
    let zones = r.random_range(1..4);
    let mut nodes = Vec::new();
    // Node names as the cluster generator forms them (`<type>_<count>`): hostname values.
    let mut names = vec!["nowhere".to_string()];
    let mut per_type = [0usize; TYPES.len()];
    for _ in 0..n {
        let ti = r.random_range(0..TYPES.len());
        names.push(format!("{}_{}", TYPES[ti], per_type[ti]));
        per_type[ti] += 1;
        let mut labels = serde_json::Map::new();
        if chance(r, 0.9) {
            labels.insert(ZONE.into(), json!(format!("z{}", r.random_range(0..zones))));
        }
        if chance(r, 0.1) {
            labels.insert("topology.kubernetes.io/region".into(), json!("eu"));
        }
        if chance(r, 0.6) {
            labels.insert("disk".into(), json!(pick(r, &["ssd", "hdd"])));
        }
        if chance(r, 0.6) {
            labels.insert(
                "rank".into(),
                json!(pick(r, &["1", "4", "6", "9", "+8", "x"])),
            );
        }
        if chance(r, 0.05) {
            labels.insert("data.skippy.io/storage".into(), json!(""));
        }
        // Upstream's API rejects two taints with the same key and effect.
        let mut taints: Vec<Value> = Vec::new();
        for _ in 0..r.random_range(0..3) {
            let t = taint(r);
            if !taints
                .iter()
                .any(|u| u["key"] == t["key"] && u["effect"] == t["effect"])
            {
                taints.push(t);
            }
        }
        let mut node = json!({
            "type": TYPES[ti],
            "count": 1,
            "labels": labels,
            "taints": taints,
            "unschedulable": chance(r, 0.1),
        });
        if chance(r, 0.3) {
            node["extended_resources"] = json!({ "gpu": r.random_range(0..3) });
        }
        if chance(r, 0.2) {
            node["max_pods"] = json!(r.random_range(1..4));
        }
        nodes.push(node);
    }
    let mut variants: Vec<Value> = Vec::new();
    for a in ARCHS {
        if chance(r, 0.7) {
            variants.push(json!({ "arch": a, "size": r.random_range(1u64..1_300) * 1_000_000 }));
        }
    }
    if variants.is_empty() || chance(r, 0.1) {
        variants.push(json!({ "arch": "any", "size": r.random_range(1u64..1_300) * 1_000_000 }));
    }
    let cpu = |r: &mut Rng| *pick(r, &[0i64, 100, 250, 500, 1000, 2000, 6000]);
    let mem = |r: &mut Rng| *pick(r, &[0i64, 64 << 20, 256 << 20, 1 << 30, 4 << 30]);
    let mut container = json!({
        "image": "img",
        "requests": { "cpu": format!("{}m", cpu(r)), "memory": mem(r).to_string() },
        "tolerations": (0..r.random_range(0..3)).map(|_| toleration(r)).collect::<Vec<_>>(),
    });
    if chance(r, 0.2) {
        container["requests"]["extended"] = json!({ "gpu": r.random_range(1..3) });
    }
    if chance(r, 0.2) {
        container["node_selector"] = json!({ "disk": "ssd" });
    }
    if chance(r, 0.05) {
        let mut sel = serde_json::Map::new();
        sel.insert(HOSTNAME.into(), json!(pick(r, &names)));
        container["node_selector"] = Value::Object(sel);
    }
    let mut required: Vec<Value> = Vec::new();
    for _ in 0..r.random_range(0..3) {
        if chance(r, 0.5) {
            required.push(json!({ "match_expressions": term(r, &names) }));
        }
    }
    let preferred: Vec<Value> = (0..r.random_range(0..4))
        .map(|_| json!({ "weight": r.random_range(1..101), "match_expressions": term(r, &names) }))
        .collect();
    container["affinity"] = json!({ "required": required, "preferred": preferred });
    let mut deployment = json!({ "function": "f0", "containers": [container] });
    if chance(r, 0.35) {
        let spread: Vec<Value> = (0..r.random_range(1..3))
            .map(|i| {
                json!({
                    "max_skew": r.random_range(1..4),
                    "topology_key": pick(r, &[ZONE, HOSTNAME, "disk"]),
                    "when_unsatisfiable": if i == 0 && chance(r, 0.5) { "DoNotSchedule" } else { "ScheduleAnyway" },
                })
            })
            .collect();
        // Upstream rejects two constraints with the same key and kind; keep the first.
        let mut seen = Vec::new();
        let spread: Vec<Value> = spread
            .into_iter()
            .filter(|c| {
                let k = (c["topology_key"].clone(), c["when_unsatisfiable"].clone());
                let new = !seen.contains(&k);
                seen.push(k);
                new
            })
            .collect();
        deployment["topology_spread"] = json!(spread);
    }
    let percentage = if big {
        *pick(r, &[0, 0, 30, 50, 100])
    } else {
        0
    };
    let strategy = *pick(r, &["LeastAllocated", "MostAllocated"]);
    let sc = json!({
        "topology": { "nodes": nodes, "lan_size": r.random_range(1..6) },
        "images": [{ "name": "img", "variants": variants }],
        "functions": [{ "name": "f0", "images": ["img"] }, { "name": "f1", "images": ["img"] }, { "name": "f2", "images": ["img"] }],
        "deployments": [deployment],
        "scheduler": {
            "profile": "kubernetes",
            "explain_top_k": 1000,
            "kubernetes": {
                "percentage_of_nodes_to_score": percentage,
                "scoring_strategy": strategy,
                "resource_weights": { "cpu": r.random_range(1..4), "memory": r.random_range(1..4) },
            },
        },
    });
    (sc, n)
}

/// Builds, places the existing replicas, schedules the pod and dumps everything.
fn run_case(seed: u64) -> Value {
    let mut r = Rng::seed_from_u64(seed);
    let (sc_json, n) = scenario(&mut r);
    let sc: Scenario = serde_json::from_value(sc_json.clone()).expect("scenario deserialises");
    let mut cluster = Cluster::build(&sc).expect("cluster builds");
    assert_eq!(cluster.nodes.len(), n);
    let mut sched = Kubernetes::from_scenario(&sc, &cluster, seed).expect("scheduler builds");
    let mut cache = ImageCache::new(n, 1);
    let mut cached = Vec::new();
    for node in 0..n as u32 {
        if chance(&mut r, 0.3) {
            cache.insert(node, 0);
            cached.push(node);
        }
    }
    // Replicas already placed: requests are reserved and the scheduler is told, as the
    // simulation does; each may carry GPUs.
    let labels = Labels::new();
    let gpu = sc.deployments[0].containers[0].clone();
    let mut placed = Vec::new();
    for replica in 0..r.random_range(0..(3 * n as u32).min(60) + 1) {
        let node = r.random_range(0..n as u32);
        let function = r.random_range(0..3u32);
        let cpu = *pick(&mut r, &[0i64, 100, 500, 1000]);
        let mem = *pick(&mut r, &[0i64, 128 << 20, 1 << 30]);
        let with_gpu = chance(&mut r, 0.2) && gpu.requests.extended.contains_key("gpu");
        let mut pod = Pod::new(replica + 1, function, 0, cpu, mem, &labels);
        if with_gpu {
            pod = pod.with_container(&gpu);
        }
        cluster.nodes.reserve(node, cpu, mem);
        let ctx = SchedContext {
            cluster: &cluster,
            cache: &cache,
        };
        sched.on_placed(&pod, node, &ctx);
        let extended = if with_gpu {
            json!(gpu.requests.extended)
        } else {
            json!({})
        };
        placed.push(json!({ "node": node, "function": function, "cpu": cpu, "mem": mem, "extended": extended }));
    }
    let container = &sc.deployments[0].containers[0];
    let pod = Pod::new(
        1_000,
        0,
        0,
        container.requests.cpu.0 as i64,
        container.requests.memory.0 as i64,
        &labels,
    )
    .with_container(container);
    let ctx = SchedContext {
        cluster: &cluster,
        cache: &cache,
    };
    let first_failures = sched.first_failures(&pod, &ctx);
    let mut d = Decision::default();
    sched.schedule(&pod, &ctx, &mut d);

    let node_json: Vec<Value> = (0..n)
        .map(|i| {
            let g = &sc.topology.nodes[i];
            let t = &cluster.types[cluster.nodes.node_type[i] as usize];
            json!({
                "labels": cluster.nodes.labels[i],
                "arch": t.arch,
                "cpu_cap": cluster.nodes.cpu_capacity[i],
                "mem_cap": cluster.nodes.mem_capacity[i],
                "taints": g.taints,
                "unschedulable": g.unschedulable,
                "extended": g.extended_resources,
                "max_pods": g.max_pods.unwrap_or(110),
            })
        })
        .collect();
    let candidates: Vec<Value> = d
        .top
        .iter()
        .map(|c| {
            let scores: serde_json::Map<String, Value> = c
                .scores
                .iter()
                .map(|e| (e.name.to_string(), json!(e.normalized as i64)))
                .collect();
            json!({ "node": c.node, "total": c.total as i64, "scores": scores })
        })
        .collect();
    let weights = &sc.scheduler.kubernetes.weights;
    let k = &sc.scheduler.kubernetes;
    let spread: serde_json::Map<String, Value> = if sc.deployments[0].topology_spread.is_empty() {
        serde_json::Map::new()
    } else {
        [("0".to_string(), json!(sc.deployments[0].topology_spread))]
            .into_iter()
            .collect()
    };
    let any_hard = sc.deployments[0]
        .topology_spread
        .iter()
        .any(|c| c.when_unsatisfiable == faasim::config::WhenUnsatisfiable::DoNotSchedule);
    json!({
        "seed": seed,
        "nodes": node_json,
        "image": {
            "variants": sc.images[0].variants.iter().map(|v| json!([v.arch, v.size.0])).collect::<Vec<_>>(),
            "cached": cached,
        },
        "placed": placed,
        "spread": spread,
        "any_hard_spread": any_hard,
        "pod": {
            "function": 0,
            "cpu": pod.cpu_millis,
            "mem": pod.memory_bytes,
            "extended": container.requests.extended,
            "node_selector": container.node_selector,
            "affinity": container.affinity.clone().unwrap_or_default(),
            "tolerations": container.tolerations,
        },
        "config": {
            "percentage": k.percentage_of_nodes_to_score,
            "strategy": format!("{:?}", k.scoring_strategy),
            "resource_weights": [k.resource_weights.cpu, k.resource_weights.memory],
            "weights": {
                "NodeResourcesFit": weights.node_resources_fit,
                "NodeResourcesBalancedAllocation": weights.balanced_allocation,
                "ImageLocality": weights.image_locality,
                "TaintToleration": weights.taint_toleration,
                "NodeAffinity": weights.node_affinity,
                "PodTopologySpread": weights.pod_topology_spread,
            },
        },
        "faasim": {
            "filters": sched.filter_names(),
            "first_failures": first_failures,
            "nodes_evaluated": d.nodes_evaluated,
            "feasible": d.feasible,
            "rejections": d.rejections.iter().map(|(n, c)| (n.to_string(), json!(c))).collect::<serde_json::Map<_, _>>(),
            "node": d.node,
            "tie_count": d.tie_count,
            "candidates": candidates,
        },
    })
}

#[test]
fn kubernetes_profile_agrees_with_an_independent_python_implementation() {
    let cases: Vec<Value> = (0..CASES).map(run_case).collect();
    // The generator must reach every rule it is meant to exercise.
    let count = |f: &dyn Fn(&Value) -> bool| cases.iter().filter(|c| f(c)).count();
    let failing = |name: &'static str| {
        move |c: &Value| {
            c["faasim"]["first_failures"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == name)
        }
    };
    for name in [
        "NodeUnschedulable",
        "TaintToleration",
        "NodeAffinity",
        "NodeResourcesFit",
        "PodTopologySpread",
        "AvoidStorageNodes",
        "ImageArchAvailable",
    ] {
        assert!(
            count(&failing(name)) >= 10,
            "too few cases where {name} rejects a node"
        );
    }
    let scored = count(&|c| c["faasim"]["candidates"].as_array().unwrap().len() >= 2);
    let placed = count(&|c| !c["placed"].as_array().unwrap().is_empty());
    let big = count(&|c| c["nodes"].as_array().unwrap().len() >= 100);
    assert!(
        scored >= 250 && placed >= 800 && big >= 100,
        "scored {scored}, with replicas {placed}, sampled {big}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).unwrap()).unwrap();
    let py = std::env::var("FAASIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/k8s_reference.py");
    let out = Command::new(&py)
        .arg(script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("running {py} {script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python reference disagrees:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("{CASES} cases checked, 0 mismatched")),
        "{stdout}"
    );
}
