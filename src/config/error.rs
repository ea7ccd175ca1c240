//! The configuration error type and the "did you mean" suggestion every configuration check uses.
//!
//! Kept apart from loading and validation so both depend on it without depending on each other.

/// A configuration error: the file, the key path inside it (`deployments[2].scaling.scale_max`,
/// empty for the whole file) and what was wrong.
///
/// Displays as `{file}: {key_path}: {message}`, or `{file}: {message}` when the key path is empty.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", path_prefix(.key_path))]
pub struct ConfigError {
    /// The file the configuration came from (as given by the caller).
    pub file: String,
    /// Dotted key path with array indices in brackets (`workloads[0].rate.constant.rps`).
    pub key_path: String,
    /// What was wrong and, where possible, what was expected.
    pub message: String,
}

fn path_prefix(key_path: &str) -> String {
    if key_path.is_empty() {
        String::new()
    } else {
        format!("{key_path}: ")
    }
}

impl ConfigError {
    /// An error at `key_path` in `file`.
    pub fn new(
        file: impl Into<String>,
        key_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigError {
            file: file.into(),
            key_path: key_path.into(),
            message: message.into(),
        }
    }

    /// The same error, attributed to `file`.
    pub fn in_file(mut self, file: &str) -> Self {
        self.file = file.to_string();
        self
    }
}

/// The valid name closest to `unknown`: the nearest within edit distance 2 (first one on ties),
/// else the first that one of the two is a prefix of.
pub(crate) fn suggest<'a>(unknown: &str, valid: &[&'a str]) -> Option<&'a str> {
    let nearest = valid
        .iter()
        .map(|v| (levenshtein(unknown, v), *v))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v);
    nearest.or_else(|| {
        valid.iter().copied().find(|v| {
            let shorter = unknown.len().min(v.len());
            shorter >= 3 && (v.starts_with(unknown) || unknown.starts_with(v))
        })
    })
}

/// Edit distance (insertions, deletions, substitutions) between `a` and `b`, over chars.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("scale_maxx", "scale_max"), 1);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn suggestions_prefer_edit_distance_then_prefix() {
        assert_eq!(
            suggest("scale_mx", &["scale_min", "scale_max"]),
            Some("scale_max")
        );
        assert_eq!(
            suggest("target_average", &["alert_window", "target_average_rps"]),
            Some("target_average_rps")
        );
        assert_eq!(suggest("zzz", &["alpha", "beta"]), None);
    }
}
