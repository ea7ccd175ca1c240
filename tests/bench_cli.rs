//! `faasim bench` end to end on the smallest benchmark scenario with a tiny horizon: it reports
//! every documented field, as a table and as JSON. No timing is asserted (the figures depend on
//! the machine and its load).

use std::process::Command;

#[test]
fn bench_reports_every_field_for_the_small_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("bench.json");
    let out = Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(["bench", "experiments/bench/S.toml", "--horizon-s", "2"])
        .arg("--scratch")
        .arg(tmp.path())
        .arg("--json")
        .arg(&json)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("faasim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "faasim bench failed: {stderr}");

    let table = String::from_utf8(out.stdout).unwrap();
    let header = table.lines().next().unwrap();
    for column in [
        "invocations/s",
        "events/s",
        "ns/inv (cpu)",
        "marginal ns",
        "wall s",
        "cpu s",
        "fixed s",
        "rss MiB",
    ] {
        assert!(header.contains(column), "no {column} in {header}");
    }
    assert!(table.contains("experiments/bench/S.toml"), "{table}");

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["scenario"], "experiments/bench/S.toml");
    // 20 requests/s for 2 s: a few dozen Poisson arrivals.
    let invocations = r["invocations"].as_i64().unwrap();
    assert!(
        (10..=100).contains(&invocations),
        "{invocations} invocations"
    );
    assert!(r["events"].as_i64().unwrap() > invocations);
    for field in [
        "wall_s",
        "cpu_s",
        "invocations_per_s",
        "events_per_s",
        "cpu_ns_per_invocation",
        "fixed_cpu_s",
    ] {
        assert!(r[field].as_f64().unwrap() > 0.0, "{field}: {}", r[field]);
    }
    // The marginal cost is a difference of two measurements: on a run this short it may be
    // negative, but it is always reported.
    assert!(r["marginal_cpu_ns_per_invocation"].as_f64().is_some());
    assert!(r["peak_rss_bytes"].as_u64().unwrap() > 1 << 20);
    // The scratch directory is left as it was found.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}
