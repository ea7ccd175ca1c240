//! docs/scenario.md says it lists every scenario key. This checks it both ways, against what the
//! parser really does:
//!
//! - every key the parser accepts is documented: the shipped experiments are parsed (which fills
//!   in every default, so every section appears) and serialised back; each key path of the
//!   result must be a documented key, or lie inside a documented key that has no documented
//!   sub-keys (labels, bucket tables, time-model choices);
//! - every documented key parses: each documented key path is set, with a value of the wrong
//!   type, on the parsed `experiments/basic.toml`; the loader must then complain about the
//!   value, never that the key is unknown (`*` becomes index 0 or a new map key).

mod common;

use std::collections::BTreeSet;

/// Documented key paths, e.g. `topology.nodes.*.type`: headings give the prefix, the first
/// column of tables headed `Key` gives the key; `[i]` indices and `<name>` placeholders
/// become `*`.
fn documented() -> BTreeSet<String> {
    let text = std::fs::read_to_string("docs/scenario.md").unwrap();
    let mut prefix = String::new();
    let mut in_key_table = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if let Some(h) = line
            .strip_prefix("## ")
            .or_else(|| line.strip_prefix("### "))
        {
            prefix = match h.split('`').nth(1) {
                Some(p) if p.starts_with("[[") => {
                    format!(
                        "{}.*",
                        normalise(p.trim_start_matches("[[").trim_end_matches("]]"))
                    )
                }
                Some(p) => normalise(p),
                None if h.starts_with("Top level") => String::new(),
                None => "-".into(), // prose sections: no keys
            };
            in_key_table = false;
            continue;
        }
        if line.starts_with("| Key |") {
            in_key_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_key_table = false;
            continue;
        }
        if in_key_table && prefix != "-" {
            for key in first_cell_keys(line) {
                out.insert(if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                });
            }
        }
    }
    out
}

/// The keys of a table row's first cell: `` `a.b` `` or a family `` `a.b`, `.c`, `.d` `` (a
/// leading dot replaces the last segment of the first key).
fn first_cell_keys(line: &str) -> Vec<String> {
    let Some(cell) = line
        .strip_prefix("| `")
        .map(|c| c.split(" |").next().unwrap_or(""))
    else {
        return Vec::new();
    };
    let quoted = format!("`{cell}");
    let names: Vec<&str> = quoted.split('`').skip(1).step_by(2).collect();
    let Some(first) = names.first().map(|f| normalise(f)) else {
        return Vec::new();
    };
    let stem = first.rsplit_once('.').map(|(s, _)| s.to_string());
    let mut out = vec![first.clone()];
    for n in &names[1..] {
        if let (Some(tail), Some(stem)) = (n.strip_prefix('.'), &stem) {
            out.push(format!("{stem}.{tail}"));
        }
    }
    out
}

fn normalise(path: &str) -> String {
    let mut s = path.to_string();
    for ix in ["[i]", "[j]", "[k]", "[g]"] {
        s = s.replace(ix, ".*");
    }
    s.split('.')
        .map(|seg| if seg.starts_with('<') { "*" } else { seg })
        .collect::<Vec<_>>()
        .join(".")
}

/// Key paths of a serialised scenario; array elements become `*`.
fn walk(prefix: &str, v: &toml::Value, out: &mut BTreeSet<String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                walk(&p, x, out);
            }
        }
        toml::Value::Array(a) => {
            for x in a {
                walk(&format!("{prefix}.*"), x, out);
            }
        }
        _ => {}
    }
}

/// True if `doc` is `path` or a prefix of it, `*` matching any one segment on either side.
fn matches(doc: &str, path: &str) -> bool {
    let (d, p): (Vec<&str>, Vec<&str>) = (doc.split('.').collect(), path.split('.').collect());
    d.len() <= p.len()
        && d.iter()
            .zip(&p)
            .all(|(a, b)| a == b || *a == "*" || *b == "*")
}

#[test]
fn every_key_of_the_shipped_scenarios_is_documented() {
    let docs = documented();
    let mut accepted = BTreeSet::new();
    for path in common::experiment_files(std::path::Path::new("experiments")) {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("\nscenario =") {
            continue; // a sweep file
        }
        let sc = faasim::config::load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
        walk("", &toml::Value::try_from(&sc).unwrap(), &mut accepted);
    }
    let undocumented: Vec<&String> = accepted
        .iter()
        .filter(|p| {
            // A table on the way to documented keys (`scheduler.latency`) needs no row itself.
            let on_the_way = docs.iter().any(|d| matches(p, d));
            !on_the_way
                && !docs.iter().any(|d| {
                    matches(d, p)
                        && (d.split('.').count() == p.split('.').count()
                            || !docs.iter().any(|sub| sub.starts_with(&format!("{d}."))))
                })
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "keys missing from docs/scenario.md: {undocumented:#?}"
    );
}

#[test]
fn every_documented_key_is_a_key_the_parser_knows() {
    let text = std::fs::read_to_string("experiments/basic.toml").unwrap();
    let base: toml::Value = toml::from_str(&text).unwrap();
    let mut unknown = Vec::new();
    let mut unreachable = Vec::new();
    for doc in documented() {
        // `*` is an array index where the base has an array, else a new map key.
        let mut path = Vec::new();
        let mut here = Some(&base);
        for seg in doc.split('.') {
            let seg = if seg == "*" {
                match here {
                    Some(toml::Value::Array(_)) => "0",
                    _ => "probe",
                }
            } else {
                seg
            };
            here = here.and_then(|v| match v {
                toml::Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
                toml::Value::Table(t) => t.get(seg),
                _ => None,
            });
            path.push(seg.to_string());
        }
        let mut v = base.clone();
        let probe = toml::Value::Array(vec![toml::Value::Boolean(true); 3]);
        if faasim::config::set_by_key_path(&mut v, &path.join("."), probe).is_err() {
            unreachable.push(doc);
            continue;
        }
        if let Err(e) = faasim::config::scenario_from_value(v, "probe.toml") {
            if e.message.starts_with("unknown key") {
                unknown.push(format!("{doc}: {e}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "documented but unknown to the parser: {unknown:#?}"
    );
    // Keys under arrays that basic.toml leaves empty cannot be probed this way; they must at
    // least be few (they are covered by the other test when a shipped file uses them).
    assert!(unreachable.len() <= 12, "not probed: {unreachable:#?}");
}
