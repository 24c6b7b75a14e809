//! From arguments to tokens: the client (token from `ASTRO_API_TOKEN`), the listing
//! builder, and the page loop with its progress bar and Ctrl-C handling.

use std::io::Write;

use futures::StreamExt;

use astro_tokens::{Client, ClientBuilder, ListTokens, Page};

use crate::args::ListingArgs;
use crate::failure::Failure;
use crate::progress::Progress;

/// A client with the token from `ASTRO_API_TOKEN` (read by the SDK's
/// `ClientBuilder::from_env`, the one place that reads it) and the arguments' base URL (or
/// `ASTRO_API_URL`, or the default). A missing token is a usage error that names the
/// variable and points at `astro-tokens demo`.
pub fn client(args: &ListingArgs) -> Result<Client, Failure> {
    let mut builder = ClientBuilder::from_env().map_err(|error| {
        Failure::Usage(format!(
            "{error} (an Organization, Workspace or Deployment token allowed to list tokens); \
             try `astro-tokens demo` to see the tool without one"
        ))
    })?;
    if let Some(url) = args.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}

/// The listing the arguments describe: the filters' query as parsed (`filters.rs`), and
/// the paging controls given; unset controls keep the library's defaults.
pub fn listing(client: &Client, args: &ListingArgs) -> ListTokens {
    let mut list = client
        .list_tokens(args.organization_id.clone())
        .query(args.filters.query.clone());
    if let Some(offset) = args.offset {
        list = list.offset(offset);
    }
    if let Some(max) = args.max_items {
        list = list.max_items(max);
    }
    if let Some(size) = args.page_size {
        list = list.page_size(size);
    }
    if let Some(n) = args.concurrency {
        list = list.concurrency(n);
    }
    list
}

/// What the progress bar needs to know to compute the expected number of tokens.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect {
    /// `--offset`.
    pub offset: u64,
    /// `--max-items`.
    pub max_items: Option<u64>,
}

impl Expect {
    /// From the listing arguments.
    pub fn from_args(args: &ListingArgs) -> Self {
        Self {
            offset: args.offset.unwrap_or(0),
            max_items: args.max_items,
        }
    }

    /// How many tokens the listing will yield, given a page's `totalCount`.
    fn expected(self, total_count: u64) -> u64 {
        let remaining = total_count.saturating_sub(self.offset);
        self.max_items.map_or(remaining, |max| remaining.min(max))
    }
}

/// Where pages go: an output writer or a collector.
pub trait PageSink {
    /// Takes one page.
    fn page(&mut self, page: Page) -> Result<(), Failure>;
    /// How many tokens are already on stdout (for the interrupt message).
    fn written(&self) -> u64 {
        0
    }
}

/// Collects every page, e.g. for `audit` and `demo`.
impl PageSink for Vec<Page> {
    fn page(&mut self, page: Page) -> Result<(), Failure> {
        self.push(page);
        Ok(())
    }
}

/// Runs the listing page by page into `sink`, showing progress, and stopping with
/// [`Failure::Interrupted`] on Ctrl-C. Returns the number of tokens; warns on stderr when
/// the data changed while paging (tokens may have been missed).
pub async fn each_page(
    listing: ListTokens,
    expect: Expect,
    progress: &mut Progress,
    sink: &mut dyn PageSink,
) -> Result<u64, Failure> {
    let mut pages = listing.pages();
    let interrupt = interrupted();
    tokio::pin!(interrupt);
    let mut fetched: u64 = 0;
    let result = loop {
        tokio::select! {
            biased;
            () = &mut interrupt => break Err(Failure::Interrupted { written: sink.written() }),
            next = pages.next() => match next {
                None => break Ok(fetched),
                Some(Err(error)) => break Err(Failure::Api(error)),
                Some(Ok(page)) => {
                    fetched += page.tokens.len() as u64;
                    progress.update(fetched, expect.expected(page.total_count));
                    if let Err(failure) = sink.page(page) {
                        break Err(failure);
                    }
                }
            },
        }
    };
    progress.finish();
    let report = pages.report();
    if result.is_ok() && !report.is_consistent() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: the tokens changed while listing (total {} then {}, {} repeats skipped); \
             a token may be missing: run it again for a consistent snapshot",
            report.first_total.unwrap_or_default(),
            report.last_total.unwrap_or_default(),
            report.duplicates_skipped
        );
    }
    result
}

/// Resolves on Ctrl-C; never, if the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_tokens_account_for_offset_and_cap() {
        let plain = Expect::default();
        assert_eq!(plain.expected(250), 250);
        let offset = Expect {
            offset: 240,
            max_items: None,
        };
        assert_eq!(offset.expected(250), 10);
        assert_eq!(offset.expected(100), 0);
        let capped = Expect {
            offset: 0,
            max_items: Some(30),
        };
        assert_eq!(capped.expected(250), 30);
        assert_eq!(capped.expected(12), 12);
    }
}
