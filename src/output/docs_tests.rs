//! Keeps `docs/outputs.md` and the table definitions equal: every table's section lists exactly
//! its columns, in order, with their Arrow types and nullability.

use arrow_schema::{DataType, Field};

use super::schema::{table_schema, TABLES};

const OUTPUTS_MD: &str = include_str!("../../docs/outputs.md");

/// The placeholder row standing for the `param.<key>` columns of `runs`.
const PARAM_ROW: &str = "param.<key>";

/// A column as documented: name, type text, nullable.
#[derive(Debug, PartialEq)]
struct DocColumn {
    name: String,
    data_type: String,
    nullable: bool,
}

/// The column rows of each `` ## `table` `` section, in page order.
fn documented_tables() -> Vec<(String, Vec<DocColumn>)> {
    let mut tables: Vec<(String, Vec<DocColumn>)> = Vec::new();
    let mut in_table = false;
    for line in OUTPUTS_MD.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_table = heading.starts_with('`');
            if in_table {
                tables.push((heading.trim_matches('`').to_string(), Vec::new()));
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("| `").filter(|_| in_table) else {
            continue;
        };
        let cells: Vec<&str> = rest.split('|').map(str::trim).collect();
        assert!(cells.len() >= 3, "malformed column row: {line}");
        let nullable = match cells[2] {
            "yes" => true,
            "no" => false,
            other => panic!("null must be yes or no, got {other:?} in: {line}"),
        };
        tables.last_mut().unwrap().1.push(DocColumn {
            name: cells[0].trim_end_matches('`').to_string(),
            data_type: cells[1].to_string(),
            nullable,
        });
    }
    tables
}

/// How the page writes an Arrow type: `UInt32`, `List<Utf8>`, `Struct<name: Utf8, …>`.
fn type_text(data_type: &DataType) -> String {
    match data_type {
        DataType::List(item) => format!("List<{}>", type_text(item.data_type())),
        DataType::Struct(fields) => {
            let children: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.name(), type_text(f.data_type())))
                .collect();
            format!("Struct<{}>", children.join(", "))
        }
        other => format!("{other:?}"),
    }
}

fn doc_column(field: &Field) -> DocColumn {
    DocColumn {
        name: field.name().clone(),
        data_type: type_text(field.data_type()),
        nullable: field.is_nullable(),
    }
}

#[test]
fn every_table_is_documented_and_only_those() {
    let documented: Vec<String> = documented_tables().into_iter().map(|(t, _)| t).collect();
    let mut sorted_doc = documented.clone();
    sorted_doc.sort();
    let mut sorted_code: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    sorted_code.sort();
    assert_eq!(sorted_doc, sorted_code);
}

#[test]
fn documented_columns_match_each_table_schema() {
    for (table, mut documented) in documented_tables() {
        let schema = table_schema(&table, &[]).unwrap();
        if table == "runs" {
            let at = documented
                .iter()
                .position(|c| c.name == PARAM_ROW)
                .expect("runs documents its param.<key> columns");
            assert_eq!(documented[at - 1].name, "seed", "param columns follow seed");
            documented.remove(at);
        }
        // The identity columns are documented once for all tables.
        let expected: Vec<DocColumn> = schema.fields()[2..].iter().map(|f| doc_column(f)).collect();
        for (i, (doc, code)) in documented.iter().zip(&expected).enumerate() {
            assert_eq!(
                doc, code,
                "docs/outputs.md, table `{table}`, column {i}: documented vs defined"
            );
        }
        assert_eq!(
            documented.len(),
            expected.len(),
            "docs/outputs.md, table `{table}`: documented {:?}, defined {:?}",
            documented.iter().map(|c| &c.name).collect::<Vec<_>>(),
            expected.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
    }
}

#[test]
fn every_table_starts_with_the_documented_identity_columns() {
    for table in TABLES {
        let schema = table_schema(table, &[]).unwrap();
        let identity: Vec<DocColumn> = schema.fields()[..2].iter().map(|f| doc_column(f)).collect();
        assert_eq!(
            identity,
            [
                DocColumn {
                    name: "run_id".into(),
                    data_type: "Utf8".into(),
                    nullable: false
                },
                DocColumn {
                    name: "run_index".into(),
                    data_type: "Int64".into(),
                    nullable: false
                },
            ]
        );
    }
}
