//! How an error reaches the terminal: its chain of causes joined once, and long user strings cut.
//!
//! Library errors often already include their cause's text (`path: No such file or directory`)
//! and also expose it as their source; printing the chain naively repeats the OS error. And an
//! error may echo what the user wrote (an unknown name, a bad value): a 200 KB string must not
//! flood the terminal.

/// The longest run of characters without whitespace that is echoed in full.
pub(crate) const MAX_ECHOED_CHARS: usize = 200;

/// The message of `e` and of each cause not already contained in it, joined with `: `, with
/// long words cut by [`shorten_words`].
pub(crate) fn render(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    shorten_words(&out, MAX_ECHOED_CHARS)
}

/// `text` with every run of more than `max` non-whitespace characters cut to `max` characters
/// and `…`, the closing quote or backtick kept so the message still reads well.
pub(crate) fn shorten_words(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let n = word.chars().count();
        if n > max {
            let closing: String = word
                .chars()
                .rev()
                .take_while(|c| matches!(c, '`' | '"' | '\'' | ')' | ',' | ';' | ':'))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            out.extend(word.chars().take(max));
            out.push('…');
            out.push_str(&closing);
            out.push_str(&format!(" ({n} characters)"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let text = io.to_string();
        #[derive(Debug, thiserror::Error)]
        #[error("/x/.lock: {0}")]
        struct Wrapped(#[source] std::io::Error);
        let e = anyhow::Error::new(Wrapped(io));
        assert_eq!(render(&e), format!("/x/.lock: {text}"));
    }

    #[test]
    fn a_new_cause_is_appended_once() {
        let e = anyhow::anyhow!("disk full").context("writing /d/runs");
        assert_eq!(render(&e), "writing /d/runs: disk full");
    }

    #[test]
    fn long_user_strings_are_cut_with_an_ellipsis_and_their_length() {
        let long = "x".repeat(200_000);
        let shown = shorten_words(&format!("unknown profile `{long}` (valid: a, b)"), 200);
        assert!(shown.len() < 400, "{}", shown.len());
        assert!(
            shown.contains("…` (200002 characters) (valid: a, b)"),
            "{shown}"
        );
        assert_eq!(shorten_words("short words stay", 200), "short words stay");
    }
}
