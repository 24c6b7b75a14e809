//! The one cross-cutting concern of every HTTP exchange, as progenitor's `ClientHooks`:
//! a tracing span per request (operation, method, URL, attempt, status, request id,
//! duration; never headers, so never the token), and a note of the status and request id
//! for the error conversion (progenitor drops them when a body cannot be decoded).
//!
//! Implemented for `generated::Client` itself, which takes precedence over the generated
//! blanket `impl ClientHooks for &Client` (progenitor's documented auto-ref override).

use std::cell::RefCell;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;

use crate::generated;

/// What the hook saw of the current attempt's response.
#[derive(Debug, Default, Clone)]
pub(crate) struct Observed {
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
}

/// Per-attempt context, set by the wrapper around one generated `send()`.
pub(crate) struct Attempt {
    pub(crate) number: u32,
    pub(crate) observed: RefCell<Observed>,
}

tokio::task_local! {
    static ATTEMPT: Attempt;
}

/// Runs one attempt's future with its context; returns the output and what the hook saw.
pub(crate) async fn observe<F: Future>(number: u32, attempt: F) -> (F::Output, Observed) {
    let context = Attempt {
        number,
        observed: RefCell::new(Observed::default()),
    };
    ATTEMPT
        .scope(context, async move {
            let output = attempt.await;
            let observed = ATTEMPT.with(|c| c.observed.borrow().clone());
            (output, observed)
        })
        .await
}

/// The header the API (and most proxies) use for the request id.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

impl ClientHooks<()> for generated::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let attempt = ATTEMPT.try_with(|c| c.number).unwrap_or(1);
        let span = tracing::info_span!(
            "astro_tokens.request",
            operation_id = info.operation_id,
            method = %request.method(),
            url = %request.url(),
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        span.record("duration_ms", elapsed);
        match &result {
            Ok(response) => {
                let status = response.status().as_u16();
                let request_id = response
                    .headers()
                    .get(REQUEST_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
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
