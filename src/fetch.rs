//! One page request through the generated builder: the only place the wrapper sends.
//! [`Client::fetch_page`] retries it under the client's [`RetryPolicy`](crate::RetryPolicy),
//! so every caller (first page, page streams) gets each page retried transparently.

use secrecy::ExposeSecret;
use tracing::Instrument;

use crate::client::Client;
use crate::error::Error;
use crate::generated::query::ListApiTokensQuery;
use crate::page::Page;
use crate::retry::{self, Budget};
use crate::{attempt, convert, generated, hooks};

/// progenitor's name of the operation (its method on the generated client).
const OPERATION: &str = "list_api_tokens";

impl Client {
    /// Requests the page at `offset` with `limit` items, retrying transient failures
    /// under the client's retry policy (and `budget`, a listing's shared allowance).
    pub(crate) async fn fetch_page(
        &self,
        organization_id: &str,
        query: &ListApiTokensQuery,
        offset: u64,
        limit: u32,
        budget: Option<&Budget>,
    ) -> Result<Page, Error> {
        let operation = generated::spec::operation_id(OPERATION);
        let (mut page, attempts) = retry::run(&self.retry, budget, operation, |number| {
            let span = hooks::request_span(OPERATION, number);
            self.attempt_page(organization_id, query, offset, limit)
                .instrument(span)
        })
        .await?;
        page.attempts = attempts;
        Ok(page)
    }

    /// One attempt at one page: sending, reading, decoding, and the error conversion.
    async fn attempt_page(
        &self,
        organization_id: &str,
        query: &ListApiTokensQuery,
        offset: u64,
        limit: u32,
    ) -> Result<Page, Error> {
        let started = std::time::Instant::now();
        let builder = self
            .inner
            .list_api_tokens()
            .organization_id(organization_id.to_owned())
            .offset(offset)
            .limit(i64::from(limit));
        let (result, mut observed) = attempt::observe(query.apply(builder).send()).await;
        // A server could echo the token in its request id: scrubbed once, for both paths.
        let secret = self.secret.expose_secret();
        observed.request_id = observed
            .request_id
            .map(|id| crate::redact::redact(secret.trim(), &id));
        let outcome = match result {
            Ok(response) => Page::from_wire(response.into_inner(), observed.request_id, offset),
            Err(error) => Err(convert::from_progenitor(error, observed)
                .await
                .without_secret(secret)),
        };
        let span = tracing::Span::current();
        span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
        // Both are scrubbed of the token already.
        let request_id = match &outcome {
            Ok(page) => page.request_id.as_deref(),
            Err(error) => error.request_id(),
        };
        span.record("request_id", request_id);
        outcome
    }
}
