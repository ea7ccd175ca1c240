//! Autoscaling and the replica life cycle over whole runs: scaler ticks and records, scale to
//! zero and cold starts, draining, bounds, timeouts, keep-alive, the resource monitor and the
//! determinism of runs with scalers.

mod common;

use common::{one_function, run, scenario_fixed_rate_pulls as scenario};
use faasim::engine::SimTime;
use faasim::metrics::{InvocationStatus, RunOutput, ScalingRow};

fn s(x: f64) -> SimTime {
    SimTime::from_secs_f64(x)
}

fn rows<'a>(out: &'a RunOutput, scaler: &str) -> Vec<&'a ScalingRow> {
    out.scaling.iter().filter(|r| r.scaler == scaler).collect()
}

/// Debug text of a run without its telemetry (for equality of whole runs).
fn text(mut o: RunOutput) -> String {
    o.run.wall_time_s = None;
    o.run.events_per_s = None;
    format!("{o:?}")
}

#[test]
fn scaler_ticks_start_one_period_after_deploy_and_repeat_every_period() {
    let text = one_function(
        "{ scale_min = 1, scale_max = 4, rps_threshold_duration = 10 }",
        "",
        "rate = { constant = { rps = 1 } }",
        "run = { horizon_s = 60, end_policy = \"cut\" }\nscaling = { autoscaler = \"request_rate\" }",
    )
    .replace("[[deployments]]\nfunction = \"f\"", "[[deployments]]\nfunction = \"f\"\ndeploy_at_s = 5");
    let out = run(&scenario(&text), 1);
    let ticks: Vec<SimTime> = rows(&out, "request_rate").iter().map(|r| r.t).collect();
    assert_eq!(ticks, vec![s(15.0), s(25.0), s(35.0), s(45.0), s(55.0)]);
}

#[test]
fn request_rate_scaler_steps_up_above_the_threshold_and_records_the_rate() {
    // 30 requests/s against a threshold of 20; step = max(1, 20 × 20 / 100) = 4.
    let text = one_function(
        "{ scale_min = 1, scale_max = 20, scale_factor = 20, rps_threshold = 20 }",
        "exec = { constant = { value = 0.01 } }",
        "rate = { constant = { rps = 30 } }\narrivals = { static = {} }",
        "run = { horizon_s = 25, end_policy = \"cut\" }\nscaling = { autoscaler = \"request_rate\" }",
    );
    let out = run(&scenario(&text), 1);
    let r = rows(&out, "request_rate");
    assert_eq!(r.len(), 2);
    let first = r[0];
    assert_eq!(first.t, s(10.0));
    assert_eq!(
        (first.action, first.reason),
        ("scale_up", "threshold_exceeded")
    );
    assert_eq!(first.metric_name, Some("rps"));
    // Static arrivals at 30/s: 299 or 300 arrivals in the first 10 s.
    assert!((first.metric_value.unwrap() - 30.0).abs() <= 0.1);
    assert_eq!((first.running, first.pending, first.current), (1, 0, 1));
    assert_eq!((first.applied, first.desired), (4, Some(5)));
    assert_eq!(r[1].current, 5, "counts are taken before the action");
}

#[test]
fn a_tick_without_running_replicas_records_no_running_and_does_nothing() {
    let text = one_function(
        "{ scale_min = 0, scale_max = 4 }",
        "",
        "rate = { constant = { rps = 1 } }",
        "run = { horizon_s = 120, end_policy = \"cut\" }\nrouting = { scale_from_zero = \"wait\" }\nscaling = { autoscaler = \"avg_rps\" }",
    );
    let out = run(&scenario(&text), 1);
    let r = rows(&out, "avg_rps");
    assert_eq!(r.len(), 2, "ticks at 50 and 100");
    assert!(r
        .iter()
        .all(|x| x.reason == "no_running" && x.applied == 0 && x.action == "none"));
    assert!(out.replicas.is_empty());
}

#[test]
fn avg_rps_scales_up_under_load_and_back_to_scale_min_when_it_stops() {
    // 40 requests/s for 100 s against 10 per replica: 4 replicas; then nothing.
    let text = one_function(
        "{ scale_min = 1, scale_max = 10, target_average_rps = 10, alert_window = 20 }",
        "exec = { constant = { value = 0.05 } }",
        "rate = { constant = { rps = 40 } }\narrivals = { static = {} }\nduration_s = 100",
        "run = { horizon_s = 200, end_policy = \"cut\" }\nscaling = { autoscaler = \"avg_rps\" }",
    );
    let out = run(&scenario(&text), 1);
    let r = rows(&out, "avg_rps");
    let up = r.iter().find(|x| x.applied > 0).expect("a scale-up");
    assert_eq!((up.t, up.desired, up.applied), (s(20.0), Some(4), 3));
    assert_eq!(up.metric_name, Some("avg_rps_ratio"));
    assert!((up.metric_value.unwrap() - 4.0).abs() < 0.01);
    let steady = r.iter().filter(|x| x.t > s(40.0) && x.t < s(100.0));
    assert!(steady.into_iter().all(|x| x.reason == "within_tolerance"));
    let down = r.iter().find(|x| x.applied < 0).expect("a scale-down");
    assert_eq!((down.desired, down.applied), (Some(1), -3));
    let last = out.replica_counts.last().unwrap();
    assert_eq!((last.live, last.running), (1, 1));
}

#[test]
fn the_idler_suspends_an_idle_function_and_a_later_request_starts_it_cold() {
    // Requests until t = 100, then one at 1000. The idler (every 30 s, 300 s of inactivity)
    // suspends at the first tick with idle >= 300 s.
    let text = format!(
        "{}\n[[workloads]]\nfunction = \"f\"\nstart = 999.5\nrate = {{ constant = {{ rps = 2 }} }}\narrivals = {{ static = {{}} }}\nmax_requests = 1\n",
        one_function(
            "{ scale_min = 1, scale_max = 2, scale_zero = true }",
            "exec = { constant = { value = 0.1 } }",
            "rate = { constant = { rps = 1 } }\narrivals = { static = {} }\nduration_s = 100.5",
            "outputs = { invocations = \"all\" }\nscaling = { idler = { inactivity_s = 300, interval_s = 30 } }",
        )
    );
    let out = run(&scenario(&text), 1);
    let idler = rows(&out, "idler");
    let suspend = idler
        .iter()
        .find(|r| r.action == "suspend")
        .expect("suspended");
    assert_eq!(suspend.t, s(420.0), "last arrival at 100");
    assert_eq!((suspend.applied, suspend.reason), (-1, "idle"));
    assert!((suspend.metric_value.unwrap() - 320.0).abs() < 1e-9);
    assert!(idler
        .iter()
        .filter(|r| r.t < s(420.0))
        .all(|r| r.action == "none"));
    assert_eq!(out.replicas[0].end_reason, Some("idle"));
    assert_eq!(out.replicas[0].final_state, "suspended");
    let late = out.invocations.last().unwrap();
    assert_eq!(late.arrival, s(1000.0));
    assert!(late.cold);
    assert_eq!(late.status, InvocationStatus::Completed);
    let router = rows(&out, "router");
    assert_eq!(router.len(), 1);
    assert_eq!(
        (router[0].t, router[0].reason, router[0].applied),
        (s(1000.0), "cold_start", 1)
    );
    assert_eq!(out.replicas.len(), 2);
}

#[test]
fn a_draining_replica_finishes_its_requests_before_it_is_torn_down() {
    // Two replicas with one worker each and 5 s requests (arrivals every 0.5 s from 1.5 s,
    // alternating); scaled down to one at t = 3.25 while the victim executes one request and
    // has another queued.
    let text = one_function(
        "{ scale_min = 1, scale_max = 2 }",
        "exec = { constant = { value = 5.0 } }\nconcurrency = \"one_per_replica\"\nteardown = { constant = { value = 0.5 } }",
        "start = \"after_ready\"\nrate = { constant = { rps = 2 } }\narrivals = { static = {} }\nmax_requests = 6",
        "outputs = { invocations = \"all\" }\n[[commands]]\nat_s = 3.25\nfunction = \"f\"\naction = \"scale\"\nreplicas = 1\n[[commands]]\nat_s = 0\nfunction = \"f\"\naction = \"scale\"\nreplicas = 2",
    );
    let out = run(&scenario(&text), 1);
    assert_eq!(out.run.completed, 6, "no request is lost");
    assert_eq!(out.run.incomplete + out.run.rejected + out.run.timed_out, 0);
    let victim = out
        .replicas
        .iter()
        .find(|r| r.final_state == "suspended")
        .expect("one replica scaled down");
    assert_eq!(victim.replica_id, 1, "newest first");
    let last_end = out
        .invocations
        .iter()
        .filter(|i| i.replica == Some(victim.replica_id))
        .map(|i| i.end)
        .max()
        .unwrap();
    assert_eq!(victim.requests_served, 2, "it finished its queued request");
    assert_eq!(victim.teardown, s(3.25));
    assert_eq!(last_end, s(12.0));
    assert_eq!(
        victim.ended,
        last_end.plus(s(0.5)),
        "teardown phase after the last request"
    );
    // Nothing was dispatched to it after it was selected.
    assert!(out
        .invocations
        .iter()
        .filter(|i| i.replica == Some(victim.replica_id))
        .all(|i| i.dispatch <= victim.teardown));
}

#[test]
fn victim_order_oldest_and_least_loaded_pick_other_replicas() {
    let base = |order: &str| {
        one_function(
            "{ scale_min = 1, scale_max = 3 }",
            "exec = { constant = { value = 100.0 } }",
            "start = \"after_ready\"\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
            &format!("replicas = {{ victim_order = \"{order}\" }}\nrun = {{ horizon_s = 50, end_policy = \"cut\" }}\n[[commands]]\nat_s = 0\nfunction = \"f\"\naction = \"scale\"\nreplicas = 3\n[[commands]]\nat_s = 10\nfunction = \"f\"\naction = \"scale_down\"\nreplicas = 1"),
        )
    };
    let victim = |order: &str| {
        let out = run(&scenario(&base(order)), 1);
        let v: Vec<u32> = out
            .replicas
            .iter()
            .filter(|r| r.teardown.is_set())
            .map(|r| r.replica_id)
            .collect();
        v
    };
    assert_eq!(victim("newest"), vec![2]);
    assert_eq!(victim("oldest"), vec![0]);
    // The one request runs on replica 0 (round robin starts there): the least loaded are 1 and
    // 2, ties go to the newest.
    assert_eq!(victim("least_loaded"), vec![2]);
}

#[test]
fn requests_not_started_before_their_timeout_end_timed_out() {
    // One worker, 10 s requests, timeout 3 s: the first starts, the others time out in the
    // replica's queue, exactly 3 s after arrival.
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 10.0 } }\nconcurrency = \"one_per_replica\"",
        "start = \"after_ready\"\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 4",
        "routing = { request_timeout_s = 3 }\noutputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    assert_eq!(out.run.completed, 1);
    assert_eq!(out.run.timed_out, 3);
    assert_eq!(out.summary.last().unwrap().timed_out, 3);
    for i in out.invocations.iter().skip(1) {
        assert_eq!(i.status, InvocationStatus::TimedOut);
        assert!(!i.start.is_set() && !i.end.is_set());
        assert_eq!(i.dispatch, i.arrival, "it waited in the replica's queue");
    }
}

#[test]
fn a_request_waiting_for_a_cold_replica_times_out_and_leaves_the_queue() {
    // The replica needs 1 s to pull and 5 s to start; the timeout is 2 s.
    let text = one_function(
        "{ scale_min = 0, scale_max = 1 }",
        "startup = { constant = { value = 5.0 } }",
        "rate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 2",
        "routing = { request_timeout_s = 2 }\noutputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    let inv = &out.invocations;
    assert_eq!(inv[0].status, InvocationStatus::TimedOut);
    assert_eq!(inv[0].dispatch, SimTime::NEVER);
    assert!(inv[0].cold);
    // The replica runs at 1 + 1 + 5 = 7 s; the second request (t = 2) times out at 4.
    assert_eq!(inv[1].status, InvocationStatus::TimedOut);
    assert_eq!(out.run.timed_out, 2);
}

#[test]
fn cold_start_polling_dispatches_at_the_first_check_after_the_replica_runs() {
    // Arrival at 1.0; the replica runs at 1.0 + 1.0 (pull) + 0.3 = 2.3; polls every 0.5 s
    // after the arrival: dispatched at 2.5 (model.md §11 example, shifted).
    let text = one_function(
        "{ scale_min = 0, scale_max = 1 }",
        "startup = { constant = { value = 0.3 } }",
        "rate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
        "routing = { cold_start_poll_s = 0.5 }\noutputs = { invocations = \"all\" }",
    );
    let out = run(&scenario(&text), 1);
    let i = &out.invocations[0];
    assert_eq!(out.replicas[0].running, s(2.3));
    assert_eq!(i.dispatch, s(2.5));
    assert_eq!(i.end, s(3.5));
}

#[test]
fn fixed_keepalive_tears_down_idle_replicas_above_scale_min() {
    // A burst needs 3 replicas, then nothing: 30 s after their last request the extra replicas
    // go; the last one stays (scale_min = 1).
    let text = one_function(
        "{ scale_min = 1, scale_max = 3 }",
        "exec = { constant = { value = 1.0 } }\nconcurrency = \"one_per_replica\"",
        "start = \"after_ready\"\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 3",
        "run = { horizon_s = 200 }\nscaling = { keepalive = { fixed = { keepalive_s = 30 } } }\n[[commands]]\nat_s = 0\nfunction = \"f\"\naction = \"scale\"\nreplicas = 3",
    );
    let out = run(&scenario(&text), 1);
    let ka = rows(&out, "keepalive");
    let removed: Vec<&&ScalingRow> = ka.iter().filter(|r| r.applied < 0).collect();
    assert_eq!(removed.len(), 2);
    assert!(removed.iter().all(|r| r.reason == "keepalive_expired"));
    let kept = ka
        .iter()
        .find(|r| r.reason == "at_scale_min")
        .expect("kept");
    assert_eq!(kept.current, 1);
    let expired: Vec<_> = out
        .replicas
        .iter()
        .filter(|r| r.end_reason == Some("keepalive_expired"))
        .collect();
    assert_eq!(expired.len(), 2);
}

#[test]
fn a_replica_busy_when_its_keepalive_timer_fires_expires_one_window_after_its_last_request() {
    // Two replicas are idle from Running on, so each has an expiry timer due 30 s later. The
    // first takes a 40 s request at t = 10 and is still busy when its timer fires: it must stay
    // (its expiry is that of its next idle period, 30 s after the request ends), while the
    // second, idle throughout, expires on time. (Dispatches leave the last idle period's
    // expiry recorded since round 9; the expiry checks the replica's outstanding requests.)
    let text = one_function(
        "{ scale_min = 1, scale_max = 2 }",
        "exec = { constant = { value = 40.0 } }\nconcurrency = \"one_per_replica\"",
        "start = 10.0\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
        "run = { horizon_s = 200 }\noutputs = { invocations = \"all\" }\nscaling = { keepalive = { fixed = { keepalive_s = 30 } } }\n[[commands]]\nat_s = 0\nfunction = \"f\"\naction = \"scale\"\nreplicas = 2",
    );
    let out = run(&scenario(&text), 1);
    assert_eq!(out.run.completed, 1);
    let served = out.invocations[0].replica.expect("dispatched");
    assert_eq!(
        out.invocations[0].end,
        out.invocations[0].start.plus(s(40.0))
    );
    let busy = out
        .replicas
        .iter()
        .find(|r| r.replica_id == served)
        .unwrap();
    let idle = out
        .replicas
        .iter()
        .find(|r| r.replica_id != served)
        .unwrap();
    assert_eq!(idle.end_reason, Some("keepalive_expired"));
    assert!(
        idle.teardown < out.invocations[0].end,
        "the idle one expired on time"
    );
    assert_eq!(busy.end_reason, None, "the busy one was not retired");
    let at_min: Vec<SimTime> = rows(&out, "keepalive")
        .iter()
        .filter(|r| r.reason == "at_scale_min")
        .map(|r| r.t)
        .collect();
    assert_eq!(at_min, vec![out.invocations[0].end.plus(s(30.0))]);
}

#[test]
fn per_request_scaling_starts_one_replica_per_simultaneous_request() {
    // Three requests arrive together (three workloads at t = 1) with one worker per replica.
    let mut text = one_function(
        "{ scale_min = 0, scale_max = 5, autoscaler = \"per_request\" }",
        "concurrency = \"one_per_replica\"",
        "start = 0.0\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
        "",
    );
    for _ in 0..2 {
        text.push_str("\n[[workloads]]\nfunction = \"f\"\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1\n");
    }
    let out = run(&scenario(&text), 1);
    assert_eq!(out.replicas.len(), 3);
    assert_eq!(
        rows(&out, "router").len(),
        1,
        "the first by scale-from-zero"
    );
    let pr = rows(&out, "per_request");
    assert_eq!(pr.iter().filter(|r| r.applied == 1).count(), 2);
    assert_eq!(out.run.completed, 3);
}

#[test]
fn replica_counts_record_each_change_once_per_instant() {
    let text = one_function(
        "{ scale_min = 2, scale_max = 4 }",
        "startup = { constant = { value = 1.0 } }",
        "rate = { constant = { rps = 1 } }\nmax_requests = 3",
        "",
    );
    let out = run(&scenario(&text), 1);
    let c: Vec<(SimTime, u32, u32)> = out
        .replica_counts
        .iter()
        .map(|r| (r.t, r.live, r.running))
        .collect();
    // Deploy at 0 creates 2 replicas (one row); both pull one 125 MB image together and run
    // at 1 + 1 = 2 s (one row).
    assert_eq!(c, vec![(s(0.0), 2, 0), (s(2.0), 2, 2)]);
}

#[test]
fn without_include_noop_only_actions_and_lifecycle_rows_are_recorded() {
    let make = |noop: bool| {
        one_function(
            "{ scale_min = 1, scale_max = 4, alert_window = 10, target_average_rps = 100 }",
            "",
            "rate = { constant = { rps = 5 } }",
            &format!("run = {{ horizon_s = 100, end_policy = \"cut\" }}\nscaling = {{ autoscaler = \"avg_rps\" }}\noutputs = {{ scaling = {{ include_noop = {noop} }} }}"),
        )
    };
    let all = run(&scenario(&make(true)), 1);
    let few = run(&scenario(&make(false)), 1);
    assert!(rows(&all, "avg_rps").len() >= 9);
    assert!(rows(&few, "avg_rps").is_empty());
    assert_eq!(rows(&few, "lifecycle").len(), 1);
    assert_eq!(all.run.scale_actions, few.run.scale_actions);
}

#[test]
fn scripted_commands_scale_up_down_suspend_remove_and_redeploy() {
    let text = one_function(
        "{ scale_min = 1, scale_max = 5, rps_threshold_duration = 10 }",
        "",
        "rate = { constant = { rps = 1 } }",
        r#"run = { horizon_s = 100, end_policy = "cut" }
scaling = { autoscaler = "request_rate" }
[[commands]]
at_s = 5
function = "f"
action = "scale_up"
replicas = 10
[[commands]]
at_s = 12
function = "f"
action = "scale_down"
replicas = 2
[[commands]]
at_s = 30
function = "f"
action = "suspend"
[[commands]]
at_s = 40
function = "f"
action = "remove"
[[commands]]
at_s = 41
function = "f"
action = "scale_to"
replicas = 3
[[commands]]
at_s = 50
function = "f"
action = "deploy""#,
    );
    let out = run(&scenario(&text), 1);
    let cmd = rows(&out, "command");
    let got: Vec<(&str, i32, &str)> = cmd
        .iter()
        .map(|r| (r.action, r.applied, r.reason))
        .collect();
    assert_eq!(got[0], ("scale_up", 4, "command"), "capped at scale_max 5");
    assert_eq!(got[1].0, "scale_down");
    assert_eq!(got[2].0, "suspend");
    assert_eq!(got[3].0, "remove");
    assert_eq!(got[4], ("scale_to", 0, "not_deployed"));
    // Removing stops the scaler; deploying again restarts it one period later (60, 70, …).
    let ticks: Vec<SimTime> = rows(&out, "request_rate")
        .iter()
        .map(|r| r.t)
        .filter(|&t| t > s(30.0))
        .collect();
    assert!(ticks.iter().all(|&t| t >= s(60.0)), "{ticks:?}");
    assert_eq!(ticks[0], s(60.0));
    let lifecycle = rows(&out, "lifecycle");
    assert_eq!(lifecycle.len(), 2, "deploy at 0 and redeploy at 50");
    let removed = out
        .replicas
        .iter()
        .filter(|r| r.end_reason == Some("deployment_removed"))
        .count();
    assert!(removed >= 1 || out.replicas.iter().any(|r| r.end_reason == Some("suspend")));
}

#[test]
fn hpa_scales_a_cpu_bound_function_up_and_stabilises_before_scaling_down() {
    // Each request uses its replica's full CPU request for 0.5 s; 8 requests/s on 1 replica
    // of unbounded concurrency is 4 cores' worth: utilisation 4.0 against a target of 0.5.
    let text = one_function(
        "{ scale_min = 1, scale_max = 10, target_average_utilization = 0.5 }",
        "exec = { constant = { value = 0.5 } }\nrequests = { cpu = \"1\", memory = \"100Mi\" }",
        "rate = { constant = { rps = 8 } }\narrivals = { static = {} }\nduration_s = 120",
        "run = { horizon_s = 600, end_policy = \"cut\" }\nscaling = { autoscaler = \"hpa_cpu\" }",
    );
    let out = run(&scenario(&text), 1);
    let h = rows(&out, "hpa_cpu");
    assert_eq!(h[0].t, s(15.0));
    let first_up = h.iter().find(|r| r.applied > 0).unwrap();
    assert_eq!(first_up.metric_name, Some("cpu_utilization"));
    assert!(first_up.metric_value.unwrap() > 3.0);
    assert_eq!(first_up.reason, "rate_limited", "1 → at most 5");
    assert_eq!(first_up.applied, 4);
    let peak = out.replica_counts.iter().map(|c| c.live).max().unwrap();
    assert_eq!(peak, 10, "5 → 10 at 30 s");
    // From 75 s on the recommendations are below 10 (under load 8, after 120 s 1), but the
    // stabilisation window keeps the highest of the last 300 s: the last 10 was at 60 s, so
    // the first scale-down comes at the first tick after 360 s.
    let down = h.iter().find(|r| r.applied < 0).expect("scaled down");
    assert_eq!(down.t, s(375.0));
    assert!(h
        .iter()
        .filter(|r| r.t >= s(75.0) && r.t < s(375.0))
        .all(|r| r.reason == "stabilized" && r.applied == 0));
    assert_eq!(out.replica_counts.last().unwrap().live, 1);
}

#[test]
fn enabling_the_monitor_and_the_utilization_table_changes_no_other_row() {
    for (scaler, end) in [
        ("avg_rps", "drain"),
        ("hpa_cpu", "drain"),
        ("avg_rps", "cut"),
    ] {
        let make = |util: &str| {
            one_function(
                "{ scale_min = 1, scale_max = 6, alert_window = 10, target_average_rps = 5 }",
                "exec = { lognormal = { s = 0.5, scale = 0.3 } }\nconcurrency = { http_watchdog = { workers = 2 } }",
                "rate = { sine = { max_rps = 30, period_s = 40 } }\nduration_s = 95",
                &format!("run = {{ horizon_s = 100, end_policy = \"{end}\" }}\nscaling = {{ autoscaler = \"{scaler}\", keepalive = {{ fixed = {{ keepalive_s = 7 }} }}, hpa = {{ period_s = 5, window_s = 10 }} }}\nmonitor = {{ interval_s = 0.7 }}\noutputs = {{ invocations = \"all\"{util} }}"),
            )
        };
        let plain = run(&scenario(&make("")), 5);
        let with = run(
            &scenario(&make(
                ", utilization = { enabled = true, per_replica = true }",
            )),
            5,
        );
        assert!(!with.utilization.is_empty());
        assert!(plain.utilization.is_empty());
        if scaler == "avg_rps" {
            assert!(with.run.events_processed > plain.run.events_processed);
        }
        assert!(plain
            .scaling
            .iter()
            .any(|r| r.scaler == scaler && r.applied != 0));
        let strip = |mut o: RunOutput| {
            o.utilization.clear();
            o.enabled.utilization = false;
            o.run.events_processed = 0;
            o.run.id = Default::default();
            text(o)
        };
        assert_eq!(strip(plain), strip(with), "{scaler}, {end}");
    }
}

#[test]
fn the_shipped_scaling_experiments_run_and_scale() {
    let load = |name: &str| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("experiments")
            .join(name);
        faasim::config::load_scenario(&path).unwrap_or_else(|e| panic!("{e}"))
    };
    let out = run(&load("autoscaling.toml"), 1);
    assert_eq!(out.run.status.as_str(), "ok");
    assert_eq!(out.run.completed, out.run.requests);
    let suspend = rows(&out, "idler")
        .into_iter()
        .find(|r| r.action == "suspend")
        .expect("the idler suspends the function in the pause");
    assert!(suspend.t > s(600.0) && suspend.t < s(900.0));
    assert!(rows(&out, "router").iter().any(|r| r.t >= s(900.0)));
    let peak = out.replica_counts.iter().map(|c| c.live).max().unwrap();
    assert!(peak >= 5, "peak {peak}");
    assert!(rows(&out, "avg_rps").iter().any(|r| r.applied < 0));

    let out = run(&load("hpa.toml"), 1);
    assert_eq!(out.run.status.as_str(), "ok");
    let h = rows(&out, "hpa_cpu");
    assert!(h.iter().any(|r| r.applied > 0) && h.iter().any(|r| r.applied < 0));
    assert!(h.iter().any(|r| r.reason == "stabilized"));
    assert!(!out.utilization.is_empty());
}

#[test]
fn utilization_rows_report_used_cpu_and_memory_of_nodes_and_replicas() {
    // One replica requesting 500 m and 64 MiB executes one request from t = 2 (after a 1 s pull
    // and 1 s... startup 0) for 4 s with the default usage (= the request).
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 4.0 } }\nrequests = { cpu = \"500m\", memory = \"64Mi\" }\nidle_cpu = \"100m\"",
        "start = 2.0\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
        "outputs = { utilization = { enabled = true, per_replica = true } }",
    );
    let out = run(&scenario(&text), 1);
    let u = &out.utilization;
    let node0 = |t: f64| {
        u.iter()
            .find(|r| r.t == s(t) && r.replica.is_none() && r.node == 0)
            .unwrap()
    };
    // Running at 1 s (pull), idle 100 m; the request arrives at 3 s and runs until 7 s.
    assert_eq!(node0(1.0).cpu_used_avg_m, 0.0);
    assert_eq!(node0(2.0).cpu_used_avg_m, 100.0);
    assert_eq!(node0(4.0).cpu_used_avg_m, 600.0);
    assert_eq!(node0(4.0).mem_used_avg_bytes, 64.0 * 1048576.0);
    assert_eq!(node0(4.0).cpu_requested_m, 500);
    assert_eq!((node0(4.0).replicas_running, node0(4.0).executing), (1, 1));
    let rep = u
        .iter()
        .find(|r| r.t == s(4.0) && r.replica == Some(0))
        .unwrap();
    assert_eq!(rep.cpu_util, 600.0 / 500.0);
    assert_eq!(rep.mem_util, 1.0);
    // Ticks continue only while the run does.
    assert!(u.iter().all(|r| r.t <= out.run.sim_end.plus(s(1.0))));
}

#[test]
fn used_cpu_in_integer_millicores_is_used_cpu_in_millicores() {
    // The utilization scenario above with the millicore keys: 100 m idle, and 300 m (not the
    // 500 m request) while the request executes from 3 s to 7 s.
    let text = one_function(
        "{ scale_min = 1, scale_max = 1 }",
        "exec = { constant = { value = 4.0 } }\nrequests = { cpu = \"500m\", memory = \"64Mi\" }\nidle_cpu_millis = 100\ncpu_per_invocation_millis = 300",
        "start = 2.0\nrate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
        "outputs = { utilization = { enabled = true } }",
    );
    let out = run(&scenario(&text), 1);
    let node0 = |t: f64| {
        out.utilization
            .iter()
            .find(|r| r.t == s(t) && r.replica.is_none() && r.node == 0)
            .unwrap()
            .cpu_used_avg_m
    };
    assert_eq!((node0(2.0), node0(4.0)), (100.0, 400.0));
    // The same quantities as CPU strings give the same run.
    let strings = text
        .replace("idle_cpu_millis = 100", "idle_cpu = \"100m\"")
        .replace(
            "cpu_per_invocation_millis = 300",
            "cpu_per_invocation = \"0.3\"",
        );
    assert_eq!(run(&scenario(&strings), 1).utilization, out.utilization);
}

#[test]
fn a_run_with_autoscalers_idler_and_keepalive_is_deterministic() {
    let text = one_function(
        "{ scale_min = 0, scale_max = 8, scale_zero = true, alert_window = 10, target_average_rps = 4 }",
        "exec = { exponential = { mean = 0.3 } }\nconcurrency = { http_watchdog = { workers = 2 } }\nstartup = { uniform = { low = 0.2, high = 1.0 } }",
        "rate = { sine = { max_rps = 20, period_s = 60 } }\nduration_s = 170",
        "run = { horizon_s = 200 }\nscaling = { autoscaler = \"avg_rps\", idler = { inactivity_s = 20, interval_s = 5 }, keepalive = { hybrid_histogram = { range_s = 60, bin_s = 1 } } }\noutputs = { invocations = \"all\", utilization = { enabled = true } }",
    );
    let sc = scenario(&text);
    let a = text_of(&sc, 21);
    assert_eq!(a, text_of(&sc, 21));
    assert_ne!(a, text_of(&sc, 22));
}

fn text_of(sc: &faasim::config::Scenario, seed: u64) -> String {
    text(run(sc, seed))
}

/// A tiny deterministic generator for the property test (SplitMix64).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn random_scenario(g: &mut Gen) -> String {
    let min = g.below(3);
    let max = min.max(1) + g.below(6);
    let scaler = g.pick(&[
        "none",
        "request_rate",
        "avg_rps",
        "avg_queue",
        "hpa_cpu",
        "per_request",
    ]);
    let keepalive = g.pick(&[
        "\"none\"",
        "{ fixed = { keepalive_s = 5 } }",
        "{ fixed = { keepalive_s = 3, prewarm_s = 2 } }",
        "{ hybrid_histogram = { range_s = 30, bin_s = 1 } }",
    ]);
    let order = g.pick(&["newest", "oldest", "least_loaded"]);
    let zero = g.below(2) == 1;
    let factor = 1 + g.below(100);
    let rate = g.pick(&[
        "{ constant = { rps = 3 } }",
        "{ sine = { max_rps = 25, period_s = 30 } }",
        "{ constant = { rps = 15 } }",
    ]);
    let workers = 1 + g.below(3);
    let mut cmds = String::new();
    for _ in 0..g.below(4) {
        let action = g.pick(&[
            "scale",
            "scale_up",
            "scale_down",
            "suspend",
            "remove",
            "deploy",
        ]);
        cmds.push_str(&format!(
            "[[commands]]\nat_s = {}\nfunction = \"f\"\naction = \"{action}\"\nreplicas = {}\n",
            g.below(80),
            g.below(12)
        ));
    }
    let timeout = if g.below(2) == 1 {
        "request_timeout_s = 4"
    } else {
        "request_timeout_s = 1000"
    };
    one_function(
        &format!("{{ scale_min = {min}, scale_max = {max}, scale_zero = {zero}, scale_factor = {factor}, rps_threshold = 5, rps_threshold_duration = 5, alert_window = 7, target_average_rps = 3, target_queue_length = 2 }}"),
        &format!("exec = {{ exponential = {{ mean = 0.4 }} }}\nconcurrency = {{ http_watchdog = {{ workers = {workers} }} }}\nstartup = {{ uniform = {{ low = 0.0, high = 2.0 }} }}\nteardown = {{ constant = {{ value = 0.3 }} }}"),
        &format!("rate = {rate}\nduration_s = 90"),
        &format!("run = {{ horizon_s = 100 }}\nrouting = {{ {timeout} }}\nreplicas = {{ victim_order = \"{order}\" }}\nmonitor = {{ interval_s = 1 }}\n[scaling]\nautoscaler = \"{scaler}\"\nkeepalive = {keepalive}\nidler = {{ inactivity_s = 10, interval_s = 3 }}\nhpa = {{ period_s = 5, window_s = 10, scale_down_stabilization_s = 20 }}\n{cmds}"),
    )
}

#[test]
fn scale_bounds_hold_and_every_request_ends_once_in_random_scenarios() {
    let mut g = Gen(2024);
    for case in 0..40 {
        let text = random_scenario(&mut g);
        let sc = scenario(&text);
        let model = faasim::model::Model::compile(&sc).unwrap();
        let mut sim = faasim::sim::Simulation::new(&model, case);
        let (min, max) = sim.scale_bounds(0);
        while sim
            .step()
            .unwrap_or_else(|e| panic!("case {case}: {e}\n{text}"))
        {
            let (live, running) = sim.replica_counts(0);
            assert!(
                live <= max,
                "case {case}: {live} live > scale_max {max}\n{text}"
            );
            assert!(running <= live);
        }
        let out = sim.finish(faasim::identity(&sc, case, 0, "", vec![]));
        let r = &out.run;
        assert_eq!(
            r.completed + r.incomplete + r.rejected + r.timed_out,
            r.requests,
            "case {case}"
        );
        for row in &out.scaling {
            let after = row.current as i64 + row.applied as i64;
            assert!(after <= max as i64, "case {case}: {row:?}");
            // Only suspension, removal and keep-alive at scale_min may leave fewer than
            // scale_min replicas; scalers and scale-downs never go below it.
            if !matches!(row.action, "suspend" | "remove") && row.applied < 0 {
                assert!(after >= min as i64, "case {case}: {row:?}\n{text}");
            }
        }
    }
}

#[test]
fn a_request_waiting_when_its_function_is_suspended_gets_a_new_replica() {
    // The only replica is still starting (1 s pull + 5 s startup) when a command suspends the
    // function at 2 s; the request that arrived at 1 s keeps waiting. The doomed replica is torn
    // down once Running (6 s) and scale-from-zero starts a new one for the waiting request.
    let text = one_function(
        "{ scale_min = 1, scale_max = 2 }",
        "startup = { constant = { value = 5.0 } }",
        "rate = { constant = { rps = 1 } }\narrivals = { static = {} }\nmax_requests = 1",
        "outputs = { invocations = \"all\" }\n[[commands]]\nat_s = 2\nfunction = \"f\"\naction = \"suspend\"",
    );
    let out = run(&scenario(&text), 1);
    assert_eq!(out.run.completed, 1);
    assert_eq!(out.replicas.len(), 2);
    assert_eq!(out.replicas[0].end_reason, Some("suspend"));
    assert_eq!(out.replicas[0].requests_served, 0);
    assert_eq!(out.replicas[1].created, s(6.0));
    assert_eq!(out.invocations[0].replica, Some(1));
    let router = rows(&out, "router");
    assert_eq!((router.len(), router[0].reason), (1, "cold_start"));
}

#[test]
fn counting_dispatches_hides_requests_that_wait_for_a_cold_replica() {
    // The only replica needs 1 s of pull and 15 s of startup: at the first tick (10 s) every
    // request so far is still waiting. Arrivals count them; dispatches (faas-sim) do not.
    let rate_at_first_tick = |count: &str| {
        let text = one_function(
            "{ scale_min = 1, scale_max = 4 }",
            "startup = { constant = { value = 15.0 } }",
            "rate = { constant = { rps = 10 } }\narrivals = { static = {} }\nduration_s = 30",
            &format!("scaling = {{ autoscaler = \"request_rate\", count = \"{count}\" }}"),
        );
        let out = run(&scenario(&text), 1);
        let first = rows(&out, "request_rate")[0];
        assert_eq!((first.t, first.reason), (s(10.0), "no_running"));
        first.metric_value.unwrap()
    };
    assert!((rate_at_first_tick("arrivals") - 10.0).abs() <= 0.1);
    assert_eq!(rate_at_first_tick("dispatches"), 0.0);
}

#[test]
fn counting_dispatches_counts_the_requests_handed_to_a_running_replica() {
    // The same start as above, but a later tick: once the replica runs (16 s) the waiting
    // requests and every later one are dispatched, and the counter sees them. (A dispatch
    // counts only under `count = "dispatches"`, its only reader, since round 10.)
    let text = one_function(
        "{ scale_min = 1, scale_max = 4 }",
        "startup = { constant = { value = 15.0 } }",
        "rate = { constant = { rps = 10 } }\narrivals = { static = {} }\nduration_s = 30",
        "run = { horizon_s = 40 }\nscaling = { autoscaler = \"request_rate\", count = \"dispatches\" }",
    );
    let out = run(&scenario(&text), 1);
    let ticks = rows(&out, "request_rate");
    let later = ticks
        .iter()
        .find(|r| r.t >= s(20.0))
        .expect("a tick after the replica runs");
    assert!(later.metric_value.unwrap() > 0.0, "{later:?}");
}

#[test]
fn a_hybrid_histogram_learns_idle_times_from_completions_and_prewarms() {
    // One request every 10 s, 0.5 s each: the idle time before an arrival is measured from
    // the last completion (9.5 s). Learned, the histogram is certain and pre-warms (the idle
    // replica goes at once and a new one comes ~8.5 s later), so replicas come and go; not
    // learned (no completion recorded), it would keep the one replica for `range_s` = 60 s.
    let text = one_function(
        "{ scale_min = 0, scale_max = 2 }",
        "exec = { constant = { value = 0.5 } }\nconcurrency = \"one_per_replica\"",
        "rate = { constant = { rps = 0.1 } }\narrivals = { static = {} }\nduration_s = 200",
        "run = { horizon_s = 200 }\nscaling = { keepalive = { hybrid_histogram = { range_s = 60, bin_s = 1 } } }",
    );
    let out = run(&scenario(&text), 1);
    let prewarmed = rows(&out, "keepalive")
        .iter()
        .filter(|r| r.reason == "prewarm")
        .count();
    assert!(prewarmed > 0, "{:?}", rows(&out, "keepalive"));
    assert!(out.replicas.len() > 2, "{} replicas", out.replicas.len());
}

#[test]
fn scale_up_fills_ranked_images_up_to_their_caps() {
    // scale_max = 10, ranking [a (factor 0.3), b (factor 1.0)]: deploy creates 2 of a; a
    // scale_up(5) adds 1 of a (cap 3) and 4 of b (model.md §7.2). Then b's cap of 2 (factor
    // 0.2) cuts a scale_up(10) short: reason image_caps.
    let make = |factor_b: f64| {
        format!(
            r#"
run = {{ horizon_s = 30, end_policy = "cut" }}
topology = {{ generator = "cluster", nodes = [{{ type = "server", count = 2 }}] }}
[[images]]
name = "a"
variants = [{{ arch = "x86", size = "1M" }}]
[[images]]
name = "b"
variants = [{{ arch = "x86", size = "1M" }}]
[[functions]]
name = "f"
images = ["a", "b"]
[[deployments]]
function = "f"
ranking = {{ images = ["a", "b"], function_factor = {{ a = 0.3, b = {factor_b} }} }}
scaling = {{ scale_min = 2, scale_max = 10 }}
[[deployments.containers]]
image = "a"
[[deployments.containers]]
image = "b"
[[commands]]
at_s = 5
function = "f"
action = "scale_up"
replicas = {n}
"#,
            n = if factor_b == 1.0 { 5 } else { 10 }
        )
    };
    let out = run(&scenario(&make(1.0)), 1);
    let per_image = |img: &str| {
        out.replicas
            .iter()
            .filter(|r| out.names.images[r.image as usize] == format!("{img}:latest"))
            .count()
    };
    assert_eq!((per_image("a"), per_image("b")), (3, 4));
    let cmd = rows(&out, "command")[0];
    assert_eq!((cmd.applied, cmd.reason), (5, "command"));

    let out = run(&scenario(&make(0.2)), 1);
    let cmd = rows(&out, "command")[0];
    assert_eq!((cmd.current, cmd.applied, cmd.reason), (2, 3, "image_caps"));
}

#[test]
fn scale_down_removes_exactly_what_it_records_down_to_scale_min() {
    // From 8 Running replicas: scale_down(1), (3), (2), (5) leave 7, 4, 2, 1 (faas-sim went
    // 7, 5, 4, 4 while recording −1, −3, −2 and nothing).
    let mut cmds = String::from(
        "[[commands]]\nat_s = 0\nfunction = \"f\"\naction = \"scale\"\nreplicas = 8\n",
    );
    for (i, n) in [1, 3, 2, 5].iter().enumerate() {
        cmds.push_str(&format!(
            "[[commands]]\nat_s = {}\nfunction = \"f\"\naction = \"scale_down\"\nreplicas = {n}\n",
            10 + i
        ));
    }
    let text = one_function(
        "{ scale_min = 1, scale_max = 8 }",
        "",
        "rate = { constant = { rps = 1 } }\nmax_requests = 1",
        &format!("run = {{ horizon_s = 20, end_policy = \"cut\" }}\n{cmds}"),
    );
    let out = run(&scenario(&text), 1);
    let downs: Vec<(u32, i32)> = rows(&out, "command")
        .iter()
        .filter(|r| r.action == "scale_down")
        .map(|r| (r.current, r.applied))
        .collect();
    assert_eq!(downs, vec![(8, -1), (7, -3), (4, -2), (2, -1)]);
    assert_eq!(out.replica_counts.last().unwrap().live, 1);
}
