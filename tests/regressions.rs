//! Every defect of the reliability report (issue 13) kept as a file under
//! `tests/fixtures/reliability/`, run through the binary.
//!
//! Each file starts with comment lines that say how to run it and what must come out:
//! `# command: validate | run | sweep | sweep-dry-run`, `# expect-exit: N`, and one or more
//! `# expect: TEXT` that the combined stdout and stderr must contain.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reliability")
}

fn faasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faasim"))
        .args(args)
        .current_dir(fixtures())
        .output()
        .expect("faasim runs")
}

/// The value of every `# KEY: value` header line of `text`.
fn header<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    let prefix = format!("# {key}: ");
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .collect()
}

#[test]
fn every_regression_file_gives_its_expected_exit_status_and_message() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} regression files", files.len());
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let command = header(&text, "command");
        let exit: Vec<i32> = header(&text, "expect-exit")
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let expected = header(&text, "expect");
        assert!(
            command.len() == 1 && exit.len() == 1 && !expected.is_empty(),
            "{name}: needs `# command:`, `# expect-exit:` and `# expect:` header lines"
        );
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("out");
        let out = out.to_str().unwrap();
        let args: Vec<&str> = match command[0] {
            "validate" => vec!["validate", &name],
            "run" => vec!["run", &name, "--out", out],
            "sweep" => vec!["sweep", &name, "--out", out, "--jobs", "2"],
            "sweep-dry-run" => vec!["sweep", &name, "--dry-run"],
            other => panic!("{name}: unknown command {other}"),
        };
        let started = Instant::now();
        let o = faasim(&args);
        let elapsed = started.elapsed();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let shown = &all[..all.floor_char_boundary(2000)];
        assert_eq!(o.status.code(), Some(exit[0]), "{name}: {shown}");
        for e in expected {
            assert!(all.contains(e), "{name}: expected `{e}` in:\n{shown}");
        }
        // No message echoes a user string whole, and nothing is slow.
        assert!(all.len() < 4_000, "{name}: {} bytes of output", all.len());
        assert!(
            elapsed < Duration::from_secs(60),
            "{name}: took {elapsed:?}"
        );
        if exit[0] == 2 {
            assert!(
                !Path::new(out).exists(),
                "{name}: bad input but {out} exists"
            );
        }
    }
}

#[test]
fn an_integer_out_of_range_gives_the_same_message_with_and_without_set() {
    let in_file = faasim(&["validate", "max-events.toml"]);
    let by_set = faasim(&[
        "run",
        "../../../experiments/sweep-base.toml",
        "--set",
        "run.max_events=9223372036854775808",
        "--out",
        "never-written",
    ]);
    let with_other_set = faasim(&[
        "run",
        "max-events.toml",
        "--set",
        "run.horizon_s=1",
        "--out",
        "never-written",
    ]);
    let message = "run.max_events: 9223372036854775808 is out of range: integers must be between \
                   -9223372036854775808 and 9223372036854775807";
    for o in [&in_file, &by_set, &with_other_set] {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(message), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    assert!(!fixtures().join("never-written").exists());
}

#[test]
fn os_errors_are_printed_once() {
    let o = faasim(&[
        "run",
        "../../../experiments/basic.toml",
        "--out",
        "/proc/faasim-test/out",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{err}");
    let os = "(os error";
    assert_eq!(err.matches(os).count(), 1, "{err}");
}
