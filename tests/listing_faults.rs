//! Listings under faults: each page is retried inside `fetch_page`, so a stream of pages
//! yields every token exactly once and in order while pages fail and recover, and a page
//! that keeps failing ends the stream with its error after every earlier page.

mod support;

use std::collections::HashMap;
use std::pin::pin;
use std::sync::{Arc, Mutex, PoisonError};

use astro_tokens::Error;
use futures::StreamExt;
use support::*;

const TOTAL: u64 = 450;
const PAGE: u32 = 50;

/// Drains a token stream: the ids before the first error, and that error.
async fn drain(
    stream: impl futures::Stream<Item = Result<astro_tokens::ApiToken, Error>>,
) -> (Vec<String>, Option<Error>) {
    let mut stream = pin!(stream);
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(token) => seen.push(token.id),
            Err(error) => {
                // The stream ends after its error.
                assert!(stream.next().await.is_none(), "items after the error");
                return (seen, Some(error));
            }
        }
    }
    (seen, None)
}

/// How many times each offset was answered with a page.
fn served_pages(server: &RawServer, failed: &[usize]) -> HashMap<u64, usize> {
    let mut served = HashMap::new();
    for r in server.requests() {
        if !failed.contains(&r.number) {
            *served.entry(r.offset()).or_insert(0) += 1;
        }
    }
    served
}

#[tokio::test]
async fn every_third_request_failing_once_still_lists_450_tokens_in_order_exactly_once() {
    let server = RawServer::start(|r| {
        if r.number % 3 == 0 {
            error_reply(503, &[])
        } else {
            page_reply(r, TOTAL)
        }
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let mut items = client.list_tokens(ORG).page_size(PAGE).items();
    let (ids, error) = drain(&mut items).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, expected_ids(0..TOTAL));
    // The report counts the retries the listing needed: one per failed request.
    assert_eq!(items.report().retries, 4);
    assert_eq!(
        items.report().requests,
        9,
        "page requests, retries inside them"
    );
    // Request 3 fails and its retry (4) succeeds, 6 fails and 7 succeeds, ...: the 9
    // pages take 13 requests, and each failed page is asked again at the same offset.
    assert_eq!(
        server.offsets(),
        [0, 50, 100, 100, 150, 200, 200, 250, 300, 300, 350, 400, 400]
    );
    let failed: Vec<usize> = (1..=13).filter(|n| n % 3 == 0).collect();
    let served = served_pages(&server, &failed);
    assert_eq!(served.len(), 9);
    assert!(
        served.values().all(|&n| n == 1),
        "a page was fetched again: {served:?}"
    );
}

#[tokio::test]
async fn each_page_says_how_many_attempts_it_took() {
    let server = RawServer::start(|r| {
        if r.number == 2 || r.number == 3 {
            error_reply(503, &[])
        } else {
            page_reply(r, 100)
        }
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let pages: Vec<astro_tokens::Page> =
        futures::TryStreamExt::try_collect(client.list_tokens(ORG).page_size(PAGE).pages())
            .await
            .unwrap();
    let attempts: Vec<u32> = pages.iter().map(|p| p.attempts).collect();
    assert_eq!(attempts, [1, 3]);
}

#[tokio::test]
async fn a_page_that_fails_after_retries_ends_the_stream_after_every_earlier_page() {
    let server = RawServer::start(|r| {
        if r.offset() == 200 {
            error_reply(503, &[])
        } else {
            page_reply(r, TOTAL)
        }
    })
    .await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_retries(2))
        .build()
        .unwrap();
    let (ids, error) = drain(client.list_tokens(ORG).page_size(PAGE).items()).await;
    assert_eq!(ids, expected_ids(0..200));
    let error = error.expect("the failing page's error");
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 503);
    // Four pages once each, then the failing one three times (1 + 2 retries), no more.
    assert_eq!(server.offsets(), [0, 50, 100, 150, 200, 200, 200]);
}

#[tokio::test]
async fn a_page_that_succeeds_after_a_reset_and_a_timeout_yields_its_items_once() {
    // The page at offset 100 is cut by a reset on its first try and stalls past the
    // timeout on its second; the third try answers. Every other page answers at once.
    let tries: Arc<Mutex<HashMap<u64, u32>>> = Arc::default();
    let server = RawServer::start({
        let tries = Arc::clone(&tries);
        move |r| {
            let attempt = {
                let mut tries = tries.lock().unwrap_or_else(PoisonError::into_inner);
                let n = tries.entry(r.offset()).or_insert(0);
                *n += 1;
                *n
            };
            let body = page_body(r.offset(), r.limit(), TOTAL);
            match (r.offset(), attempt) {
                (100, 1) => vec![
                    Step::Write(head(200, &[], body.len())),
                    Step::Write(body.as_bytes()[..body.len() / 3].to_vec()),
                    Step::Sleep(std::time::Duration::from_millis(10)),
                    Step::Reset,
                ],
                (100, 2) => vec![
                    Step::Write(head(200, &[], body.len())),
                    Step::Write(body.as_bytes()[..body.len() / 2].to_vec()),
                    Step::Stall,
                ],
                _ => page_reply(r, TOTAL),
            }
        }
    })
    .await;
    let client = client_builder(&server)
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let (ids, error) = drain(client.list_tokens(ORG).page_size(PAGE).items()).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, expected_ids(0..TOTAL));
    assert_eq!(
        server.offsets(),
        [0, 50, 100, 100, 100, 150, 200, 250, 300, 350, 400]
    );
}
