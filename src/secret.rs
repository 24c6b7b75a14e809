//! The API token as a value that cannot leak: no `Debug`, `Display` or serde of its text,
//! and a scrubber for text a server echoes back.

use std::fmt;

use crate::error::BoxError;

/// What replaces the token wherever it is found.
const REDACTED: &str = "[redacted]";

/// The shortest start of the token that is scrubbed when a cut-off excerpt ends with it.
const MIN_CUT_PREFIX: usize = 8;

/// A bearer token. Its text is reachable only to build the `Authorization` header,
/// which is marked sensitive; `Debug` prints `[redacted]`.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    fn text(&self) -> &str {
        self.0.trim()
    }

    /// Replaces the token in `text` (a server's message, a body excerpt) with
    /// `[redacted]` wherever it really appears: as a whole, not glued to letters or digits
    /// on either side. So a one-letter token `t` is scrubbed from `Bearer t` but leaves
    /// `expected value` alone, and a long token is scrubbed wherever a server echoes it.
    /// An excerpt cut short (ending in `…`) that ends with the first
    /// [`MIN_CUT_PREFIX`] or more characters of the token loses them too.
    pub(crate) fn redact(&self, text: &mut String) {
        let token = self.text();
        if token.is_empty() {
            return;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(token) {
            out.push_str(&rest[..at]);
            let after = &rest[at + token.len()..];
            if is_boundary(out.chars().next_back()) && is_boundary(after.chars().next()) {
                out.push_str(REDACTED);
                rest = after;
            } else {
                // Text that merely contains the token: keep one character and go on.
                let first = rest[at..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&rest[at..at + first]);
                rest = &rest[at + first..];
            }
        }
        out.push_str(rest);
        self.redact_cut_tail(&mut out);
        *text = out;
    }

    /// The end of an excerpt cut through the token (`…Bearer abcdefgh…`).
    fn redact_cut_tail(&self, text: &mut String) {
        let token = self.text();
        let ellipsis = if text.ends_with('…') { "…" } else { return };
        let kept = text.len() - ellipsis.len();
        let cut = (MIN_CUT_PREFIX..token.len())
            .rev()
            .filter(|&n| token.is_char_boundary(n))
            .find(|&n| {
                text[..kept].ends_with(&token[..n])
                    && is_boundary(text[..kept - n].chars().next_back())
            });
        if let Some(n) = cut {
            text.truncate(kept - n);
            text.push_str(REDACTED);
            text.push_str(ellipsis);
        }
    }

    /// Replaces `source` by a plain error of its scrubbed text when the token appears
    /// anywhere in its chain (a decoder quoting a value the server echoed, say); leaves it
    /// as it is (so callers can downcast it) otherwise.
    pub(crate) fn redact_source(&self, source: &mut BoxError) {
        let mut chain = Vec::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        while let Some(error) = next {
            chain.push(error.to_string());
            next = error.source();
        }
        let joined = chain.join(": ");
        let mut scrubbed = joined.clone();
        self.redact(&mut scrubbed);
        if scrubbed != joined {
            *source = Box::new(Scrubbed(scrubbed));
        }
    }

    /// The `Authorization` header value, marked sensitive so HTTP stacks never log it.
    /// The error, if any, deliberately says nothing of the token's text.
    pub(crate) fn header_value(&self) -> Result<reqwest::header::HeaderValue, &'static str> {
        let token = self.text();
        if token.is_empty() {
            return Err("the token is empty");
        }
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(
                |_| "the token contains characters not allowed in an HTTP header (e.g. a newline)",
            )?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Whether the character next to a match (none at either end of the text) lets it count as
/// the token itself: anything but a letter or a digit.
fn is_boundary(next_to: Option<char>) -> bool {
    next_to.is_none_or(|c| !c.is_alphanumeric())
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// An error chain whose text held the token, kept as its scrubbed text.
#[derive(Debug)]
struct Scrubbed(String);

impl fmt::Display for Scrubbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Scrubbed {}

#[cfg(test)]
mod tests {
    use super::Secret;

    fn redacted(token: &str, text: &str) -> String {
        let mut text = text.to_owned();
        Secret::new(token).redact(&mut text);
        text
    }

    #[test]
    fn the_authorization_header_is_marked_sensitive() {
        let value = Secret::new("abc").header_value().expect("a header");
        assert!(value.is_sensitive());
        assert_eq!(format!("{value:?}"), "Sensitive");
        assert_eq!(format!("{:?}", Secret::new("abc")), "[redacted]");
    }

    #[test]
    fn a_long_token_is_scrubbed_wherever_a_server_echoes_it() {
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl-_x";
        for (text, expected) in [
            (format!("a {token} b {token}"), "a [redacted] b [redacted]"),
            (format!("Bearer {token}"), "Bearer [redacted]"),
            (
                format!("{{\"auth\":\"{token}\"}}"),
                "{\"auth\":\"[redacted]\"}",
            ),
            (
                format!("?access_token={token}&x=1"),
                "?access_token=[redacted]&x=1",
            ),
            (token.to_owned(), "[redacted]"),
            (format!("<pre>{token}</pre>"), "<pre>[redacted]</pre>"),
        ] {
            assert_eq!(redacted(token, &text), expected, "{text}");
        }
    }

    #[test]
    fn a_short_token_leaves_the_words_that_contain_it_alone() {
        for (token, text, expected) in [
            (
                "t",
                "expected value at line 1 column 1",
                "expected value at line 1 column 1",
            ),
            ("t", "Bearer t", "Bearer [redacted]"),
            (
                "t",
                "token=t; t, (t)",
                "token=[redacted]; [redacted], ([redacted])",
            ),
            ("abc", "abcdef xabc abc.", "abcdef xabc [redacted]."),
            ("1234", "port 12345 and 1234", "port 12345 and [redacted]"),
            ("é", "café é", "café [redacted]"),
        ] {
            assert_eq!(redacted(token, text), expected, "{token:?} in {text:?}");
        }
    }

    #[test]
    fn an_excerpt_cut_through_the_token_loses_the_cut_start() {
        let token = "0123456789abcdef";
        assert_eq!(
            redacted(token, "body ends with 0123456789…"),
            "body ends with [redacted]…"
        );
        // Fewer than 8 characters, or glued to a word, or no ellipsis: left alone.
        for text in ["no secret here 0123…", "word0123456789…", "ends 0123456789"] {
            assert_eq!(redacted(token, text), text);
        }
    }

    #[test]
    fn a_source_chain_that_quotes_the_token_is_replaced_by_its_scrubbed_text() {
        let secret = Secret::new("s3cr3t-token-value");
        let mut quoting: crate::error::BoxError = Box::new(std::io::Error::other(
            "invalid type: string \"s3cr3t-token-value\"",
        ));
        secret.redact_source(&mut quoting);
        assert_eq!(quoting.to_string(), "invalid type: string \"[redacted]\"");
        let mut clean: crate::error::BoxError = Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        ));
        secret.redact_source(&mut clean);
        let io = clean.downcast_ref::<std::io::Error>().expect("left as is");
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset);
    }
}
