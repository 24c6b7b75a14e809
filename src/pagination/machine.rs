//! The paging rules (see the module documentation of `pagination`): which request to start
//! next, and what a page that came back means for the listing.

use super::flights::Flights;
use super::report::{SharedReport, update};
use super::seen::Seen;
use super::{Page, Plan};
use crate::error::Error;

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
            if flight.offset != self.cursor {
                // A hole before the next request could not be asked for: never skip.
                // Unreachable while the budget accounts for every hole; start over here.
                drop(flight);
                self.flights.clear();
                continue;
            }
            let (offset, limit) = (flight.offset, flight.limit);
            let outcome = flight
                .outcome()
                .await
                .and_then(|page| self.accept(offset, limit, page));
            match outcome {
                Ok(Some(page)) => {
                    // While the consumer works on this page, `concurrency` requests run
                    // in the background (one, by default).
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
        match self.plan.max_items {
            Some(max) => max.saturating_sub(
                self.yielded
                    .saturating_add(self.flights.expected(self.page_size)),
            ),
            None => u64::MAX,
        }
    }

    /// Ends the listing and drops (so aborts) the requests in flight.
    fn finish(&mut self) {
        self.done = true;
        self.flights.clear();
    }

    /// Checks one page against what was asked; returns it (repeats dropped) if it is to be
    /// yielded, `None` if it ends the listing silently or held only tokens pushed back
    /// under the listing, or why the server cannot be paged.
    fn accept(&mut self, offset: u64, limit: u32, mut page: Page) -> Result<Option<Page>, Error> {
        let first = self.total.is_none();
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
                tracing::info!(
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
            tracing::info!(
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

        // The next offset is what was asked plus what was received: a short page never
        // skips, a longer one covers (and aborts) the requests it overlaps.
        let end = offset.saturating_add(received);
        self.cursor = end;
        let asked = u64::from(limit);
        let served_limit = page.limit.min(asked);
        let short = received < served_limit && end < total;
        let reached_max = self.plan.max_items.is_some_and(|max| self.yielded >= max);
        if reached_max || end >= total {
            self.finish();
        } else {
            if received < asked && page.limit < asked {
                self.adopt_cap(page.limit.max(received), offset);
            }
            self.flights.drop_before(end);
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

    /// The server applied a smaller `limit` than asked: ask for that many from now on.
    /// Requests in flight at a larger limit are kept (each still brings the cap's worth of
    /// tokens at its offset); only the holes they leave are asked for.
    fn adopt_cap(&mut self, served: u64, offset: u64) {
        let cap = u32::try_from(served).unwrap_or(u32::MAX).max(1);
        if cap >= self.page_size {
            return;
        }
        tracing::info!(
            asked = self.page_size,
            served = cap,
            offset,
            "the server caps pages: asking for its page size from now on"
        );
        self.page_size = cap;
        update(&self.report, |r| r.capped_page_size = Some(cap));
    }
}
