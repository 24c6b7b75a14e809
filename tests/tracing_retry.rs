//! What a retried request leaves in `tracing`, captured with a subscriber writing to a
//! buffer: one span per attempt with every field, a `DEBUG` event per retry that says why
//! and how long it waits, an `INFO` event when it gives up, and never the token.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use support::*;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Runs `f` with a subscriber recording everything (span closes included) into a buffer.
fn capture() -> (Buffer, tracing::subscriber::DefaultGuard) {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}

fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

// `current_thread` (tokio::test's default): the thread-local subscriber sees every span.
#[tokio::test]
async fn a_retried_request_traces_each_attempt_and_the_wait_but_never_the_token() {
    let server = RawServer::start(|r| match r.number {
        1 => reply(json(
            503,
            &[("x-request-id", "edge-req-1")],
            error_body(503, "overloaded", ""),
        )),
        _ => page_reply(r, 3),
    })
    .await;
    let client = client_builder(&server)
        .retry_policy(fast_retries().with_base_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    let (buffer, guard) = capture();
    let page = client
        .list_tokens(ORG)
        .page_size(3)
        .first_page()
        .await
        .unwrap();
    drop(guard);
    assert_eq!(ids(&page.tokens), expected_ids(0..3));
    let text = buffer.text();

    assert!(
        !text.contains(TOKEN),
        "the token leaked into the trace:\n{text}"
    );
    assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");

    // One closed span per attempt, with every field.
    let closes = lines_with(&text, "close");
    let spans: Vec<_> = closes
        .iter()
        .filter(|l| l.contains("astro_tokens.request{"))
        .collect();
    assert_eq!(spans.len(), 2, "{text}");
    let url = format!(
        "url={}/organizations/{ORG}/tokens?limit=3&offset=0",
        server.base_url()
    );
    for (span, (attempt, status, request_id)) in spans
        .iter()
        .zip([(1, 503, "edge-req-1"), (2, 200, "req-2")])
    {
        for field in [
            "operation_id=\"ListApiTokens\"".to_owned(),
            "method=GET".to_owned(),
            url.clone(),
            format!("attempt={attempt}"),
            format!("status={status}"),
            format!("request_id=\"{request_id}\""),
            "duration_ms=".to_owned(),
        ] {
            assert!(span.contains(&field), "{field} missing from: {span}");
        }
    }

    // The retry says why and how long it waits.
    let retries = lines_with(&text, "retrying ListApiTokens after");
    assert_eq!(retries.len(), 1, "{text}");
    let retry = retries[0];
    assert!(
        retry.contains("DEBUG"),
        "a retry is expected: DEBUG, not WARN: {retry}"
    );
    for field in [
        "attempt=1",
        "next_attempt=2",
        "max_attempts=4",
        "wait_ms=",
        "wait_source=\"backoff\"",
        "status=503",
        "request_id=\"edge-req-1\"",
        "reason=HTTP 503 Service Unavailable: overloaded",
    ] {
        assert!(retry.contains(field), "{field} missing from: {retry}");
    }
}

/// A server that echoes the bearer token in its request id (a misbehaving proxy, say):
/// the span records the id scrubbed, on the error path and the success path alike.
#[tokio::test]
async fn a_request_id_that_echoes_the_token_is_logged_without_it() {
    let echo = format!("echo {TOKEN}");
    let server = RawServer::start(move |r| match r.number {
        1 => reply(json(
            503,
            &[("x-request-id", &echo)],
            error_body(503, "overloaded", ""),
        )),
        _ => reply(json(
            200,
            &[("x-request-id", &echo)],
            page_body(r.offset(), r.limit(), 3),
        )),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let (buffer, guard) = capture();
    let page = first_page(&client).await.unwrap();
    drop(guard);
    assert_eq!(ids(&page.tokens), expected_ids(0..3));
    assert_eq!(page.request_id.as_deref(), Some("echo [redacted]"));
    let text = buffer.text();
    assert!(
        !text.contains(TOKEN),
        "the token leaked into the trace:\n{text}"
    );
    let spans = lines_with(&text, "request_id=\"echo [redacted]\"");
    assert!(
        spans.len() >= 2,
        "both attempts record the scrubbed id:\n{text}"
    );
}

/// Every span and event of the SDK has the stable target `astro_tokens`
/// (`astro_tokens::LOG_TARGET`), so `RUST_LOG=astro_tokens=debug` (or a `Targets` filter
/// on it) shows them whatever module they come from.
#[tokio::test]
async fn a_filter_on_the_astro_tokens_target_shows_the_retries_and_their_spans() {
    use tracing_subscriber::layer::SubscriberExt;
    let server = RawServer::start(|r| match r.number {
        1 => error_reply(503, &[]),
        _ => page_reply(r, 3),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(buffer.clone())
                .with_span_events(FmtSpan::CLOSE)
                .with_ansi(false),
        )
        .with(
            tracing_subscriber::filter::Targets::new()
                .with_target(astro_tokens::LOG_TARGET, tracing::Level::DEBUG),
        );
    let guard = tracing::subscriber::set_default(subscriber);
    client
        .list_tokens(ORG)
        .page_size(3)
        .first_page()
        .await
        .expect("a page");
    drop(guard);
    let text = buffer.text();
    assert_eq!(astro_tokens::LOG_TARGET, "astro_tokens");
    assert_eq!(
        lines_with(&text, "retrying ListApiTokens after").len(),
        1,
        "{text}"
    );
    let spans = lines_with(&text, "astro_tokens.request{");
    assert_eq!(
        spans.iter().filter(|l| l.contains(" close ")).count(),
        2,
        "{text}"
    );
    assert!(!text.contains("hyper"), "only the SDK's target: {text}");
    for line in text.lines() {
        assert!(line.contains(" astro_tokens"), "another target: {line}");
    }
}

#[tokio::test]
async fn giving_up_logs_why_and_a_retry_after_wait_names_its_source() {
    let server = RawServer::start(|r| match r.number {
        1 => error_reply(429, &[("retry-after", "0")]),
        _ => error_reply(503, &[("retry-after", "600")]),
    })
    .await;
    let client = client_builder(&server).build().unwrap();
    let (buffer, guard) = capture();
    let error = client.list_tokens(ORG).first_page().await.unwrap_err();
    drop(guard);
    assert_eq!(error.status(), Some(503));
    let text = buffer.text();
    assert!(!text.contains(TOKEN));
    let retry = lines_with(&text, "retrying ListApiTokens after");
    assert_eq!(retry.len(), 1, "{text}");
    assert!(
        retry[0].contains("wait_source=\"retry-after\""),
        "{}",
        retry[0]
    );
    assert!(retry[0].contains("wait_ms=0"), "{}", retry[0]);
    let gave_up = lines_with(&text, "Retry-After exceeds the cap");
    assert_eq!(gave_up.len(), 1, "{text}");
    assert!(
        gave_up[0].contains("retry_after_ms=600000"),
        "{}",
        gave_up[0]
    );
    assert!(gave_up[0].contains("cap_ms=60000"), "{}", gave_up[0]);
    assert!(
        gave_up[0].contains("INFO"),
        "giving up is INFO: {}",
        gave_up[0]
    );
    assert!(
        !text.contains("WARN"),
        "expected conditions never WARN: {text}"
    );
    // No x-request-id header here: the spans carry the error body's requestId.
    let spans: Vec<_> = lines_with(&text, "astro_tokens.request{")
        .into_iter()
        .filter(|l| l.contains("close"))
        .collect();
    assert_eq!(spans.len(), 2, "{text}");
    assert!(spans[0].contains("request_id=\"req-429\""), "{}", spans[0]);
    assert!(spans[1].contains("request_id=\"req-503\""), "{}", spans[1]);
}

#[tokio::test]
async fn the_generated_builder_used_directly_gets_a_span_too() {
    let server = RawServer::start(|r| page_reply(r, 2)).await;
    let client = client_builder(&server).build().unwrap();
    let (buffer, guard) = capture();
    let page = client
        .list_api_tokens()
        .organization_id(ORG)
        .send()
        .await
        .unwrap();
    drop(guard);
    assert_eq!(page.into_inner().tokens.len(), 2);
    let text = buffer.text();
    let spans = lines_with(&text, "astro_tokens.request{");
    let close: Vec<_> = spans.iter().filter(|l| l.contains("close")).collect();
    assert_eq!(close.len(), 1, "{text}");
    for field in [
        "operation_id=\"ListApiTokens\"",
        "attempt=1",
        "status=200",
        "duration_ms=",
    ] {
        assert!(
            close[0].contains(field),
            "{field} missing from: {}",
            close[0]
        );
    }
    // The hook cannot scrub the token from a request id (it never sees the token), so on
    // this path, which the wrapper does not see either, it records none.
    assert!(!close[0].contains("request_id="), "{}", close[0]);
    assert!(!text.contains(TOKEN));
}
