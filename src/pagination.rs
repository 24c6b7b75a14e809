//! Offset/limit/totalCount pagination as a small state machine that knows nothing about
//! HTTP: it is given `fetch(offset, limit)` and turns it into a stream of pages (and of
//! tokens). One concern per file: `machine` (the rules), `flights` (the requests in
//! flight, each a tokio task), `seen` (the ids remembered to drop repeats), `report`
//! ([`ListingReport`]). The rules, what they promise on changing data and what remembering
//! ids costs are written once, in `docs/listing.md`; the tests here drive the machine with
//! scripted pages.

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

pub(crate) use machine::Plan;
pub use report::ListingReport;
use report::{SharedReport, snapshot};

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
