//! The API token as a value that cannot leak: no `Debug`, `Display` or serde of its text.

use std::fmt;

/// A bearer token. Its text is reachable only to build the `Authorization` header,
/// which is marked sensitive; `Debug` prints `[redacted]`.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// `text` with every occurrence of the token replaced by `[redacted]`: for text a
    /// server sent back (a proxy page that echoes request headers, say).
    pub(crate) fn redact(&self, text: &mut String) {
        let token = self.0.trim();
        if token.is_empty() {
            return;
        }
        if text.contains(token) {
            *text = text.replace(token, "[redacted]");
        }
        // An excerpt cut short (ending in `…`) may end with the start of the token.
        let ellipsis = if text.ends_with('…') { "…" } else { "" };
        let kept = text.len() - ellipsis.len();
        let tail = (4..token.len())
            .rev()
            .filter(|&n| token.is_char_boundary(n))
            .find(|&n| text[..kept].ends_with(&token[..n]));
        if let Some(n) = tail {
            text.truncate(kept - n);
            text.push_str("[redacted]");
            text.push_str(ellipsis);
        }
    }

    /// The `Authorization` header value, marked sensitive so HTTP stacks never log it.
    /// The error, if any, deliberately says nothing of the token's text.
    pub(crate) fn header_value(&self) -> Result<reqwest::header::HeaderValue, &'static str> {
        let token = self.0.trim();
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

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn the_authorization_header_is_marked_sensitive() {
        let value = Secret::new("abc").header_value().expect("a header");
        assert!(value.is_sensitive());
        assert_eq!(format!("{value:?}"), "Sensitive");
        assert_eq!(format!("{:?}", Secret::new("abc")), "[redacted]");
    }

    #[test]
    fn redact_replaces_the_token_and_a_cut_off_start_of_it() {
        let secret = Secret::new("0123456789");
        let mut text = "a 0123456789 b 0123456789".to_owned();
        secret.redact(&mut text);
        assert_eq!(text, "a [redacted] b [redacted]");
        let mut cut = "body ends with 012345…".to_owned();
        secret.redact(&mut cut);
        assert_eq!(cut, "body ends with [redacted]…");
        let mut harmless = "no secret here 012".to_owned();
        secret.redact(&mut harmless);
        assert_eq!(
            harmless, "no secret here 012",
            "fewer than 4 characters are left alone"
        );
    }
}
