//! What the Azure trace entries take from the trace besides arrivals, end to end
//! (`docs/workloads.md`, "Azure Functions traces"): 2019 durations from the percentiles or the
//! average with their fallbacks, 2019 memory from the application's percentiles with its
//! fallback, 2021 memory from `memory_model`, and 2021 rows arriving before time 0 counted in
//! `runs.warnings`.

mod common;

use common::{run, scenario};
use faasim::metrics::RunOutput;
use faasim::model::Model;
use std::collections::BTreeMap;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/azure");
const MIB: u64 = 1_048_576;

/// A scenario replaying one trace entry (`trace`: its keys without `deployment_template`); the
/// template asks for 64 MiB and executes for 3 s, so the trace's own figures are told apart.
fn trace_scenario(trace: &str) -> String {
    format!(
        r#"
name = "trace-keys"
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 2 }}] }}
outputs = {{ invocations = "all" }}

[[images]]
name = "img"
variants = [{{ arch = "x86", size = "10M" }}]

[[traces]]
{trace}
deployment_template.container = {{ image = "img", requests = {{ cpu = "100m", memory = "64Mi" }}, exec = {{ constant = {{ value = 3.0 }} }} }}
deployment_template.scaling = {{ scale_min = 1, scale_max = 1 }}
"#
    )
}

fn trace_2019(keys: &str) -> String {
    trace_scenario(&format!(
        "format = \"azure2019\"\ndir = \"{FIXTURES}/2019\"\nsynthesis = \"equidistant\"\n{keys}"
    ))
}

fn trace_2021(keys: &str) -> String {
    trace_scenario(&format!(
        "format = \"azure2021\"\ndir = \"{FIXTURES}/2021/AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt\"\nwindow_s = 3600\n{keys}"
    ))
}

/// Per function name: the execution times of its completed requests (distinct, ascending) and
/// the memory request of the replicas that served them.
fn per_function(out: &RunOutput) -> BTreeMap<String, (Vec<f64>, u64)> {
    assert_eq!(out.run.status.as_str(), "ok", "{:?}", out.run.error);
    let mut m: BTreeMap<String, (Vec<f64>, u64)> = BTreeMap::new();
    for r in &out.invocations {
        let e = m
            .entry(out.names.functions[r.function as usize].clone())
            .or_default();
        let exec = r.end.since(r.start).as_secs_f64();
        if !e.0.contains(&exec) {
            e.0.push(exec);
        }
        e.1 = r.memory_bytes.expect("dispatched");
    }
    for e in m.values_mut() {
        e.0.sort_by(f64::total_cmp);
    }
    m
}

fn memory_of(model: &Model) -> Vec<(&str, u64)> {
    model
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.containers[0].mem as u64))
        .collect()
}

#[test]
fn average_durations_make_every_2019_request_take_the_functions_average() {
    // The fixture's f1 averages 150 ms (its percentiles spread from 10 ms to 2 s), f2 500 ms.
    let out = run(
        &scenario(&trace_2019("minutes = 3\nduration = \"average\"")),
        1,
    );
    let got = per_function(&out);
    assert_eq!(got["az19-f1"].0, [0.15]);
    assert_eq!(got["az19-f2"].0, [0.5]);
    // The percentiles (the default) spread f1's three requests over its distribution.
    let out = run(&scenario(&trace_2019("minutes = 3")), 1);
    let f1 = &per_function(&out)["az19-f1"].0;
    assert_eq!(f1.len(), 3, "{f1:?}");
    assert!(f1.iter().all(|&d| (0.01..=2.0).contains(&d)), "{f1:?}");
}

#[test]
fn a_2019_function_without_a_duration_row_or_memory_row_takes_the_entrys_defaults() {
    // f3 (application o2/a2, invoked on day 2) has no duration row and no memory row; f1 and
    // f2 (application o1/a1) have both: 160 MiB at the 100th percentile.
    let keys = "minutes = 6\ndefault_duration_s = 0.25\ndefault_memory_mb = 96";
    let out = run(&scenario(&trace_2019(keys)), 1);
    let got = per_function(&out);
    assert_eq!(got["az19-f3"], (vec![0.25], 96 * MIB));
    assert_eq!(got["az19-f2"], (vec![0.5], 160 * MIB));
    assert_eq!(got["az19-f1"].1, 160 * MIB);
    // Unset, the defaults are 1 s and 128 MiB: the template's `exec` (3 s) and memory request
    // (64 MiB) never apply to a 2019 function.
    let out = run(&scenario(&trace_2019("minutes = 6")), 1);
    assert_eq!(per_function(&out)["az19-f3"], (vec![1.0], 128 * MIB));
}

#[test]
fn the_memory_percentile_column_becomes_the_memory_request() {
    // Application o1/a1: pct1 = 100 MB, pct50 = 120 MB, pct100 = 160 MB.
    for (pct, mb) in [(1, 100), (50, 120), (100, 160)] {
        let sc = scenario(&trace_2019(&format!(
            "minutes = 3\nselect = {{ top = {{ count = 2 }} }}\nmemory_percentile = {pct}"
        )));
        let model = Model::compile(&sc).unwrap();
        assert_eq!(
            memory_of(&model),
            [("az19-f1", mb * MIB), ("az19-f2", mb * MIB)],
            "pct{pct}"
        );
    }
}

#[test]
fn a_2019_window_on_a_day_without_a_memory_file_uses_default_memory_mb() {
    // The fixture's day 2, like the real trace's days 13 and 14, has no memory file.
    let sc = scenario(&trace_2019(
        "days = [2]\nminutes = 3\ndefault_memory_mb = 200",
    ));
    let model = Model::compile(&sc).unwrap();
    assert_eq!(
        memory_of(&model),
        [
            ("az19-f1", 200 * MIB),
            ("az19-f2", 200 * MIB),
            ("az19-f3", 200 * MIB)
        ]
    );
}

#[test]
fn a_2021_memory_model_gives_each_function_its_memory_request() {
    let sc = scenario(&trace_2021("memory_model = { constant = { value = 300 } }"));
    assert_eq!(
        memory_of(&Model::compile(&sc).unwrap()),
        [("az21-a1-f1", 300 * MIB), ("az21-a2-f9", 300 * MIB)]
    );
    let out = run(&sc, 1);
    assert!(per_function(&out).values().all(|f| f.1 == 300 * MIB));
    // A distribution: one draw per function from its own stream `trace/memory/<app>/<func>`
    // of the entry's seed, so the same seed gives the same requests and another seed others.
    let drawn = |seed: u64| {
        let sc = scenario(&trace_2021(&format!(
            "memory_model = {{ uniform = {{ low = 128, high = 1024 }} }}\nseed = {seed}"
        )));
        let model = Model::compile(&sc).unwrap();
        memory_of(&model)
            .into_iter()
            .map(|(_, b)| b)
            .collect::<Vec<_>>()
    };
    let a = drawn(7);
    assert_eq!(a, drawn(7));
    assert_ne!(a, drawn(8));
    assert_ne!(a[0], a[1]);
    assert!(
        a.iter().all(|b| (128 * MIB..=1024 * MIB).contains(b)),
        "{a:?}"
    );
    // Without it the template's request stays.
    let sc = scenario(&trace_2021(""));
    assert_eq!(
        memory_of(&Model::compile(&sc).unwrap()),
        [("az21-a1-f1", 64 * MIB), ("az21-a2-f9", 64 * MIB)]
    );
}

#[test]
fn rows_of_a_2021_trace_arriving_before_time_0_are_skipped_and_counted_in_runs_warnings() {
    // With offset_s = 10, a1/f1's row ending at 12.0 after 3.0 s arrives at −1 s.
    let out = run(&scenario(&trace_2021("offset_s = 10")), 1);
    assert_eq!(out.run.warnings, 1);
    assert_eq!(out.invocations.len(), 2);
    let out = run(&scenario(&trace_2021("")), 1);
    assert_eq!(out.run.warnings, 0);
    // Only the replayed functions' rows count.
    let only_f9 = "offset_s = 10\nselect = { list = { ids = [\"f9\"] } }";
    assert_eq!(run(&scenario(&trace_2021(only_f9)), 1).run.warnings, 0);
}

#[test]
fn keys_of_the_other_dataset_are_refused_with_a_hint() {
    let err = |text: String| {
        faasim::config::parse_scenario(&text, "<test>")
            .unwrap_err()
            .to_string()
    };
    let e = err(trace_2019("memory_model = { constant = { value = 300 } }"));
    assert!(
        e.contains("traces[0].memory_model") && e.contains("default_memory_mb"),
        "{e}"
    );
    let e = err(trace_2021("default_memory_mb = 300"));
    assert!(
        e.contains("traces[0].default_memory_mb") && e.contains("memory_model"),
        "{e}"
    );
    let e = err(trace_2019("default_duration_s = -1"));
    assert!(e.contains("traces[0].default_duration_s"), "{e}");
    let e = err(trace_2019("duration = \"median\""));
    assert!(e.contains("duration"), "{e}");
}

/// Writes a two-day 2019 trace of one-minute days: `f1` is invoked twice a minute on both days
/// and its duration row says 100 ms on day 1 and 200 ms on day 2; `f2` is invoked once a minute
/// and has a row (300 ms) on day 1 only.
fn two_day_trace(dir: &std::path::Path) {
    const HEADER: &str = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100";
    let row = |f: &str, ms: u32| format!("o,a,{f},{ms},1,{ms},{ms}{}", format!(",{ms}").repeat(7));
    for day in ["01", "02"] {
        std::fs::write(
            dir.join(format!("invocations_per_function_md.anon.d{day}.csv")),
            "HashOwner,HashApp,HashFunction,Trigger,1\no,a,f1,http,2\no,a,f2,http,1\n",
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("function_durations_percentiles.anon.d01.csv"),
        format!("{HEADER}\n{}\n{}\n", row("f1", 100), row("f2", 300)),
    )
    .unwrap();
    std::fs::write(
        dir.join("function_durations_percentiles.anon.d02.csv"),
        format!("{HEADER}\n{}\n", row("f1", 200)),
    )
    .unwrap();
}

#[test]
fn a_2019_request_executes_with_the_duration_row_of_the_day_it_arrived_in() {
    let dir = tempfile::tempdir().unwrap();
    two_day_trace(dir.path());
    let keys = format!(
        "format = \"azure2019\"\ndir = \"{}\"\ndays = [1, 2]\nminutes = 2\nsynthesis = \"equidistant\"\ndefault_duration_s = 0.75",
        dir.path().display()
    );
    let out = run(&scenario(&trace_scenario(&keys)), 1);
    assert_eq!(out.run.status.as_str(), "ok", "{:?}", out.run.error);
    // (function, arrival, execution time) of every request.
    let mut got: Vec<(String, f64, f64)> = out
        .invocations
        .iter()
        .map(|r| {
            (
                out.names.functions[r.function as usize].clone(),
                r.arrival.as_secs_f64(),
                r.end.since(r.start).as_secs_f64(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    // Day 1 is the window's first minute, day 2 its second; f2 has no row on day 2, so its
    // day-2 request takes `default_duration_s`.
    assert_eq!(
        got,
        [
            ("az19-f1".to_string(), 15.0, 0.1),
            ("az19-f1".to_string(), 45.0, 0.1),
            ("az19-f1".to_string(), 75.0, 0.2),
            ("az19-f1".to_string(), 105.0, 0.2),
            ("az19-f2".to_string(), 30.0, 0.3),
            ("az19-f2".to_string(), 90.0, 0.75),
        ]
    );
}

#[test]
fn the_specs_key_names_and_their_older_names_give_the_same_run() {
    // `dir`, `days` and `deployment_template` are the documented names; `path`, `day` and
    // `deployment` are still accepted and compile to the same canonical scenario (same run id).
    let new = trace_2019("minutes = 3\ndays = [1]");
    let old = new
        .replace("dir = ", "path = ")
        .replace("days = [1]", "day = 1")
        .replace("deployment_template.", "deployment.");
    assert_ne!(new, old);
    let canonical = |text: &str| faasim::run::canonical_json(&scenario(text));
    assert_eq!(canonical(&new), canonical(&old));
    assert!(
        canonical(&new).contains("\"dir\":\"sha256:"),
        "{}",
        canonical(&new)
    );
}

#[test]
fn a_key_given_under_both_names_is_an_error_naming_it() {
    for (extra, key) in [
        (format!("path = \"{FIXTURES}/2019\""), "dir"),
        ("day = 1\ndays = [1]".to_string(), "days"),
    ] {
        let text = trace_2019(&extra);
        let e = faasim::config::parse_scenario(&text, "t.toml").unwrap_err();
        assert_eq!(e.key_path, format!("traces[0].{key}"), "{e}");
        assert!(
            e.message.contains(&format!("`{key}` is given twice")),
            "{e}"
        );
    }
}

#[test]
fn days_must_be_consecutive_and_numbered_from_one() {
    for (days, wanted) in [
        ("[1, 3]", "must be consecutive days"),
        ("[0]", "numbered from 1"),
        ("[]", "at least one day"),
    ] {
        let text = trace_2019(&format!("days = {days}"));
        let e = faasim::config::parse_scenario(&text, "t.toml").unwrap_err();
        assert_eq!(e.key_path, "traces[0].days", "{e}");
        assert!(e.message.contains(wanted), "{e}");
    }
}

/// The trigger filter inside `select` (where the dataset's documentation puts it) and at its
/// older place beside `select` pick the same functions of the fixture (`f2` is its only timer
/// function, `f1` its only HTTP one) and give the same scenario and run id; both at once is an
/// error naming the older key.
#[test]
fn triggers_inside_select_and_at_the_older_place_select_the_same_functions() {
    let names = |text: &str| -> Vec<String> {
        let sc = scenario(text);
        let model = Model::compile(&sc).unwrap();
        model.functions.iter().map(|f| f.name.clone()).collect()
    };
    let canonical = |text: &str| faasim::run::canonical_json(&scenario(text));
    for (trigger, function) in [("timer", "az19-f2"), ("http", "az19-f1")] {
        let inside = trace_2019(&format!(
            "minutes = 3\nselect = {{ all = {{}}, triggers = [\"{trigger}\"] }}"
        ));
        let older = trace_2019(&format!("minutes = 3\ntriggers = [\"{trigger}\"]"));
        assert_eq!(names(&inside), [function]);
        assert_eq!(names(&older), [function]);
        assert_eq!(canonical(&inside), canonical(&older));
    }
    // Triggers alone in `select`: every function with one of them, here with a `top` rule too.
    let both_kinds = trace_2019(
        "minutes = 3\nselect = { top = { count = 5 }, triggers = [\"http\", \"timer\"] }",
    );
    assert_eq!(names(&both_kinds), ["az19-f1", "az19-f2"]);
    let twice =
        trace_2019("minutes = 3\ntriggers = [\"http\"]\nselect = { triggers = [\"timer\"] }");
    let e = faasim::config::parse_scenario(&twice, "t.toml").unwrap_err();
    assert_eq!(e.key_path, "traces[0].triggers", "{e}");
    assert!(e.message.contains("select.triggers"), "{e}");
}

#[test]
fn a_2021_trace_refuses_a_trigger_filter() {
    let text = trace_2021("select = { triggers = [\"http\"] }");
    let e = faasim::config::parse_scenario(&text, "t.toml").unwrap_err();
    assert_eq!(e.key_path, "traces[0].select.triggers", "{e}");
}
