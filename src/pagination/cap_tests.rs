//! Servers that cap pages: a page with fewer tokens than asked and a smaller `limit` makes
//! the listing ask for that `limit` from then on, keeping the requests in flight. Exact
//! request sequences and token sequences, with caps of 1, 7 and 100 combined with
//! `max_items`, `offset` and concurrency 1, 4 and 8.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::TryStreamExt;

use super::script::{Quirk, Server, collect, id_list, ids, outcomes};
use super::*;

const TOTAL: usize = 1234;
const ASKED: u32 = 1000;

/// The requests a listing from `start` of at most `max` tokens takes when the server
/// caps every page at `cap`: the first one asks the page size (or `max`, if smaller), and
/// every later one `cap` (or what `max` leaves), at consecutive offsets.
fn expected_calls(start: u64, max: Option<u64>, cap: u32) -> Vec<(u64, u32)> {
    let end = match max {
        Some(max) => (start + max).min(TOTAL as u64),
        None => TOTAL as u64,
    };
    let first = max.map_or(ASKED, |max| max.min(u64::from(ASKED)) as u32);
    let mut calls = vec![(start, first)];
    let mut at = start + u64::from(cap.min(first));
    while at < end {
        let limit = match max {
            Some(max) => u64::from(cap).min(start + max - at) as u32,
            None => cap,
        };
        calls.push((at, limit));
        at += u64::from(limit);
    }
    calls
}

#[tokio::test]
async fn a_cap_seen_on_the_first_page_makes_exactly_ceil_remaining_over_cap_requests() {
    for cap in [1, 7, 100] {
        for concurrency in [1, 4, 8] {
            for (start, max) in [(0, None), (111, None), (0, Some(500)), (111, Some(50))] {
                let case =
                    format!("cap {cap}, concurrency {concurrency}, offset {start}, max {max:?}");
                let server = Server::with(TOTAL).cap(cap);
                let mut items = Items::new(server.paginate(start, ASKED, max, concurrency));
                let tokens = collect(&mut items).await.expect("no error");
                let end = max.map_or(TOTAL, |max| (start as usize + max as usize).min(TOTAL));
                assert_eq!(id_list(&tokens), ids(TOTAL)[start as usize..end], "{case}");
                let listed = (end - start as usize) as u64;
                let calls = server.calls_by_offset();
                assert_eq!(
                    calls.len() as u64,
                    listed.div_ceil(u64::from(cap)),
                    "{case}"
                );
                assert_eq!(calls, expected_calls(start, max, cap), "{case}");
                assert_eq!(Server::count(&server.cancelled), 0, "{case}");
                let report = items.report();
                let first_limit = expected_calls(start, max, cap)[0].1;
                let adopted = (cap < first_limit).then_some(cap);
                assert_eq!(report.capped_page_size, adopted, "{case}");
                assert_eq!(report.requests, calls.len() as u64, "{case}");
                assert_eq!(report.short_pages, 0, "a capped page is not short: {case}");
                assert!(report.is_consistent(), "{case}: {report:?}");
            }
        }
    }
}

#[tokio::test]
async fn the_issues_case_2000_tokens_capped_at_100_asked_1000_takes_20_requests_at_any_concurrency()
{
    for concurrency in [1, 4, 8] {
        let server = Server::with(2000).cap(100);
        let mut items = Items::new(server.paginate(0, 1000, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(2000));
        let mut expected = vec![(0, 1000)];
        expected.extend((1..20).map(|i| (i * 100, 100)));
        assert_eq!(
            server.calls_by_offset(),
            expected,
            "concurrency {concurrency}"
        );
    }
}

#[tokio::test]
async fn a_limit_the_server_honoured_does_not_change_the_page_size() {
    // Capped at 100 while asking 100: nothing to adopt; a short page at 300 (limit 100
    // echoed) is a short page, and the requests after it still ask 100.
    for concurrency in [1, 4] {
        let server = Server::with(700).cap(100).quirk(Quirk::ShortAt(300, 40));
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(700));
        let report = items.report();
        assert_eq!(report.capped_page_size, None);
        assert_eq!(report.short_pages, 1);
        let limits: Vec<u32> = server.calls_by_offset().iter().map(|c| c.1).collect();
        let expected = if concurrency == 1 {
            // Sequential: 0, 100, 200, 300 (40), then 340, 440, 540, 640.
            vec![100; 8]
        } else {
            // Prefetched: the requests at 400.. were in flight; only 340..400 is asked.
            vec![100, 100, 100, 100, 60, 100, 100, 100]
        };
        assert_eq!(limits, expected, "concurrency {concurrency}");
    }
}

/// The token ranges each call was served, given a cap of `cap` from offset `from` on.
fn served(calls: &[(u64, u32)], cap: u32, from: u64, total: u64) -> Vec<(u64, u64)> {
    calls
        .iter()
        .map(|&(offset, limit)| {
            let limit = if offset >= from {
                limit.min(cap)
            } else {
                limit
            };
            (offset, (offset + u64::from(limit)).min(total))
        })
        .collect()
}

/// Asserts that the served ranges tile `[start, total)`: no token served twice, none left.
fn assert_tiles(ranges: &[(u64, u64)], start: u64, total: u64) {
    let mut at = start;
    for &(from, to) in ranges {
        assert_eq!(from, at, "a gap or an overlap at {at}: {ranges:?}");
        at = to;
    }
    assert_eq!(at, total);
}

#[tokio::test]
async fn a_cap_first_seen_later_keeps_the_requests_in_flight_and_fills_only_their_holes() {
    // Pages of 1000 are served whole below 3000 and capped at 100 from there on. When the
    // page at 3000 shows the cap, the requests at 4000, 5000 and 6000 are in flight (at
    // concurrency 4): each still brings 100 tokens, and only the 900 behind each is
    // asked, 100 at a time. 1000 is a multiple of 100, so nothing is wasted: 3 pages of
    // 1000, then (10000 - 3000) / 100 = 70.
    let server = Server::with(10_000)
        .cap_from(100, 3000)
        .latency(|call| Duration::from_millis((call % 3) as u64));
    let mut items = Items::new(server.paginate(0, 1000, None, 4));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(10_000));
    let calls = server.calls_by_offset();
    assert_eq!(calls.len(), 73);
    assert_tiles(&served(&calls, 100, 3000, 10_000), 0, 10_000);
    let asked_1000: Vec<u64> = calls.iter().filter(|c| c.1 == 1000).map(|c| c.0).collect();
    assert_eq!(asked_1000, [0, 1000, 2000, 3000, 4000, 5000, 6000]);
    assert_eq!(Server::count(&server.cancelled), 0);
    assert_eq!(items.report().capped_page_size, Some(100));
    assert!(items.report().is_consistent());
}

#[tokio::test]
async fn a_cap_that_does_not_divide_the_page_size_costs_at_most_one_request_per_hole() {
    // As above with a cap of 7: the four requests at 3000..6000 each leave a hole of 993,
    // which takes 142 requests (the last asks 6). 3 + 4 x 143 + ceil(3000 / 7) = 1004,
    // one more than 3 + ceil(7000 / 7) = 1003; each hole can cost at most one.
    for concurrency in [4, 8] {
        let server = Server::with(10_000).cap_from(7, 3000);
        let mut items = Items::new(server.paginate(0, 1000, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(10_000), "concurrency {concurrency}");
        let calls = server.calls_by_offset();
        let in_flight_at_1000 = concurrency as u64;
        let holes = in_flight_at_1000;
        assert!(calls.len() as u64 <= 3 + 1000 + holes);
        if concurrency == 4 {
            assert_eq!(calls.len(), 1004);
        }
        assert_tiles(&served(&calls, 7, 3000, 10_000), 0, 10_000);
        assert_eq!(Server::count(&server.cancelled), 0);
        assert_eq!(items.report().capped_page_size, Some(7));
    }
}

#[tokio::test]
async fn a_capped_listing_still_drops_repeats_after_an_insertion() {
    for concurrency in [1, 4, 8] {
        // Before the fourth request, 3 tokens are inserted at the front.
        let server = Server::with(500).cap(7).quirk(Quirk::InsertBefore {
            call: 3,
            at: 0,
            count: 3,
        });
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(500), "concurrency {concurrency}");
        let report = items.report();
        assert!(report.total_changed);
        assert_eq!(report.duplicates_skipped, 3);
    }
}

#[tokio::test]
async fn a_capped_server_that_ignores_offset_still_ends_in_a_pagination_error() {
    for concurrency in [1, 4] {
        let server = Server::with(500).cap(7).quirk(Quirk::IgnoreOffset);
        let pages = outcomes(server.paginate(0, 100, None, concurrency)).await;
        assert_eq!(pages.len(), 2, "one good page, then the error");
        assert_eq!(id_list(&pages[0].as_ref().expect("page").tokens), ids(7));
        assert!(
            matches!(&pages[1], Err(Error::Pagination { offset: 7, .. })),
            "{:?}",
            pages[1]
        );
    }
}

#[tokio::test]
async fn under_a_cap_an_error_comes_after_every_earlier_page() {
    for concurrency in [1, 4, 8] {
        let server = Server::with(500).cap(7).quirk(Quirk::FailAt(70));
        let pages = outcomes(server.paginate(0, 100, None, concurrency)).await;
        assert_eq!(pages.len(), 11, "10 pages of 7, then the error");
        let offsets: Vec<u64> = pages[..10]
            .iter()
            .map(|p| p.as_ref().expect("earlier pages are fine").offset)
            .collect();
        assert_eq!(offsets, (0..10).map(|i| i * 7).collect::<Vec<u64>>());
        assert!(matches!(pages[10], Err(Error::Transport { .. })));
    }
}

#[tokio::test]
async fn a_limit_larger_than_asked_is_not_a_cap() {
    // A server that says `limit: 5000` while serving the 100 asked: nothing to adopt.
    let server = Server::with(300).cap(5000);
    let mut items = Items::new(server.paginate(0, 100, None, 4));
    collect(&mut items).await.expect("no error");
    assert_eq!(items.report().capped_page_size, None);
    assert_eq!(server.calls().len(), 3);
}

#[tokio::test]
async fn every_request_under_a_cap_brings_the_cap_s_worth_of_new_tokens() {
    // No request is wasted: each one's tokens are new, and each token comes once.
    let server = Server::with(TOTAL).cap(7);
    let mut pages = server.paginate(5, ASKED, None, 8);
    let mut sizes = BTreeMap::new();
    while let Some(page) = pages.try_next().await.expect("no error") {
        *sizes.entry(page.tokens.len()).or_insert(0) += 1;
    }
    // 1229 tokens = 175 pages of 7, then one of 4.
    assert_eq!(sizes, BTreeMap::from([(4, 1), (7, 175)]));
}
