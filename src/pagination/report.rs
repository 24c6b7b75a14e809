//! What a listing did and saw, shared between the machine that pages and the stream the
//! caller holds.

use std::sync::{Arc, Mutex, PoisonError};

/// What a listing did and saw so far: read it from [`Pages::report`](crate::Pages::report)
/// or [`Items::report`](crate::Items::report) while or after streaming.
///
/// Offset paging over data that changes can skip or repeat tokens; this report is how a
/// caller can tell (what is promised exactly: `docs/listing.md`). When
/// [`is_consistent`](Self::is_consistent) is true at the end, every page agreed on the
/// total and nothing was repeated or cut short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListingReport {
    /// Page requests started (including any cancelled because the listing ended, the
    /// stream was dropped, or a page longer than asked covered them).
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
    pub duplicates_skipped: u64,
    /// Pages that held fewer tokens than the server's own `limit` for them without being
    /// the last one (a page cut to a server's cap is not counted here).
    pub short_pages: u64,
    /// Whether an empty page ended the listing before the offset reached `totalCount`.
    pub ended_early: bool,
    /// The page size the server capped the listing to, if it did: a page came back with
    /// fewer tokens than asked and a `limit` smaller than the one asked, so every later
    /// request asked for this many (the smallest such `limit` seen). Not an
    /// inconsistency: [`is_consistent`](Self::is_consistent) ignores it.
    pub capped_page_size: Option<u32>,
    /// Attempts retried after a transient failure (a 503, a reset, ...), summed over the
    /// pages received: 0 when every page came at the first try. A listing that keeps
    /// needing retries is worth a look at the network or the server's health.
    pub retries: u64,
}

impl ListingReport {
    /// True when nothing suggests that the data changed or the server misbehaved: the
    /// total never changed, no id was repeated, and the listing was not cut short.
    pub fn is_consistent(&self) -> bool {
        !self.total_changed && self.duplicates_skipped == 0 && !self.ended_early
    }
}

/// The report as the machine updates it and the streams read it.
pub(super) type SharedReport = Arc<Mutex<ListingReport>>;

pub(super) fn update(report: &SharedReport, change: impl FnOnce(&mut ListingReport)) {
    change(&mut report.lock().unwrap_or_else(PoisonError::into_inner));
}

pub(super) fn snapshot(report: &SharedReport) -> ListingReport {
    report
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}
