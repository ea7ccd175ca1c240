//! Expansion of a sweep into runs (`docs/sweeps.md`, "Expansion and identity"): for each grid point (keys in the
//! order listed, the last varying fastest), for each zip entry (groups in order, each a further
//! axis), for each seed (list order) → `run_index = 0, 1, 2, …`.
//!
//! The expansion is never materialised: [`Expansion::get`] computes run `i`'s parameters from its
//! index in mixed radix, so memory does not grow with the number of runs.

use super::spec::Dimension;
use crate::metrics::ParamValue;

/// The runs of a sweep, computed on demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Expansion {
    dimensions: Vec<Dimension>,
    seeds: Vec<u64>,
}

/// One run of a sweep before its scenario is resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Position in the expansion.
    pub run_index: u32,
    /// Master seed.
    pub seed: u64,
    /// `(column key, value)` of every swept key, in column order: a key path, or the name of a
    /// named axis (see [`Expansion::targets`] for the paths it writes).
    pub params: Vec<(String, toml::Value)>,
}

impl Expansion {
    /// The expansion of `dimensions` × `seeds` (as checked by [`super::spec::parse_sweep`]:
    /// non-empty, at most [`super::spec::MAX_RUNS`] runs).
    pub fn new(dimensions: Vec<Dimension>, seeds: Vec<u64>) -> Expansion {
        Expansion { dimensions, seeds }
    }

    /// Number of runs.
    pub fn len(&self) -> u32 {
        let n = self
            .dimensions
            .iter()
            .fold(self.seeds.len() as u64, |n, d| n * d.len() as u64);
        u32::try_from(n).expect("parse_sweep caps the number of runs")
    }

    /// True if there is no run (never the case for a parsed sweep).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The axes in expansion order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The seeds in list order.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// The swept keys in column order (the `param.<key>` columns of `runs`).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.dimensions
            .iter()
            .flat_map(|d| d.keys.iter().map(String::as_str))
    }

    /// The key paths that column `key` writes its value to (`[key]` unless it is a named axis);
    /// empty for a key that is not swept.
    pub fn targets(&self, key: &str) -> &[String] {
        self.dimensions
            .iter()
            .flat_map(|d| d.keys.iter().zip(&d.targets))
            .find(|(k, _)| *k == key)
            .map(|(_, t)| t.as_slice())
            .unwrap_or(&[])
    }

    /// Run `run_index` (`< len()`).
    pub fn get(&self, run_index: u32) -> RunSpec {
        assert!(run_index < self.len(), "run_index {run_index} out of range");
        let s = self.seeds.len() as u64;
        let mut rest = run_index as u64;
        let seed = self.seeds[(rest % s) as usize];
        rest /= s;
        let mut positions = vec![0usize; self.dimensions.len()];
        for (d, dim) in self.dimensions.iter().enumerate().rev() {
            let n = dim.len() as u64;
            positions[d] = (rest % n) as usize;
            rest /= n;
        }
        let params = self
            .dimensions
            .iter()
            .zip(&positions)
            .flat_map(|(dim, &p)| dim.keys.iter().cloned().zip(dim.entries[p].iter().cloned()))
            .collect();
        RunSpec {
            run_index,
            seed,
            params,
        }
    }

    /// All runs in `run_index` order.
    pub fn iter(&self) -> impl Iterator<Item = RunSpec> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The typed value of a swept parameter for its `param.<key>` column: integers, floats, booleans
/// and strings as such; anything else (lists, tables, dates) as its TOML text.
pub fn param_value(v: &toml::Value) -> ParamValue {
    match v {
        toml::Value::Integer(i) => ParamValue::Int(*i),
        toml::Value::Float(f) => ParamValue::Float(*f),
        toml::Value::Boolean(b) => ParamValue::Bool(*b),
        toml::Value::String(s) => ParamValue::Str(s.clone()),
        other => ParamValue::Str(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::spec::parse_sweep;

    fn expansion(text: &str) -> Expansion {
        let d = parse_sweep(text, "s.toml").unwrap();
        Expansion::new(d.dimensions, d.seeds)
    }

    fn row(r: &RunSpec) -> String {
        let p: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{} {} {}", r.run_index, p.join(","), r.seed)
    }

    #[test]
    fn grid_expands_to_the_cartesian_product_with_the_last_key_fastest_and_seeds_innermost() {
        let e = expansion(
            "scenario = \"b\"\nseeds = [7, 8]\n[grid]\n\"b\" = [1, 2]\n\"a\" = [\"x\", \"y\", \"z\"]\n",
        );
        assert_eq!(e.len(), 12);
        let rows: Vec<String> = e.iter().map(|r| row(&r)).collect();
        assert_eq!(
            rows[..8],
            [
                "0 b=1,a=\"x\" 7",
                "1 b=1,a=\"x\" 8",
                "2 b=1,a=\"y\" 7",
                "3 b=1,a=\"y\" 8",
                "4 b=1,a=\"z\" 7",
                "5 b=1,a=\"z\" 8",
                "6 b=2,a=\"x\" 7",
                "7 b=2,a=\"x\" 8",
            ]
        );
        assert_eq!(rows[11], "11 b=2,a=\"z\" 8");
    }

    #[test]
    fn zip_entries_vary_after_the_grid_and_before_the_seeds() {
        let e = expansion(
            "scenario = \"b\"\nseeds = { range = [1, 3] }\n[grid]\ng = [10, 20]\n[[zip]]\nlo = [1, 2, 3]\nhi = [4, 5, 6]\n",
        );
        assert_eq!(e.len(), 2 * 3 * 2);
        let rows: Vec<String> = e.iter().map(|r| row(&r)).collect();
        assert_eq!(rows[0], "0 g=10,lo=1,hi=4 1");
        assert_eq!(rows[1], "1 g=10,lo=1,hi=4 2");
        assert_eq!(rows[2], "2 g=10,lo=2,hi=5 1");
        assert_eq!(rows[5], "5 g=10,lo=3,hi=6 2");
        assert_eq!(rows[6], "6 g=20,lo=1,hi=4 1");
        assert_eq!(e.keys().collect::<Vec<_>>(), ["g", "lo", "hi"]);
    }

    #[test]
    fn several_zip_groups_form_a_product_in_group_order() {
        let e = expansion(
            "scenario = \"b\"\n[[zip]]\na = [1, 2]\nb = [3, 4]\n[[zip]]\nc = [5, 6, 7]\n",
        );
        assert_eq!(e.len(), 6);
        let rows: Vec<String> = e.iter().map(|r| row(&r)).collect();
        assert_eq!(rows[0], "0 a=1,b=3,c=5 1");
        assert_eq!(rows[1], "1 a=1,b=3,c=6 1");
        assert_eq!(rows[3], "3 a=2,b=4,c=5 1");
    }

    #[test]
    fn a_sweep_without_grid_or_zip_runs_the_base_once_per_seed() {
        let e = expansion("scenario = \"b\"\nreplications = 4\n");
        assert_eq!(e.len(), 4);
        assert_eq!(e.iter().map(|r| r.seed).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert!(e.get(2).params.is_empty());
    }

    #[test]
    fn get_agrees_with_iteration_order() {
        let e = expansion(
            "scenario = \"b\"\nseeds = [3, 1, 2]\n[grid]\nx = [1, 2]\ny = [true, false]\n",
        );
        for (i, r) in e.iter().enumerate() {
            assert_eq!(r.run_index as usize, i);
            assert_eq!(r, e.get(i as u32));
        }
    }

    #[test]
    fn parameter_values_are_typed_for_their_columns() {
        assert_eq!(param_value(&1.into()), ParamValue::Int(1));
        assert_eq!(param_value(&0.5.into()), ParamValue::Float(0.5));
        assert_eq!(param_value(&true.into()), ParamValue::Bool(true));
        assert_eq!(param_value(&"a".into()), ParamValue::Str("a".into()));
        let list = toml::Value::Array(vec![1.into(), 2.into()]);
        assert_eq!(param_value(&list), ParamValue::Str("[1, 2]".into()));
    }
}
