//! The listing builder: every query parameter of the fragment (its setters are generated,
//! see `generated::query`), the typed sorts, the paging controls, then a first page, a
//! stream of pages, a stream of tokens, or everything collected.

use std::sync::Arc;

use futures::TryStreamExt;

use crate::client::Client;
use crate::error::Error;
use crate::generated::query::{self, ListApiTokensQuery};
use crate::generated::types::ApiToken;
use crate::page::Page;
use crate::pagination::{self, Items, Pages, Plan};
use crate::retry::Budget;
use crate::sort::Sort;

/// The default number of tokens asked for per request.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page the API serves: the fragment's `limit` maximum.
pub const MAX_PAGE_SIZE: u32 = {
    let max = query::LIST_API_TOKENS_LIMIT_MAXIMUM;
    assert!(max >= 1 && max <= u32::MAX as i64);
    max as u32
};

/// A listing of an organization's API tokens; built by [`Client::list_tokens`].
/// Nothing is sent until a result is asked for.
///
/// It has a setter for every query parameter of the fragment but `offset` and `limit`
/// (generated from it, named as progenitor names them: `workspaceId` → `workspace_id`),
/// [`sort`](Self::sort) for the typed sorts, and the paging controls.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until first_page(), pages(), items() or collect_all() is used"]
pub struct ListTokens {
    client: Client,
    organization_id: String,
    query: ListApiTokensQuery,
    offset: u64,
    page_size: u32,
    max_items: Option<u64>,
    concurrency: usize,
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
            organization_id: organization_id.into(),
            query: ListApiTokensQuery::default(),
            offset: 0,
            page_size: DEFAULT_PAGE_SIZE,
            max_items: None,
            concurrency: 1,
        }
    }
}

impl ListTokens {
    query::list_api_tokens_query_setters!(query);

    /// Adds a sort key; keys apply in the order they were added (as does
    /// [`sorts`](Self::sorts), which takes several).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.query.sorts.push(sort.into());
        self
    }

    /// Every query parameter at once, replacing those set before (the CLI fills one from
    /// its flags with [`ListApiTokensQuery::set_text`]).
    pub fn query(mut self, query: ListApiTokensQuery) -> Self {
        self.query = query;
        self
    }

    /// How many matching tokens to skip before the first one listed (default 0).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Tokens per request, 1..=1000 (default 100). A server that serves fewer with a
    /// smaller `limit` in its answer caps the page size (see
    /// [`ListingReport::capped_page_size`](crate::ListingReport::capped_page_size)).
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

    /// Pages fetched ahead in the background, in tokio tasks (default 1, at least 1):
    /// they progress while your code is busy with earlier tokens, which still come out in
    /// order. See `docs/listing.md`.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    /// Checks every setting before anything is sent.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        // Not empty; and not a dot segment or a backslash, which URL parsing would rewrite
        // (`..` resolves away, `\` counts as `/`), listing another resource than asked.
        let id = self.organization_id.as_str();
        if id.trim().is_empty() || id == "." || id == ".." || id.contains('\\') {
            return Err(Error::invalid(
                "organization_id",
                id,
                "a non-empty organization id that is not `.` or `..` and has no backslash",
            ));
        }
        self.query.validate().map_err(|e| Error::InvalidInput {
            field: e.name,
            value: e.value,
            allowed: e.allowed,
        })?;
        if !(1..=MAX_PAGE_SIZE).contains(&self.page_size) {
            return Err(Error::invalid(
                "page_size",
                self.page_size,
                format!("1..={MAX_PAGE_SIZE}"),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", 0, "1 or more"));
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
    /// `max_items` is smaller). Nothing is sent if the settings are wrong.
    ///
    /// ```no_run
    /// # async fn run(client: astro_tokens::Client) -> Result<(), astro_tokens::Error> {
    /// let page = client.list_tokens("my-organization-id").page_size(10).first_page().await?;
    /// println!("{} of {} tokens", page.tokens.len(), page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn first_page(&self) -> Result<Page, Error> {
        self.validate()?;
        let limit = self.max_items.map_or(self.page_size, |max| {
            u32::try_from(max.min(u64::from(self.page_size))).unwrap_or(self.page_size)
        });
        self.client
            .fetch_page(&self.organization_id, &self.query, self.offset, limit, None)
            .await
    }

    /// Every page, in offset order, as a [`Pages`] stream (`Send`, `Unpin`, lazy), ending
    /// after the first error; tokens already yielded are dropped from later pages, and
    /// [`Pages::report`] tells whether the data changed meanwhile (the exact promise is in
    /// `docs/listing.md`). Invalid settings come out as the stream's only item, and nothing
    /// is sent.
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
        let budget = Arc::new(Budget::new(self.client.retry.max_retries()));
        let shared = Arc::new((self.client, self.organization_id, self.query));
        pagination::paginate(plan, move |offset, limit| {
            let (shared, budget) = (Arc::clone(&shared), Arc::clone(&budget));
            async move {
                let (client, organization_id, query) = &*shared;
                client
                    .fetch_page(organization_id, query, offset, limit, Some(&budget))
                    .await
            }
        })
    }

    /// Every token, in order, each at most once, as an [`Items`] stream (`Send`, `Unpin`,
    /// lazy); see [`pages`](Self::pages). After it ended, [`Items::report`] tells whether
    /// the data changed during the listing.
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
    use crate::generated::types::ListApiTokensSortsItem as G;
    use crate::sort::SortField;

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
    fn the_page_size_bound_is_the_fragments_limit_maximum() {
        assert_eq!(
            i64::from(MAX_PAGE_SIZE),
            query::LIST_API_TOKENS_LIMIT_MAXIMUM
        );
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
        assert!(
            client
                .list_tokens("org")
                .page_size(MAX_PAGE_SIZE)
                .validate()
                .is_ok()
        );
        assert!(client.list_tokens("org").page_size(1).validate().is_ok());
    }

    #[test]
    fn sorts_are_kept_in_the_order_they_were_added_by_either_setter() {
        let client = Client::builder().token("t").build().expect("client");
        let listing = client
            .list_tokens("org")
            .sort(SortField::UpdatedAt.desc())
            .sorts([SortField::Name.asc(), SortField::CreatedAt.asc()])
            .sorts([G::TokenStartAtDesc]);
        assert_eq!(
            listing.query.sorts,
            vec![
                G::UpdatedAtDesc,
                G::NameAsc,
                G::CreatedAtAsc,
                G::TokenStartAtDesc
            ]
        );
    }

    #[test]
    fn the_generated_setters_fill_the_query_and_arrays_add_up() {
        let client = Client::builder().token("t").build().expect("client");
        let listing = client
            .list_tokens("org")
            .workspace_id("ws")
            .dag_tags(["a"])
            .dag_tags(vec![String::from("b")])
            .include_only_organization_tokens(true);
        let query = &listing.query;
        assert_eq!(query.workspace_id.as_deref(), Some("ws"));
        assert_eq!(query.dag_tags, ["a", "b"]);
        assert_eq!(query.include_only_organization_tokens, Some(true));
        let replaced = listing.query(ListApiTokensQuery::default());
        assert_eq!(replaced.query, ListApiTokensQuery::default());
    }
}
