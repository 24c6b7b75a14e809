//! The SDK's one error type. `Display` is one readable line; the token never appears.

use std::fmt;

use crate::generated;

/// Anything that can go wrong in this SDK.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected before anything was sent.
    InvalidInput {
        /// The field or setter, e.g. `page_size`.
        field: &'static str,
        /// The rejected value, as given (never the token: that one reads `[redacted]`).
        value: String,
        /// What is allowed, e.g. `1..=1000`.
        allowed: String,
    },
    /// The API answered with an error status.
    Api(Box<ApiError>),
    /// The request could not be sent or the response not read: connection, TLS, timeout.
    Transport {
        /// What went wrong, without the token.
        message: String,
        /// Whether the time limit ran out.
        timeout: bool,
        /// Whether it failed while connecting.
        connect: bool,
        /// The `x-request-id` if headers had arrived.
        request_id: Option<String>,
    },
    /// A response arrived but its body is not what the fragment describes.
    Decode {
        /// The HTTP status, when known.
        status: Option<u16>,
        /// The server's request id, when known.
        request_id: Option<String>,
        /// The decoder's complaint.
        message: String,
        /// The first bytes of the body, lossily decoded, for the log.
        excerpt: String,
    },
    /// The server's paging misbehaved (ignored `offset`, repeated a page, ...).
    Pagination {
        /// What was observed.
        message: String,
        /// The offset that was asked for.
        offset: u64,
    },
    /// The client could not be configured (bad base URL, missing environment variable, ...).
    Config {
        /// What to fix.
        message: String,
    },
}

/// An error answer from the API, with everything it said.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The API's `message`, or a short excerpt of a body that was not the `Error` schema.
    pub message: String,
    /// The API's `requestId`, else the `x-request-id` header.
    pub request_id: Option<String>,
    /// The API's `fieldErrors` (400 validation errors).
    pub field_errors: Vec<generated::types::FieldValidationError>,
    /// `Retry-After`, in seconds, when the server sent one.
    pub retry_after: Option<std::time::Duration>,
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode { status, .. } => *status,
            _ => None,
        }
    }

    /// The server's request id, for support, when one is known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(api) => api.request_id.as_deref(),
            Self::Decode { request_id, .. } | Self::Transport { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// Whether trying the same request again may succeed: 429, 502, 503, 504, 408,
    /// connection failures and timeouts. Validation, authentication, not-found and
    /// undecodable bodies are never retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => matches!(api.status, 408 | 429 | 502 | 503 | 504),
            Self::Transport { .. } => true,
            _ => false,
        }
    }

    /// The API's field errors (empty unless a 400 carried them).
    pub fn field_errors(&self) -> &[generated::types::FieldValidationError] {
        match self {
            Self::Api(api) => &api.field_errors,
            _ => &[],
        }
    }

    pub(crate) fn invalid(
        field: &'static str,
        value: impl fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        Self::InvalidInput {
            field,
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }

    /// Removes the token from every text the server or the network contributed.
    pub(crate) fn without_secret(mut self, secret: &crate::secret::Secret) -> Self {
        match &mut self {
            Self::Api(api) => {
                secret.redact(&mut api.message);
                if let Some(id) = api.request_id.as_mut() {
                    secret.redact(id);
                }
                for e in &mut api.field_errors {
                    secret.redact(&mut e.message);
                    secret.redact(&mut e.field);
                    secret.redact(&mut e.code);
                }
            }
            Self::Transport { message, .. }
            | Self::Pagination { message, .. }
            | Self::Config { message } => secret.redact(message),
            Self::Decode {
                message, excerpt, ..
            } => {
                secret.redact(message);
                secret.redact(excerpt);
            }
            Self::InvalidInput { value, .. } => secret.redact(value),
        }
        self
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    /// One line: text that came from the server or the network is shown with control
    /// characters (newlines, escapes) folded to spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput {
                field,
                value,
                allowed,
            } => {
                write!(
                    f,
                    "invalid {field}: {value:?} (allowed: {}); nothing was sent",
                    OneLine(allowed)
                )
            }
            Self::Api(api) => api.fmt(f),
            Self::Transport {
                message,
                request_id,
                ..
            } => {
                write!(f, "transport error: {}", OneLine(message))?;
                write_request_id(f, request_id.as_deref())
            }
            Self::Decode {
                status,
                request_id,
                message,
                excerpt,
            } => {
                if let Some(status) = status {
                    write!(f, "HTTP {status}: ")?;
                }
                write!(
                    f,
                    "the response body is not what the API describes: {}; the body starts with: {}",
                    OneLine(message),
                    OneLine(excerpt)
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Self::Pagination { message, offset } => {
                write!(f, "paging error at offset {offset}: {}", OneLine(message))
            }
            Self::Config { message } => write!(f, "configuration error: {}", OneLine(message)),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        write!(
            f,
            "HTTP {} {reason}: {}",
            self.status,
            OneLine(&self.message)
        )?;
        for e in &self.field_errors {
            write!(
                f,
                "; {}: {} [{}]",
                OneLine(&e.field),
                OneLine(&e.message),
                OneLine(&e.code)
            )?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " (retry after {} s)", wait.as_secs())?;
        }
        write_request_id(f, self.request_id.as_deref())
    }
}

fn write_request_id(f: &mut fmt::Formatter<'_>, id: Option<&str>) -> fmt::Result {
    match id {
        Some(id) => write!(f, " (request id {})", OneLine(id)),
        None => Ok(()),
    }
}

/// Shows text with every control character (newline, carriage return, escape, ...) as a
/// space, so server-sent text cannot break the one-line `Display` or inject terminal codes.
struct OneLine<'a>(&'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        self.0
            .chars()
            .try_for_each(|c| f.write_char(if c.is_control() { ' ' } else { c }))
    }
}

impl std::error::Error for Error {}
