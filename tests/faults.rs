//! Fault injection on one page request (`first_page`), against raw loopback servers:
//! what is retried, how long the client waits, and the exact error when it gives up.

mod support;

use std::time::{Duration, Instant};

use astro_tokens::Error;
use support::*;

fn gap(server: &RawServer, from: usize, to: usize) -> Duration {
    let requests = server.requests();
    requests[to].at.duration_since(requests[from].at)
}

#[tokio::test]
async fn a_429_with_retry_after_1_waits_a_second_then_returns_the_page() {
    let server = RawServer::start(|r| match r.number {
        1 => error_reply(429, &[("retry-after", "1")]),
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let started = Instant::now();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(page.request_id.as_deref(), Some("req-2"));
    assert_eq!(server.request_count(), 2);
    assert!(
        gap(&server, 0, 1) >= Duration::from_secs(1),
        "{:?}",
        gap(&server, 0, 1)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_retry_after_http_date_is_honoured() {
    let when = chrono::Utc::now() + chrono::Duration::seconds(2);
    let date = when.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let server = RawServer::start(move |r| match r.number {
        1 => error_reply(503, &[("retry-after", &date)]),
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(server.request_count(), 2);
    // Whole seconds on the wire: "now + 2 s" is between 1 and 2 s away.
    let waited = gap(&server, 0, 1);
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_returns_the_error_at_once_with_the_delay() {
    let server = RawServer::start(|_| error_reply(429, &[("retry-after", "120")])).await;
    let client = client_builder(&server).build().unwrap();
    let started = Instant::now();
    let error = first_page(&client).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 429);
    assert_eq!(api.retry_after, Some(Duration::from_secs(120)));
    assert_eq!(api.request_id.as_deref(), Some("req-429"));
    assert_eq!(server.request_count(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn the_retry_after_cap_is_configurable() {
    let server = RawServer::start(|_| error_reply(503, &[("retry-after", "3")])).await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_retry_after_cap(Duration::from_secs(2)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = first_page(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert!(matches!(&error, Error::Api(api) if api.retry_after == Some(Duration::from_secs(3))));
    assert_eq!(server.request_count(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_burst_of_503s_then_success_returns_the_page_of_the_fourth_attempt() {
    let server = RawServer::start(|r| match r.number {
        1..=3 => error_reply(503, &[]),
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(page.request_id.as_deref(), Some("req-4"));
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    // Every attempt is the same request.
    assert!(requests.iter().all(|r| r.target == requests[0].target));
    assert!(requests.iter().all(|r| r.method == "GET"));
}

#[tokio::test]
async fn a_503_forever_gives_up_after_the_configured_retries_in_bounded_time() {
    let server = RawServer::start(|_| error_reply(503, &[])).await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_retries(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = first_page(&client).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 503);
    assert_eq!(api.message, "injected 503");
    assert_eq!(server.request_count(), 3);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_default_policy_makes_four_attempts() {
    let server = RawServer::start(|_| error_reply(504, &[])).await;
    let client = client_builder(&server).build().unwrap();
    let error = first_page(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(504));
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn no_retries_sends_once() {
    let server = RawServer::start(|_| error_reply(503, &[])).await;
    let client = client_builder(&server)
        .retry_policy(astro_tokens::RetryPolicy::none())
        .build()
        .unwrap();
    let error = first_page(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn client_errors_400_401_403_404_and_501_are_never_retried() {
    for status in [400, 401, 403, 404, 501] {
        let server = RawServer::start(move |_| error_reply(status, &[])).await;
        let client = client_builder(&server).build().unwrap();
        let error = first_page(&client).await.unwrap_err();
        let Error::Api(api) = &error else {
            panic!("{status}: expected Error::Api, got {error:?}")
        };
        assert_eq!(api.status, status);
        assert_eq!(api.message, format!("injected {status}"));
        assert_eq!(server.request_count(), 1, "{status} was retried");
    }
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried_and_the_page_arrives_whole() {
    let server = RawServer::start(|r| match r.number {
        1 => {
            let body = page_body(0, 20, 20);
            vec![
                Step::Write(head(
                    200,
                    &[("content-type", "application/json")],
                    body.len(),
                )),
                Step::Write(body.as_bytes()[..body.len() / 2].to_vec()),
                Step::Sleep(Duration::from_millis(20)),
                Step::Reset,
            ]
        }
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_connection_reset_mid_body_every_time_is_a_transport_error() {
    let server = RawServer::start(|_| {
        let body = page_body(0, 20, 20);
        vec![
            Step::Write(head(200, &[("x-request-id", "req-reset")], body.len())),
            Step::Write(body.as_bytes()[..100].to_vec()),
            Step::Sleep(Duration::from_millis(20)),
            Step::Reset,
        ]
    })
    .await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_retries(1))
        .build()
        .unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Transport {
        timeout,
        request_id,
        ..
    } = &error
    else {
        panic!("expected Error::Transport, got {error:?}")
    };
    assert!(!timeout);
    // The headers had arrived, so the error names the request.
    assert_eq!(request_id.as_deref(), Some("req-reset"));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_connection_refused_is_retried_then_a_transport_error_in_bounded_time() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = astro_tokens::Client::builder()
        .token(TOKEN)
        .base_url(url)
        .retry_policy(
            astro_tokens::RetryPolicy::default()
                .with_max_retries(2)
                .with_base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.list_tokens(ORG).first_page().await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_retried() {
    let server = RawServer::start(|r| match r.number {
        1 => {
            let body = page_body(0, 20, 20);
            vec![
                Step::Write(head(200, &[], body.len())),
                Step::Write(body.as_bytes()[..body.len() - 10].to_vec()),
            ]
        }
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_and_not_retried() {
    let server = RawServer::start(|_| {
        let body = page_body(0, 20, 20);
        let cut = &body.as_bytes()[..body.len() / 2];
        reply(json(200, &[("x-request-id", "req-cut")], cut))
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Decode {
        status,
        request_id,
        excerpt,
        ..
    } = &error
    else {
        panic!("expected Error::Decode, got {error:?}")
    };
    assert_eq!(*status, Some(200));
    assert_eq!(request_id.as_deref(), Some("req-cut"));
    let cause = std::error::Error::source(&error)
        .and_then(|e| e.downcast_ref::<serde_json::Error>())
        .expect("the source is serde_json's error");
    assert!(cause.is_eof(), "{cause}");
    assert!(excerpt.starts_with("{\""), "{excerpt}");
    assert!(!error.is_retryable());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn a_success_body_that_fails_to_decode_never_quotes_a_token_value() {
    // The token's own value (`format: password`) early in the body, which then fails to
    // decode (a date that is not one): the error's excerpt quotes the body's start.
    const VALUE: &str = "listed-secret-value-0123456789";
    let server = RawServer::start(|_| {
        let mut token = token_json(0);
        token["createdAt"] = "not a date".into();
        let fields = token.to_string();
        let body = format!(
            r#"{{"tokens":[{{"token":"{VALUE}",{}],"limit":20,"offset":0,"totalCount":1}}"#,
            &fields[1..]
        );
        reply(json(200, &[], body))
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Decode { excerpt, .. } = &error else {
        panic!("expected Error::Decode, got {error:?}")
    };
    assert!(excerpt.contains(r#""token":"[redacted]""#), "{excerpt}");
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(!text.contains(VALUE), "{text}");
    }
}

#[tokio::test]
async fn a_stalled_body_times_out_on_every_attempt_and_never_hangs() {
    let server = RawServer::start(|_| {
        let body = page_body(0, 20, 20);
        vec![
            Step::Write(head(200, &[], body.len())),
            Step::Write(body.as_bytes()[..50].to_vec()),
            Step::Stall,
        ]
    })
    .await;
    let client = client_builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(fast_retries().with_max_retries(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = first_page(&client).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { timeout: true, .. }),
        "{error:?}"
    );
    let elapsed = started.elapsed();
    assert_eq!(server.request_count(), 2);
    // Each attempt gets the whole limit: two of them, then it stops. (The server notes a
    // request when its head has arrived, a little after the client's clock started.)
    assert!(
        gap(&server, 0, 1) >= Duration::from_millis(250),
        "{:?}",
        gap(&server, 0, 1)
    );
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn a_slow_body_past_the_timeout_is_retried_and_the_next_attempt_succeeds() {
    let server = RawServer::start(|r| match r.number {
        1 => {
            let body = page_body(0, 20, 20).into_bytes();
            let mut steps = vec![Step::Write(head(200, &[], body.len()))];
            for chunk in body.chunks(body.len() / 10 + 1) {
                steps.push(Step::Write(chunk.to_vec()));
                steps.push(Step::Sleep(Duration::from_millis(100)));
            }
            steps
        }
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(server.request_count(), 2);
    assert!(started.elapsed() < Duration::from_secs(2));
}

const PROXY_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

#[tokio::test]
async fn an_html_502_from_a_proxy_is_retried() {
    let server = RawServer::start(|r| match r.number {
        1 => reply(response(502, &[("content-type", "text/html")], PROXY_502)),
        _ => page_reply(r, 20),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.unwrap();
    assert_eq!(ids(&page.tokens), expected_ids(0..20));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn an_html_502_forever_is_an_api_error_quoting_the_page() {
    let server = RawServer::start(|_| {
        reply(response(
            502,
            &[("content-type", "text/html"), ("x-request-id", "edge-1")],
            PROXY_502,
        ))
    })
    .await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_max_retries(1))
        .build()
        .unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 502);
    assert!(
        api.message
            .starts_with("unexpected body: <html> <head><title>502 Bad Gateway</title>"),
        "{}",
        api.message
    );
    assert_eq!(api.request_id.as_deref(), Some("edge-1"));
    assert_eq!(api.retry_after, None);
    assert_eq!(server.request_count(), 2);
    assert!(
        error
            .to_string()
            .starts_with("HTTP 502 Bad Gateway: unexpected body")
    );
}

#[tokio::test]
async fn a_200_whose_body_is_not_the_schema_is_a_decode_error_and_not_retried() {
    let server =
        RawServer::start(|_| reply(json(200, &[], r#"{"items":[{"id":"x"}],"next":null}"#))).await;
    let client = client_builder(&server).build().unwrap();
    let error = first_page(&client).await.unwrap_err();
    let Error::Decode {
        status, excerpt, ..
    } = &error
    else {
        panic!("expected Error::Decode, got {error:?}")
    };
    assert_eq!(*status, Some(200));
    let cause = std::error::Error::source(&error).expect("a source");
    assert!(cause.to_string().contains("missing field"), "{cause}");
    assert!(
        !error.to_string().contains("missing field"),
        "the cause is not repeated in Display: {error}"
    );
    assert_eq!(excerpt, r#"{"items":[{"id":"x"}],"next":null}"#);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn the_token_is_in_no_error_message() {
    let cases: Vec<Vec<Step>> = vec![
        error_reply(401, &[]),
        error_reply(503, &[]),
        reply(json(200, &[], "not json")),
    ];
    for steps in cases {
        let server = RawServer::start(move |_| steps.clone()).await;
        let client = client_builder(&server)
            .retry_policy(fast_retries().with_max_retries(1))
            .build()
            .unwrap();
        let error = first_page(&client).await.unwrap_err();
        assert!(!error.to_string().contains(TOKEN));
        assert!(!format!("{error:?}").contains(TOKEN));
        // And it was sent: the server saw it.
        assert_eq!(
            server.requests()[0].header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}
