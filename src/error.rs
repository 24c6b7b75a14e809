//! The SDK's one error type. `Display` is one readable line, the cause is in `source()`
//! (never in both), and the token never appears in either.

use std::fmt;
use std::time::Duration;

use crate::generated;

/// The boxed cause of an error: a `reqwest::Error`, a `serde_json::Error`, ... Walk it with
/// [`std::error::Error::source`] and `downcast_ref`, or use `Error::find_source`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Anything that can go wrong in this SDK.
///
/// `Display` is one line, with control characters from the server folded to spaces; the
/// underlying error is returned by [`source()`](std::error::Error::source) and not repeated
/// in that line. Variants and their fields are `#[non_exhaustive]`: match with a wildcard
/// arm and `..`.
///
/// ```
/// fn chain(error: &dyn std::error::Error) -> String {
///     let mut line = error.to_string();
///     let mut next = error.source();
///     while let Some(cause) = next {
///         line = format!("{line}: {cause}");
///         next = cause.source();
///     }
///     line
/// }
/// # let error = "nope".parse::<astro_tokens::Sort>().unwrap_err();
/// # assert!(chain(&error).starts_with("invalid sort"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected before anything was sent.
    #[non_exhaustive]
    InvalidInput {
        /// The field or setter, e.g. `page_size`.
        field: &'static str,
        /// The rejected value, as given (never the token: that one reads `[redacted]`; a URL
        /// shows `[redacted]` in place of its user and password).
        value: String,
        /// What is allowed, e.g. `1..=1000`.
        allowed: String,
    },
    /// The API answered with a status other than 2xx, whatever its body.
    Api(Box<ApiError>),
    /// The request could not be sent or the response not read: connection, TLS, timeout,
    /// a connection reset. The cause (a `reqwest::Error`) is the [`source`](std::error::Error::source).
    #[non_exhaustive]
    Transport {
        /// Whether the time limit of the attempt ran out.
        timeout: bool,
        /// Whether it failed while connecting (TLS handshakes included).
        connect: bool,
        /// Whether TLS failed (a certificate the client does not trust, a failed
        /// handshake). Not retried: trying again meets the same certificate.
        tls: bool,
        /// The `x-request-id` if headers had arrived.
        request_id: Option<String>,
        /// The underlying error.
        source: BoxError,
    },
    /// A 2xx response arrived but its body is not what the fragment describes. The
    /// decoder's complaint (a `serde_json::Error`) is the [`source`](std::error::Error::source).
    #[non_exhaustive]
    Decode {
        /// The HTTP status, when known.
        status: Option<u16>,
        /// The server's request id, when known.
        request_id: Option<String>,
        /// The first bytes of the body, lossily decoded and folded, for the log.
        excerpt: String,
        /// The underlying error.
        source: BoxError,
    },
    /// The server's paging misbehaved (ignored `offset`, repeated a page, ...).
    #[non_exhaustive]
    Pagination {
        /// What was observed.
        message: String,
        /// The offset that was asked for.
        offset: u64,
    },
    /// The client could not be configured (missing environment variable, HTTP stack, ...).
    #[non_exhaustive]
    Config {
        /// What to fix.
        message: String,
    },
    /// The request's retry time limit ([`RetryPolicy::max_elapsed`](crate::RetryPolicy::max_elapsed))
    /// ran out: the error of the last attempt is the [`source`](std::error::Error::source)
    /// (none when the first attempt was still running).
    #[non_exhaustive]
    RetryLimit {
        /// The limit that was reached.
        max_elapsed: Duration,
        /// How long the request had run, attempts and waits included.
        elapsed: Duration,
        /// Attempts started (the last one may have been cut short by the limit).
        attempts: u32,
        /// The server's `Retry-After` that would have crossed the limit, if that was why.
        retry_after: Option<Duration>,
        /// The last attempt's error.
        last: Option<Box<Error>>,
    },
    /// A request was cancelled before it finished, because the tokio runtime running it
    /// is shutting down. Not a network failure, and not retried.
    #[non_exhaustive]
    Cancelled {
        /// The offset of the page whose request was cancelled.
        offset: u64,
    },
}

/// An error answer from the API (any status other than 2xx), with everything it said.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status code.
    pub status: u16,
    /// The API's `message` when the body is its `Error` schema; otherwise a short
    /// description of what came (`unexpected body: <html>…`).
    pub message: String,
    /// The API's `requestId`, else the `x-request-id` header.
    pub request_id: Option<String>,
    /// The API's `fieldErrors` (400 validation errors).
    pub field_errors: Vec<generated::types::FieldValidationError>,
    /// `Retry-After`, when the server sent one (seconds or any HTTP date form).
    pub retry_after: Option<Duration>,
    /// The first bytes of the body, lossily decoded and folded (empty for an empty body).
    pub excerpt: String,
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status),
            Self::Decode { status, .. } => *status,
            Self::RetryLimit { last, .. } => last.as_deref().and_then(Self::status),
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
            Self::RetryLimit { last, .. } => last.as_deref().and_then(Self::request_id),
            _ => None,
        }
    }

    /// How long the server asked to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(api) => api.retry_after,
            Self::RetryLimit {
                retry_after, last, ..
            } => retry_after.or_else(|| last.as_deref().and_then(Self::retry_after)),
            _ => None,
        }
    }

    /// Whether trying the same request again may succeed, judged by the status alone:
    /// 408, 429, 500, 502, 503 and 504, connection failures, resets and timeouts. Never
    /// other statuses, TLS failures, bodies that do not decode, invalid input or a
    /// cancelled request. After [`Error::RetryLimit`], whether the last attempt's error was.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => matches!(api.status, 408 | 429 | 500 | 502 | 503 | 504),
            Self::Transport { tls, .. } => !tls,
            Self::RetryLimit { last, .. } => last.as_deref().is_some_and(Self::is_retryable),
            _ => false,
        }
    }

    /// The API's field errors (empty unless a 400 carried them).
    pub fn field_errors(&self) -> &[generated::types::FieldValidationError] {
        match self {
            Self::Api(api) => &api.field_errors,
            Self::RetryLimit {
                last: Some(last), ..
            } => last.field_errors(),
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

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput {
                field,
                value,
                allowed,
            } => write!(
                f,
                "invalid {field}: {value:?} (allowed: {}); nothing was sent",
                OneLine(allowed)
            ),
            Self::Api(api) => api.fmt(f),
            Self::Transport {
                timeout,
                connect,
                tls,
                request_id,
                ..
            } => {
                f.write_str(match (tls, timeout, connect) {
                    (true, _, _) => "TLS failed while connecting to the API",
                    (false, true, true) => "timed out connecting to the API",
                    (false, true, false) => "the request to the API timed out",
                    (false, false, true) => "could not connect to the API",
                    (false, false, false) => "the connection to the API failed",
                })?;
                write_request_id(f, request_id.as_deref())
            }
            Self::Decode {
                status,
                request_id,
                excerpt,
                ..
            } => {
                if let Some(status) = status {
                    write!(f, "HTTP {status}: ")?;
                }
                write!(
                    f,
                    "the response body is not what the API describes; the body starts with: {}",
                    OneLine(excerpt)
                )?;
                write_request_id(f, request_id.as_deref())
            }
            Self::Pagination { message, offset } => {
                write!(f, "paging error at offset {offset}: {}", OneLine(message))
            }
            Self::Config { message } => write!(f, "configuration error: {}", OneLine(message)),
            Self::RetryLimit {
                max_elapsed,
                elapsed,
                attempts,
                retry_after,
                last,
            } => {
                write!(
                    f,
                    "gave up after {attempts} attempt{} in {:.1} s: the retry time limit (max_elapsed) is {:.1} s",
                    if *attempts == 1 { "" } else { "s" },
                    elapsed.as_secs_f64(),
                    max_elapsed.as_secs_f64(),
                )?;
                if let Some(wait) = retry_after {
                    write!(f, " and the server asked to wait {} s more", wait.as_secs())?;
                } else if last.is_none() {
                    f.write_str(" and the first attempt had not finished")?;
                }
                Ok(())
            }
            Self::Cancelled { offset } => write!(
                f,
                "the request for the page at offset {offset} was cancelled: the tokio runtime is shutting down"
            ),
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
            let (field, message, code) = (OneLine(&e.field), OneLine(&e.message), OneLine(&e.code));
            write!(f, "; {field}: {message} [{code}]")?;
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport { source, .. } | Self::Decode { source, .. } => Some(source.as_ref()),
            Self::RetryLimit { last, .. } => last
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

impl std::error::Error for ApiError {}
