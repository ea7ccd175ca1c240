//! The `param.<key>` columns of `runs`: one per swept (or `--set`) key, typed from its values.
//! Their number and types depend on the sweep, which is why they are not part of the `runs`
//! definition; [`super`] splices them in after `seed`.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array};
use arrow_schema::{DataType, Field};

use super::runs::{ParamValue, RunRow};
use crate::output::columns::{ColumnKind, OptBool, OptF64, OptUtf8};

/// Prefix of the per-parameter columns of `runs`.
pub const PARAM_PREFIX: &str = "param.";

/// A `param.<key>` column of `runs`: the swept key and the Arrow type of its values.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamColumn {
    /// Dotted key as swept (without the `param.` prefix).
    pub key: String,
    /// Int64, Float64, Utf8 or Boolean.
    pub data_type: DataType,
}

impl ParamColumn {
    /// The column's field (always nullable: a run may lack the key).
    pub fn field(&self) -> Field {
        Field::new(
            format!("{PARAM_PREFIX}{}", self.key),
            self.data_type.clone(),
            true,
        )
    }

    /// The column over `runs`: each run's value converted to the column's type, null where the
    /// run has no value for the key (or, for Int64 and Boolean, a value of another type).
    pub fn array<'a>(&self, runs: impl Iterator<Item = &'a RunRow>) -> ArrayRef {
        let value = |r: &'a RunRow| {
            r.id.params
                .iter()
                .find(|(k, _)| *k == self.key)
                .map(|(_, v)| v)
        };
        match self.data_type {
            DataType::Int64 => Arc::new(
                runs.map(|r| match value(r) {
                    Some(ParamValue::Int(i)) => Some(*i),
                    _ => None,
                })
                .collect::<Int64Array>(),
            ),
            DataType::Float64 => OptF64::array(runs.map(|r| match value(r) {
                Some(ParamValue::Float(f)) => Some(*f),
                Some(ParamValue::Int(i)) => Some(*i as f64),
                _ => None,
            })),
            DataType::Boolean => OptBool::array(runs.map(|r| match value(r) {
                Some(ParamValue::Bool(b)) => Some(*b),
                _ => None,
            })),
            _ => {
                let texts: Vec<Option<String>> = runs.map(|r| value(r).map(value_text)).collect();
                OptUtf8::array(texts.iter().map(Option::as_deref))
            }
        }
    }
}

/// The `param.<key>` columns of a slice of runs: keys in first-seen order (sweep order), each
/// typed from its values.
///
/// A key whose values all have one type gets that type; a mix of integers and floats becomes
/// Float64; any other mix falls back to Utf8. Because the type is inferred from the given runs
/// only, a sweep that mixes types across batches should compute the columns once over all runs
/// and pass them to [`super::table_batches_with_params`] (or
/// [`crate::output::DatasetWriter::with_param_columns`]).
pub fn param_columns(runs: &[crate::metrics::RunOutput]) -> Vec<ParamColumn> {
    param_columns_of(
        runs.iter()
            .flat_map(|r| r.run.id.params.iter().map(|(k, v)| (k.as_str(), v))),
    )
}

/// The `param.<key>` columns of a sweep computed from its parameter values alone (before any run
/// finished): keys in first-seen order, types unified as in [`param_columns`]. Pass every
/// (key, value) pair of the expansion, e.g. each swept key with each of its listed values.
pub fn param_columns_of<'a>(
    values: impl IntoIterator<Item = (&'a str, &'a ParamValue)>,
) -> Vec<ParamColumn> {
    let mut cols: Vec<ParamColumn> = Vec::new();
    for (key, value) in values {
        let t = value_type(value);
        match cols.iter_mut().find(|c| c.key == key) {
            Some(c) => c.data_type = unify(&c.data_type, &t),
            None => cols.push(ParamColumn {
                key: key.to_string(),
                data_type: t,
            }),
        }
    }
    cols
}

fn value_type(v: &ParamValue) -> DataType {
    match v {
        ParamValue::Int(_) => DataType::Int64,
        ParamValue::Float(_) => DataType::Float64,
        ParamValue::Str(_) => DataType::Utf8,
        ParamValue::Bool(_) => DataType::Boolean,
    }
}

fn unify(a: &DataType, b: &DataType) -> DataType {
    match (a, b) {
        _ if a == b => a.clone(),
        (DataType::Int64, DataType::Float64) | (DataType::Float64, DataType::Int64) => {
            DataType::Float64
        }
        _ => DataType::Utf8,
    }
}

/// Text of a parameter value in a Utf8 column (floats in shortest round-trip form).
fn value_text(v: &ParamValue) -> String {
    match v {
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Float(f) => f.to_string(),
        ParamValue::Str(s) => s.clone(),
        ParamValue::Bool(b) => b.to_string(),
    }
}
