//! The paging rules (listed in `docs/listing.md`): which request to start next, and what a
//! page that came back means for the listing.

use super::flights::Flights;
use super::report::{SharedReport, update};
use super::seen::Seen;
use crate::error::Error;
use crate::page::Page;

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
    pub(super) fn window(&self) -> usize {
        let page = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        self.concurrency.saturating_add(2).saturating_mul(page)
    }
}

pub(super) struct Machine<F> {
    fetch: F,
    plan: Plan,
    /// The page size in force: the one asked, or the server's cap once one was seen.
    page_size: u32,
    /// The offset of the next token to yield: every token before it was consumed.
    cursor: u64,
    /// Requests started and not yet consumed, in offset order.
    flights: Flights,
    /// Tokens yielded so far.
    yielded: u64,
    /// The latest `totalCount`; `None` until the first page arrived.
    total: Option<u64>,
    /// The first page's `totalCount`.
    first_total: Option<u64>,
    /// The ids yielded recently (or, once drift was seen, since then), to drop repeats.
    seen: Seen,
    report: SharedReport,
    done: bool,
}

impl<F, Fut> Machine<F>
where
    F: Fn(u64, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page, Error>> + Send + 'static,
{
    pub(super) fn new(plan: Plan, fetch: F, report: SharedReport) -> Self {
        Self {
            fetch,
            plan,
            page_size: plan.page_size,
            cursor: plan.start,
            flights: Flights::default(),
            yielded: 0,
            total: None,
            first_total: None,
            seen: Seen::new(plan.window()),
            report,
            done: false,
        }
    }

    /// Produces the next page or error, or `None` once the listing is over.
    pub(super) async fn step(&mut self) -> Option<Result<Page, Error>> {
        loop {
            if self.done {
                return None;
            }
            // The window counts the request awaited next: `concurrency` at once.
            self.fill(self.plan.concurrency);
            let Some(flight) = self.flights.pop_front() else {
                // Nothing left to ask for (budget spent or the total reached).
                self.finish();
                return None;
            };
            let outcome = if flight.offset == self.cursor {
                let (offset, limit) = (flight.offset, flight.limit);
                flight
                    .outcome()
                    .await
                    .and_then(|page| self.accept(offset, limit, page))
            } else {
                Err(self.bug(format!(
                    "the next request starts at {} but the listing is at {}",
                    flight.offset, self.cursor
                )))
            };
            match outcome {
                Ok(Some(page)) => {
                    // While the consumer works on this page, requests run in the background.
                    self.fill(self.plan.concurrency);
                    return Some(Ok(page));
                }
                Ok(None) => continue,
                Err(error) => {
                    self.finish();
                    return Some(Err(error));
                }
            }
        }
    }

    /// A state the rules never reach: an error that says so, never a silent refetch.
    fn bug(&self, what: String) -> Error {
        Error::Pagination {
            message: format!("internal error in astro-tokens ({what}); please report it"),
            offset: self.cursor,
        }
    }

    /// Starts requests, earliest hole first, until `window` are in flight: only one until
    /// the total is known, and never at or past the known total or beyond the `max_items`
    /// budget. A request asks for the page size in force, or less to fit its hole or the
    /// budget.
    fn fill(&mut self, window: usize) {
        let window = if self.total.is_some() { window } else { 1 };
        while !self.done && self.flights.len() < window {
            let budget = self.budget();
            if budget == 0 {
                break;
            }
            let hole = self.flights.first_hole(self.cursor, self.page_size);
            if self.total.is_some_and(|total| hole.start >= total) {
                break;
            }
            let room = hole.end.map_or(u64::MAX, |end| end - hole.start);
            let limit = u64::from(self.page_size).min(room).min(budget);
            let limit = u32::try_from(limit).unwrap_or(self.page_size);
            let request = (self.fetch)(hole.start, limit);
            self.flights.start(hole, limit, request);
            update(&self.report, |r| r.requests += 1);
        }
    }

    /// How many more tokens may be asked for, counting those expected from the requests
    /// in flight.
    fn budget(&self) -> u64 {
        self.plan.max_items.map_or(u64::MAX, |max| {
            max.saturating_sub(
                self.yielded
                    .saturating_add(self.flights.expected(self.page_size)),
            )
        })
    }

    /// Ends the listing and drops (so aborts) the requests in flight.
    fn finish(&mut self) {
        self.done = true;
        self.flights.clear();
    }

    /// What one page asked at `offset` for `limit` tokens means: the page to yield
    /// (repeats dropped), `None` when it ends the listing silently or held only tokens
    /// pushed back under the listing, or why the server cannot be paged.
    fn accept(&mut self, offset: u64, limit: u32, mut page: Page) -> Result<Option<Page>, Error> {
        let first = self.total.is_none();
        self.record_total(offset, &mut page);
        let received = page.tokens.len() as u64;
        if received == 0 {
            return Ok(self.empty(offset, first).then_some(page));
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
        let repeats = self.drop_repeats(offset, &mut page)?;
        if let Some(max) = self.plan.max_items {
            let room = usize::try_from(max.saturating_sub(self.yielded)).unwrap_or(usize::MAX);
            page.tokens.truncate(room);
        }
        let yielding = page.tokens.len() as u64;
        self.yielded += yielding;
        let short = self.advance(offset, limit, received, page.limit);
        update(&self.report, |r| {
            r.pages += u64::from(yielding > 0);
            r.items += yielding;
            r.duplicates_skipped += repeats;
            r.short_pages += u64::from(short);
        });
        // A page of only repeats, pushed back under the listing by insertions: skipped.
        Ok((yielding > 0).then_some(page))
    }

    /// Notes the page's `totalCount` and its retries, and whether the total changed.
    fn record_total(&mut self, offset: u64, page: &mut Page) {
        let total = page.total_count;
        let first_total = *self.first_total.get_or_insert(total);
        page.total_changed = total != first_total;
        self.total = Some(total);
        let retries = u64::from(page.attempts.saturating_sub(1));
        update(&self.report, |r| {
            r.first_total = Some(first_total);
            r.last_total = Some(total);
            r.total_changed |= page.total_changed;
            r.retries += retries;
        });
        if page.total_changed {
            tracing::info!(
                target: crate::LOG_TARGET,
                first_total,
                total,
                offset,
                "totalCount changed while paging: tokens may have shifted between pages"
            );
        }
    }

    /// An empty page ends the listing; the first page is yielded even then, so its total
    /// can be read. Returns whether to yield it.
    fn empty(&mut self, offset: u64, first: bool) -> bool {
        self.finish();
        let total = self.total.unwrap_or_default();
        if offset < total {
            update(&self.report, |r| r.ended_early = true);
            tracing::info!(
                target: crate::LOG_TARGET,
                offset,
                total,
                "an empty page ended the listing before totalCount was reached"
            );
        }
        if first {
            update(&self.report, |r| r.pages += 1);
        }
        first
    }

    /// Drops the tokens already yielded; returns how many. Only repeats with the total
    /// unchanged is a server that does not advance: an error.
    fn drop_repeats(&mut self, offset: u64, page: &mut Page) -> Result<u64, Error> {
        // Drift revealed by this page's total: remember everything before deduplicating it.
        if page.total_changed {
            self.seen.escalate();
        }
        let received = page.tokens.len() as u64;
        self.seen.dedupe(&mut page.tokens);
        let repeats = received - page.tokens.len() as u64;
        if page.tokens.is_empty() && !page.total_changed {
            return Err(Error::Pagination {
                message: format!(
                    "the page at offset {offset} holds only the {received} token(s) already \
                     listed: the server does not advance, so the listing stops"
                ),
                offset,
            });
        }
        if repeats > 0 {
            tracing::info!(
                target: crate::LOG_TARGET,
                offset,
                repeats,
                "dropped tokens already listed: the data shifted while paging"
            );
        }
        Ok(repeats)
    }

    /// Moves the cursor past what was received (a short page never skips, a longer one
    /// covers and aborts the requests it overlaps), adopts a server's cap, and ends the
    /// listing at the total or at `max_items`. Returns whether the page was short.
    fn advance(&mut self, offset: u64, limit: u32, received: u64, served_limit: u64) -> bool {
        let total = self.total.unwrap_or_default();
        let end = offset.saturating_add(received);
        self.cursor = end;
        let asked = u64::from(limit);
        let short = received < served_limit.min(asked) && end < total;
        let reached_max = self.plan.max_items.is_some_and(|max| self.yielded >= max);
        if reached_max || end >= total {
            self.finish();
            return short;
        }
        if received < asked && served_limit < asked {
            self.adopt_cap(served_limit.max(received), offset);
        }
        self.flights.drop_before(end);
        short
    }

    /// The server applied a smaller `limit` than asked: ask for that many from now on.
    /// Requests in flight at a larger limit are kept (each still brings the cap's worth of
    /// tokens at its offset); only the holes they leave are asked for.
    fn adopt_cap(&mut self, served: u64, offset: u64) {
        let cap = u32::try_from(served).unwrap_or(u32::MAX).max(1);
        if cap >= self.page_size {
            return;
        }
        tracing::info!(
            target: crate::LOG_TARGET,
            asked = self.page_size,
            served = cap,
            offset,
            "the server caps pages: asking for its page size from now on"
        );
        self.page_size = cap;
        update(&self.report, |r| r.capped_page_size = Some(cap));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pagination::report::SharedReport;

    #[tokio::test]
    async fn a_request_that_does_not_start_at_the_cursor_is_reported_as_a_bug_not_refetched() {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let plan = Plan {
            start: 0,
            page_size: 10,
            max_items: None,
            concurrency: 2,
        };
        let fetch = move |_: u64, _: u32| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            futures::future::pending::<Result<Page, Error>>()
        };
        let mut machine = Machine::new(plan, fetch, SharedReport::default());
        machine.total = Some(100);
        // A request in flight at 20 while the listing is at 0, with a window of one.
        let hole = machine.flights.first_hole(20, 10);
        machine.flights.start(hole, 10, futures::future::pending());
        machine.plan.concurrency = 1;
        match machine.step().await {
            Some(Err(Error::Pagination { message, offset })) => {
                assert!(
                    message.contains("internal error in astro-tokens"),
                    "{message}"
                );
                assert_eq!(offset, 0);
            }
            other => panic!("expected the bug to surface, got {other:?}"),
        }
        assert_eq!(
            calls.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "nothing was refetched"
        );
        assert!(machine.step().await.is_none(), "the listing is over");
    }
}
