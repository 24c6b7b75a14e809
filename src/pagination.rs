//! Offset/limit/totalCount pagination as a small state machine that knows nothing about
//! HTTP: it is given `fetch(offset, limit)` and turns it into a stream of pages (and of
//! tokens), with termination, duplicate, cap and prefetch rules tested here with scripted
//! pages. One concern per file: `machine` (the rules), `flights` (the requests in flight,
//! each a tokio task), `seen` (the ids remembered), `report` ([`ListingReport`]).
//!
//! The rules (also in `docs/listing.md`):
//! - the first page is fetched alone; it tells the total. With `concurrency(n)` (default
//!   1), up to `n` further pages are then in flight at once, each in its own tokio task,
//!   so they progress while the consumer is busy with earlier tokens (the window is topped
//!   up each time a page is handed over); at most `n` pages are fetched ahead. Pages come
//!   out in offset order regardless;
//! - the next offset is `asked offset + tokens received`, so a short page never skips;
//!   the requests in flight after it are kept, and only the hole it leaves is asked for;
//! - a page with fewer tokens than asked whose `limit` is smaller than the one asked comes
//!   from a server that caps pages: from then on every request asks for that `limit`
//!   ([`ListingReport::capped_page_size`]). Requests already in flight at the larger
//!   limit are kept (each brings the cap's worth at its offset) and only the holes they
//!   leave are asked for. On stable data, with the cap seen on the first page, a listing
//!   takes exactly ⌈(totalCount − offset) / cap⌉ requests;
//! - the listing ends, without another request, when `offset + received >= totalCount`
//!   (the latest one reported), when `max_items` tokens were yielded, or on an empty page;
//!   an empty page while `totalCount` says there is more also sets
//!   [`ListingReport::ended_early`];
//! - a non-empty page whose `offset` differs from the one asked (a server that ignores
//!   `offset`), or whose tokens were all yielded before while `totalCount` is unchanged (a
//!   server that does not advance), ends the stream with [`Error::Pagination`]: never a
//!   hang, never a silent repeat. A page of only repeats *with* a changed `totalCount` is
//!   one that insertions pushed back under the listing: it is skipped, and paging goes on;
//! - a token id is never yielded twice while the data is stable, or when it changes in a
//!   way the server's `totalCount` reveals; repeats are dropped and counted. How, and the
//!   gap that remains, is below.
//! - a `totalCount` that differs from the first page's sets [`Page::total_changed`] and
//!   [`ListingReport::total_changed`].
//!
//! Requests run as tokio tasks, so the streams must be polled inside a tokio runtime (as
//! every request of the SDK: reqwest needs one). Dropping a stream aborts them.
//!
//! # Duplicates, and what remembering them costs
//!
//! Offset paging repeats tokens when tokens are inserted before the current offset between
//! two requests: each insertion pushes one token already yielded into the next page. The
//! machine drops such repeats by remembering the ids it yielded, as 64-bit fingerprints
//! under a per-listing random key (8 bytes an id, no per-id allocation; two distinct ids
//! share one with odds of about n²/2⁶⁵ for n ids remembered, and a key the server cannot
//! know rules out crafted collisions). It remembers every id only once it has to:
//!
//! - **stable phase**: only the ids of the last W tokens yielded, with W = (concurrency +
//!   2) × page_size (300 with the defaults), the oldest forgotten first, and never fewer
//!   than the latest page (so a server that does not advance is still caught). A shift of
//!   up to W positions between two requests re-serves only tokens among the last W
//!   yielded, so it is caught. Memory is O(W), independent of the number of tokens;
//! - **escalated**: as soon as drift is observed — a page whose `totalCount` differs from
//!   the first page's (checked before that page is deduplicated), or any repeat found in
//!   the window — nothing is forgotten any more: every id yielded from then on is
//!   remembered until the listing ends. Memory then grows with the number of tokens (8–20
//!   bytes each with the hash table's spare room), but only while the data is known to be
//!   drifting.
//!
//! The promise: a token id is never yielded twice when the data is stable, or when it
//! changes in a way the server's `totalCount` reveals (from then on every id is
//! remembered), provided the first change seen shifts tokens by at most W positions. The
//! gap, stated plainly: a token can be yielded twice
//! - when the server's sort order is unstable (a token can move anywhere between two
//!   requests), or
//! - when more than W tokens are inserted before the offset between two page requests
//!   before any drift was seen: the repeats from beyond the window were forgotten. If as
//!   many tokens are deleted further on, `totalCount` stays the same and the listing can
//!   end with [`ListingReport::is_consistent`] true; otherwise `total_changed` is set.
//!
//! Deletions before the offset make offset paging miss tokens, whatever is remembered:
//! that is what [`ListingReport::total_changed`] is for.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

use crate::error::Error;
use crate::generated::types::ApiToken;
use crate::page::Page;

mod flights;
mod machine;
mod report;
mod seen;

#[cfg(test)]
mod cap_tests;
#[cfg(test)]
mod script;
#[cfg(test)]
mod tests;

pub use report::ListingReport;
use report::{SharedReport, snapshot};

/// The paging controls the machine needs; checked by the builder before it gets here.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Where to start.
    pub(crate) start: u64,
    /// Tokens per request (≥ 1).
    pub(crate) page_size: u32,
    /// Stop after this many tokens.
    pub(crate) max_items: Option<u64>,
    /// Pages in flight at once once the total is known (≥ 1), fetched ahead while the
    /// consumer is busy.
    pub(crate) concurrency: usize,
}

impl Plan {
    /// W, how many of the latest ids the stable phase remembers: (concurrency + 2) pages.
    fn window(&self) -> usize {
        let page = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        self.concurrency.saturating_add(2).saturating_mul(page)
    }
}

/// A stream of pages, in offset order, from [`ListTokens::pages`](crate::ListTokens::pages).
///
/// It implements [`Stream`]`<Item = Result<Page, Error>>`, is `Send` and `Unpin`, and ends
/// after the first error. Its requests run as tokio tasks (so poll it inside a tokio
/// runtime); dropping it aborts those in flight.
#[must_use = "streams do nothing unless polled"]
pub struct Pages {
    inner: BoxStream<'static, Result<Page, Error>>,
    report: SharedReport,
}

impl Pages {
    /// What the listing did and saw so far (see [`ListingReport`]).
    pub fn report(&self) -> ListingReport {
        snapshot(&self.report)
    }

    /// Whether any page so far reported a `totalCount` different from the first page's.
    pub fn total_changed(&self) -> bool {
        self.report().total_changed
    }

    /// A stream that yields one error and ends, sending nothing.
    pub(crate) fn failed(error: Error) -> Self {
        Self {
            inner: futures::stream::once(async move { Err(error) }).boxed(),
            report: SharedReport::default(),
        }
    }
}

impl Stream for Pages {
    type Item = Result<Page, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl fmt::Debug for Pages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

/// A stream of tokens, in order, from [`ListTokens::items`](crate::ListTokens::items).
///
/// It implements [`Stream`]`<Item = Result<ApiToken, Error>>`, is `Send` and `Unpin`, and
/// ends after the first error. Use it through `&mut` (`items.by_ref().try_collect()`) to
/// read [`report`](Self::report) once it is done.
#[must_use = "streams do nothing unless polled"]
pub struct Items {
    pages: Pages,
    buffer: std::vec::IntoIter<ApiToken>,
}

impl Items {
    pub(crate) fn new(pages: Pages) -> Self {
        Self {
            pages,
            buffer: Vec::new().into_iter(),
        }
    }

    /// What the listing did and saw so far (see [`ListingReport`]).
    pub fn report(&self) -> ListingReport {
        self.pages.report()
    }

    /// Whether any page so far reported a `totalCount` different from the first page's:
    /// tokens may have been missed or shifted. Check it after the stream ended.
    pub fn total_changed(&self) -> bool {
        self.pages.total_changed()
    }
}

impl Stream for Items {
    type Item = Result<ApiToken, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(token) = self.buffer.next() {
                return Poll::Ready(Some(Ok(token)));
            }
            // Free the spent page's allocation before the next page is fetched (an empty
            // `Vec` allocates nothing), so that two pages are not held at once.
            self.buffer = Vec::new().into_iter();
            match self.pages.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(page))) => self.buffer = page.tokens.into_iter(),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl fmt::Debug for Items {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("buffered", &self.buffer.len())
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

/// Pages every token from `plan.start` on, calling `fetch(offset, limit)` once per page;
/// each call's future runs in its own tokio task. Nothing is called until the stream is
/// polled.
pub(crate) fn paginate<F, Fut>(plan: Plan, fetch: F) -> Pages
where
    F: Fn(u64, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page, Error>> + Send + 'static,
{
    let report = SharedReport::default();
    let machine = machine::Machine::new(plan, fetch, Arc::clone(&report));
    let inner = futures::stream::unfold(machine, |mut machine| async move {
        let item = machine.step().await?;
        Some((item, machine))
    })
    .boxed();
    Pages { inner, report }
}
