//! The sweep file: a base scenario, a `grid`, `zip` groups and seeds (`docs/sweeps.md`).
//!
//! ```toml
//! name = "profiles"                       # optional; default: the file's stem
//! scenario = "sweep-base.toml"            # relative to this file
//! seeds = { range = [1, 21] }             # or a list [1, 2, 3], or `replications = 20` (1..=20)
//! runs_per_batch = 16                     # optional; default: the base's outputs.runs_per_batch
//!
//! [grid]                                  # cartesian product, last key varying fastest
//! "workloads.0.rate.constant.rps" = [60, 120]
//! "scheduler.profile" = ["skippy", "first-fit"]
//!
//! [[zip]]                                 # lists varied together (equal lengths)
//! "deployments.0.scaling.scale_min" = [1, 2]
//! "deployments.0.scaling.scale_max" = [4, 8]
//!
//! [axes]                                  # named axes: one name, one `param.<name>` column
//! load = "workloads.*.rate.constant.rps"  # a key path (`*` = every array element) or a list
//! ```
//!
//! Keys keep the order in which the file lists them (the `toml` crate's `preserve_order`
//! feature). Unquoted dotted keys (`scheduler.profile = [...]`) are TOML tables and are
//! flattened back into dotted paths, grouped by table as TOML groups them; quote the keys to fix
//! the order exactly. A key written directly in `[grid]` or `[[zip]]` is itself a key path (it
//! may hold quoted segments: `'functions.0.labels."a.b/c"'`); a key inside a sub-table is one
//! segment, so `functions.0.labels."a.b/c" = [...]` works unquoted too.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

use crate::config::validate::MAX_RUNS_PER_BATCH;
use crate::config::{parse_key_path, parse_toml_as, render_key_path, ConfigError, Segment};

/// The largest number of runs a sweep may expand to (`run_index` is a `u32`).
pub const MAX_RUNS: u64 = u32::MAX as u64;

/// A parsed and checked sweep file (the base scenario is not read yet).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepDefinition {
    /// `name`, if given.
    pub name: Option<String>,
    /// `scenario`: path of the base scenario, relative to the sweep file.
    pub scenario: String,
    /// The swept dimensions in expansion order: each grid key, then each zip group.
    pub dimensions: Vec<Dimension>,
    /// Seeds in list order.
    pub seeds: Vec<u64>,
    /// `runs_per_batch`, if given.
    pub runs_per_batch: Option<u32>,
}

/// One axis of the expansion: a grid key (one key) or a zip group (several keys whose lists are
/// varied together).
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    /// Where the axis comes from: `grid` or `zip[g]` (for error messages).
    pub origin: String,
    /// The axis's columns in file order: a key path, or the name of an axis declared in
    /// `[axes]`. `param.<key>` is the column of `keys[k]` in `runs`.
    pub keys: Vec<String>,
    /// `targets[k]`: the key paths that `keys[k]`'s value is written to: `[keys[k]]` for a key
    /// path, the declared paths for a named axis.
    pub targets: Vec<Vec<String>>,
    /// `entries[i][k]` is the value of `keys[k]` at position `i` of this axis.
    pub entries: Vec<Vec<toml::Value>>,
}

impl Dimension {
    /// Number of positions on this axis.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if the axis has no position (never the case after parsing).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True if some key of this axis is a named axis (it writes other paths than its name).
    pub fn has_named_keys(&self) -> bool {
        self.keys
            .iter()
            .zip(&self.targets)
            .any(|(k, t)| t.len() != 1 || &t[0] != k)
    }
}

/// The file as serde reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    name: Option<String>,
    scenario: String,
    #[serde(default)]
    grid: toml::Table,
    #[serde(default)]
    zip: Vec<toml::Table>,
    seeds: Option<Seeds>,
    replications: Option<u64>,
    runs_per_batch: Option<u32>,
    #[serde(default)]
    axes: toml::Table,
}

/// `seeds = [1, 2, 3]` or `seeds = { range = [a, b] }` (half-open).
enum Seeds {
    List(Vec<u64>),
    Range(u64, u64),
}

impl<'de> Deserialize<'de> for Seeds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SeedsVisitor)
    }
}

struct SeedsVisitor;

impl<'de> Visitor<'de> for SeedsVisitor {
    type Value = Seeds;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of seeds such as [1, 2, 3], or { range = [first, end] } (end excluded)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seeds, A::Error> {
        let mut out = Vec::new();
        while let Some(s) = seq.next_element::<u64>()? {
            out.push(s);
        }
        Ok(Seeds::List(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seeds, A::Error> {
        let mut range = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "range" => range = Some(map.next_value::<[u64; 2]>()?),
                other => return Err(de::Error::unknown_field(other, &["range"])),
            }
        }
        let [a, b] = range.ok_or_else(|| de::Error::missing_field("range"))?;
        Ok(Seeds::Range(a, b))
    }
}

/// Parses and checks sweep TOML `text`; `file` names it in errors.
///
/// Errors (all [`ConfigError`]s with a key path): unknown keys, a grid or zip value that is not
/// a non-empty list, zip lists of different lengths, a key swept twice or inside another swept
/// key, both `seeds` and `replications`, an empty or duplicated seed list, an empty range,
/// `runs_per_batch = 0`, more than [`MAX_RUNS`] runs.
pub fn parse_sweep(text: &str, file: &str) -> Result<SweepDefinition, ConfigError> {
    let raw: SweepFile = parse_toml_as(text, file)?;
    let err = |path: &str, msg: String| ConfigError::new(file, path, msg);

    let axes = named_axes(&raw.axes).map_err(|(k, m)| err(&format!("axes.{k}"), m))?;
    let mut used_axes = Vec::new();
    let mut dimensions = Vec::new();
    // (where in the file, key path) of every written key path, to check that none is swept twice.
    let mut located: Vec<(String, Vec<Segment>)> = Vec::new();
    let mut targets_of = |at: &str, key: &str| -> Vec<String> {
        match axes.iter().find(|(name, _)| name == key) {
            Some((_, paths)) => {
                used_axes.push(key.to_string());
                located.extend(paths.iter().map(|p| (at.to_string(), p.clone())));
                paths.iter().map(|p| render_key_path(p)).collect()
            }
            None => {
                let path = parse_key_path(key).expect("flatten renders valid key paths");
                located.push((at.to_string(), path));
                vec![key.to_string()]
            }
        }
    };
    let mut grid = Vec::new();
    flatten(&[], &raw.grid, &mut grid).map_err(|(k, m)| err(&format!("grid.{k}"), m))?;
    for (key, values) in grid {
        let targets = targets_of(&format!("grid.{key}"), &key);
        dimensions.push(Dimension {
            origin: "grid".into(),
            keys: vec![key],
            targets: vec![targets],
            entries: values.into_iter().map(|v| vec![v]).collect(),
        });
    }
    for (g, table) in raw.zip.iter().enumerate() {
        let mut lists = Vec::new();
        flatten(&[], table, &mut lists).map_err(|(k, m)| err(&format!("zip[{g}].{k}"), m))?;
        let Some(len) = lists.first().map(|(_, v)| v.len()) else {
            return Err(err(
                &format!("zip[{g}]"),
                "an empty zip group: list at least one key with its values".into(),
            ));
        };
        if let Some((k, v)) = lists.iter().find(|(_, v)| v.len() != len) {
            return Err(err(
                &format!("zip[{g}].{k}"),
                format!(
                    "zip lists must have equal lengths: `{}` has {len} values, `{k}` has {}",
                    lists[0].0,
                    v.len()
                ),
            ));
        }
        let keys: Vec<String> = lists.iter().map(|(k, _)| k.clone()).collect();
        let targets = keys
            .iter()
            .map(|k| targets_of(&format!("zip[{g}].{k}"), k))
            .collect();
        let entries = (0..len)
            .map(|i| lists.iter().map(|(_, v)| v[i].clone()).collect())
            .collect();
        dimensions.push(Dimension {
            origin: format!("zip[{g}]"),
            keys,
            targets,
            entries,
        });
    }
    if let Some((name, _)) = axes.iter().find(|(n, _)| !used_axes.contains(n)) {
        return Err(err(
            &format!("axes.{name}"),
            format!(
                "the axis `{name}` is named but not swept: list its values in [grid] or [[zip]]"
            ),
        ));
    }
    check_keys_disjoint(&located).map_err(|(k, m)| err(&k, m))?;

    let seeds = match (raw.seeds, raw.replications) {
        (Some(_), Some(_)) => {
            return Err(err(
                "replications",
                "give either `seeds` or `replications`, not both".into(),
            ))
        }
        (None, None) => vec![1],
        (None, Some(0)) => return Err(err("replications", "must be >= 1, got 0".into())),
        (None, Some(n)) => {
            check_seed_count("replications", n).map_err(|m| err("replications", m))?;
            (1..=n).collect()
        }
        (Some(Seeds::Range(a, b)), None) => {
            if a >= b {
                return Err(err(
                    "seeds.range",
                    format!("an empty range [{a}, {b}): the end is excluded, so it must be > {a}"),
                ));
            }
            check_seed_count("seeds.range", b - a).map_err(|m| err("seeds.range", m))?;
            (a..b).collect()
        }
        (Some(Seeds::List(list)), None) => {
            if list.is_empty() {
                return Err(err("seeds", "an empty list: give at least one seed".into()));
            }
            let mut sorted = list.clone();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(err("seeds", format!("seed {} is listed twice", w[0])));
            }
            list
        }
    };

    if raw.runs_per_batch == Some(0) {
        return Err(err("runs_per_batch", "must be >= 1, got 0".into()));
    }
    if let Some(n) = raw.runs_per_batch.filter(|&n| n > MAX_RUNS_PER_BATCH) {
        return Err(err(
            "runs_per_batch",
            format!("must be at most {MAX_RUNS_PER_BATCH} (a batch is held in memory until it is written), got {n}"),
        ));
    }
    let runs = dimensions
        .iter()
        .try_fold(seeds.len() as u64, |n, d| n.checked_mul(d.len() as u64));
    match runs {
        Some(n) if n <= MAX_RUNS => {}
        _ => {
            return Err(err(
                "",
                format!("the sweep expands to more than {MAX_RUNS} runs (the seeds times every grid and zip length)"),
            ))
        }
    }

    Ok(SweepDefinition {
        name: raw.name,
        scenario: raw.scenario,
        dimensions,
        seeds,
        runs_per_batch: raw.runs_per_batch,
    })
}

/// The most seeds a sweep may list: the seeds are stored (in memory and in the manifest), unlike
/// the expansion, so their count is capped well below [`MAX_RUNS`].
pub const MAX_SEEDS: u64 = 1_000_000;

/// Checked before the seeds are materialised, so a huge count is an error, not an abort.
fn check_seed_count(key: &str, n: u64) -> Result<(), String> {
    if n > MAX_SEEDS {
        return Err(format!(
            "{n} seeds are too many: at most {MAX_SEEDS} (the seeds are listed in the manifest); `{key}` gives the seed count"
        ));
    }
    Ok(())
}

/// A name declared in `[axes]` with the parsed key paths it writes.
type NamedAxis = (String, Vec<Vec<Segment>>);

/// The `[axes]` table: each name with the key paths it writes, in file order. A name is one bare
/// segment (it becomes the `param.<name>` column and must not look like a key path); its value
/// is a key path or a non-empty list of them.
fn named_axes(table: &toml::Table) -> Result<Vec<NamedAxis>, (String, String)> {
    let mut out = Vec::new();
    for (name, value) in table {
        if name.is_empty() || name == "*" || name.contains(['.', '"', '\\']) {
            return Err((
                name.clone(),
                "an axis name is a single word without dots or quotes (it names the `param.<name>` column)".into(),
            ));
        }
        let texts: Vec<&toml::Value> = match value {
            toml::Value::Array(list) if !list.is_empty() => list.iter().collect(),
            toml::Value::Array(_) => {
                return Err((
                    name.clone(),
                    "an empty list: give at least one key path".into(),
                ))
            }
            one => vec![one],
        };
        let paths = texts
            .into_iter()
            .map(|t| {
                let text = t.as_str().ok_or_else(|| {
                    (
                        name.clone(),
                        format!(
                            "expected a key path (a string) or a list of them, got a {}",
                            t.type_str()
                        ),
                    )
                })?;
                parse_key_path(text).map_err(|e| (name.clone(), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push((name.clone(), paths));
    }
    Ok(out)
}

/// Flattens a grid or zip table into `(key path, values)` in file order. A key at the top of
/// the table is a key path of its own; a key in a sub-table (`[grid.scheduler]` or an unquoted
/// dotted key) is one segment below its table. Every leaf must be a non-empty list.
fn flatten(
    prefix: &[Segment],
    table: &toml::Table,
    out: &mut Vec<(String, Vec<toml::Value>)>,
) -> Result<(), (String, String)> {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            parse_key_path(k).map_err(|e| (k.clone(), e))?
        } else {
            let mut p = prefix.to_vec();
            p.push(if k == "*" {
                Segment::EveryIndex
            } else {
                Segment::Key(k.clone())
            });
            p
        };
        let key = render_key_path(&path);
        match v {
            toml::Value::Table(t) => flatten(&path, t, out)?,
            toml::Value::Array(values) if values.is_empty() => {
                return Err((key, "an empty list: give at least one value".into()))
            }
            toml::Value::Array(values) => out.push((key, values.clone())),
            other => {
                return Err((
                    key.clone(),
                    format!(
                        "expected a list of values, got a {} (write `\"{key}\" = [{other}]` for a single value)",
                        other.type_str()
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// No key path may be written twice, nor inside another written path (`a.b` and `a.b.c`): the
/// result would depend on the order in which the edits are applied. `*` overlaps every index.
/// `paths` holds (location in the file, key path).
fn check_keys_disjoint(paths: &[(String, Vec<Segment>)]) -> Result<(), (String, String)> {
    for (i, (at, a)) in paths.iter().enumerate() {
        for (_, b) in &paths[..i] {
            let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            let overlap = short
                .iter()
                .zip(long.iter())
                .all(|(x, y)| x == y || *x == Segment::EveryIndex || *y == Segment::EveryIndex);
            if !overlap {
                continue;
            }
            let (short, long) = (render_key_path(short), render_key_path(long));
            if a.len() == b.len() {
                let what = if short == long {
                    format!("`{short}` is swept twice")
                } else {
                    format!("`{long}` and `{short}` overlap (`*` covers every index)")
                };
                return Err((at.clone(), what));
            }
            return Err((
                at.clone(),
                format!(
                    "`{long}` lies inside `{short}`, which is swept too: sweep one or the other"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SweepDefinition {
        parse_sweep(text, "s.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &str) -> ConfigError {
        parse_sweep(text, "s.toml").expect_err("the sweep file should be rejected")
    }

    fn keys(d: &SweepDefinition) -> Vec<Vec<&str>> {
        d.dimensions
            .iter()
            .map(|x| x.keys.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn grid_keys_keep_the_file_order_not_the_alphabetical_one() {
        let d = parse(
            "scenario = \"b.toml\"\n[grid]\n\"z.last\" = [1]\n\"a.first\" = [1, 2]\n\"m.middle\" = [true]\n",
        );
        assert_eq!(keys(&d), [["z.last"], ["a.first"], ["m.middle"]]);
        assert_eq!(d.dimensions[1].entries, [[1.into()], [2.into()]]);
    }

    #[test]
    fn unquoted_dotted_grid_keys_and_subtables_are_flattened_into_key_paths() {
        let d = parse("scenario = \"b.toml\"\n[grid]\nscheduler.profile = [\"a\"]\nworkloads.0.rate.constant.rps = [1, 2]\n[grid.run]\nhorizon_s = [10]\n");
        assert_eq!(
            keys(&d),
            [
                ["scheduler.profile"],
                ["workloads.0.rate.constant.rps"],
                ["run.horizon_s"]
            ]
        );
    }

    #[test]
    fn zip_groups_pair_their_lists_entry_by_entry() {
        let d =
            parse("scenario = \"b.toml\"\n[[zip]]\n\"x.min\" = [1, 2, 3]\n\"x.max\" = [4, 5, 6]\n");
        assert_eq!(keys(&d), [["x.min", "x.max"]]);
        assert_eq!(d.dimensions[0].entries[2], [3.into(), 6.into()]);
    }

    #[test]
    fn seeds_come_from_a_list_a_half_open_range_or_replications_and_default_to_one() {
        assert_eq!(parse("scenario = \"b\"\nseeds = [7, 3]").seeds, [7, 3]);
        assert_eq!(
            parse("scenario = \"b\"\nseeds = { range = [5, 8] }").seeds,
            [5, 6, 7]
        );
        assert_eq!(parse("scenario = \"b\"\nreplications = 3").seeds, [1, 2, 3]);
        assert_eq!(parse("scenario = \"b\"").seeds, [1]);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let e = err("scenario = \"b\"\n[gird]\n\"a\" = [1]\n");
        assert_eq!(e.key_path, "gird");
        assert!(e.message.contains("did you mean `grid`?"), "{e}");
        let e = err("scenario = \"b\"\nseeds = { rnage = [1, 2] }\n");
        assert_eq!(e.key_path, "seeds.rnage");
        assert!(e.message.contains("did you mean `range`?"), "{e}");
    }

    #[test]
    fn a_grid_value_must_be_a_non_empty_list() {
        let e = err("scenario = \"b\"\n[grid]\n\"run.horizon_s\" = 10\n");
        assert_eq!(e.key_path, "grid.run.horizon_s");
        assert!(e.message.contains("expected a list of values"), "{e}");
        let e = err("scenario = \"b\"\n[grid]\n\"run.horizon_s\" = []\n");
        assert!(e.message.contains("empty list"), "{e}");
    }

    #[test]
    fn zip_lists_of_different_lengths_are_rejected() {
        let e = err("scenario = \"b\"\n[[zip]]\n\"a\" = [1, 2]\n\"b\" = [1]\n");
        assert_eq!(e.key_path, "zip[0].b");
        assert!(e.message.contains("equal lengths"), "{e}");
    }

    #[test]
    fn a_key_swept_twice_or_inside_another_swept_key_is_rejected() {
        let e =
            err("scenario = \"b\"\n[grid]\n\"a.b\" = [1]\n[[zip]]\n\"a.b\" = [1]\n\"c\" = [2]\n");
        assert_eq!(e.key_path, "zip[0].a.b");
        assert!(e.message.contains("swept twice"), "{e}");
        let e = err("scenario = \"b\"\n[grid]\n\"a.b\" = [1]\n\"a.b.c\" = [1]\n");
        assert!(e.message.contains("inside `a.b`"), "{e}");
        // A common prefix that is not a whole segment is fine.
        parse("scenario = \"b\"\n[grid]\n\"a.b\" = [1]\n\"a.bc\" = [1]\n");
    }

    #[test]
    fn bad_seed_specifications_are_rejected() {
        assert_eq!(
            err("scenario = \"b\"\nseeds = [1]\nreplications = 2").key_path,
            "replications"
        );
        assert_eq!(err("scenario = \"b\"\nseeds = []").key_path, "seeds");
        assert!(err("scenario = \"b\"\nseeds = [1, 2, 1]")
            .message
            .contains("twice"));
        assert_eq!(
            err("scenario = \"b\"\nseeds = { range = [3, 3] }").key_path,
            "seeds.range"
        );
        assert_eq!(
            err("scenario = \"b\"\nreplications = 0").key_path,
            "replications"
        );
        assert!(err("scenario = \"b\"\nseeds = [-1]")
            .message
            .contains("expected a non-negative integer"));
    }

    #[test]
    fn the_scenario_is_required_and_runs_per_batch_must_be_positive() {
        assert!(err("seeds = [1]")
            .message
            .contains("missing required key `scenario`"));
        assert_eq!(
            err("scenario = \"b\"\nruns_per_batch = 0").key_path,
            "runs_per_batch"
        );
    }

    #[test]
    fn a_sweep_larger_than_the_run_index_space_is_rejected() {
        let e = err("scenario = \"b\"\nseeds = { range = [0, 100000] }\n[grid]\na = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nc = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nd = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nf = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
        assert!(e.message.contains("more than"), "{e}");
    }

    #[test]
    fn a_named_axis_writes_one_value_to_several_paths_under_one_column() {
        let d = parse(
            "scenario = \"b\"\n[axes]\nload = \"workloads.*.rate.constant.rps\"\nscale = [\"deployments.0.scaling.scale_max\", \"deployments.1.scaling.scale_max\"]\n[grid]\nload = [10, 20]\n[[zip]]\nscale = [4, 8]\n\"run.horizon_s\" = [10, 20]\n",
        );
        assert_eq!(keys(&d), [vec!["load"], vec!["scale", "run.horizon_s"]]);
        assert_eq!(d.dimensions[0].targets, [["workloads.*.rate.constant.rps"]]);
        assert_eq!(
            d.dimensions[1].targets,
            [
                vec![
                    "deployments.0.scaling.scale_max",
                    "deployments.1.scaling.scale_max"
                ],
                vec!["run.horizon_s"]
            ]
        );
        assert!(d.dimensions[0].has_named_keys());
        assert!(!parse("scenario = \"b\"\n[grid]\na = [1]\n").dimensions[0].has_named_keys());
    }

    #[test]
    fn a_named_axis_must_be_swept_and_must_not_overlap_another_key() {
        let e = err("scenario = \"b\"\n[axes]\nload = \"workloads.*.rps\"\n");
        assert_eq!(e.key_path, "axes.load");
        assert!(e.message.contains("not swept"), "{e}");
        let e = err("scenario = \"b\"\n[axes]\nload = \"workloads.*.rps\"\n[grid]\nload = [1]\n\"workloads.0.rps\" = [2]\n");
        assert_eq!(e.key_path, "grid.workloads.0.rps");
        assert!(e.message.contains("overlap"), "{e}");
        let e = err("scenario = \"b\"\n[axes]\n\"a.b\" = \"x\"\n");
        assert!(e.message.contains("single word"), "{e}");
        let e = err("scenario = \"b\"\n[axes]\nload = 3\n[grid]\nload = [1]\n");
        assert!(e.message.contains("key path"), "{e}");
    }

    #[test]
    fn quoted_segments_keep_label_keys_with_dots_whole() {
        // Unquoted dotted key with a quoted segment, and the whole path as one quoted key.
        let d = parse(
            "scenario = \"b\"\n[grid]\nfunctions.0.labels.\"device.edgerun.io/gpu\" = [\"a\"]\n'functions.1.labels.\"x.y\"' = [\"b\"]\n",
        );
        assert_eq!(
            keys(&d),
            [
                [r#"functions.0.labels."device.edgerun.io/gpu""#],
                [r#"functions.1.labels."x.y""#]
            ]
        );
        let e = err("scenario = \"b\"\n[grid]\n'a.\"b' = [1]\n");
        assert!(e.message.contains("unterminated quote"), "{e}");
    }

    #[test]
    fn huge_seed_counts_are_an_error_before_anything_is_allocated() {
        let e = err("scenario = \"b\"\nseeds = { range = [1, 4294967297] }");
        assert_eq!(e.key_path, "seeds.range");
        assert!(e.message.contains("at most 1000000"), "{e}");
        let e = err("scenario = \"b\"\nreplications = 1000000000");
        assert_eq!(e.key_path, "replications");
    }
}
