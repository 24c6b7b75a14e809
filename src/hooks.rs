//! The one cross-cutting concern of every HTTP exchange: a tracing span per request
//! attempt, `astro_tokens.request`, with the operation id as the fragment spells it
//! (`ListApiTokens`), method, URL (never headers, so never the token), attempt number,
//! status, the server's request id and the duration of the whole attempt (headers and
//! body); and a note of the status and request id for the error conversion (progenitor
//! drops them when a body cannot be decoded). Nothing is printed unless the application
//! installs a `tracing` subscriber.
//!
//! [`observe`] opens the span around one attempt (sending, reading and decoding); the
//! `ClientHooks::exec` override fills in what only the request knows. It is implemented for
//! `generated::Client` itself, which takes precedence over the generated blanket
//! `impl ClientHooks for &Client` (progenitor's documented auto-ref override), so a request
//! sent through the generated builder directly gets a span of its own too.

use std::cell::RefCell;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;
use tracing::field::Empty;

use crate::error::Error;
use crate::generated;

/// What the hook saw of the current attempt's response.
#[derive(Debug, Default, Clone)]
pub(crate) struct Observed {
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<std::time::Duration>,
}

/// Per-attempt context, set by the wrapper around one generated `send()`.
pub(crate) struct Attempt {
    pub(crate) span: tracing::Span,
    pub(crate) observed: RefCell<Observed>,
}

tokio::task_local! {
    static ATTEMPT: Attempt;
}

/// Runs one attempt (sending, reading, decoding) in its span and context. The attempt
/// calls [`observed`] after sending to learn what the hook saw. When the response had no
/// `x-request-id` header, the request id of the error body (if any) goes in the span.
pub(crate) async fn observe<T>(
    number: u32,
    attempt: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let span = request_span(OPERATION_ID, number);
    let context = Attempt {
        span: span.clone(),
        observed: RefCell::new(Observed::default()),
    };
    let started = Instant::now();
    let output = ATTEMPT
        .scope(context, async {
            let output = attempt.await;
            if let Err(error) = &output
                && let Some(id) = error.request_id()
                && observed().request_id.is_none()
            {
                span.record("request_id", id);
            }
            output
        })
        .instrument(span.clone())
        .await;
    span.record("duration_ms", elapsed_ms(started));
    output
}

/// What the hook saw of the current attempt's response (nothing outside [`observe`]).
pub(crate) fn observed() -> Observed {
    ATTEMPT
        .try_with(|c| c.observed.borrow().clone())
        .unwrap_or_default()
}

/// The operation id as the fragment spells it; progenitor hands the hook its snake_case
/// method name instead.
pub(crate) const OPERATION_ID: &str = "ListApiTokens";

fn fragment_operation_id(generated: &'static str) -> &'static str {
    match generated {
        "list_api_tokens" => OPERATION_ID,
        other => other,
    }
}

fn request_span(operation_id: &'static str, attempt: u32) -> tracing::Span {
    tracing::info_span!(
        "astro_tokens.request",
        operation_id,
        method = Empty,
        url = Empty,
        attempt,
        status = Empty,
        request_id = Empty,
        duration_ms = Empty,
    )
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// The header the API (and most proxies) use for the request id.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request id a response's headers carry, if any.
pub(crate) fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl ClientHooks<()> for generated::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // Inside `observe`: its span. Called through the generated builder directly: a new
        // one, whose duration then covers the response headers only.
        let (span, own_span) = match ATTEMPT.try_with(|c| c.span.clone()) {
            Ok(span) => (span, false),
            Err(_) => (
                request_span(fragment_operation_id(info.operation_id), 1),
                true,
            ),
        };
        span.record("method", tracing::field::display(request.method()));
        span.record("url", tracing::field::display(request.url()));
        let started = Instant::now();
        let result = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        let elapsed = elapsed_ms(started);
        if own_span {
            span.record("duration_ms", elapsed);
        }
        match &result {
            Ok(response) => {
                let status = response.status().as_u16();
                let request_id = request_id(response.headers());
                // Only an error answer's wait matters; a page's headers are not parsed.
                let retry_after = (!response.status().is_success())
                    .then(|| crate::convert::retry_after(response.headers()))
                    .flatten();
                span.record("status", status);
                if let Some(id) = &request_id {
                    span.record("request_id", id.as_str());
                }
                span.in_scope(|| {
                    tracing::debug!(status, duration_ms = elapsed, "response headers received")
                });
                let _ = ATTEMPT.try_with(|c| {
                    *c.observed.borrow_mut() = Observed {
                        status: Some(status),
                        request_id,
                        retry_after,
                    };
                });
            }
            Err(error) => {
                span.in_scope(|| {
                    tracing::debug!(
                        timeout = error.is_timeout(),
                        connect = error.is_connect(),
                        "request failed"
                    )
                });
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_uses_the_operation_id_as_the_fragment_spells_it() {
        let fragment = include_str!("../openapi/tokens.yaml");
        assert!(fragment.contains(&format!("operationId: {OPERATION_ID}")));
        assert_eq!(fragment_operation_id("list_api_tokens"), "ListApiTokens");
        assert_eq!(fragment_operation_id("other_op"), "other_op");
    }
}
