//! Turns progenitor's error into this SDK's [`Error`], keeping the status, the API's
//! message and request id, and a short excerpt of bodies that are not JSON.

use std::time::Duration;

use crate::error::{ApiError, Error};
use crate::generated;
use crate::hooks::{Observed, REQUEST_ID_HEADER};

/// How many bytes of an unexpected body an error keeps.
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
        P::CommunicationError(e) | P::InvalidUpgrade(e) => transport(&e, None),
        P::ResponseBodyError(e) => transport(&e, observed.request_id),
        P::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let header_id = header_request_id(response.headers());
            let body = response.into_inner();
            Error::Api(Box::new(ApiError {
                status,
                message: body.message,
                request_id: Some(body.request_id)
                    .filter(|id| !id.is_empty())
                    .or(header_id),
                field_errors: body.field_errors,
                retry_after,
            }))
        }
        P::InvalidResponsePayload(bytes, e) => Error::Decode {
            status: observed.status,
            request_id: observed.request_id,
            message: e.to_string(),
            excerpt: excerpt(&bytes),
        },
        P::UnexpectedResponse(response) => unexpected(response).await,
        P::Custom(message) => Error::config(message),
    }
}

/// A status the fragment does not document: use the `Error` body if there is one,
/// else a short excerpt of what came (an HTML page from a proxy, say).
async fn unexpected(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let request_id = header_request_id(response.headers());
    let retry_after = retry_after(response.headers());
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return transport(&e, request_id),
    };
    if (200..300).contains(&status) {
        return Error::Decode {
            status: Some(status),
            request_id,
            message: "a success status the API does not document".to_owned(),
            excerpt: excerpt(&bytes),
        };
    }
    let (message, request_id, field_errors) =
        match serde_json::from_slice::<generated::types::Error>(&bytes) {
            Ok(body) => (
                body.message,
                Some(body.request_id)
                    .filter(|id| !id.is_empty())
                    .or(request_id),
                body.field_errors,
            ),
            Err(_) if bytes.is_empty() => ("(empty body)".to_owned(), request_id, Vec::new()),
            Err(_) => (
                format!("unexpected body: {}", excerpt(&bytes)),
                request_id,
                Vec::new(),
            ),
        };
    Error::Api(Box::new(ApiError {
        status,
        message,
        request_id,
        field_errors,
        retry_after,
    }))
}

fn transport(e: &reqwest::Error, request_id: Option<String>) -> Error {
    Error::Transport {
        message: chain(e),
        timeout: e.is_timeout(),
        connect: e.is_connect(),
        request_id,
    }
}

/// The error and its causes on one line ("error sending request: ...: connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn header_request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Retry-After` as seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
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
