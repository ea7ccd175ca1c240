//! The integer range of every configuration key, and one error for a number outside it.
//!
//! TOML integers are 64-bit signed, so no key accepts more than 9223372036854775807, whichever
//! way the value arrives: in a scenario file, in a sweep file, or through `--set`. A literal
//! outside that range gets the same message on every path (see `docs/scenario.md`, Limits).

/// The largest integer any key accepts.
pub const LARGEST_INTEGER: i64 = i64::MAX;

/// If `raw` is an integer literal (optional sign, digits, `_` separators) that does not fit in
/// a TOML integer, the message that says so; `None` for anything else.
pub fn out_of_range_integer(raw: &str) -> Option<String> {
    let t = raw.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    let is_integer = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && digits.bytes().any(|b| b.is_ascii_digit());
    if !is_integer || t.replace('_', "").parse::<i64>().is_ok() {
        return None;
    }
    Some(format!(
        "{t} is out of range: integers must be between {} and {LARGEST_INTEGER}",
        i64::MIN
    ))
}

/// The dotted key path of the value at byte `offset` of TOML `text`, as far as a line-based look
/// can tell: the last table header before it, then the key in front of the value
/// (`[run]` + `max_events = …` → `run.max_events`). Arrays of tables get their index.
pub fn key_path_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut header = String::new();
    let mut array_counts: std::collections::HashMap<String, usize> = Default::default();
    for line in text[..line_start].lines() {
        let l = line.trim();
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.split_once("]]")) {
            let name = name.0.trim().to_string();
            let n = array_counts.entry(name.clone()).or_insert(0);
            header = format!("{name}[{n}]");
            *n += 1;
        } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.split_once(']')) {
            header = name.0.trim().to_string();
        }
    }
    // The key right before `= value` on this line (the innermost one in an inline table).
    let in_line = &text[line_start..offset];
    let key = in_line
        .trim_end()
        .strip_suffix('=')
        .map(|k| {
            let k = k.trim_end();
            let from = k.rfind(['{', ',']).map_or(0, |i| i + 1);
            k[from..].trim().trim_matches('"').to_string()
        })
        .unwrap_or_default();
    match (header.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => header,
        (false, false) => format!("{header}.{key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_64_bit_signed_are_named_with_the_range() {
        let m = out_of_range_integer("9223372036854775808").unwrap();
        assert!(m.contains("9223372036854775807"), "{m}");
        assert!(out_of_range_integer("-9223372036854775809").is_some());
        assert!(out_of_range_integer("18_446_744_073_709_551_616").is_some());
    }

    #[test]
    fn numbers_in_range_and_other_text_are_not_integer_errors() {
        for raw in ["9223372036854775807", "-1", "1e30", "abc", "", "-", "_"] {
            assert_eq!(out_of_range_integer(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_key_path_of_a_value_comes_from_its_table_header_and_key() {
        let text = "name = \"x\"\n[run]\nmax_events = 99\n";
        assert_eq!(
            key_path_at(text, text.find("99").unwrap()),
            "run.max_events"
        );
        let text = "[[workloads]]\na = 1\n[[workloads]]\nrate = { rps = 7 }\n";
        assert_eq!(
            key_path_at(text, text.find('7').unwrap()),
            "workloads[1].rps"
        );
        assert_eq!(key_path_at("seed = 5", 7), "seed");
    }
}
