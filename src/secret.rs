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
