//! The one definition of an output table: `output_table!` declares a table's row struct and,
//! from the same lines, its columns — name, [`ColumnKind`](super::columns::ColumnKind) and the
//! value each row contributes. The Arrow schema ([`TableRow::fields`]) and the record-batch
//! builder ([`TableRow::columns`]) are both generated from that column list.
//!
//! The identity columns `run_id` and `run_index` that start every table are added by
//! [`super::tables`] for all tables alike, so definitions list only their own columns.

use arrow_array::ArrayRef;
use arrow_schema::Field;

use super::columns::RunKey;

/// A row struct with the table it belongs to (implemented by `output_table!`).
pub trait TableRow: Sized {
    /// Table name: the directory of its part files and the `faasim.table` file metadata.
    const TABLE: &'static str;

    /// The table's own columns (after `run_id`, `run_index`), in order.
    fn fields() -> Vec<Field>;

    /// One array per column of [`TableRow::fields`], with one value per row of `rows`.
    fn columns(rows: &[(&RunKey<'_>, &Self)]) -> Vec<ArrayRef>;
}

/// Declares an output table: its row struct, then its columns.
///
/// ```text
/// output_table! {
///     /// One `example` row.
///     #[derive(Clone, Debug)]
///     pub struct ExampleRow in "example" {
///         /// Time of the event.
///         pub t: SimTime,
///         /// Function id.
///         pub function: u32,
///     }
///     columns |run, row| {
///         "t_s": F64 = secs(row.t),
///         "function": Utf8 = run.function(row.function),
///     }
/// }
/// ```
///
/// The struct is emitted as written. Each column is `"name": Kind = value`, where `value` is an
/// expression of `run` (`&` the row's [`RunKey`]) and `row` (`&` the row) giving the kind's
/// [`Value`](super::columns::ColumnKind::Value). Column kinds must be in scope where the macro
/// is used.
macro_rules! output_table {
    (
        $(#[$meta:meta])*
        $vis:vis struct $row_type:ident in $table:literal {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $field_type:ty ),* $(,)?
        }
        columns |$run:ident, $row:ident| {
            $( $column:literal : $kind:ty = $value:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $row_type {
            $( $(#[$field_meta])* $field_vis $field : $field_type ),*
        }

        impl $crate::output::define::TableRow for $row_type {
            const TABLE: &'static str = $table;

            fn fields() -> ::std::vec::Vec<::arrow_schema::Field> {
                use $crate::output::columns::ColumnKind;
                ::std::vec![$(
                    ::arrow_schema::Field::new(
                        $column,
                        <$kind as ColumnKind>::data_type(),
                        <$kind as ColumnKind>::NULLABLE,
                    )
                ),*]
            }

            #[allow(unused_variables)]
            fn columns(
                rows: &[(&$crate::output::columns::RunKey<'_>, &Self)],
            ) -> ::std::vec::Vec<::arrow_array::ArrayRef> {
                use $crate::output::columns::ColumnKind;
                ::std::vec![$(
                    <$kind as ColumnKind>::array(rows.iter().map(|&($run, $row)| $value))
                ),*]
            }
        }
    };
}

pub(crate) use output_table;
