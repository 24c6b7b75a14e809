//! The listing builder: filters, sorts and paging controls, then a first page, a stream of
//! pages, a stream of tokens, or everything collected.

use std::sync::Arc;

use futures::TryStreamExt;

use crate::client::Client;
use crate::error::Error;
use crate::filters::Filters;
use crate::generated::types::{ApiToken, TokenKind};
use crate::page::Page;
use crate::pagination::{self, Items, Pages, Plan};
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
    /// Lists the API tokens of an organization: returns a builder for filters, sorts and
    /// paging controls; nothing is sent until [`first_page`](ListTokens::first_page),
    /// [`pages`](ListTokens::pages), [`items`](ListTokens::items) or
    /// [`collect_all`](ListTokens::collect_all) is used (settings are validated then).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), astro_tokens::Error> {
    /// use astro_tokens::{Client, SortField, TokenKind};
    ///
    /// let client = Client::from_env()?;
    /// let tokens = client
    ///     .list_tokens("my-organization-id")
    ///     .workspace_id("my-workspace-id")
    ///     .kind(TokenKind::Standard)
    ///     .sort(SortField::Name.asc())
    ///     .sort(SortField::CreatedAt.desc())
    ///     .page_size(200)
    ///     .max_items(1_000)
    ///     .collect_all()
    ///     .await?;
    /// println!("{} tokens", tokens.len());
    /// # Ok(()) }
    /// ```
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

    /// Only tokens for these DAG tags (sent as repeated `dagTags`, in order). Replaces
    /// tags set before; unlike [`sort`](Self::sort)/[`sorts`](Self::sorts), which add keys.
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
    pub fn kind(mut self, kind: TokenKind) -> Self {
        self.filters.kind = Some(kind);
        self
    }

    /// Adds a sort key; keys apply in the order they were added.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.filters.sorts.push(sort.to_generated());
        self
    }

    /// Adds several sort keys, in order, after any added before.
    pub fn sorts<I: IntoIterator<Item = Sort>>(mut self, sorts: I) -> Self {
        self.filters
            .sorts
            .extend(sorts.into_iter().map(Sort::to_generated));
        self
    }

    /// How many matching tokens to skip before the first one listed (default 0).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Tokens per request, 1..=1000 (default 100). A server that serves fewer with a
    /// smaller `limit` in its answer caps the page size: from then on the listing asks for
    /// its `limit` (see [`ListingReport::capped_page_size`](crate::ListingReport::capped_page_size)).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// Stop after this many tokens (at least 1; unset means no cap). The last request asks
    /// only for what is still needed.
    pub fn max_items(mut self, max: u64) -> Self {
        self.max_items = Some(max);
        self
    }

    /// Pages in flight at once once the first page told the total (default 1, at least 1).
    ///
    /// The listing fetches up to that many pages ahead in the background: each request runs
    /// as a tokio task, so it progresses while your code is busy with earlier tokens (not
    /// only while it polls the stream), and each page handed over makes room for the next
    /// request at once. At most `pages` pages are fetched ahead of the one you hold, which
    /// bounds memory (with the default of 1: the page you hold and the next one). Tokens
    /// still come out in offset order; dropping the stream aborts what is in flight. The
    /// stream must be polled inside a tokio runtime (as every request is).
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// Checks every setting before anything is sent.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        // Not empty; and not a dot segment or a backslash, which URL parsing would rewrite
        // (`..` resolves away, `\` counts as `/`), listing another resource than asked.
        let id = self.filters.organization_id.as_str();
        if id.trim().is_empty() || id == "." || id == ".." || id.contains('\\') {
            return Err(Error::invalid(
                "organization_id",
                id,
                "a non-empty organization id that is not `.` or `..` and has no backslash",
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
        if self.max_items == Some(0) {
            return Err(Error::invalid(
                "max_items",
                0,
                "1 or more (leave it unset for no cap)",
            ));
        }
        // The API's numbers are signed 64-bit: the offset and a page after it must fit.
        let last_offset = i64::MAX as u64 - u64::from(MAX_PAGE_SIZE);
        if self.offset > last_offset {
            return Err(Error::invalid(
                "offset",
                self.offset,
                format!("0..={last_offset}"),
            ));
        }
        Ok(())
    }

    /// The first page only: one request at `offset`, of `page_size` tokens (fewer if
    /// `max_items` is smaller). Validates the settings first; nothing is sent if they are
    /// wrong.
    ///
    /// ```no_run
    /// # async fn run(client: astro_tokens::Client) -> Result<(), astro_tokens::Error> {
    /// let page = client.list_tokens("my-organization-id").page_size(10).first_page().await?;
    /// println!("{} of {} tokens", page.tokens.len(), page.total_count);
    /// # Ok(()) }
    /// ```
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

    /// Every page, in offset order, as a [`Pages`] stream (`Send`, `Unpin`, lazy: nothing
    /// is sent until it is polled). Tokens already yielded by an earlier page are dropped
    /// from later ones (within the limits stated in `docs/listing.md`: a token id is never
    /// yielded twice on stable data or data whose change `totalCount` reveals); the stream
    /// ends after the first error. With
    /// [`concurrency(n)`](Self::concurrency) (default 1), up to `n` pages are fetched ahead
    /// in the background once the first page told the total. [`Pages::report`] tells whether the data changed
    /// meanwhile. Invalid settings come out as the stream's only item, and nothing is sent.
    ///
    /// ```no_run
    /// # async fn run(client: astro_tokens::Client) -> Result<(), astro_tokens::Error> {
    /// use futures::TryStreamExt;
    ///
    /// let mut pages = client.list_tokens("my-organization-id").page_size(500).pages();
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} tokens at offset {} of {}", page.tokens.len(), page.offset, page.total_count);
    /// }
    /// assert!(pages.report().is_consistent(), "the tokens changed while listing");
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> Pages {
        if let Err(error) = self.validate() {
            return Pages::failed(error);
        }
        let plan = Plan {
            start: self.offset,
            page_size: self.page_size,
            max_items: self.max_items,
            concurrency: self.concurrency,
        };
        let client = self.client;
        let filters = Arc::new(self.filters);
        pagination::paginate(plan, move |offset, limit| {
            let client = client.clone();
            let filters = Arc::clone(&filters);
            async move { client.fetch_page(&filters, offset, limit).await }
        })
    }

    /// Every token, in order, each at most once (see [`pages`](Self::pages) for the exact
    /// promise), as an [`Items`] stream (`Send`, `Unpin`,
    /// lazy). After it ended, [`Items::total_changed`] (or [`Items::report`]) tells whether
    /// the data changed during the listing, in which case a token may have been missed.
    ///
    /// ```no_run
    /// # async fn run(client: astro_tokens::Client) -> Result<(), astro_tokens::Error> {
    /// use futures::{StreamExt, TryStreamExt};
    /// use astro_tokens::SortField;
    ///
    /// let mut items = client
    ///     .list_tokens("my-organization-id")
    ///     .sort(SortField::Name.asc())
    ///     .page_size(1000)
    ///     .concurrency(4)
    ///     .items();
    /// let tokens: Vec<_> = items.by_ref().try_collect().await?;
    /// if items.total_changed() {
    ///     eprintln!("tokens were added or removed while listing; run it again for a snapshot");
    /// }
    /// println!("{} tokens", tokens.len());
    /// # Ok(()) }
    /// ```
    pub fn items(self) -> Items {
        Items::new(self.pages())
    }

    /// Every token, collected: [`items`](Self::items) gathered into a `Vec`.
    pub async fn collect_all(self) -> Result<Vec<ApiToken>, Error> {
        self.items().try_collect().await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures::StreamExt;
    use tokio::net::TcpListener;

    use super::*;

    /// A client aimed at a local listener that counts connections (and answers none).
    async fn counting_client() -> (Client, tokio::task::JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let counter = tokio::spawn(async move {
            let mut accepted = 0;
            while let Ok(Ok(_)) =
                tokio::time::timeout(Duration::from_millis(200), listener.accept()).await
            {
                accepted += 1;
            }
            accepted
        });
        let client = Client::builder()
            .token("t")
            .base_url(url)
            .build()
            .expect("client");
        (client, counter)
    }

    #[tokio::test]
    async fn invalid_settings_fail_every_result_method_without_connecting() {
        let (client, counter) = counting_client().await;
        let cases = [
            ("page_size", client.list_tokens("org").page_size(0)),
            (
                "page_size",
                client.list_tokens("org").page_size(MAX_PAGE_SIZE + 1),
            ),
            ("concurrency", client.list_tokens("org").concurrency(0)),
            ("organization_id", client.list_tokens("")),
            ("offset", client.list_tokens("org").offset(u64::MAX)),
            ("max_items", client.list_tokens("org").max_items(0)),
        ];
        for (field, listing) in cases {
            let outcomes = [
                listing.first_page().await.err(),
                listing.clone().pages().next().await.and_then(Result::err),
                listing.clone().items().next().await.and_then(Result::err),
                listing.clone().collect_all().await.err(),
            ];
            for outcome in outcomes {
                match outcome {
                    Some(Error::InvalidInput {
                        field: f, allowed, ..
                    }) => {
                        assert_eq!(f, field);
                        assert!(!allowed.is_empty());
                    }
                    other => panic!("{field}: expected InvalidInput, got {other:?}"),
                }
            }
        }
        assert_eq!(counter.await.expect("counter"), 0, "nothing was sent");
    }

    #[test]
    fn the_validation_error_names_the_field_the_value_and_the_range() {
        let client = Client::builder().token("t").build().expect("client");
        let error = client
            .list_tokens("org")
            .page_size(5000)
            .validate()
            .expect_err("too large");
        let text = error.to_string();
        assert!(
            text.contains("page_size") && text.contains("5000") && text.contains("1..=1000"),
            "{text}"
        );
        assert!(client.list_tokens("org").page_size(1000).validate().is_ok());
        assert!(client.list_tokens("org").page_size(1).validate().is_ok());
    }

    #[test]
    fn sorts_are_kept_in_the_order_they_were_added() {
        use crate::generated::types::ListApiTokensSortsItem as G;
        use crate::sort::SortField;
        let client = Client::builder().token("t").build().expect("client");
        let listing = client
            .list_tokens("org")
            .sort(SortField::UpdatedAt.desc())
            .sorts([SortField::Name.asc(), SortField::CreatedAt.asc()]);
        assert_eq!(
            listing.filters.sorts,
            vec![G::UpdatedAtDesc, G::NameAsc, G::CreatedAtAsc]
        );
    }
}
