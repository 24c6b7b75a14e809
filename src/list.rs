//! The listing builder: filters, sorts and paging controls, then a first page, a stream of
//! pages, a stream of tokens, or everything collected.

use futures::{Stream, TryStreamExt};

use crate::client::Client;
use crate::error::Error;
use crate::filters::Filters;
use crate::generated::types::{ApiToken, ListApiTokensKind};
use crate::page::Page;
use crate::sort::Sort;

/// The default number of tokens asked for per request.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page the API serves (the fragment's `limit` maximum).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// A listing of an organization's API tokens; built by [`Client::list_tokens`].
/// Nothing is sent until a result is asked for.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until first_page(), pages(), items() or collect_all() is used"]
pub struct ListTokens {
    pub(crate) client: Client,
    pub(crate) filters: Filters,
    pub(crate) offset: u64,
    pub(crate) page_size: u32,
    pub(crate) max_items: Option<u64>,
    pub(crate) concurrency: usize,
}

impl Client {
    /// Lists the API tokens of an organization.
    pub fn list_tokens(&self, organization_id: impl Into<String>) -> ListTokens {
        ListTokens {
            client: self.clone(),
            filters: Filters {
                organization_id: organization_id.into(),
                ..Filters::default()
            },
            offset: 0,
            page_size: DEFAULT_PAGE_SIZE,
            max_items: None,
            concurrency: 1,
        }
    }
}

impl ListTokens {
    /// Only tokens of this Workspace.
    pub fn workspace_id(mut self, id: impl Into<String>) -> Self {
        self.filters.workspace_id = Some(id.into());
        self
    }

    /// Only tokens of this Deployment.
    pub fn deployment_id(mut self, id: impl Into<String>) -> Self {
        self.filters.deployment_id = Some(id.into());
        self
    }

    /// Only tokens with a role on this DAG.
    pub fn dag_id(mut self, id: impl Into<String>) -> Self {
        self.filters.dag_id = Some(id.into());
        self
    }

    /// Only tokens for these DAG tags (sent as repeated `dagTags`, in order).
    pub fn dag_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.filters.dag_tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Whether to show only Organization API tokens.
    pub fn include_only_organization_tokens(mut self, only: bool) -> Self {
        self.filters.include_only_organization_tokens = Some(only);
        self
    }

    /// Only tokens of this kind.
    pub fn kind(mut self, kind: ListApiTokensKind) -> Self {
        self.filters.kind = Some(kind);
        self
    }

    /// Adds a sort key; keys apply in the order they were added.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.filters.sorts.push(sort.to_generated());
        self
    }

    /// Adds several sort keys, in order.
    pub fn sorts<I: IntoIterator<Item = Sort>>(mut self, sorts: I) -> Self {
        self.filters
            .sorts
            .extend(sorts.into_iter().map(Sort::to_generated));
        self
    }

    /// Where to start (default 0).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Tokens per request, 1..=1000 (default 100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// Stop after this many tokens.
    pub fn max_items(mut self, max: u64) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Pages in flight at once once the total is known (default 1).
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// Checks every setting before anything is sent.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.filters.organization_id.trim().is_empty() {
            return Err(Error::invalid(
                "organization_id",
                &self.filters.organization_id,
                "a non-empty organization id",
            ));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(Error::invalid(
                "page_size",
                self.page_size,
                format!("1..={MAX_PAGE_SIZE}"),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", self.concurrency, "1 or more"));
        }
        if i64::try_from(self.offset).is_err() {
            return Err(Error::invalid(
                "offset",
                self.offset,
                format!("0..={}", i64::MAX),
            ));
        }
        Ok(())
    }

    /// The first page only: one request.
    pub async fn first_page(&self) -> Result<Page, Error> {
        self.validate()?;
        let limit = self.first_limit();
        self.client
            .fetch_page(&self.filters, self.offset, limit)
            .await
    }

    fn first_limit(&self) -> u32 {
        match self.max_items {
            Some(max) => {
                u32::try_from(max.min(u64::from(self.page_size))).unwrap_or(self.page_size)
            }
            None => self.page_size,
        }
    }

    /// Every page, in order. Sequential placeholder: replaced by the paginator.
    pub fn pages(self) -> impl Stream<Item = Result<Page, Error>> + Send + 'static {
        futures::stream::once(async move { self.first_page().await })
    }

    /// Every token, in order.
    pub fn items(self) -> impl Stream<Item = Result<ApiToken, Error>> + Send + 'static {
        self.pages()
            .map_ok(|page| futures::stream::iter(page.tokens.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every token, collected.
    pub async fn collect_all(self) -> Result<Vec<ApiToken>, Error> {
        self.items().try_collect().await
    }
}
