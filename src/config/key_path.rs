//! Key paths: the dotted addresses with which `--set` and sweep axes name a value in a scenario
//! (`docs/scenario.md`, "Editing a scenario by key path").
//!
//! A key path is segments joined by `.`. A segment is bare (`workloads`, `0`, `*`) or quoted
//! like a TOML basic string (`"device.edgerun.io/accelerator"`), so that label keys, which
//! usually contain dots, can be addressed. Inside quotes, `\"` and `\\` are the only escapes.
//! Numeric bare segments index arrays; the bare segment `*` means every element of an array.

use std::fmt;

/// One segment of a parsed key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A table key or an array index, as written (quotes removed).
    Key(String),
    /// `*`: every element of an array.
    EveryIndex,
}

impl Segment {
    /// The segment as written in a key path: bare when that is unambiguous, else quoted.
    pub fn render(&self) -> String {
        match self {
            Segment::EveryIndex => "*".into(),
            Segment::Key(k) if is_bare(k) => k.clone(),
            Segment::Key(k) => format!("\"{}\"", k.replace('\\', "\\\\").replace('"', "\\\"")),
        }
    }

    /// The key or index text (`*` for [`Segment::EveryIndex`]), unquoted.
    pub fn as_str(&self) -> &str {
        match self {
            Segment::Key(k) => k,
            Segment::EveryIndex => "*",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// A key that can be written without quotes: not empty, not `*`, no dot, quote or backslash.
fn is_bare(key: &str) -> bool {
    !key.is_empty() && key != "*" && !key.contains(['.', '"', '\\'])
}

/// Splits `path` into segments. Errors (as text naming the path): an empty segment (`a..b`,
/// a leading or trailing dot), an unterminated quote, text right after a closing quote, an
/// unknown escape.
pub fn parse_key_path(path: &str) -> Result<Vec<Segment>, String> {
    let bad = |why: &str| format!("`{path}` is not a valid key path ({why})");
    let mut segments = Vec::new();
    let mut chars = path.chars().peekable();
    loop {
        let segment = if chars.peek() == Some(&'"') {
            chars.next();
            let mut key = String::new();
            loop {
                match chars.next() {
                    None => return Err(bad("unterminated quote")),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c @ ('"' | '\\')) => key.push(c),
                        _ => return Err(bad("only \\\" and \\\\ may be escaped in quotes")),
                    },
                    Some(c) => key.push(c),
                }
            }
            if !matches!(chars.peek(), None | Some('.')) {
                return Err(bad("a closing quote must end its segment"));
            }
            Segment::Key(key)
        } else {
            let mut key = String::new();
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if c == '"' {
                    return Err(bad("a quote may only open a segment"));
                }
                key.push(c);
                chars.next();
            }
            match key.as_str() {
                "" => return Err(bad("empty segment")),
                "*" => Segment::EveryIndex,
                _ => Segment::Key(key),
            }
        };
        segments.push(segment);
        match chars.next() {
            None => return Ok(segments),
            Some('.') if chars.peek().is_none() => return Err(bad("empty segment")),
            Some(_) => {}
        }
    }
}

/// The canonical text of a key path: segments rendered by [`Segment::render`], joined by dots.
/// A path without dots inside its keys renders exactly as it is usually written.
pub fn render_key_path(segments: &[Segment]) -> String {
    let parts: Vec<String> = segments.iter().map(Segment::render).collect();
    parts.join(".")
}

/// Splits a `KEY=VALUE` assignment at the first `=` outside a quoted segment of the key.
pub fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '=' if !quoted => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(path: &str) -> Vec<String> {
        parse_key_path(path)
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|s| s.as_str().to_string())
            .collect()
    }

    #[test]
    fn bare_segments_are_split_at_dots() {
        assert_eq!(
            keys("workloads.0.rate.constant.rps"),
            ["workloads", "0", "rate", "constant", "rps"]
        );
    }

    #[test]
    fn a_quoted_segment_keeps_its_dots() {
        assert_eq!(
            keys(r#"functions.1.labels."device.edgerun.io/accelerator""#),
            ["functions", "1", "labels", "device.edgerun.io/accelerator"]
        );
        assert_eq!(keys(r#""a\"b\\c".d"#), ["a\"b\\c", "d"]);
    }

    #[test]
    fn a_star_is_every_index() {
        let p = parse_key_path("workloads.*.rate").unwrap();
        assert_eq!(p[1], Segment::EveryIndex);
        // Quoted, a star is an ordinary key.
        assert_eq!(
            parse_key_path(r#"a."*""#).unwrap()[1],
            Segment::Key("*".into())
        );
    }

    #[test]
    fn malformed_paths_are_rejected_with_the_reason() {
        for (path, why) in [
            ("a..b", "empty segment"),
            (".a", "empty segment"),
            ("a.", "empty segment"),
            ("", "empty segment"),
            (r#"a."b"#, "unterminated quote"),
            (r#"a."b"c"#, "closing quote"),
            (r#"a.b"c""#, "only open"),
            (r#""a\n""#, "escaped"),
        ] {
            let e = parse_key_path(path).expect_err(path);
            assert!(e.contains(why), "{path}: {e}");
        }
    }

    #[test]
    fn rendering_quotes_only_the_segments_that_need_it_and_round_trips() {
        for path in [
            "scheduler.profile",
            "workloads.*.rate.constant.rps",
            r#"functions.1.labels."device.edgerun.io/accelerator""#,
            r#"a."*"."x\"y""#,
        ] {
            assert_eq!(render_key_path(&parse_key_path(path).unwrap()), path);
        }
        // Needless quotes are dropped.
        assert_eq!(
            render_key_path(&parse_key_path(r#""run".horizon_s"#).unwrap()),
            "run.horizon_s"
        );
    }

    #[test]
    fn an_assignment_splits_at_the_first_equals_sign_outside_quotes() {
        assert_eq!(split_assignment("a.b=1"), Some(("a.b", "1")));
        assert_eq!(
            split_assignment(r#"labels."x=y"=GPU"#),
            Some((r#"labels."x=y""#, "GPU"))
        );
        assert_eq!(split_assignment("a=b=c"), Some(("a", "b=c")));
        assert_eq!(split_assignment("a.b"), None);
    }
}
