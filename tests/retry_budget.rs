//! One listing's concurrent page requests share a retry budget: against a server that
//! fails every request after the first page, `concurrency(8)` makes as many retries as one
//! request may, not eight times as many.

mod support;

use support::*;

/// The first page answers (and tells a total of 1000 tokens); every later request is a 503.
async fn failing_after_the_first_page() -> RawServer {
    RawServer::start(|request| {
        if request.number == 1 {
            page_reply(request, 1000)
        } else {
            error_reply(503, &[])
        }
    })
    .await
}

#[tokio::test]
async fn at_concurrency_8_a_failing_server_gets_the_listings_retries_not_eight_times_them() {
    let server = failing_after_the_first_page().await;
    let retries = fast_retries().max_retries();
    let client = client_builder(&server).build().unwrap();
    let listing = client.list_tokens(ORG).page_size(100).concurrency(8);
    let error = listing.collect_all().await.expect_err("the server fails");
    assert_eq!(error.status(), Some(503), "{error}");
    let requests = server.request_count() as u32;
    // The first page, the 8 pages fetched ahead, and the shared budget of retries. Without
    // the budget each of the 8 would retry on its own: 1 + 8 × (1 + 3) = 33 requests.
    assert!(
        requests <= 1 + 8 + retries,
        "{requests} requests: more retries than one listing's budget of {retries}"
    );
    assert!(
        requests > 1,
        "{requests}: the pages after the first were asked for"
    );
}

#[tokio::test]
async fn a_single_page_request_still_gets_all_its_retries() {
    let server = RawServer::start(|_| error_reply(503, &[])).await;
    let client = client_builder(&server).build().unwrap();
    let error = first_page(&client).await.expect_err("the server fails");
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        server.request_count() as u32,
        1 + fast_retries().max_retries()
    );
}
