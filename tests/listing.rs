//! The listing against the fake API (`astro-tokens-fake`): request counts, order
//! under two-key sorts, filters, prefetch in the background, a server that ignores
//! `offset`, a server that caps pages, data changing mid-listing, cancellation on drop,
//! and validation that sends nothing.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use astro_tokens::{ApiToken, ApiTokenRoleEntityType, Client, Error, SortField, TokenKind};
use astro_tokens_fake::FakeApi;
use futures::{StreamExt, TryStreamExt};

fn client(fake: &FakeApi) -> Client {
    Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()
        .expect("a client for the fake")
}

fn ids(tokens: &[ApiToken]) -> Vec<String> {
    tokens.iter().map(|t| t.id.clone()).collect()
}

/// The `(offset, limit)` of every request the fake received, in arrival order.
fn offsets_and_limits(fake: &FakeApi) -> Vec<(u64, u64)> {
    fake.requests()
        .iter()
        .map(|r| {
            let number = |key: &str| {
                r.query_values(key)
                    .first()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("request without a numeric {key}: {r:?}"))
            };
            (number("offset"), number("limit"))
        })
        .collect()
}

fn assert_distinct(listed: &[String]) {
    let distinct: HashSet<&String> = listed.iter().collect();
    assert_eq!(distinct.len(), listed.len(), "an id was yielded twice");
}

#[tokio::test]
async fn a_two_key_sort_yields_the_order_computed_independently_from_the_data() {
    let fake = FakeApi::builder().tokens(300).start().await.expect("fake");
    let tokens = client(&fake)
        .list_tokens(fake.organization_id())
        .sort(SortField::Description.asc())
        .sort(SortField::CreatedAt.desc())
        .page_size(40)
        .collect_all()
        .await
        .expect("listing");
    let mut expected = fake.tokens();
    expected.sort_by(|a, b| {
        a.description
            .as_bytes()
            .cmp(b.description.as_bytes())
            .then(b.created_at.cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
    assert_eq!(ids(&tokens), ids(&expected));
    let first = &fake.requests()[0];
    assert_eq!(
        first.query_values("sorts"),
        vec!["description:asc", "createdAt:desc"],
        "sort keys are sent in the order they were added"
    );
    assert_eq!(fake.request_count(), 8);
}

#[tokio::test]
async fn listing_2345_tokens_by_100_takes_exactly_24_requests_and_yields_every_id_once_in_order() {
    let fake = FakeApi::builder().tokens(2345).start().await.expect("fake");
    let mut items = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(100)
        .items();
    let tokens: Vec<ApiToken> = items.by_ref().try_collect().await.expect("listing");
    let expected = fake.select(&[]).expect("the fake's own order");
    assert_eq!(ids(&tokens), ids(&expected));
    assert_distinct(&ids(&tokens));
    assert_eq!(fake.request_count(), 24);
    let expected_requests: Vec<(u64, u64)> = (0..24).map(|i| (i * 100, 100)).collect();
    assert_eq!(offsets_and_limits(&fake), expected_requests);
    assert!(items.report().is_consistent());
}

#[tokio::test]
async fn prefetch_of_8_takes_the_same_24_requests_and_keeps_the_order() {
    let fake = FakeApi::builder()
        .tokens(2345)
        .latency(Duration::from_millis(5))
        .start()
        .await
        .expect("fake");
    let tokens = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(100)
        .concurrency(8)
        .collect_all()
        .await
        .expect("listing");
    let expected = fake.select(&[]).expect("the fake's own order");
    assert_eq!(ids(&tokens), ids(&expected));
    assert_eq!(fake.request_count(), 24);
    let mut offsets: Vec<u64> = offsets_and_limits(&fake).iter().map(|r| r.0).collect();
    offsets.sort_unstable();
    assert_eq!(offsets, (0..24).map(|i| i * 100).collect::<Vec<u64>>());
}

#[tokio::test]
async fn filters_combined_with_a_page_size_of_7_match_the_fakes_own_selection() {
    let fake = FakeApi::builder().tokens(400).start().await.expect("fake");
    let workspace = fake
        .tokens()
        .iter()
        .flat_map(|t| t.roles.clone())
        .find(|r| r.entity_type == ApiTokenRoleEntityType::Workspace)
        .map(|r| r.entity_id)
        .expect("the seeded data has a workspace role");
    let expected = fake
        .select(&[
            ("workspaceId", &workspace),
            ("kind", "STANDARD"),
            ("sorts", "name:asc"),
            ("sorts", "tokenStartAt:desc"),
        ])
        .expect("a valid query");
    assert!(expected.len() > 7, "the filter keeps several pages");
    let tokens = client(&fake)
        .list_tokens(fake.organization_id())
        .workspace_id(&workspace)
        .kind(TokenKind::Standard)
        .sorts([SortField::Name.asc(), SortField::TokenStartAt.desc()])
        .page_size(7)
        .collect_all()
        .await
        .expect("listing");
    assert_eq!(ids(&tokens), ids(&expected));
    assert_eq!(fake.request_count(), expected.len().div_ceil(7));
    let first = &fake.requests()[0];
    assert_eq!(first.query_values("workspaceId"), vec![workspace.as_str()]);
    assert_eq!(first.query_values("kind"), vec!["STANDARD"]);
}

#[tokio::test]
async fn starting_at_an_offset_with_max_items_asks_the_last_page_only_for_what_is_left() {
    let fake = FakeApi::builder().tokens(500).start().await.expect("fake");
    let tokens = client(&fake)
        .list_tokens(fake.organization_id())
        .offset(30)
        .page_size(100)
        .max_items(250)
        .concurrency(4)
        .collect_all()
        .await
        .expect("listing");
    let expected = fake.select(&[]).expect("the fake's own order");
    assert_eq!(ids(&tokens), ids(&expected[30..280]));
    assert_eq!(
        offsets_and_limits(&fake),
        vec![(30, 100), (130, 100), (230, 50)]
    );
}

#[tokio::test]
async fn an_offset_beyond_the_total_yields_nothing_after_exactly_one_request() {
    let fake = FakeApi::builder().tokens(20).start().await.expect("fake");
    let tokens = client(&fake)
        .list_tokens(fake.organization_id())
        .offset(50)
        .collect_all()
        .await
        .expect("listing");
    assert!(tokens.is_empty());
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn an_organization_without_tokens_takes_one_request() {
    let fake = FakeApi::builder()
        .with_data(Vec::<ApiToken>::new())
        .start()
        .await
        .expect("fake");
    let mut pages = client(&fake).list_tokens(fake.organization_id()).pages();
    let page = pages.try_next().await.expect("listing").expect("one page");
    assert_eq!((page.tokens.len(), page.total_count), (0, 0));
    assert!(pages.try_next().await.expect("no error").is_none());
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn a_server_that_ignores_offset_ends_in_a_pagination_error_not_a_hang() {
    let fake = FakeApi::builder()
        .tokens(500)
        .ignore_offset(true)
        .start()
        .await
        .expect("fake");
    let listing = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(100)
        .collect_all();
    let result = tokio::time::timeout(Duration::from_secs(10), listing)
        .await
        .expect("the listing ended instead of hanging");
    match result {
        Err(Error::Pagination {
            offset, message, ..
        }) => {
            assert_eq!(offset, 100);
            assert!(message.contains("does not advance"), "{message}");
        }
        other => panic!("expected a pagination error, got {other:?}"),
    }
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test]
async fn an_insertion_mid_listing_yields_no_duplicate_and_raises_total_changed() {
    let fake = FakeApi::builder().tokens(300).start().await.expect("fake");
    let before = fake.select(&[]).expect("the fake's own order");
    let mut items = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(100)
        .items();
    let mut listed = Vec::new();
    while let Some(token) = items.try_next().await.expect("listing") {
        listed.push(token.id.clone());
        if listed.len() == 150 {
            // Pages 1 and 2 are read; a token inserted first shifts page 3 by one.
            let mut new = before[0].clone();
            new.id = "inserted-mid-listing".to_owned();
            fake.insert_token_at(0, new);
        }
    }
    assert_distinct(&listed);
    assert_eq!(
        listed,
        ids(&before),
        "every token present at the start, once, in order"
    );
    assert!(items.total_changed());
    assert_eq!(items.report().duplicates_skipped, 1);
}

#[tokio::test]
async fn dropping_the_stream_mid_listing_stops_requests() {
    let fake = FakeApi::builder()
        .tokens(1000)
        .latency(Duration::from_millis(50))
        .start()
        .await
        .expect("fake");
    let mut items = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(10)
        .concurrency(4)
        .items();
    for _ in 0..15 {
        items.try_next().await.expect("listing").expect("a token");
    }
    drop(items);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let at_drop = fake.request_count();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.request_count(), at_drop, "no request after the drop");
    assert!(at_drop <= 1 + 4 + 1, "{at_drop} requests for 2 pages read");
}

#[tokio::test]
async fn an_item_stream_can_run_in_a_spawned_task() {
    let fake = FakeApi::builder().tokens(250).start().await.expect("fake");
    let items = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(50)
        .concurrency(2)
        .items();
    let count = tokio::spawn(async move { items.try_collect::<Vec<_>>().await.map(|v| v.len()) })
        .await
        .expect("the task ran")
        .expect("listing");
    assert_eq!(count, 250);
    assert_eq!(fake.request_count(), 5);
}

#[tokio::test]
async fn invalid_settings_are_rejected_by_every_result_method_and_send_nothing() {
    let fake = FakeApi::builder().tokens(10).start().await.expect("fake");
    let client = client(&fake);
    let org = fake.organization_id();
    let cases = [
        ("page_size", client.list_tokens(org).page_size(0)),
        ("page_size", client.list_tokens(org).page_size(1001)),
        ("concurrency", client.list_tokens(org).concurrency(0)),
        ("organization_id", client.list_tokens(" ")),
        ("offset", client.list_tokens(org).offset(u64::MAX)),
        ("max_items", client.list_tokens(org).max_items(0)),
    ];
    for (field, listing) in cases {
        let results = [
            listing.first_page().await.map(|_| ()),
            listing
                .clone()
                .pages()
                .next()
                .await
                .expect("one item")
                .map(|_| ()),
            listing
                .clone()
                .items()
                .next()
                .await
                .expect("one item")
                .map(|_| ()),
            listing.clone().collect_all().await.map(|_| ()),
        ];
        for result in results {
            match result {
                Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: expected InvalidInput, got {other:?}"),
            }
        }
    }
    assert_eq!(fake.request_count(), 0);
}

/// A fake of `n` tokens that serves at most `cap` a page (and says `limit: cap`).
async fn capped_fake(n: usize, cap: usize) -> FakeApi {
    FakeApi::builder()
        .tokens(n)
        .max_limit(cap)
        .start()
        .await
        .expect("fake")
}

#[tokio::test]
async fn a_capped_fake_is_listed_in_exactly_ceil_remaining_over_cap_requests() {
    // (cap, offset, max_items); 250 tokens, page_size(1000).
    let cases: [(usize, u64, Option<u64>); 5] = [
        (1, 3, Some(40)),
        (7, 0, None),
        (7, 20, Some(100)),
        (100, 0, None),
        (100, 30, Some(150)),
    ];
    for (cap, offset, max) in cases {
        for concurrency in [1, 4, 8] {
            let case =
                format!("cap {cap}, offset {offset}, max {max:?}, concurrency {concurrency}");
            let fake = capped_fake(250, cap).await;
            let mut listing = client(&fake)
                .list_tokens(fake.organization_id())
                .offset(offset)
                .page_size(1000)
                .concurrency(concurrency);
            if let Some(max) = max {
                listing = listing.max_items(max);
            }
            let mut items = listing.items();
            let tokens: Vec<ApiToken> = items.by_ref().try_collect().await.expect("listing");
            let all = fake.select(&[]).expect("the fake's own order");
            let start = offset as usize;
            let end = max.map_or(250, |max| (start + max as usize).min(250));
            assert_eq!(ids(&tokens), ids(&all[start..end]), "{case}");
            let mut requests = offsets_and_limits(&fake);
            requests.sort_unstable();
            let first = max.map_or(1000, |max| max.min(1000));
            let mut expected = vec![(offset, first)];
            let mut at = offset + cap as u64;
            while at < end as u64 {
                let limit = max.map_or(cap as u64, |max| (cap as u64).min(offset + max - at));
                expected.push((at, limit));
                at += limit;
            }
            assert_eq!(requests.len(), (end - start).div_ceil(cap), "{case}");
            assert_eq!(requests, expected, "{case}");
            let report = items.report();
            assert_eq!(report.capped_page_size, Some(cap as u32), "{case}");
            assert!(report.is_consistent(), "{case}: {report:?}");
        }
    }
}

#[tokio::test]
async fn two_thousand_tokens_capped_at_100_asked_1000_take_20_requests_with_or_without_prefetch() {
    for concurrency in [1, 4] {
        let fake = FakeApi::builder()
            .tokens(2000)
            .max_limit(100)
            .latency(Duration::from_millis(2))
            .start()
            .await
            .expect("fake");
        let tokens = client(&fake)
            .list_tokens(fake.organization_id())
            .page_size(1000)
            .concurrency(concurrency)
            .collect_all()
            .await
            .expect("listing");
        assert_eq!(tokens.len(), 2000);
        assert_distinct(&ids(&tokens));
        assert_eq!(fake.request_count(), 20, "concurrency {concurrency}");
    }
}

/// A fake with `latency` that counts the requests it answered (its responder runs after
/// the latency, and only for requests whose connection is still open).
async fn counting_fake(n: usize, latency: Duration) -> (FakeApi, Arc<AtomicUsize>) {
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&answered);
    let fake = FakeApi::builder()
        .tokens(n)
        .latency(latency)
        .respond_with(move |_, _| {
            counter.fetch_add(1, Ordering::SeqCst);
            None
        })
        .start()
        .await
        .expect("fake");
    (fake, answered)
}

/// Waits (up to 10 s) until `done` holds.
async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..1000 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done()
}

#[tokio::test]
async fn with_prefetch_pages_are_fetched_while_the_consumer_does_not_poll() {
    let (fake, answered) = counting_fake(1000, Duration::from_millis(20)).await;
    let mut pages = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(10)
        .concurrency(4)
        .pages();
    pages.try_next().await.expect("listing").expect("a page");
    // The consumer is busy elsewhere: the four pages ahead are still fetched, no more.
    assert!(
        eventually(|| answered.load(Ordering::SeqCst) == 5).await,
        "answered while not polled: {}",
        answered.load(Ordering::SeqCst)
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(fake.request_count(), 5);
    assert_eq!(pages.report().requests, 5);
}

#[tokio::test]
async fn dropping_the_stream_aborts_the_requests_in_flight() {
    let (fake, answered) = counting_fake(1000, Duration::from_millis(300)).await;
    let mut pages = client(&fake)
        .list_tokens(fake.organization_id())
        .page_size(10)
        .concurrency(4)
        .pages();
    pages.try_next().await.expect("listing").expect("a page");
    assert!(eventually(|| fake.request_count() == 5).await);
    drop(pages);
    // Well past the latency: the four requests in flight were never answered, because
    // their connections were closed, and nothing else was sent.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(fake.request_count(), 5);
    assert_eq!(
        answered.load(Ordering::SeqCst),
        1,
        "only the first page was answered"
    );
}
