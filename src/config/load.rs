//! Loading scenario files: TOML text or a [`toml::Value`] → [`Scenario`], with errors that name
//! the file, the key path and what was expected, and edits of a [`toml::Value`] by dotted key path
//! (the sweep runner's overrides).

use super::error::{suggest, ConfigError};
use super::integers::{key_path_at, out_of_range_integer};
use super::key_path::{parse_key_path, render_key_path, Segment};
use super::scenario::Scenario;
use super::validate::validate;
use std::path::Path;

/// Reads, parses and validates the scenario file at `path`.
pub fn load_scenario(path: &Path) -> Result<Scenario, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&file, "", format!("cannot read the scenario file: {e}")))?;
    let mut sc = parse_scenario(&text, &file)?;
    sc.topology.base_dir = path.parent().map(Path::to_path_buf);
    Ok(sc)
}

/// Parses and validates scenario TOML `text`; `file` names it in errors.
pub fn parse_scenario(text: &str, file: &str) -> Result<Scenario, ConfigError> {
    // The document as a value first: it holds the integer range of every key (the deserialiser
    // alone would accept integers up to 2^64 - 1, which `--set` and sweeps cannot express).
    parse_toml_value(text, file)?;
    let de = toml::de::Deserializer::parse(text).map_err(|e| syntax_error(text, file, &e))?;
    let mut scenario: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.inner().span().map(|span| line_column(text, span.start));
        deserialize_error(e.path(), e.inner().message(), at, file)
    })?;
    scenario.topology.normalize();
    scenario.resolve_function_defaults();
    validate(&scenario).map_err(|e| e.in_file(file))?;
    Ok(scenario)
}

/// Parses TOML `text` into any serde type with the same error style as scenarios: syntax errors
/// with line and column, unknown keys with their key path and a suggestion (the sweep file
/// loader uses it). `file` names the text in errors. No semantic validation.
pub fn parse_toml_as<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, ConfigError> {
    parse_toml_value(text, file)?;
    let de = toml::de::Deserializer::parse(text).map_err(|e| syntax_error(text, file, &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.inner().span().map(|span| line_column(text, span.start));
        deserialize_error(e.path(), e.inner().message(), at, file)
    })
}

/// Parses TOML `text` into a [`toml::Value`] with the loader's error style: syntax errors with
/// line and column, and an integer outside the 64-bit signed range named by its key path with
/// the accepted range (the same message `--set` gives for it).
pub fn parse_toml_value(text: &str, file: &str) -> Result<toml::Value, ConfigError> {
    toml::from_str(text).map_err(|e| syntax_error(text, file, &e))
}

fn syntax_error(text: &str, file: &str, e: &toml::de::Error) -> ConfigError {
    let Some(span) = e.span() else {
        return ConfigError::new(
            file,
            "",
            format!("TOML syntax error: {}", e.message().trim_end()),
        );
    };
    let at = line_column(text, span.start);
    let literal = text.get(span.clone()).unwrap_or_default();
    if let Some(message) = out_of_range_integer(literal) {
        return ConfigError::new(
            file,
            key_path_at(text, span.start),
            format!("{message} ({at})"),
        );
    }
    ConfigError::new(
        file,
        "",
        format!("TOML syntax error at {at}: {}", e.message().trim_end()),
    )
}

/// Deserialises and validates a scenario held as a TOML value (a sweep's base scenario after its
/// overrides were applied); `file` names it in errors.
pub fn scenario_from_value(value: toml::Value, file: &str) -> Result<Scenario, ConfigError> {
    let mut scenario: Scenario = serde_path_to_error::deserialize(value)
        .map_err(|e| deserialize_error(e.path(), e.inner().message(), None, file))?;
    scenario.topology.normalize();
    scenario.resolve_function_defaults();
    validate(&scenario).map_err(|e| e.in_file(file))?;
    Ok(scenario)
}

/// `line L, column C` (both from 1) of byte offset `offset` in `text`.
fn line_column(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("line {line}, column {column}")
}

fn deserialize_error(
    path: &serde_path_to_error::Path,
    message: &str,
    at: Option<String>,
    file: &str,
) -> ConfigError {
    let message = message.trim_end();
    let mut key_path = render_path(path);
    // A hand-written visitor may reject a key before serde_path_to_error has seen its value: make
    // the path end at the unknown (or repeated) key all the same.
    if let Some(key) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("duplicate field `"))
        .and_then(|rest| rest.split_once('`'))
        .map(|(key, _)| key)
    {
        if key_path.rsplit('.').next() != Some(key) {
            push_key(&mut key_path, key);
        }
    }
    let mut message = explain(message);
    if message == "invalid type: unit variant, expected struct variant" {
        let name = key_path.rsplit('.').next().unwrap_or_default();
        message = format!(
            "`{name}` takes a table of parameters: write `{{ {name} = {{}} }}` for its defaults"
        );
    }
    if let Some(at) = at {
        message.push_str(&format!(" ({at})"));
    }
    ConfigError::new(file, key_path, message)
}

/// Renders a serde path as `a.b[0].c`.
fn render_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

fn push_key(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
}

/// Keys that are also accepted under an older name, `(name, older name)`; giving both is an
/// error (`docs/scenario.md`).
const KEY_ALIASES: &[(&str, &str)] = &[
    ("dir", "path"),
    ("days", "day"),
    ("deployment_template", "deployment"),
    ("queue_capacity", "queue_limit"),
];

/// Rewrites serde's messages about unknown keys and values into ones with a suggestion.
fn explain(message: &str) -> String {
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((unknown, expected)) = rest.split_once('`') {
                return unknown_name_message(what, unknown, &backticked(expected));
            }
        }
    }
    if let Some(rest) = message.strip_prefix("duplicate field `") {
        if let Some((field, _)) = rest.split_once('`') {
            if let Some((_, old)) = KEY_ALIASES.iter().find(|(name, _)| *name == field) {
                return format!(
                    "`{field}` is given twice: once under its older name `{old}`; keep only `{field}`"
                );
            }
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((field, _)) = rest.split_once('`') {
            return format!("missing required key `{field}`");
        }
    }
    plain_type_names(message)
}

/// serde names the Rust type it expected (`expected u64`); users get the kind of value instead.
fn plain_type_names(message: &str) -> String {
    const PLAIN: &[(&str, &str)] = &[
        ("u8", "a non-negative integer below 256"),
        ("u16", "a non-negative integer below 65536"),
        ("u32", "a non-negative integer below 2^32"),
        ("u64", "a non-negative integer"),
        ("usize", "a non-negative integer"),
        ("i32", "an integer"),
        ("i64", "an integer"),
        ("f32", "a number"),
        ("f64", "a number"),
        ("a boolean", "true or false"),
    ];
    if let Some((head, rust)) = message.rsplit_once(", expected ") {
        if let Some((_, plain)) = PLAIN.iter().find(|(r, _)| *r == rust) {
            return format!("{head}, expected {plain}");
        }
    }
    message.to_string()
}

/// The names between backticks in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn unknown_name_message(what: &str, unknown: &str, valid: &[&str]) -> String {
    match suggest(unknown, valid) {
        Some(s) => format!("unknown {what} `{unknown}`; did you mean `{s}`?"),
        None if valid.is_empty() => format!("unknown {what} `{unknown}`; none is allowed here"),
        None => {
            let list: Vec<String> = valid.iter().map(|v| format!("`{v}`")).collect();
            format!(
                "unknown {what} `{unknown}`; expected one of {}",
                list.join(", ")
            )
        }
    }
}

/// Sets `value` at `key_path` inside `root` (a table); see [`super::key_path`] for the syntax.
///
/// Segments are table keys; a numeric segment indexes an array (`workloads.0.rate.constant.rps`),
/// `*` sets every element of an array (`workloads.*.rate.constant.rps`), and a quoted segment
/// may contain dots (`functions.1.labels."device.edgerun.io/accelerator"`). Missing tables
/// along the way are created. Indexing past an array's end, a non-numeric segment on an array,
/// `*` on anything but a non-empty array, or descending into a value that is neither table nor
/// array is an error naming the path.
pub fn set_by_key_path(
    root: &mut toml::Value,
    key_path: &str,
    value: toml::Value,
) -> Result<(), String> {
    let segments = parse_key_path(key_path)?;
    set_at(root, key_path, &segments, 0, &value)
}

/// Sets `value` at `segments[depth..]` below `current` (which `segments[..depth]` led to).
fn set_at(
    current: &mut toml::Value,
    key_path: &str,
    segments: &[Segment],
    depth: usize,
    value: &toml::Value,
) -> Result<(), String> {
    let here = || render_key_path(&segments[..depth]);
    let Some(segment) = segments.get(depth) else {
        *current = value.clone();
        return Ok(());
    };
    match (current, segment) {
        (toml::Value::Array(array), Segment::EveryIndex) => {
            if array.is_empty() {
                return Err(format!(
                    "`{key_path}`: `{}` is an empty array, so `*` matches nothing",
                    here()
                ));
            }
            array
                .iter_mut()
                .try_for_each(|slot| set_at(slot, key_path, segments, depth + 1, value))
        }
        (toml::Value::Array(array), Segment::Key(key)) => {
            let len = array.len();
            let index: usize = key.parse().map_err(|_| {
                format!(
                    "`{key_path}`: `{}` is an array, so `{key}` must be an index or `*`",
                    here()
                )
            })?;
            let slot = array.get_mut(index).ok_or_else(|| {
                format!(
                    "`{key_path}`: index {index} is past the end of `{}` ({len} elements)",
                    here()
                )
            })?;
            set_at(slot, key_path, segments, depth + 1, value)
        }
        (toml::Value::Table(_), Segment::EveryIndex) => Err(format!(
            "`{key_path}`: `{}` is a table; `*` only runs over the elements of an array",
            here()
        )),
        (toml::Value::Table(table), Segment::Key(key)) => {
            let slot = table
                .entry(key.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            set_at(slot, key_path, segments, depth + 1, value)
        }
        (other, _) => {
            let what = if depth == 0 {
                "the root".into()
            } else {
                here()
            };
            Err(format!(
                "`{key_path}`: `{what}` is of type {}, not a table or array",
                other.type_str()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ConfigError {
        parse_scenario(text, "s.toml").expect_err("the scenario should be rejected")
    }

    const MINIMAL: &str = r#"
run = { horizon_s = 10 }
topology = { nodes = [{ type = "server", count = 1 }] }
"#;

    #[test]
    fn error_displays_file_key_path_and_message() {
        let e = ConfigError::new("a.toml", "run.horizon_s", "must be > 0, got 0");
        assert_eq!(e.to_string(), "a.toml: run.horizon_s: must be > 0, got 0");
        let e = ConfigError::new("a.toml", "", "cannot read");
        assert_eq!(e.to_string(), "a.toml: cannot read");
    }

    #[test]
    fn unknown_key_at_top_level_is_reported_with_a_suggestion() {
        let e = err(&format!("{MINIMAL}\nworkloadz = []\n"));
        assert_eq!(e.file, "s.toml");
        assert_eq!(e.key_path, "workloadz");
        assert!(
            e.message
                .starts_with("unknown key `workloadz`; did you mean `workloads`?"),
            "{e}"
        );
    }

    #[test]
    fn unknown_key_is_reported_with_its_path_and_a_suggestion() {
        let text = format!(
            r#"{MINIMAL}
[[images]]
name = "img"
variants = [{{ arch = "x86", size = "1M" }}]
[[functions]]
name = "f"
[[deployments]]
function = "f"
containers = [{{ image = "img" }}]
scaling = {{ scale_min = 1, scale_maxx = 5 }}
"#
        );
        let e = err(&text);
        assert_eq!(e.key_path, "deployments[0].scaling.scale_maxx");
        assert!(
            e.message
                .starts_with("unknown key `scale_maxx`; did you mean `scale_max`?"),
            "{e}"
        );
        assert!(
            e.message.contains("(line 13, column"),
            "the text position is given: {e}"
        );
    }

    #[test]
    fn unknown_key_without_close_match_lists_the_valid_keys() {
        let e = err("topology = { nodes = [], zzzzzz = 1 }");
        assert_eq!(e.key_path, "topology.zzzzzz");
        assert!(
            e.message.contains("expected one of `generator`, `nodes`"),
            "{e}"
        );
    }

    #[test]
    fn unknown_enum_value_gets_a_suggestion() {
        let e = err(&format!(
            "{MINIMAL}\nrouting = {{ balancer = \"round_robbin\" }}\n"
        ));
        assert_eq!(e.key_path, "routing.balancer");
        assert!(
            e.message
                .starts_with("unknown value `round_robbin`; did you mean `round_robin`?"),
            "{e}"
        );
    }

    #[test]
    fn unknown_time_model_is_reported_inside_the_container() {
        let text = format!(
            r#"{MINIMAL}
[[images]]
name = "img"
variants = [{{ arch = "x86", size = "1M" }}]
[[functions]]
name = "f"
[[deployments]]
function = "f"
containers = [{{ image = "img", exec = {{ lognormall = {{ s = 1 }} }} }}]
"#
        );
        let e = err(&text);
        assert_eq!(e.key_path, "deployments[0].containers[0].exec.lognormall");
        assert!(
            e.message
                .starts_with("unknown key `lognormall`; did you mean `lognormal`?"),
            "{e}"
        );
    }

    #[test]
    fn type_error_reports_the_path_and_the_expected_type() {
        let e = err(&format!("{MINIMAL}\n[[workloads]]\nfunction = \"f\"\nrate = {{ constant = {{ rps = \"fast\" }} }}\n"));
        assert_eq!(e.key_path, "workloads[0].rate.constant.rps");
        assert!(
            e.message
                .contains("invalid type: string \"fast\", expected a number"),
            "{e}"
        );
    }

    #[test]
    fn a_choice_written_without_its_table_explains_the_form() {
        let e = err(&format!("{MINIMAL}\n[[workloads]]\nfunction = \"f\"\nrate = {{ constant = {{ rps = 1 }} }}\narrivals = \"poisson\"\n"));
        assert_eq!(e.key_path, "workloads[0].arrivals.poisson");
        assert!(
            e.message
                .starts_with("`poisson` takes a table of parameters: write `{ poisson = {} }`"),
            "{e}"
        );
    }

    #[test]
    fn missing_required_key_names_the_key() {
        let e = err("run = { horizon_s = 1 }");
        assert_eq!(e.key_path, "");
        assert!(
            e.message.starts_with("missing required key `topology`"),
            "{e}"
        );
    }

    #[test]
    fn syntax_error_reports_line_and_column() {
        let e = err("name = \"x\"\nrun = { horizon_s = }\n");
        assert_eq!(e.key_path, "");
        assert!(
            e.message.starts_with("TOML syntax error at line 2, column"),
            "{e}"
        );
    }

    #[test]
    fn untagged_values_explain_what_is_expected() {
        let e = err(&format!("{MINIMAL}\n[[workloads]]\nfunction = \"f\"\nrate = {{ constant = {{ rps = 1 }} }}\nstart = \"after_redy\"\n"));
        assert_eq!(e.key_path, "workloads[0].start");
        assert!(e.message.contains("after_ready"), "{e}");
        let e = err(&format!(
            "{MINIMAL}\noutputs = {{ invocations = \"some\" }}\n"
        ));
        assert_eq!(e.key_path, "outputs.invocations");
        assert!(e.message.contains("sample"), "{e}");
        let e = err(&format!(
            "{MINIMAL}\n[scheduler.skippy]\npredicates = [\"PodFitsResources\", 42]\n"
        ));
        assert_eq!(e.key_path, "scheduler.skippy.predicates[1]");
        assert!(!e.message.contains("PredicateSpec"), "{e}");
        assert!(e.message.contains("a predicate name"), "{e}");
    }

    #[test]
    fn type_errors_name_kinds_of_values_not_rust_types() {
        let e = err("name = \"x\"\ntopology = { nodes = [{ type = \"server\", count = -1 }] }\n");
        assert!(e.message.contains("expected a non-negative integer"), "{e}");
    }

    #[test]
    fn integers_beyond_the_toml_range_name_the_key_and_the_range() {
        let e = err("topology = { nodes = [{ type = \"server\", count = 1 }] }\n[run]\nhorizon_s = 10\nmax_events = 9223372036854775808\n");
        assert_eq!(e.key_path, "run.max_events");
        assert!(
            e.message
                .starts_with("9223372036854775808 is out of range: integers must be between"),
            "{e}"
        );
    }

    #[test]
    fn semantic_errors_carry_the_file_name() {
        let e = err(
            "topology = { nodes = [{ type = \"server\", count = 1 }] }\nrun = { horizon_s = -5 }\n",
        );
        assert_eq!(
            e.to_string(),
            "s.toml: run.horizon_s: must be a finite number > 0, got -5"
        );
    }

    #[test]
    fn missing_file_is_a_config_error_naming_the_file() {
        let e = load_scenario(Path::new("/nonexistent/dir/x.toml")).unwrap_err();
        assert_eq!(e.file, "/nonexistent/dir/x.toml");
        assert!(
            e.message.starts_with("cannot read the scenario file"),
            "{e}"
        );
    }

    #[test]
    fn load_scenario_reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(&path, MINIMAL).unwrap();
        let sc = load_scenario(&path).unwrap();
        assert_eq!(sc.run.horizon_s, Some(10.0));
    }

    #[test]
    fn scenario_from_value_reports_paths_too() {
        let mut v: toml::Value = toml::from_str(MINIMAL).unwrap();
        set_by_key_path(
            &mut v,
            "scheduler.skippy.percentage_of_nodes_to_scor",
            toml::Value::Integer(5),
        )
        .unwrap();
        let e = scenario_from_value(v, "sweep.toml").unwrap_err();
        assert_eq!(e.file, "sweep.toml");
        assert_eq!(e.key_path, "scheduler.skippy.percentage_of_nodes_to_scor");
        assert!(
            e.message
                .contains("did you mean `percentage_of_nodes_to_score`?"),
            "{e}"
        );
    }

    #[test]
    fn set_by_key_path_sets_nested_tables_and_creates_missing_ones() {
        let mut v: toml::Value = toml::from_str("[scheduler]\nprofile = \"skippy\"\n").unwrap();
        set_by_key_path(&mut v, "scheduler.profile", "kubernetes".into()).unwrap();
        set_by_key_path(&mut v, "run.horizon_s", toml::Value::Float(30.0)).unwrap();
        assert_eq!(v["scheduler"]["profile"].as_str(), Some("kubernetes"));
        assert_eq!(v["run"]["horizon_s"].as_float(), Some(30.0));
    }

    #[test]
    fn set_by_key_path_indexes_arrays() {
        let text = "[[workloads]]\nrate = { constant = { rps = 1 } }\n[[workloads]]\nrate = { constant = { rps = 2 } }\n";
        let mut v: toml::Value = toml::from_str(text).unwrap();
        set_by_key_path(
            &mut v,
            "workloads.1.rate.constant.rps",
            toml::Value::Integer(40),
        )
        .unwrap();
        assert_eq!(
            v["workloads"][1]["rate"]["constant"]["rps"].as_integer(),
            Some(40)
        );
        assert_eq!(
            v["workloads"][0]["rate"]["constant"]["rps"].as_integer(),
            Some(1)
        );
        set_by_key_path(&mut v, "workloads.0", toml::Value::Integer(0)).unwrap();
        assert_eq!(v["workloads"][0].as_integer(), Some(0));
    }

    #[test]
    fn set_by_key_path_rejects_bad_paths_naming_them() {
        let mut v: toml::Value = toml::from_str("a = [1, 2]\nb = 3\n").unwrap();
        let e = set_by_key_path(&mut v, "a.2", toml::Value::Integer(0)).unwrap_err();
        assert_eq!(e, "`a.2`: index 2 is past the end of `a` (2 elements)");
        let e = set_by_key_path(&mut v, "a.x", toml::Value::Integer(0)).unwrap_err();
        assert!(e.contains("`a` is an array"), "{e}");
        let e = set_by_key_path(&mut v, "b.c.d", toml::Value::Integer(0)).unwrap_err();
        assert_eq!(e, "`b.c.d`: `b` is of type integer, not a table or array");
        assert!(set_by_key_path(&mut v, "a..b", toml::Value::Integer(0)).is_err());
        let e = set_by_key_path(&mut v, "b.*", toml::Value::Integer(0)).unwrap_err();
        assert!(e.contains("not a table or array"), "{e}");
    }

    #[test]
    fn set_by_key_path_addresses_label_keys_with_dots_by_quoting_them() {
        let mut v: toml::Value =
            toml::from_str("[[functions]]\nname = \"f\"\nlabels = { \"a.b/c\" = \"x\" }\n")
                .unwrap();
        set_by_key_path(&mut v, r#"functions.0.labels."a.b/c""#, "GPU".into()).unwrap();
        set_by_key_path(&mut v, r#"functions.0.labels."d.e""#, "y".into()).unwrap();
        let labels = v["functions"][0]["labels"].as_table().unwrap();
        assert_eq!(labels["a.b/c"].as_str(), Some("GPU"));
        assert_eq!(labels["d.e"].as_str(), Some("y"));
        assert_eq!(
            labels.len(),
            2,
            "no nested table `a` was created: {labels:?}"
        );
    }

    #[test]
    fn set_by_key_path_star_sets_every_element_of_an_array() {
        let text = "[[workloads]]\nrate = { constant = { rps = 1 } }\n[[workloads]]\nrate = { constant = { rps = 2 } }\n";
        let mut v: toml::Value = toml::from_str(text).unwrap();
        set_by_key_path(&mut v, "workloads.*.rate.constant.rps", 7.into()).unwrap();
        for w in v["workloads"].as_array().unwrap() {
            assert_eq!(w["rate"]["constant"]["rps"].as_integer(), Some(7));
        }
        let e = set_by_key_path(&mut v, "workloads.0.*", 7.into()).unwrap_err();
        assert!(e.contains("only runs over the elements of an array"), "{e}");
        let mut empty: toml::Value = toml::from_str("workloads = []").unwrap();
        let e = set_by_key_path(&mut empty, "workloads.*.rate", 7.into()).unwrap_err();
        assert!(e.contains("matches nothing"), "{e}");
    }
}
