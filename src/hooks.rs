//! The one extension point of the generated client (`ClientHooks::exec`): every request is
//! traced, what its response said is recorded for the error conversion, and progenitor's
//! undocumented `api-version` header is dropped (the client pins Astro's documented
//! `X-API-Version` instead, see [`ClientBuilder::api_version`](crate::ClientBuilder::api_version)).
//!
//! Each attempt is a span `astro_tokens.request` (target `astro_tokens`) with the operation
//! id as the fragment spells it, method, URL (never headers, so never the token), attempt
//! number, status and duration (of the whole attempt, body included, when the wrapper sent
//! it). The wrapper adds the request id once it has scrubbed the token from it (a server
//! could echo it there); this hook never sees the token, so it records no request id.
//! Implemented for `generated::Client` itself,
//! which takes precedence over the generated blanket `impl ClientHooks for &Client`
//! (progenitor's documented auto-ref override), so a request sent through the generated
//! builder directly is traced too.

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;
use tracing::field::Empty;

use crate::generated;

/// The header progenitor adds with the fragment's `info.version`; Astro does not document it.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// The span of one attempt (`number` from 1) at the operation progenitor calls `operation`.
pub(crate) fn request_span(operation: &str, number: u32) -> tracing::Span {
    tracing::info_span!(
        target: crate::LOG_TARGET,
        "astro_tokens.request",
        operation_id = generated::spec::operation_id(operation),
        method = Empty,
        url = Empty,
        attempt = number,
        status = Empty,
        request_id = Empty,
        duration_ms = Empty,
    )
}

impl ClientHooks<()> for generated::Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        request.headers_mut().remove(PROGENITOR_VERSION_HEADER);
        // The wrapper's attempts run in their span; a request sent through the generated
        // builder directly gets one of its own.
        let own = !crate::attempt::is_observed();
        let span = if own {
            request_span(info.operation_id, 1)
        } else {
            tracing::Span::current()
        };
        span.record("method", tracing::field::display(request.method()));
        span.record("url", tracing::field::display(request.url()));
        let started = Instant::now();
        let result = self
            .client()
            .execute(request)
            .instrument(span.clone())
            .await;
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        if own {
            span.record("duration_ms", duration_ms);
        }
        let entered = span.enter();
        match &result {
            Ok(response) => {
                let seen = crate::attempt::record(response);
                span.record("status", seen.status);
                tracing::debug!(target: crate::LOG_TARGET, status = seen.status, duration_ms, "response headers received");
            }
            Err(error) => tracing::debug!(
                target: crate::LOG_TARGET,
                timeout = error.is_timeout(),
                connect = error.is_connect(),
                "request failed"
            ),
        }
        drop(entered);
        result
    }
}
