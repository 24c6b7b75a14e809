//! The pagination state machine driven by an in-memory, scripted API (`script.rs`): call
//! counts, order, termination, misbehaving servers, data changing mid-listing, background
//! prefetch, drop. Caps are in `cap_tests.rs`.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::TryStreamExt;

use super::script::{Quirk, Server, collect, eventually, id_list, ids, outcomes};
use super::*;

#[tokio::test]
async fn sequential_listing_of_2345_tokens_makes_exactly_24_calls_and_yields_every_id_once_in_order()
 {
    let server = Server::with(2345);
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(2345));
    assert_eq!(server.calls().len(), 24);
    let offsets: Vec<u64> = server.calls().iter().map(|c| c.0).collect();
    assert_eq!(offsets, (0..24).map(|i| i * 100).collect::<Vec<u64>>());
    let report = items.report();
    assert_eq!(
        (report.requests, report.pages, report.items),
        (24, 24, 2345)
    );
    assert!(report.is_consistent(), "{report:?}");
}

#[tokio::test]
async fn prefetch_of_8_makes_the_same_24_calls_and_keeps_the_order() {
    let server = Server::with(2345).latency(|call| Duration::from_millis(1 + (call % 5) as u64));
    let mut items = Items::new(server.paginate(0, 100, None, 8));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(2345));
    assert_eq!(server.calls().len(), 24);
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 8);
    assert_eq!(server.cancelled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_first_page_is_fetched_alone_before_prefetch_starts() {
    let server = Server::with(1000).latency(|_| Duration::from_millis(5));
    let mut pages = server.paginate(0, 100, None, 4);
    let first = pages.try_next().await.expect("no error").expect("a page");
    assert_eq!(first.offset, 0);
    let rest: Vec<Page> = pages.try_collect().await.expect("no error");
    assert_eq!(rest.len(), 9);
    assert_eq!(server.calls().len(), 10);
    let finished_before = server.finished_before();
    assert_eq!(finished_before[0], 0);
    assert!(
        finished_before[1..].iter().all(|&n| n >= 1),
        "every later request started after the first one answered: {finished_before:?}"
    );
}

#[tokio::test]
async fn starting_at_an_offset_lists_the_rest_in_ceil_of_remaining_over_page_size_calls() {
    for concurrency in [1, 8] {
        let server = Server::with(2345);
        let mut items = Items::new(server.paginate(345, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(2345)[345..].to_vec());
        assert_eq!(server.calls().len(), 20, "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn max_items_asks_the_last_page_only_for_what_is_still_needed() {
    for concurrency in [1, 4] {
        let server = Server::with(2345);
        let mut items = Items::new(server.paginate(0, 100, Some(250), concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(250));
        assert_eq!(server.calls(), vec![(0, 100), (100, 100), (200, 50)]);
    }
}

#[tokio::test]
async fn max_items_smaller_than_a_page_makes_one_small_request() {
    let server = Server::with(2345);
    let mut items = Items::new(server.paginate(10, 100, Some(7), 8));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(17)[10..].to_vec());
    assert_eq!(server.calls(), vec![(10, 7)]);
}

#[tokio::test]
async fn an_offset_beyond_the_total_yields_one_empty_page_after_exactly_one_call() {
    let server = Server::with(50);
    let pages = outcomes(server.paginate(80, 100, None, 8)).await;
    assert_eq!(pages.len(), 1);
    let page = pages[0].as_ref().expect("no error");
    assert!(page.tokens.is_empty());
    assert_eq!(page.total_count, 50);
    assert_eq!(server.calls().len(), 1);
}

#[tokio::test]
async fn an_empty_collection_takes_one_call_and_yields_nothing() {
    let server = Server::with(0);
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    assert!(collect(&mut items).await.expect("no error").is_empty());
    assert_eq!(server.calls().len(), 1);
    assert!(items.report().is_consistent());
}

#[tokio::test]
async fn an_exact_multiple_of_the_page_size_needs_no_extra_call_to_find_the_end() {
    let server = Server::with(300);
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    assert_eq!(collect(&mut items).await.expect("no error").len(), 300);
    assert_eq!(server.calls().len(), 3);
}

#[tokio::test]
async fn an_empty_page_before_the_total_ends_the_stream_and_flags_ended_early() {
    let server = Server::with(500).quirk(Quirk::EmptyAt(200));
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let tokens = collect(&mut items)
        .await
        .expect("an empty page is not an error");
    assert_eq!(id_list(&tokens), ids(200));
    assert_eq!(server.calls().len(), 3);
    let report = items.report();
    assert!(report.ended_early);
    assert!(!report.is_consistent());
}

#[tokio::test]
async fn a_server_that_ignores_offset_ends_in_a_pagination_error_not_a_hang() {
    for concurrency in [1, 8] {
        let server = Server::with(500).quirk(Quirk::IgnoreOffset);
        let pages = outcomes(server.paginate(0, 100, None, concurrency)).await;
        assert_eq!(pages.len(), 2, "one good page, then the error");
        assert_eq!(
            id_list(&pages[0].as_ref().expect("first page").tokens),
            ids(100)
        );
        match &pages[1] {
            Err(Error::Pagination { offset, message }) => {
                assert_eq!(*offset, 100);
                assert!(message.contains("does not honour `offset`"), "{message}");
            }
            other => panic!("expected a pagination error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_that_repeats_a_page_ends_in_a_pagination_error() {
    let server = Server::with(500).quirk(Quirk::RepeatFirstPage);
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let error = collect(&mut items).await.expect_err("a repeated page");
    assert!(
        matches!(&error, Error::Pagination { offset: 100, message } if message.contains("does not advance")),
        "{error}"
    );
    assert_eq!(server.calls().len(), 2);
}

#[tokio::test]
async fn insertion_mid_listing_yields_no_duplicate_and_flags_total_changed() {
    for concurrency in [1, 4] {
        // Before the third request, 3 tokens are inserted at the front: the tokens already
        // listed shift right, so the next pages start with 3 tokens seen before.
        let server = Server::with(1000).quirk(Quirk::InsertBefore {
            call: 2,
            at: 0,
            count: 3,
        });
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        let listed = id_list(&tokens);
        let distinct: HashSet<&String> = listed.iter().collect();
        assert_eq!(distinct.len(), listed.len(), "no duplicates");
        assert_eq!(listed, ids(1000), "every original token, in order");
        let report = items.report();
        assert!(report.total_changed, "{report:?}");
        assert_eq!(report.duplicates_skipped, 3, "{report:?}");
        assert_eq!(
            (report.first_total, report.last_total),
            (Some(1000), Some(1003))
        );
    }
}

#[tokio::test]
async fn the_window_is_concurrency_plus_two_pages_and_a_long_stable_listing_stays_whole() {
    // How much the window holds is tested on `Seen` itself (seen.rs).
    for concurrency in [1, 4] {
        let server = Server::with(20_000);
        let plan = Plan {
            start: 0,
            page_size: 100,
            max_items: None,
            concurrency,
        };
        assert_eq!(plan.window(), (concurrency + 2) * 100);
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(20_000));
        assert!(items.report().is_consistent());
        assert_eq!(server.calls().len(), 200);
    }
}

#[tokio::test]
async fn a_server_that_stops_advancing_late_in_a_long_listing_is_still_caught() {
    // The window has forgotten the early pages but always holds the previous one.
    let server = Server::with(20_000).quirk(Quirk::StuckFrom(15_000));
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let error = collect(&mut items).await.expect_err("a repeated page");
    assert!(
        matches!(&error, Error::Pagination { offset: 15_000, message } if message.contains("does not advance")),
        "{error}"
    );
    assert_eq!(server.calls().len(), 151);
    assert_eq!(items.report().items, 15_000);
}

#[tokio::test]
async fn a_page_that_reveals_a_changed_total_escalates_before_it_is_deduplicated() {
    // W = 300. After 500 tokens, 350 are inserted at 210: the page at 500 holds 60 new
    // tokens, then tokens 210..250 again, yielded 290 to 251 positions back. Were the page
    // deduplicated in the stable phase, its 60 new ids would push tokens 200..260 out of
    // the window first, and the 40 repeats would be yielded again.
    let server = Server::with(1000).quirk(Quirk::InsertBefore {
        call: 5,
        at: 210,
        count: 350,
    });
    let mut pages = server.paginate(0, 100, None, 1);
    let mut listed = Vec::new();
    for _ in 0..6 {
        let page = pages.try_next().await.expect("no error").expect("a page");
        listed.extend(id_list(&page.tokens));
    }
    assert_distinct_ids(&listed);
    assert_eq!(listed.len(), 560);
    assert_eq!(
        listed[500..],
        (290..350).map(|i| format!("new-5-{i}")).collect::<Vec<_>>()[..]
    );
    let report = pages.report();
    assert!(report.total_changed);
    assert_eq!(report.duplicates_skipped, 40, "{report:?}");
}

#[tokio::test]
async fn a_repeat_within_the_window_with_an_unchanged_total_is_dropped_and_escalates() {
    for concurrency in [1, 4] {
        // Before the request at offset 800, one token is inserted at the front and the
        // last one deleted: `totalCount` stays 1000, but token 799 comes again at 800.
        let server = Server::with(1000).quirk(Quirk::InsertAndDeleteBefore {
            call: 8,
            insert_at: 0,
            delete_at: 1000,
        });
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        let listed = id_list(&tokens);
        assert_distinct_ids(&listed);
        assert_eq!(listed, ids(999), "concurrency {concurrency}");
        let report = items.report();
        assert!(!report.total_changed, "{report:?}");
        assert_eq!(report.duplicates_skipped, 1, "{report:?}");
    }
}

fn assert_distinct_ids(listed: &[String]) {
    let distinct: HashSet<&String> = listed.iter().collect();
    assert_eq!(distinct.len(), listed.len(), "an id was yielded twice");
}

#[tokio::test]
async fn deletion_mid_listing_flags_total_changed_on_the_page_and_the_report() {
    let server = Server::with(300).quirk(Quirk::DeleteBefore { call: 1, at: 0 });
    let pages: Vec<Page> = outcomes(server.paginate(0, 100, None, 1))
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("no error");
    assert!(!pages[0].total_changed);
    assert!(pages[1].total_changed);
    let listed: Vec<String> = pages.iter().flat_map(|p| id_list(&p.tokens)).collect();
    // Offset paging cannot see the token that moved into the page already read.
    assert_eq!(listed.len(), 299);
    assert!(!listed.contains(&"tok-00100".to_owned()));
}

#[tokio::test]
async fn a_short_page_continues_from_what_was_received_not_from_the_page_size() {
    let server = Server::with(500).quirk(Quirk::ShortAt(100, 60));
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(500));
    let offsets: Vec<u64> = server.calls().iter().map(|c| c.0).collect();
    assert_eq!(offsets, vec![0, 100, 160, 260, 360, 460]);
    assert_eq!(items.report().short_pages, 1);
}

#[tokio::test]
async fn a_short_page_under_prefetch_keeps_what_is_in_flight_and_asks_only_for_the_hole() {
    // A short page whose limit was honoured does not change the page size.
    for concurrency in [4, 8] {
        let server = Server::with(1000)
            .quirk(Quirk::ShortAt(100, 60))
            .latency(|call| Duration::from_millis(if call < 2 { 1 } else { 30 }));
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("no error");
        assert_eq!(id_list(&tokens), ids(1000));
        let mut expected: Vec<(u64, u32)> = (0..10).map(|i| (i * 100, 100)).collect();
        expected.insert(2, (160, 40));
        assert_eq!(
            server.calls_by_offset(),
            expected,
            "concurrency {concurrency}"
        );
        assert_eq!(Server::count(&server.cancelled), 0);
        let report = items.report();
        assert_eq!((report.short_pages, report.capped_page_size), (1, None));
        assert_eq!(report.requests, 11);
    }
}

#[tokio::test]
async fn a_page_larger_than_asked_is_kept_and_paging_continues_after_it() {
    let server = Server::with(400).quirk(Quirk::LongAt(100, 20));
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(400));
    let offsets: Vec<u64> = server.calls().iter().map(|c| c.0).collect();
    assert_eq!(offsets, vec![0, 100, 220, 320]);
}

#[tokio::test]
async fn under_prefetch_a_page_larger_than_asked_aborts_the_request_it_covers() {
    let server = Server::with(600)
        .quirk(Quirk::LongAt(100, 20))
        .latency(|call| Duration::from_millis(if call < 2 { 1 } else { 200 }));
    let mut items = Items::new(server.paginate(0, 100, None, 4));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(id_list(&tokens), ids(600));
    assert_eq!(items.report().duplicates_skipped, 0);
    // 200..300 was in flight when the page at 100 brought 100..220: it is aborted, and
    // only 220..300 is asked for.
    assert_eq!(
        server.calls_by_offset(),
        [
            (0, 100),
            (100, 100),
            (200, 100),
            (220, 80),
            (300, 100),
            (400, 100),
            (500, 100)
        ]
    );
    assert!(eventually(|| Server::count(&server.cancelled) == 1).await);
}

#[tokio::test]
async fn an_error_mid_listing_comes_after_every_earlier_page_and_ends_the_stream() {
    for concurrency in [1, 4] {
        let server = Server::with(1000).quirk(Quirk::FailAt(300));
        let pages = outcomes(server.paginate(0, 100, None, concurrency)).await;
        assert_eq!(
            pages.len(),
            4,
            "3 pages then the error, concurrency {concurrency}"
        );
        for (i, page) in pages[..3].iter().enumerate() {
            let page = page.as_ref().expect("earlier pages are fine");
            assert_eq!(page.offset, i as u64 * 100);
        }
        assert!(matches!(pages[3], Err(Error::Transport { .. })));
    }
}

#[tokio::test]
async fn dropping_the_stream_aborts_requests_in_flight_and_leaves_no_task_behind() {
    // The first two calls are quick, the rest slow: when the second page has been read,
    // four requests are in flight.
    let server =
        Server::with(1000).latency(|call| Duration::from_millis(if call < 2 { 1 } else { 300 }));
    let mut pages = server.paginate(0, 100, None, 4);
    for _ in 0..2 {
        pages.try_next().await.expect("no error").expect("a page");
    }
    assert_eq!(
        pages.report().requests,
        6,
        "the first page, then a window of 4 kept full"
    );
    assert!(eventually(|| server.started() == 6).await);
    let started = server.started();
    drop(pages);
    assert!(
        eventually(|| Server::count(&server.cancelled) == 4).await,
        "cancelled: {}",
        Server::count(&server.cancelled)
    );
    assert_eq!(Server::count(&server.finished), 2);
    assert!(
        eventually(|| server.clones() == 1).await,
        "a request task outlived the stream: {} clones of the server",
        server.clones()
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(server.started(), started, "no request after the drop");
    assert_eq!(
        Server::count(&server.finished),
        2,
        "none answered after the drop"
    );
}

#[tokio::test]
async fn with_prefetch_the_window_fills_while_the_consumer_is_not_polling() {
    let server = Server::with(2000).latency(|_| Duration::from_millis(5));
    let mut pages = server.paginate(0, 100, None, 4);
    pages.try_next().await.expect("no error").expect("a page");
    // The consumer is busy and does not poll: the four requests still complete.
    assert!(
        eventually(|| Server::count(&server.finished) == 5).await,
        "finished while not polled: {}",
        Server::count(&server.finished)
    );
    // And no more than four are fetched ahead, however long it stays busy.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.started(), 5);
    // Each page handed over makes room for one more request, started at once.
    pages.try_next().await.expect("no error").expect("a page");
    assert_eq!(pages.report().requests, 6);
    assert!(eventually(|| Server::count(&server.finished) == 6).await);
    let rest: Vec<Page> = pages.try_collect().await.expect("no error");
    assert_eq!(rest.len(), 18);
    assert_eq!(server.calls().len(), 20);
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn concurrency_1_fetches_one_page_ahead_while_the_consumer_is_busy_and_no_more() {
    let server = Server::with(500).latency(|_| Duration::from_millis(2));
    let mut pages = server.paginate(0, 100, None, 1);
    let first = pages.try_next().await.expect("no error").expect("a page");
    assert_eq!(first.offset, 0);
    // The consumer is busy (not polling): the next page is fetched meanwhile, and only it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.started(), 2);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.started(), 2, "one page ahead at most");
    let second = pages.try_next().await.expect("no error").expect("a page");
    assert_eq!(second.offset, 100);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.started(), 3);
    assert_eq!(server.max_in_flight.load(Ordering::SeqCst), 1);
}

#[tokio::test]
#[should_panic(expected = "scripted panic in a request")]
async fn a_panic_in_a_request_resumes_in_the_consumer() {
    let plan = Plan {
        start: 0,
        page_size: 10,
        max_items: None,
        concurrency: 4,
    };
    async fn boom(_: u64, _: u32) -> Result<Page, Error> {
        panic!("scripted panic in a request");
    }
    let mut pages = paginate(plan, boom);
    let _ = pages.try_next().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_run_with_the_consumers_tracing_subscriber_and_span_on_any_thread() {
    type Fmt = tracing_subscriber::fmt::Subscriber;
    let _guard = tracing::subscriber::set_default(tracing_subscriber::fmt().finish());
    let consumer = tracing::info_span!("consumer");
    let plan = Plan {
        start: 0,
        page_size: 10,
        max_items: None,
        concurrency: 4,
    };
    let server = Server::with(100);
    let pages = paginate(plan, move |offset, limit| {
        let server = server.clone();
        async move {
            let subscribed = tracing::dispatcher::get_default(|d| d.is::<Fmt>());
            let in_span = tracing::Span::current().metadata().map(|m| m.name());
            assert!(subscribed, "the request lost the consumer's subscriber");
            assert_eq!(in_span, Some("consumer"));
            server.serve(offset, limit).await
        }
    });
    let pages: Vec<Page> = tracing::Instrument::instrument(pages.try_collect(), consumer)
        .await
        .expect("no error");
    assert_eq!(pages.len(), 10);
}

#[test]
fn the_streams_are_send_and_unpin() {
    fn send_unpin<T: Send + Unpin + 'static>() {}
    send_unpin::<Pages>();
    send_unpin::<Items>();
}

#[tokio::test]
async fn nothing_is_fetched_until_the_stream_is_polled() {
    let server = Server::with(100);
    let pages = server.paginate(0, 10, None, 4);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(server.started(), 0);
    drop(pages);
    assert_eq!(server.started(), 0);
}

#[tokio::test]
async fn item_streams_are_send_and_can_run_in_a_spawned_task() {
    let server = Server::with(2345);
    let mut items = Items::new(server.paginate(0, 100, None, 8));
    let handle = tokio::spawn(async move {
        let tokens: Vec<ApiToken> = items.by_ref().try_collect().await?;
        Ok::<_, Error>((tokens.len(), items.report()))
    });
    let (count, report) = handle.await.expect("the task ran").expect("no error");
    assert_eq!(count, 2345);
    assert_eq!(report.requests, 24);
}

#[tokio::test]
async fn a_repeated_id_within_a_listing_is_yielded_once_and_counted() {
    // A server with an unstable order serves one id twice (at 99 and 100).
    let server = Server::with(300);
    server.ids.lock().expect("not poisoned")[100] = "tok-00099".to_owned();
    let mut items = Items::new(server.paginate(0, 100, None, 1));
    let tokens = collect(&mut items).await.expect("no error");
    assert_eq!(tokens.len(), 299);
    assert_eq!(items.report().duplicates_skipped, 1);
    assert!(!items.report().total_changed);
}

#[test]
fn a_report_is_consistent_only_without_changes_repeats_or_early_end() {
    assert!(ListingReport::default().is_consistent());
    let changed = ListingReport {
        total_changed: true,
        ..ListingReport::default()
    };
    assert!(!changed.is_consistent());
    let repeated = ListingReport {
        duplicates_skipped: 1,
        ..ListingReport::default()
    };
    assert!(!repeated.is_consistent());
}

#[tokio::test]
async fn a_page_of_only_repeats_after_a_large_insertion_is_skipped_not_an_error() {
    for concurrency in [1, 4] {
        // After three pages, 250 tokens are inserted at the front: the next 2.5 pages hold
        // only tokens already listed. The total changed, so that is drift, not a stuck server.
        let server = Server::with(1000).quirk(Quirk::InsertBefore {
            call: 3,
            at: 0,
            count: 250,
        });
        let mut items = Items::new(server.paginate(0, 100, None, concurrency));
        let tokens = collect(&mut items).await.expect("drift is not an error");
        assert_eq!(
            id_list(&tokens),
            ids(1000),
            "every original token once, in order"
        );
        let report = items.report();
        assert!(report.total_changed, "{report:?}");
        assert_eq!(report.duplicates_skipped, 250, "{report:?}");
    }
}
