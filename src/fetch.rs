//! One page request through the generated builder: the only place the wrapper sends.
//! [`Client::fetch_page`] retries it under the client's [`RetryPolicy`](crate::RetryPolicy),
//! so every caller (first page, page streams) gets each page retried transparently.

use crate::client::Client;
use crate::convert;
use crate::error::Error;
use crate::filters::Filters;
use crate::hooks;
use crate::page::Page;
use crate::retry;

impl Client {
    /// Requests the page at `offset` with `limit` items, retrying transient failures
    /// under the client's retry policy. Returns the first success or the last error.
    pub(crate) async fn fetch_page(
        &self,
        filters: &Filters,
        offset: u64,
        limit: u32,
    ) -> Result<Page, Error> {
        let (mut page, attempts) = retry::run(&self.retry, |attempt| {
            self.attempt_page(filters, offset, limit, attempt)
        })
        .await?;
        page.attempts = attempts;
        Ok(page)
    }

    /// One attempt (numbered from 1, for tracing) at one page.
    pub(crate) async fn attempt_page(
        &self,
        filters: &Filters,
        offset: u64,
        limit: u32,
        attempt: u32,
    ) -> Result<Page, Error> {
        let mut request = self
            .inner
            .list_api_tokens()
            .organization_id(filters.organization_id.clone())
            .offset(offset)
            .limit(i64::from(limit));
        if let Some(id) = &filters.workspace_id {
            request = request.workspace_id(id.clone());
        }
        if let Some(id) = &filters.deployment_id {
            request = request.deployment_id(id.clone());
        }
        if let Some(id) = &filters.dag_id {
            request = request.dag_id(id.clone());
        }
        if !filters.dag_tags.is_empty() {
            request = request.dag_tags(filters.dag_tags.clone());
        }
        if let Some(only) = filters.include_only_organization_tokens {
            request = request.include_only_organization_tokens(only);
        }
        if let Some(kind) = filters.kind {
            request = request.kind(kind);
        }
        if !filters.sorts.is_empty() {
            request = request.sorts(filters.sorts.clone());
        }
        hooks::observe(attempt, async {
            let result = request.send().await;
            let observed = hooks::observed();
            match result {
                Ok(response) => Page::from_wire(response.into_inner(), observed.request_id, offset),
                Err(error) => Err(convert::from_progenitor(error, observed)
                    .await
                    .without_secret(&self.secret)),
            }
        })
        .await
    }
}
