//! Bad trace and recorded-arrival files through the `faasim` binary: a missing file, a malformed
//! row, unsorted timestamps, a selection that matches nothing and negative durations each exit
//! with status 2, say what to fix (with the file and line), and write nothing.

mod common;
use common::faasim;

use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/azure");

const HEAD: &str = r#"
name = "bad"
topology = { generator = "cluster", nodes = [{ type = "server", count = 1 }] }
[[images]]
name = "img"
variants = [{ arch = "x86", size = "10M" }]
"#;

const TEMPLATE: &str = r#"deployment_template.container = { image = "img" }
"#;

fn trace_2021(path: &Path, select: &str) -> String {
    format!(
        "{HEAD}[[traces]]\nformat = \"azure2021\"\ndir = \"{}\"\nwindow_s = 100\n{select}\n{TEMPLATE}",
        path.display()
    )
}

fn replay(path: &Path) -> String {
    format!(
        r#"{HEAD}
[[functions]]
name = "f"
images = ["img"]
[[deployments]]
function = "f"
[[deployments.containers]]
image = "img"
[[workloads]]
function = "f"
arrivals = {{ replay = "{}" }}
"#,
        path.display()
    )
}

#[test]
fn bad_trace_input_exits_2_says_what_to_fix_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let malformed = write(
        "malformed.txt",
        "app,func,end_timestamp,duration\na1,f1,10.5,0.5\na1,f1,twelve,3.0\n",
    );
    let negative = write(
        "negative.txt",
        "app,func,end_timestamp,duration\na1,f1,10.5,0.5\na1,f1,12.0,-3.0\n",
    );
    let unsorted = write("unsorted.csv", "t_s\n1.0\n3.0\n2.0\n");
    let negative_replay = write("neg-replay.csv", "t_s,duration_s\n1.0,0.5\n2.0,-1\n");
    let fixture_2021 =
        Path::new(FIXTURES).join("2021/AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt");
    let cases: Vec<(&str, String, Vec<String>)> = vec![
        (
            "missing-trace.toml",
            format!(
                "{HEAD}[[traces]]\nformat = \"azure2019\"\ndir = \"{}/nowhere\"\n{TEMPLATE}",
                d.display()
            ),
            vec![
                "traces[0]".into(),
                "invocations_per_function_md.anon.d01.csv: cannot read".into(),
            ],
        ),
        (
            "missing-replay.toml",
            replay(&d.join("absent.csv")),
            vec![
                "workloads[0].arrivals.replay".into(),
                "absent.csv: cannot read".into(),
            ],
        ),
        (
            "malformed.toml",
            trace_2021(&malformed, ""),
            vec![
                "malformed.txt:3".into(),
                "end_timestamp".into(),
                "twelve".into(),
            ],
        ),
        (
            "unsorted.toml",
            replay(&unsorted),
            vec![
                "unsorted.csv:4".into(),
                "timestamps must not decrease".into(),
                "sort the file".into(),
            ],
        ),
        (
            "nothing-selected.toml",
            trace_2021(&fixture_2021, "select = { list = { ids = [\"nope\"] } }"),
            vec!["traces[0]".into(), "matches no function".into()],
        ),
        (
            "negative-trace.toml",
            trace_2021(&negative, ""),
            vec!["negative.txt:3".into(), "negative duration -3 s".into()],
        ),
        (
            "negative-replay.toml",
            replay(&negative_replay),
            vec!["neg-replay.csv:3".into(), "negative duration -1 s".into()],
        ),
    ];
    for (file, text, wanted) in cases {
        let path = write(file, &text);
        let out = d.join(format!("out-{file}"));
        let r = faasim(&[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{file}: {stderr}");
        for w in &wanted {
            assert!(
                stderr.contains(w.as_str()),
                "{file}: expected `{w}` in: {stderr}"
            );
        }
        assert!(
            stderr.contains(file),
            "{file}: names the scenario: {stderr}"
        );
        assert!(!out.exists(), "{file}: nothing may be written");
        let v = faasim(&["validate", path.to_str().unwrap()]);
        assert_eq!(v.status.code(), Some(2), "validate {file}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.starts_with("out-"))
        .collect();
    assert!(leftovers.is_empty(), "stray outputs: {leftovers:?}");
}
