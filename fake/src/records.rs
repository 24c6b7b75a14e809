//! The records of the fake's exchanges: each request it received ([`RecordedRequest`],
//! numbered, with its request id from [`request_id`]) and a response a fault-injection hook
//! sends instead of the fake's own answer ([`CannedResponse`]).

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::built;

/// The request id the fake gives its `n`-th request (0-based): cuid-shaped, unique per fake.
///
/// ```
/// assert_eq!(astro_tokens_fake::request_id(7), "cfakereq00000000000000007");
/// ```
pub fn request_id(n: usize) -> String {
    format!("cfakereq{n:017}")
}

/// A request the fake received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// The path as sent, still percent-encoded, version prefix included
    /// (`/v1/organizations/…/tokens`, `/platform/v1beta1/…`, `/iam/v1beta1/…`), so a test
    /// can tell which API version was called.
    pub path: String,
    /// The query string as sent (without `?`), if any.
    pub raw_query: Option<String>,
    /// Decoded query pairs in wire order (`+` decodes to a space).
    pub query: Vec<(String, String)>,
    /// Headers in received order, names lower-case; the `authorization` value is replaced
    /// by `"[redacted]"`.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    pub(crate) fn from_parts(parts: &Parts) -> Self {
        let raw_query = parts.uri.query().map(str::to_owned);
        let query = raw_query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = if name == AUTHORIZATION {
                    "[redacted]".to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        Self {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            raw_query,
            query,
            headers,
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every decoded value of query parameter `key`, in wire order.
    pub fn query_values(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A response to send instead of the fake's own answer (see
/// [`FakeApiBuilder::respond_with`](crate::FakeApiBuilder::respond_with)). The fake adds `x-request-id` unless `headers` has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannedResponse {
    /// HTTP status (an invalid code becomes 500).
    pub status: u16,
    /// Headers to send (invalid names or values are skipped).
    pub headers: Vec<(String, String)>,
    /// The body, sent as is.
    pub body: Vec<u8>,
}

impl CannedResponse {
    /// `value` serialized as JSON, with `content-type: application/json`.
    pub fn json(status: u16, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value)
            .unwrap_or_else(|e| format!("canned response failed to serialize: {e}").into_bytes());
        Self::text(status, "application/json", body)
    }

    /// `body` with the given content type.
    pub fn text(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// An `Error`-schema JSON body for request number `n`, whose `requestId` matches the
    /// `x-request-id` the fake will send.
    pub fn error(status: u16, n: usize, message: &str) -> Self {
        let body: astro_tokens::generated::types::Error = built(
            astro_tokens::generated::types::Error::builder()
                .message(message)
                .request_id(request_id(n))
                .status_code(i64::from(status)),
        );
        Self::json(status, &body)
    }

    /// Adds a header, e.g. `retry-after`.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}
