//! Turns progenitor's error into this SDK's [`Error`]: any non-2xx answer is an
//! [`Error::Api`] (status, message, request id, excerpt), whatever its body and whether or
//! not the fragment documents the status; a 2xx body that does not decode is an
//! [`Error::Decode`]; anything on the way is an [`Error::Transport`] that keeps reqwest's
//! error as its source.

use std::time::{Duration, SystemTime};

use crate::error::{ApiError, Error};
use crate::generated;
use crate::hooks::Observed;

/// How many bytes of a body an error keeps.
const EXCERPT_BYTES: usize = 160;

pub(crate) async fn from_progenitor(
    error: progenitor_client::Error<generated::types::Error>,
    observed: Observed,
) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::InvalidRequest(message) => {
            Error::invalid("request", message, "a request the fragment allows")
        }
        P::CommunicationError(e) | P::InvalidUpgrade(e) => transport(e, None),
        P::ResponseBodyError(e) => transport(e, observed.request_id),
        P::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let body = response.into_inner();
            let excerpt = serde_json::to_vec(&body)
                .map(|bytes| excerpt(&bytes))
                .unwrap_or_default();
            api(
                status,
                Some(body),
                observed.request_id,
                observed.retry_after,
                excerpt,
            )
        }
        P::InvalidResponsePayload(bytes, e) => match observed.status {
            // A status the fragment documents, with a body that is not the `Error` schema
            // (an HTML page from a gateway, say): still the API's answer.
            Some(status) if !(200..300).contains(&status) => api(
                status,
                None,
                observed.request_id,
                observed.retry_after,
                excerpt(&bytes),
            ),
            status => Error::Decode {
                status,
                request_id: observed.request_id,
                excerpt: excerpt(&bytes),
                source: Box::new(e),
            },
        },
        P::UnexpectedResponse(response) => unexpected(response, observed).await,
        P::Custom(message) => Error::config(message),
    }
}

/// A status the fragment does not document: the `Error` body if there is one, else a
/// short excerpt of what came.
async fn unexpected(response: reqwest::Response, observed: Observed) -> Error {
    let status = response.status().as_u16();
    let Observed {
        request_id,
        retry_after,
        ..
    } = observed;
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return transport(e, request_id),
    };
    if (200..300).contains(&status) {
        return Error::Decode {
            status: Some(status),
            request_id,
            excerpt: excerpt(&bytes),
            source: "a success status the API does not document".into(),
        };
    }
    let body = serde_json::from_slice::<generated::types::Error>(&bytes).ok();
    api(status, body, request_id, retry_after, excerpt(&bytes))
}

/// An [`Error::Api`] from what the answer held: the `Error` body when it was one.
fn api(
    status: u16,
    body: Option<generated::types::Error>,
    header_id: Option<String>,
    retry_after: Option<Duration>,
    excerpt: String,
) -> Error {
    let (message, request_id, field_errors) = match body {
        Some(body) => (
            body.message,
            Some(body.request_id)
                .filter(|id| !id.is_empty())
                .or(header_id),
            body.field_errors,
        ),
        None if excerpt.is_empty() => ("(empty body)".to_owned(), header_id, Vec::new()),
        None => (format!("unexpected body: {excerpt}"), header_id, Vec::new()),
    };
    Error::Api(Box::new(ApiError {
        status,
        message,
        request_id,
        field_errors,
        retry_after,
        excerpt,
    }))
}

fn transport(e: reqwest::Error, request_id: Option<String>) -> Error {
    Error::Transport {
        timeout: e.is_timeout(),
        connect: e.is_connect(),
        tls: is_tls(&e),
        request_id,
        source: Box::new(e),
    }
}

/// Whether the failure is TLS's: rustls reports a bad certificate or a failed handshake as
/// an `io::Error` of kind `InvalidData` under the connect error (a reset or a refusal has
/// a kind of its own), native-tls as its own error type. `io::Error::source` skips the
/// error it wraps, so the walk also goes through `get_ref`.
fn is_tls(e: &reqwest::Error) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = next {
        #[cfg(feature = "native-tls")]
        if error.downcast_ref::<native_tls::Error>().is_some() {
            return true;
        }
        next = match error.downcast_ref::<std::io::Error>() {
            Some(io) if io.kind() == std::io::ErrorKind::InvalidData => return true,
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static))
                .or_else(|| error.source()),
            None => error.source(),
        };
    }
    false
}

/// `Retry-After` as delay-seconds or an HTTP date in any of the three forms RFC 9110
/// (§10.2.3, §5.6.7) asks recipients to accept: IMF-fixdate, RFC 850 and asctime. A date
/// in the past means no wait.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The first bytes of a body as text, cut on a character boundary, whitespace folded.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(EXCERPT_BYTES)]);
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if bytes.len() > EXCERPT_BYTES {
        format!("{folded}…")
    } else {
        folded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn after(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).expect("header"));
        retry_after(&headers)
    }

    #[test]
    fn retry_after_reads_seconds_and_every_http_date_form() {
        assert_eq!(after("7"), Some(Duration::from_secs(7)));
        assert_eq!(after(" 0 "), Some(Duration::ZERO));
        // One future instant (2068-12-31T23:59:59Z) in the three forms RFC 9110 asks
        // recipients to accept: IMF-fixdate, RFC 850 (two-digit year) and asctime.
        let expected = SystemTime::UNIX_EPOCH + Duration::from_secs(3_124_223_999);
        let wait = expected
            .duration_since(SystemTime::now())
            .expect("2068 is ahead");
        for date in [
            "Mon, 31 Dec 2068 23:59:59 GMT",
            "Monday, 31-Dec-68 23:59:59 GMT",
            "Mon Dec 31 23:59:59 2068",
        ] {
            let got = after(date).unwrap_or_else(|| panic!("{date:?} not understood"));
            assert!(
                got <= wait && wait - got < Duration::from_secs(60),
                "{date:?}: {got:?}"
            );
        }
        assert_eq!(after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(after("soon"), None);
        assert_eq!(after("-3"), None);
    }

    #[test]
    fn excerpts_fold_whitespace_and_mark_a_cut() {
        assert_eq!(excerpt(b"<html>\n  <body>"), "<html> <body>");
        let long = "x".repeat(200);
        let cut = excerpt(long.as_bytes());
        assert!(cut.ends_with('…') && cut.chars().count() == EXCERPT_BYTES + 1);
    }
}
