//! What of a body an error quotes: its first bytes, whitespace folded, with the value of
//! every property the fragment marks secret (`format: password`, such as a token's own
//! `token`) hidden, so a success body that fails to decode cannot carry a token into an
//! error message.

use crate::generated::sensitive::PROPERTIES;
use crate::redact::REDACTED;

/// How many bytes of a body an error keeps.
const EXCERPT_BYTES: usize = 160;

/// How far past the excerpt secret values are looked for: a value that starts inside the
/// excerpt is hidden whole, up to its closing quote or the end of this window.
const LOOKAHEAD_BYTES: usize = 4096;

/// The first [`EXCERPT_BYTES`] of a body as text, secret values hidden, whitespace folded,
/// cut on a character boundary and ending in `…` when anything was left out.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let window = &bytes[..bytes.len().min(EXCERPT_BYTES + LOOKAHEAD_BYTES)];
    let text = without_secret_values(&String::from_utf8_lossy(window));
    let mut folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = folded.len() > EXCERPT_BYTES || bytes.len() > window.len();
    if folded.len() > EXCERPT_BYTES {
        let end = (0..=EXCERPT_BYTES)
            .rev()
            .find(|&n| folded.is_char_boundary(n))
            .unwrap_or(0);
        folded.truncate(end);
    }
    if cut {
        folded.push('…');
    }
    folded
}

/// `text` (JSON, perhaps cut short or malformed) with the string value of every secret
/// property replaced by `[redacted]`, up to its closing quote or the end of the text.
fn without_secret_values(text: &str) -> String {
    let mut out = text.to_owned();
    for name in PROPERTIES {
        let key = format!("\"{name}\"");
        let mut from = 0;
        while let Some(found) = out[from..].find(&key) {
            let after_key = from + found + key.len();
            let value = out[after_key..]
                .trim_start()
                .strip_prefix(':')
                .map(str::trim_start)
                .and_then(|rest| rest.strip_prefix('"'));
            let Some(value) = value else {
                from = after_key;
                continue;
            };
            let start = out.len() - value.len();
            let end = closing_quote(value).map_or(out.len(), |at| start + at);
            out.replace_range(start..end, REDACTED);
            from = start + REDACTED.len();
        }
    }
    out
}

/// Where the JSON string starting at `s` (after its opening quote) ends.
fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (at, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(at),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_fold_whitespace_and_mark_a_cut() {
        assert_eq!(excerpt(b"<html>\n  <body>"), "<html> <body>");
        let long = "x".repeat(200);
        let cut = excerpt(long.as_bytes());
        assert!(cut.ends_with('…') && cut.chars().count() == EXCERPT_BYTES + 1);
        let multibyte = "é".repeat(200);
        let cut = excerpt(multibyte.as_bytes());
        assert!(cut.ends_with('…') && cut.len() <= EXCERPT_BYTES + '…'.len_utf8());
    }

    #[test]
    fn the_fragment_marks_the_token_value_secret() {
        assert!(PROPERTIES.contains(&"token"), "{PROPERTIES:?}");
    }

    #[test]
    fn secret_values_are_hidden_whole_even_cut_or_escaped() {
        for (body, expected) in [
            (
                r#"{"tokens":[{"id":"1","token":"s3cr3t","name":"n"}]}"#,
                r#"{"tokens":[{"id":"1","token":"[redacted]","name":"n"}]}"#,
            ),
            (
                "{\"token\" :\n \"s3\\\"cr3t\", \"x\":1}",
                "{\"token\" : \"[redacted]\", \"x\":1}",
            ),
            (
                r#"{"token":"s3cr3t-unterminated"#,
                r#"{"token":"[redacted]"#,
            ),
            (
                r#"{"token":null,"tokens":[],"token":"a","token":"b"}"#,
                r#"{"token":null,"tokens":[],"token":"[redacted]","token":"[redacted]"}"#,
            ),
            (
                r#"{"name":"\"token\": \"kept\""}"#,
                r#"{"name":"\"token\": \"kept\""}"#,
            ),
        ] {
            assert_eq!(excerpt(body.as_bytes()), expected, "{body}");
        }
        // A value that starts inside the excerpt and runs past it is hidden too.
        let long_secret = "k".repeat(500);
        let body = format!(r#"{{"token":"{long_secret}"}}"#);
        let shown = excerpt(body.as_bytes());
        assert_eq!(shown, r#"{"token":"[redacted]"}"#);
    }
}
