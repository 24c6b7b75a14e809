//! Text shown to people: the one helper every human-facing output goes through (the
//! terminal tables, the audit's summary and markdown, the error line on stderr).
//!
//! Token names, role names and API messages come from the server. Shown as they are, a
//! newline could break a line or a table row, an escape sequence could drive the terminal,
//! and a bidirectional override could make `evil` read as `live`. So control characters
//! (C0, DEL, C1) and the invisible format characters that reorder or hide text (bidi
//! embeddings, overrides and isolates, zero-width characters, the BOM) are shown escaped,
//! as Rust writes them: `\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`. Everything else, including
//! non-ASCII letters, is kept.

use std::borrow::Cow;

/// `text` with every control or invisible format character escaped; borrowed when there
/// is none (the common case).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// Control characters, and the format characters that change what is displayed without
/// showing themselves.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'              // ARABIC LETTER MARK
            | '\u{200b}'..='\u{200f}' // zero-width space, (non-)joiner, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{feff}' // zero-width no-break space (BOM)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for text in ["ok name", "Élodie's token — ci/cd", "", "名前 ✓"] {
            assert!(
                matches!(printable(text), Cow::Borrowed(t) if t == text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn control_characters_are_escaped_visibly_on_one_line() {
        assert_eq!(
            printable("database\r\non fire\u{1b}[2J\tnow\u{7f}\u{85}!"),
            "database\\r\\non fire\\u{1b}[2J\\tnow\\u{7f}\\u{85}!"
        );
        let shown = printable("evil\u{1b}[31mred\n\u{0}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(shown.lines().count(), 1);
    }

    #[test]
    fn invisible_reordering_characters_are_escaped() {
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            printable("a\u{200b}b\u{2066}c\u{feff}"),
            "a\\u{200b}b\\u{2066}c\\u{feff}"
        );
        assert_eq!(printable("line\u{2028}break"), "line\\u{2028}break");
    }
}
