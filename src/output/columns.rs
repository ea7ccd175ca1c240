//! Column kinds: for each kind of output column, its Arrow type, whether it may hold nulls, and
//! how the column is built from the values its rows contribute.
//!
//! A table definition ([`output_table!`](super::define)) names a kind per column; the table's
//! schema and its record-batch builder both come from that kind, so they cannot disagree.
//! Kinds that only one table needs (the list columns of `placements`) live with that table.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, UInt64Array};
use arrow_schema::DataType;

use crate::engine::SimTime;
use crate::metrics::Names;

/// A kind of output column.
pub trait ColumnKind {
    /// What one row contributes to a column of this kind.
    type Value<'a>;
    /// Whether the column may hold nulls.
    const NULLABLE: bool;
    /// Arrow type of the column.
    fn data_type() -> DataType;
    /// The column holding `values`, one per row.
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef;
}

/// Declares a kind backed by a primitive Arrow array: `from_iter_values` for required columns,
/// `collect` of options for nullable ones.
macro_rules! primitive_kinds {
    ($( $(#[$doc:meta])* $kind:ident / $opt:ident : $t:ty => $array:ty, $dt:ident; )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $kind;

        impl ColumnKind for $kind {
            type Value<'a> = $t;
            const NULLABLE: bool = false;
            fn data_type() -> DataType {
                DataType::$dt
            }
            fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
                Arc::new(<$array>::from_iter_values(values))
            }
        }

        /// Nullable form of the kind of the same name without `Opt`.
        #[derive(Clone, Copy, Debug)]
        pub struct $opt;

        impl ColumnKind for $opt {
            type Value<'a> = Option<$t>;
            const NULLABLE: bool = true;
            fn data_type() -> DataType {
                DataType::$dt
            }
            fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
                Arc::new(values.collect::<$array>())
            }
        }
    )*};
}

primitive_kinds! {
    /// `UInt64`: only for the run's `seed`, which is an opaque 64-bit value, never a count.
    U64 / OptU64: u64 => UInt64Array, UInt64;
    /// `Float64`.
    F64 / OptF64: f64 => Float64Array, Float64;
}

/// An integer the simulation keeps as `u8`, `u32`, `u64`, `i32` or `i64`, written as `Int64`.
///
/// Every count and id column is a signed 64-bit integer, so that differences such as
/// `desired - current` never wrap in pandas or polars and never overflow in DuckDB, as unsigned
/// columns do (docs/outputs.md, "Column types").
pub trait AsInt64: Copy {
    /// The value as `i64` (saturating at `i64::MAX`; no count of a run comes near it).
    fn as_i64(self) -> i64;
}

macro_rules! lossless_as_int64 {
    ($($t:ty),*) => {$(
        impl AsInt64 for $t {
            fn as_i64(self) -> i64 {
                i64::from(self)
            }
        }
    )*};
}

lossless_as_int64!(u8, u32, i32, i64);

impl AsInt64 for u64 {
    fn as_i64(self) -> i64 {
        i64::try_from(self).unwrap_or(i64::MAX)
    }
}

/// `Int64`, not null, from a row value of integer type `T`.
#[derive(Clone, Copy, Debug)]
pub struct I64<T>(std::marker::PhantomData<T>);

impl<T: AsInt64> ColumnKind for I64<T> {
    type Value<'a> = T;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Int64
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(values.map(AsInt64::as_i64)))
    }
}

/// `Int64`, nullable, from a row value of type `Option<T>`.
#[derive(Clone, Copy, Debug)]
pub struct OptI64<T>(std::marker::PhantomData<T>);

impl<T: AsInt64> ColumnKind for OptI64<T> {
    type Value<'a> = Option<T>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Int64
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        Arc::new(
            values
                .map(|v| v.map(AsInt64::as_i64))
                .collect::<Int64Array>(),
        )
    }
}

/// `Utf8`, not null.
#[derive(Clone, Copy, Debug)]
pub struct Utf8;

impl ColumnKind for Utf8 {
    type Value<'a> = &'a str;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        Arc::new(StringArray::from_iter_values(values))
    }
}

/// `Utf8`, nullable.
#[derive(Clone, Copy, Debug)]
pub struct OptUtf8;

impl ColumnKind for OptUtf8 {
    type Value<'a> = Option<&'a str>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        Arc::new(values.collect::<StringArray>())
    }
}

/// `Boolean`, not null.
#[derive(Clone, Copy, Debug)]
pub struct Bool;

impl ColumnKind for Bool {
    type Value<'a> = bool;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        Arc::new(values.map(Some).collect::<BooleanArray>())
    }
}

/// `Boolean`, nullable.
#[derive(Clone, Copy, Debug)]
pub struct OptBool;

impl ColumnKind for OptBool {
    type Value<'a> = Option<bool>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    fn array<'a>(values: impl Iterator<Item = Self::Value<'a>>) -> ArrayRef {
        Arc::new(values.collect::<BooleanArray>())
    }
}

/// The run a row belongs to, as its table's columns see it: the identity columns every table
/// starts with and the names its ids resolve to.
#[derive(Clone, Copy, Debug)]
pub struct RunKey<'a> {
    /// `run_id` column.
    pub run_id: &'a str,
    /// `run_index` column.
    pub run_index: u32,
    /// Names of the run's functions, nodes and images.
    pub names: &'a Names,
}

impl<'a> RunKey<'a> {
    /// Name of function `id`.
    pub fn function(&self, id: u32) -> &'a str {
        lookup(&self.names.functions, id, "function")
    }

    /// Name of node `id`.
    pub fn node(&self, id: u32) -> &'a str {
        lookup(&self.names.nodes, id, "node")
    }

    /// Name of image `id`.
    pub fn image(&self, id: u32) -> &'a str {
        lookup(&self.names.images, id, "image")
    }
}

fn lookup<'a>(list: &'a [String], id: u32, what: &str) -> &'a str {
    debug_assert!(
        (id as usize) < list.len(),
        "{what} id {id} has no name ({} known)",
        list.len()
    );
    list.get(id as usize).map_or("<unknown>", String::as_str)
}

/// Seconds of a time that is always set.
pub fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

/// `later − earlier` in seconds when both are set (computed in integer nanoseconds, so the
/// difference is exact before it becomes a float).
pub fn diff_secs(later: SimTime, earlier: SimTime) -> Option<f64> {
    (later.is_set() && earlier.is_set()).then(|| later.since(earlier).as_secs_f64())
}
