//! The retry policy of trusted SDKs for an idempotent GET, on loopback servers: 5xx are
//! retried whatever the body (a gateway's HTML page on a documented status included),
//! 401 is not; `Retry-After` in its obsolete RFC 850 form is obeyed; and one request,
//! attempts and waits together, never outlives `max_elapsed`.

mod support;

use std::time::{Duration, Instant, SystemTime};

use astro_tokens::Error;
use support::*;

const HTML: &str = "<html><head><title>Gateway error</title></head><body>upstream</body></html>";

fn html(status: u16) -> Vec<Step> {
    reply(response(
        status,
        &[("content-type", "text/html"), ("x-request-id", "edge-1")],
        HTML,
    ))
}

#[tokio::test]
async fn a_500_once_is_retried_and_the_page_arrives() {
    let server = RawServer::start(|r| match r.number {
        1 => error_reply(500, &[]),
        _ => page_reply(r, 7),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..7));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_html_500_page_on_a_documented_status_is_retried_then_succeeds() {
    let server = RawServer::start(|r| match r.number {
        1 => html(500),
        _ => page_reply(r, 3),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(page.tokens.len(), 3);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_html_500_page_that_persists_is_an_api_error_with_an_excerpt() {
    let server = RawServer::start(|_| html(500)).await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_retries(2))
        .build()
        .unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 500);
    assert_eq!(api.request_id.as_deref(), Some("edge-1"));
    assert!(
        api.excerpt.starts_with("<html><head><title>Gateway error"),
        "{api:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn an_html_401_page_is_an_api_error_and_not_retried() {
    let server = RawServer::start(|_| html(401)).await;
    let client = client_builder(&server).build().unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 401);
    assert!(api.message.contains("Gateway error"), "{}", api.message);
    assert!(!error.is_retryable());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn retry_after_as_an_rfc_850_date_is_waited_for_instead_of_the_backoff() {
    // RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`), 2 s ahead; the backoff alone would wait
    // at most 1 ms, so a wait of about 2 s can only come from the header.
    let server = RawServer::start(|r| match r.number {
        1 => {
            let date = rfc850(SystemTime::now() + Duration::from_secs(2));
            error_reply(503, &[("retry-after", &date)])
        }
        _ => page_reply(r, 1),
    })
    .await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    first_page(&client).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    // Whole seconds on the wire: "2 s ahead" is between 1 and 2 s once the second started.
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_secs(10),
        "waited {gap:?}"
    );
}

/// `time` as an RFC 850 date, from httpdate's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn rfc850(time: SystemTime) -> String {
    let imf = httpdate::fmt_http_date(time);
    let (day, rest) = imf.split_once(", ").expect("weekday");
    let parts: Vec<&str> = rest.split(' ').collect();
    let weekday = [
        ("Mon", "Monday"),
        ("Tue", "Tuesday"),
        ("Wed", "Wednesday"),
        ("Thu", "Thursday"),
        ("Fri", "Friday"),
        ("Sat", "Saturday"),
        ("Sun", "Sunday"),
    ]
    .iter()
    .find(|(short, _)| *short == day)
    .map(|(_, long)| *long)
    .expect("a weekday");
    let year = &parts[2][2..];
    format!(
        "{weekday}, {}-{}-{year} {} GMT",
        parts[0], parts[1], parts[3]
    )
}

#[tokio::test]
async fn retry_after_60_under_a_5_second_limit_ends_within_the_limit_not_minutes() {
    let server = RawServer::start(|_| error_reply(429, &[("retry-after", "60")])).await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_elapsed(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = first_page(&client).await.unwrap_err();
    let took = started.elapsed();
    // Waiting 60 s would cross the 5 s limit, so the client does not start the wait.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let Error::RetryLimit {
        max_elapsed,
        attempts,
        retry_after,
        last,
        ..
    } = &error
    else {
        panic!("expected Error::RetryLimit, got {error:?}")
    };
    assert_eq!(*max_elapsed, Duration::from_secs(5));
    assert_eq!(*attempts, 1);
    assert_eq!(*retry_after, Some(Duration::from_secs(60)));
    assert!(matches!(last.as_deref(), Some(Error::Api(api)) if api.status == 429));
    // The last error comes back through the accessors and as the source.
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(60)));
    let source = std::error::Error::source(&error).expect("the last error");
    assert!(source.to_string().starts_with("HTTP 429"), "{source}");
    let line = error.to_string();
    assert!(
        line.contains("retry time limit") && line.contains("5.0 s") && !line.contains("HTTP 429"),
        "{line}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn the_limit_cuts_an_attempt_that_hangs_longer_than_it() {
    let server = RawServer::start(|_| vec![Step::Stall]).await;
    let client = client_builder(&server)
        .timeout(Duration::from_secs(60))
        .retry_policy(fast_retries().with_max_elapsed(Duration::from_millis(700)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = first_page(&client).await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(
        matches!(
            &error,
            Error::RetryLimit {
                attempts: 1,
                last: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("had not finished"), "{error}");
}

#[tokio::test]
async fn the_limit_ends_a_run_of_failures_with_the_last_one_as_its_source() {
    let server = RawServer::start(|_| error_reply(503, &[])).await;
    let client = client_builder(&server)
        .retry_policy(
            fast_retries()
                .with_max_retries(1_000)
                .with_base_delay(Duration::from_millis(50))
                .with_max_delay(Duration::from_millis(50))
                .with_max_elapsed(Duration::from_millis(800)),
        )
        .build()
        .unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::RetryLimit { attempts, last, .. } = &error else {
        panic!("expected Error::RetryLimit, got {error:?}")
    };
    assert!(*attempts >= 2 && (*attempts as usize) < 1_000, "{attempts}");
    // The limit may cut the last attempt before the server has read its request.
    let seen = server.request_count();
    assert!(
        seen == *attempts as usize || seen + 1 == *attempts as usize,
        "{seen} requests for {attempts} attempts"
    );
    assert_eq!(last.as_deref().and_then(Error::status), Some(503));
    assert!(error.is_retryable(), "a 503 may succeed on a later run");
}
