//! Offset/limit/totalCount pagination as a small state machine that knows nothing about
//! HTTP: it is given `fetch(offset, limit)` and turns it into a stream of pages (and of
//! tokens), with termination, duplicate and prefetch rules tested here with scripted pages.
//!
//! The rules (also in `docs/listing.md`):
//! - the first page is fetched alone; it tells the total. With `concurrency(n)`, up to `n`
//!   further pages are then in flight at once; pages come out in offset order regardless;
//! - the next offset is `asked offset + tokens received`, so a short page never skips;
//!   with prefetch, a short page cancels the pages in flight and continues from there;
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

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::{BoxStream, FuturesOrdered};
use futures::{FutureExt, Stream, StreamExt};

use crate::error::Error;
use crate::generated::types::ApiToken;
use crate::page::Page;

/// What a listing did and saw so far: read it from [`Pages::report`] or [`Items::report`]
/// while or after streaming.
///
/// Offset paging over data that changes can skip or repeat tokens; this report is how a
/// caller can tell. A token id is never yielded twice on stable data, or on data whose
/// change the server's `totalCount` reveals, as long as the first change shifts tokens by
/// at most (concurrency + 2) × page_size positions; a server with an unstable sort order,
/// or a larger shift that nothing revealed before, can still repeat one. When [`is_consistent`](Self::is_consistent) is true at the end, every
/// page agreed on the total and nothing was repeated or cut short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListingReport {
    /// Page requests started (including any cancelled by a short page or by dropping).
    pub requests: u64,
    /// Pages yielded.
    pub pages: u64,
    /// Tokens in the pages yielded (after dropping repeats, and cut at `max_items`).
    pub items: u64,
    /// The `totalCount` of the first page.
    pub first_total: Option<u64>,
    /// The `totalCount` of the latest page.
    pub last_total: Option<u64>,
    /// Whether any page reported a `totalCount` different from the first page's: the data
    /// changed while paging, so tokens may have shifted between pages (a token can be
    /// missed when others before it are deleted).
    pub total_changed: bool,
    /// Tokens dropped because their id had already been yielded (data shifted right).
    /// A repeat, like a changed total, makes the listing remember every id yielded from
    /// then on instead of only the latest (concurrency + 2) × page_size; the exact promise
    /// and its limits are in `docs/listing.md` ("Duplicates and memory").
    pub duplicates_skipped: u64,
    /// Pages that held fewer tokens than asked for without being the last one.
    pub short_pages: u64,
    /// Whether an empty page ended the listing before the offset reached `totalCount`.
    pub ended_early: bool,
}

impl ListingReport {
    /// True when nothing suggests that the data changed or the server misbehaved: the
    /// total never changed, no id was repeated, and the listing was not cut short.
    pub fn is_consistent(&self) -> bool {
        !self.total_changed && self.duplicates_skipped == 0 && !self.ended_early
    }
}

/// The paging controls the machine needs; checked by the builder before it gets here.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Where to start.
    pub(crate) start: u64,
    /// Tokens per request (≥ 1).
    pub(crate) page_size: u32,
    /// Stop after this many tokens.
    pub(crate) max_items: Option<u64>,
    /// Pages in flight at once once the total is known (≥ 1).
    pub(crate) concurrency: usize,
}

impl Plan {
    /// W, how many of the latest ids the stable phase remembers: (concurrency + 2) pages.
    fn window(&self) -> usize {
        let page = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        self.concurrency.saturating_add(2).saturating_mul(page)
    }
}

type SharedReport = Arc<Mutex<ListingReport>>;

fn update(report: &SharedReport, change: impl FnOnce(&mut ListingReport)) {
    change(&mut report.lock().unwrap_or_else(PoisonError::into_inner));
}

fn snapshot(report: &SharedReport) -> ListingReport {
    report
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// A stream of pages, in offset order, from [`ListTokens::pages`](crate::ListTokens::pages).
///
/// It implements [`Stream`]`<Item = Result<Page, Error>>`, is `Send` and `Unpin`, and ends
/// after the first error. Dropping it cancels the requests in flight.
#[must_use = "streams do nothing unless polled"]
pub struct Pages {
    inner: BoxStream<'static, Result<Page, Error>>,
    report: SharedReport,
    #[cfg(test)]
    probe: SharedProbe,
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
            #[cfg(test)]
            probe: SharedProbe::default(),
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

/// Pages every token from `plan.start` on, calling `fetch(offset, limit)` once per page.
/// Nothing is called until the stream is polled.
pub(crate) fn paginate<F, Fut>(plan: Plan, fetch: F) -> Pages
where
    F: Fn(u64, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page, Error>> + Send + 'static,
{
    let report = SharedReport::default();
    #[cfg(test)]
    let probe = SharedProbe::default();
    let machine = Machine {
        fetch,
        plan,
        next_offset: plan.start,
        in_flight: FuturesOrdered::new(),
        in_flight_limits: 0,
        yielded: 0,
        total: None,
        seen: Seen::new(plan.window()),
        report: Arc::clone(&report),
        done: false,
        #[cfg(test)]
        probe: Arc::clone(&probe),
    };
    let inner = futures::stream::unfold(machine, |mut machine| async move {
        let item = machine.step().await?;
        Some((item, machine))
    })
    .boxed();
    Pages {
        inner,
        report,
        #[cfg(test)]
        probe,
    }
}

/// One page request in flight: the offset and limit asked, and its outcome.
type Fetched = (u64, u32, Result<Page, Error>);

struct Machine<F> {
    fetch: F,
    plan: Plan,
    /// The offset of the next request to start.
    next_offset: u64,
    /// Requests started and not yet consumed, in offset order.
    in_flight: FuturesOrdered<BoxFuture<'static, Fetched>>,
    /// The sum of the limits of the requests in flight (for the `max_items` budget).
    in_flight_limits: u64,
    /// Tokens yielded so far.
    yielded: u64,
    /// The latest `totalCount`; `None` until the first page arrived.
    total: Option<u64>,
    /// The ids yielded recently (or, once drift was seen, since then), to drop repeats.
    seen: Seen,
    report: SharedReport,
    done: bool,
    #[cfg(test)]
    probe: SharedProbe,
}

impl<F, Fut> Machine<F>
where
    F: Fn(u64, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page, Error>> + Send + 'static,
{
    /// Produces the next page or error, or `None` once the listing is over.
    async fn step(&mut self) -> Option<Result<Page, Error>> {
        loop {
            if self.done {
                return None;
            }
            self.fill();
            let Some((offset, limit, result)) = self.in_flight.next().await else {
                // Nothing left to ask for (budget spent or the total reached).
                self.finish();
                return None;
            };
            self.in_flight_limits = self.in_flight_limits.saturating_sub(u64::from(limit));
            let outcome = result.and_then(|page| self.accept(offset, limit, page));
            match outcome {
                Ok(Some(page)) => return Some(Ok(page)),
                Ok(None) => continue,
                Err(error) => {
                    self.finish();
                    return Some(Err(error));
                }
            }
        }
    }

    /// Starts requests until the window is full: one until the total is known, then up to
    /// `concurrency`, never past the known total or the `max_items` budget.
    fn fill(&mut self) {
        let window = if self.total.is_some() {
            self.plan.concurrency
        } else {
            1
        };
        while !self.done && self.in_flight.len() < window {
            let budget = self.budget();
            if budget == 0 {
                break;
            }
            if self.total.is_some_and(|total| self.next_offset >= total) {
                break;
            }
            let limit = u32::try_from(budget.min(u64::from(self.plan.page_size)))
                .unwrap_or(self.plan.page_size);
            let offset = self.next_offset;
            let request = (self.fetch)(offset, limit).map(move |result| (offset, limit, result));
            self.in_flight.push_back(request.boxed());
            self.in_flight_limits += u64::from(limit);
            self.next_offset = offset.saturating_add(u64::from(limit));
            update(&self.report, |r| r.requests += 1);
        }
    }

    /// How many more tokens may be asked for, counting those already asked in flight.
    fn budget(&self) -> u64 {
        match self.plan.max_items {
            Some(max) => max.saturating_sub(self.yielded.saturating_add(self.in_flight_limits)),
            None => u64::MAX,
        }
    }

    /// Ends the listing and drops (so cancels) the requests in flight.
    fn finish(&mut self) {
        self.done = true;
        self.cancel_in_flight();
    }

    fn cancel_in_flight(&mut self) {
        self.in_flight = FuturesOrdered::new();
        self.in_flight_limits = 0;
    }

    /// Checks one page against what was asked; returns it (repeats dropped) if it is to be
    /// yielded, `None` if it ends the listing silently, or why the server cannot be paged.
    fn accept(&mut self, offset: u64, limit: u32, mut page: Page) -> Result<Option<Page>, Error> {
        let first = self.total.is_none();
        let total = page.total_count;
        let first_total = self.report_first_total().unwrap_or(total);
        page.total_changed = total != first_total;
        self.total = Some(total);
        update(&self.report, |r| {
            r.first_total = Some(first_total);
            r.last_total = Some(total);
            r.total_changed |= page.total_changed;
        });
        if page.total_changed {
            tracing::warn!(
                first_total,
                total,
                offset,
                "totalCount changed while paging: tokens may have shifted between pages"
            );
        }

        let received = page.tokens.len() as u64;
        if received == 0 {
            self.finish();
            if offset < total {
                update(&self.report, |r| r.ended_early = true);
                tracing::warn!(
                    offset,
                    total,
                    "an empty page ended the listing before totalCount was reached"
                );
            }
            // The first page is yielded even when empty, so its total can be read.
            if first {
                update(&self.report, |r| r.pages += 1);
                return Ok(Some(page));
            }
            return Ok(None);
        }
        if page.offset != offset {
            return Err(Error::Pagination {
                message: format!(
                    "asked for offset {offset} but the server answered a page at offset {}: \
                     it does not honour `offset`, so the listing stops instead of repeating",
                    page.offset
                ),
                offset,
            });
        }

        // Drift revealed by this page's total: remember everything before deduplicating it.
        if page.total_changed {
            self.seen.escalate();
        }
        self.seen.dedupe(&mut page.tokens);
        #[cfg(test)]
        self.probe
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(&self.seen);
        let fresh = page.tokens.len() as u64;
        // Only repeats, with the total unchanged: the server does not advance. With a
        // changed total it is a page that insertions pushed back under us: skip it.
        if fresh == 0 && !page.total_changed {
            return Err(Error::Pagination {
                message: format!(
                    "the page at offset {offset} holds only the {received} token(s) already \
                     listed: the server does not advance, so the listing stops"
                ),
                offset,
            });
        }
        let repeats = received - fresh;
        if repeats > 0 {
            tracing::warn!(
                offset,
                repeats,
                "dropped tokens already listed: the data shifted while paging"
            );
        }
        if let Some(max) = self.plan.max_items {
            let room = max.saturating_sub(self.yielded);
            if fresh > room {
                page.tokens
                    .truncate(usize::try_from(room).unwrap_or(usize::MAX));
            }
        }
        let yielding = page.tokens.len() as u64;
        self.yielded += yielding;

        let end = offset.saturating_add(received);
        let capped = self.plan.max_items.is_some_and(|max| self.yielded >= max);
        let short = received < u64::from(limit) && end < total;
        if capped || end >= total {
            self.finish();
        } else if received != u64::from(limit) {
            // Short (or oversized) page: what is in flight assumed full pages, so it would
            // skip (or repeat) tokens. Continue from what was actually received.
            self.cancel_in_flight();
            self.next_offset = end;
        }
        let shifted_away = yielding == 0;
        update(&self.report, |r| {
            r.pages += u64::from(!shifted_away);
            r.items += yielding;
            r.duplicates_skipped += repeats;
            r.short_pages += u64::from(short);
        });
        Ok((!shifted_away).then_some(page))
    }

    fn report_first_total(&self) -> Option<u64> {
        self.report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .first_total
    }
}

/// The fingerprints of the ids yielded: a window of the latest W in the stable phase, all
/// of them once escalated (see the module documentation).
struct Seen {
    /// Every fingerprint remembered, for lookups.
    set: HashSet<u64, BuildHasherDefault<Prehashed>>,
    /// In the stable phase, the fingerprints of `set` oldest first, to forget the oldest;
    /// empty once escalated.
    order: VecDeque<u64>,
    /// W: how many to remember in the stable phase.
    window: usize,
    /// Whether drift was seen: from then on nothing is forgotten.
    escalated: bool,
    /// The per-listing key of the fingerprints.
    key: RandomState,
}

impl Seen {
    fn new(window: usize) -> Self {
        Self {
            set: HashSet::default(),
            order: VecDeque::new(),
            window,
            escalated: false,
            key: RandomState::new(),
        }
    }

    /// Stops forgetting, for the rest of the listing.
    fn escalate(&mut self) {
        if !self.escalated {
            tracing::debug!(
                remembered = self.set.len(),
                "drift seen: remembering every id yielded from now on"
            );
            self.escalated = true;
            self.order = VecDeque::new();
        }
    }

    /// Drops the tokens of one page whose id was remembered (or repeats within the page),
    /// remembering the others. A repeat escalates on the spot. In the stable phase the
    /// oldest fingerprints are forgotten beyond W, or beyond this page if it is larger.
    fn dedupe(&mut self, tokens: &mut Vec<ApiToken>) {
        let keep = self.window.max(tokens.len());
        tokens.retain(|token| {
            let fingerprint = self.key.hash_one(token.id.as_str());
            if !self.set.insert(fingerprint) {
                self.escalate();
                return false;
            }
            if !self.escalated {
                self.order.push_back(fingerprint);
                while self.order.len() > keep {
                    if let Some(oldest) = self.order.pop_front() {
                        self.set.remove(&oldest);
                    }
                }
            }
            true
        });
    }
}

/// What the tests read of [`Seen`] from outside the stream: how many ids it remembered
/// after each page, at most, and whether it escalated.
#[cfg(test)]
#[derive(Debug, Default, Clone, Copy)]
struct Probe {
    window: usize,
    remembered: usize,
    peak: usize,
    escalated: bool,
    /// The most remembered after a page while not yet escalated.
    peak_stable: usize,
}

#[cfg(test)]
impl Probe {
    fn record(&mut self, seen: &Seen) {
        self.window = seen.window;
        self.remembered = seen.set.len();
        self.peak = self.peak.max(self.remembered);
        if !seen.escalated {
            self.peak_stable = self.peak_stable.max(self.remembered);
        }
        self.escalated = seen.escalated;
    }
}

#[cfg(test)]
type SharedProbe = Arc<Mutex<Probe>>;

#[cfg(test)]
impl Pages {
    /// What the dedupe set looked like after the latest page.
    fn probe(&self) -> Probe {
        *self.probe.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The hasher of a set of fingerprints: they are hashes already, so it keeps them as is.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

#[cfg(test)]
mod tests;
