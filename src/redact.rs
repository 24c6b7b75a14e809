//! Keeping the API token out of errors: text a server or a decoder echoes back is scrubbed
//! where the token appears as a whole, and a cause whose text held it is wrapped in
//! [`Redacted`], which shows the scrubbed text and keeps the typed cause for code.

use std::fmt;

use crate::error::{BoxError, Error};

/// What replaces the token (or another secret) wherever it is found.
pub(crate) const REDACTED: &str = "[redacted]";

/// The shortest start of the token that is scrubbed when a cut-off excerpt ends with it.
const MIN_CUT_PREFIX: usize = 8;

/// A cause whose text held the API token (a decoder quoting a value a server echoed, say).
/// `Display` and `Debug` show its whole chain's text with the token scrubbed, and
/// `source()` is `None` (the chain is in that text); the typed cause stays reachable
/// through [`get_ref`](Self::get_ref) or [`Error::find_source`], for code only: its own
/// text holds the token, so never print it.
pub struct Redacted {
    text: String,
    inner: BoxError,
}

impl Redacted {
    /// The original cause, for `downcast_ref`. Its text holds the token: do not print it.
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.inner.as_ref()
    }

    /// The original cause, consumed. Its text holds the token: do not print it.
    pub fn into_inner(self) -> BoxError {
        self.inner
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Redacted").field(&self.text).finish()
    }
}

impl std::error::Error for Redacted {}

impl Error {
    /// The first error of type `T` in the [`source`](std::error::Error::source) chain,
    /// looking inside a [`Redacted`](crate::Redacted) cause too (a cause whose text held
    /// the token). For example `error.find_source::<std::io::Error>()`.
    pub fn find_source<T: std::error::Error + 'static>(&self) -> Option<&T> {
        let mut next = std::error::Error::source(self);
        while let Some(error) = next {
            if let Some(found) = error.downcast_ref::<T>() {
                return Some(found);
            }
            next = match error.downcast_ref::<Redacted>() {
                Some(redacted) => Some(redacted.get_ref()),
                None => error.source(),
            };
        }
        None
    }

    /// Removes `token` from every text the server or the network contributed, the source
    /// chain included.
    pub(crate) fn without_secret(mut self, token: &str) -> Self {
        let token = token.trim();
        let scrub = |text: &mut String| *text = redact(token, text);
        match &mut self {
            Self::Api(api) => {
                scrub(&mut api.message);
                scrub(&mut api.excerpt);
                api.request_id.iter_mut().for_each(scrub);
                for e in &mut api.field_errors {
                    [&mut e.message, &mut e.field, &mut e.code]
                        .into_iter()
                        .for_each(scrub);
                }
            }
            Self::Transport {
                source, request_id, ..
            } => {
                *source = wrap_if_it_quotes(token, std::mem::replace(source, "".into()));
                request_id.iter_mut().for_each(scrub);
            }
            Self::Decode {
                excerpt,
                source,
                request_id,
                ..
            } => {
                scrub(excerpt);
                *source = wrap_if_it_quotes(token, std::mem::replace(source, "".into()));
                request_id.iter_mut().for_each(scrub);
            }
            Self::Pagination { message, .. } | Self::Config { message } => scrub(message),
            Self::InvalidInput { value, .. } => scrub(value),
            Self::RetryLimit { last, .. } => {
                if let Some(inner) = last.take() {
                    *last = Some(Box::new(inner.without_secret(token)));
                }
            }
            Self::Cancelled { .. } => {}
        }
        self
    }
}

/// Wraps `source` in a [`Redacted`] when the token appears anywhere in its chain's text;
/// leaves it as it is (so callers can downcast it directly) otherwise.
fn wrap_if_it_quotes(token: &str, source: BoxError) -> BoxError {
    let mut chain = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
    while let Some(error) = next {
        chain.push(error.to_string());
        next = error.source();
    }
    let joined = chain.join(": ");
    let text = redact(token, &joined);
    if text == joined {
        return source;
    }
    Box::new(Redacted {
        text,
        inner: source,
    })
}

/// `text` with the token replaced by `[redacted]` wherever it appears as a whole, not glued
/// to letters or digits on either side: a one-letter token `t` is scrubbed from `Bearer t`
/// but leaves `expected value` alone. An excerpt cut short (ending in `…`) that ends with
/// the first [`MIN_CUT_PREFIX`] or more characters of the token loses them too.
pub(crate) fn redact(token: &str, text: &str) -> String {
    if token.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
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
    if let Some(kept) = out.strip_suffix('…').map(str::len) {
        let cut = (MIN_CUT_PREFIX..token.len())
            .rev()
            .filter(|&n| token.is_char_boundary(n))
            .find(|&n| {
                out[..kept].ends_with(&token[..n])
                    && is_boundary(out[..kept - n].chars().next_back())
            });
        if let Some(n) = cut {
            out.truncate(kept - n);
            out.push_str(REDACTED);
            out.push('…');
        }
    }
    out
}

/// Whether the character next to a match (none at either end of the text) lets it count as
/// the token itself: anything but a letter or a digit.
fn is_boundary(next_to: Option<char>) -> bool {
    next_to.is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(redact(token, &text), expected, "{text}");
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
            assert_eq!(redact(token, text), expected, "{token:?} in {text:?}");
        }
    }

    #[test]
    fn an_excerpt_cut_through_the_token_loses_the_cut_start() {
        let token = "0123456789abcdef";
        assert_eq!(
            redact(token, "body ends with 0123456789…"),
            "body ends with [redacted]…"
        );
        // Fewer than 8 characters, or glued to a word, or no ellipsis: left alone.
        for text in ["no secret here 0123…", "word0123456789…", "ends 0123456789"] {
            assert_eq!(redact(token, text), text);
        }
    }

    #[test]
    fn a_cause_that_quotes_the_token_is_wrapped_and_stays_downcastable() {
        let token = "s3cr3t-token-value";
        let decode =
            serde_json::from_str::<u64>(&format!("\"{token}\"")).expect_err("not a number");
        let error = Error::Decode {
            status: Some(200),
            request_id: None,
            excerpt: String::new(),
            source: Box::new(decode),
        }
        .without_secret(token);
        let cause = std::error::Error::source(&error).expect("a cause");
        for text in [
            cause.to_string(),
            format!("{cause:?}"),
            format!("{error:?}"),
        ] {
            assert!(!text.contains(token), "{text}");
        }
        assert!(cause.to_string().contains("[redacted]"), "{cause}");
        let redacted = cause.downcast_ref::<Redacted>().expect("wrapped");
        let typed = redacted
            .get_ref()
            .downcast_ref::<serde_json::Error>()
            .expect("typed");
        assert!(typed.is_data());
        assert!(error.find_source::<serde_json::Error>().is_some());

        // A cause that does not quote it is left as it is.
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        let error = Error::Transport {
            timeout: false,
            connect: false,
            tls: false,
            request_id: None,
            source: Box::new(reset),
        }
        .without_secret(token);
        let io = std::error::Error::source(&error)
            .and_then(|c| c.downcast_ref::<std::io::Error>())
            .expect("left as is");
        assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset);
        assert!(error.find_source::<std::io::Error>().is_some());
    }
}
