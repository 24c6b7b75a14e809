//! Turns progenitor's error into this SDK's [`Error`]: any non-2xx answer is an
//! [`Error::Api`] (status, message, request id, excerpt), whatever its body and whether or
//! not the fragment documents the status; a 2xx body that does not decode is an
//! [`Error::Decode`]; anything on the way is an [`Error::Transport`] that keeps reqwest's
//! error as its source.

use crate::attempt::Observed;
use crate::error::{ApiError, Error};
use crate::excerpt::excerpt;
use crate::generated;

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
            api(status, Some(body), observed, excerpt)
        }
        P::InvalidResponsePayload(bytes, e) => match observed.status {
            // A status the fragment documents, with a body that is not the `Error` schema
            // (an HTML page from a gateway, say): still the API's answer.
            Some(status) if !(200..300).contains(&status) => {
                api(status, None, observed, excerpt(&bytes))
            }
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
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return transport(e, observed.request_id),
    };
    if (200..300).contains(&status) {
        return Error::Decode {
            status: Some(status),
            request_id: observed.request_id,
            excerpt: excerpt(&bytes),
            source: "a success status the API does not document".into(),
        };
    }
    let body = serde_json::from_slice::<generated::types::Error>(&bytes).ok();
    api(status, body, observed, excerpt(&bytes))
}

/// An [`Error::Api`] from what the answer held: the `Error` body when it was one.
fn api(
    status: u16,
    body: Option<generated::types::Error>,
    observed: Observed,
    excerpt: String,
) -> Error {
    let header_id = observed.request_id;
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
        retry_after: observed.retry_after,
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
