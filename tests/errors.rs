//! Each error status maps to `Error::Api`, with the API's message and request id, whatever
//! the body and whether or not the fragment documents the status; a 2xx body that is not
//! the schema is `Error::Decode`; nothing panics. The client here does not retry, so each
//! test sees the first answer's error.

use astro_tokens::{Client, Error};
use astro_tokens_fake::{CannedResponse, FakeApi};
use serde_json::json;

fn client_with_token(fake: &FakeApi, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(fake.base_url())
        .retry_policy(astro_tokens::RetryPolicy::none())
        .build()
        .expect("a client")
}

async fn error_for(canned: CannedResponse) -> (Error, FakeApi) {
    let fake = FakeApi::builder()
        .respond_with(move |_, _| Some(canned.clone()))
        .start()
        .await
        .expect("fake");
    let error = client_with_token(&fake, fake.token())
        .list_tokens(fake.organization_id())
        .first_page()
        .await
        .expect_err("an error");
    (error, fake)
}

fn api_body(status: u16, message: &str) -> serde_json::Value {
    json!({"message": message, "requestId": format!("req-{status}"), "statusCode": status})
}

#[tokio::test]
async fn each_documented_status_maps_to_an_api_error_with_message_and_request_id() {
    for (status, message) in [
        (400, "bad request"),
        (401, "no auth"),
        (403, "forbidden"),
        (404, "no such org"),
        (500, "oops"),
    ] {
        let (error, _fake) =
            error_for(CannedResponse::json(status, &api_body(status, message))).await;
        assert_eq!(error.status(), Some(status), "{error}");
        assert_eq!(error.request_id(), Some(format!("req-{status}").as_str()));
        let line = error.to_string();
        assert!(line.starts_with(&format!("HTTP {status} ")), "{line}");
        assert!(
            line.contains(message) && line.contains(&format!("req-{status}")),
            "{line}"
        );
        assert!(!line.contains('\n'));
        assert_eq!(error.is_retryable(), status == 500, "{status}");
    }
}

#[tokio::test]
async fn field_errors_are_kept_and_shown() {
    let mut body = api_body(400, "invalid query");
    body["fieldErrors"] =
        json!([{"code": "max", "field": "limit", "message": "must be at most 1000"}]);
    let (error, _fake) = error_for(CannedResponse::json(400, &body)).await;
    assert_eq!(error.field_errors().len(), 1);
    assert_eq!(error.field_errors()[0].field, "limit");
    assert!(
        error
            .to_string()
            .contains("limit: must be at most 1000 [max]"),
        "{error}"
    );
}

#[tokio::test]
async fn the_real_fake_answers_401_and_404_through_the_wrapper() {
    let fake = FakeApi::start().await.expect("fake");
    let wrong = client_with_token(&fake, "not-the-token")
        .list_tokens(fake.organization_id())
        .first_page()
        .await
        .expect_err("401");
    assert_eq!(wrong.status(), Some(401), "{wrong}");
    assert!(wrong.request_id().is_some());
    let missing = client_with_token(&fake, fake.token())
        .list_tokens("no-such-org")
        .first_page()
        .await
        .expect_err("404");
    assert_eq!(missing.status(), Some(404), "{missing}");
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_clear_retryable_error() {
    let html = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>";
    let canned =
        CannedResponse::text(502, "text/html", html).with_header("x-request-id", "proxy-1");
    let (error, _fake) = error_for(canned).await;
    assert_eq!(error.status(), Some(502));
    assert_eq!(error.request_id(), Some("proxy-1"));
    assert!(error.is_retryable());
    let line = error.to_string();
    assert!(
        line.starts_with("HTTP 502 Bad Gateway: unexpected body: <html> <head><title>502"),
        "{line}"
    );
}

#[tokio::test]
async fn an_undocumented_status_with_an_error_body_uses_its_message() {
    let (error, _fake) = error_for(CannedResponse::json(418, &api_body(418, "teapot"))).await;
    assert_eq!(error.status(), Some(418));
    assert!(error.to_string().contains("teapot"), "{error}");
}

#[tokio::test]
async fn a_documented_status_with_a_non_json_body_is_an_api_error_with_an_excerpt() {
    for (status, retryable) in [(500, true), (401, false), (404, false)] {
        let canned = CannedResponse::text(status, "text/html", "<h1>upstream\nexploded</h1>")
            .with_header("x-request-id", "r-html");
        let (error, _fake) = error_for(canned).await;
        let Error::Api(api) = &error else {
            panic!("{status}: expected Error::Api, got {error:?}")
        };
        assert_eq!(api.status, status);
        assert_eq!(api.request_id.as_deref(), Some("r-html"));
        assert_eq!(api.excerpt, "<h1>upstream exploded</h1>");
        assert!(error.to_string().contains("upstream exploded"), "{error}");
        assert_eq!(error.is_retryable(), retryable, "{status}");
    }
}

#[tokio::test]
async fn the_same_gateway_page_is_the_same_error_on_documented_and_undocumented_statuses() {
    let page = "<html><body>gateway</body></html>";
    let mut kinds = Vec::new();
    for status in [500, 503] {
        let (error, _fake) = error_for(CannedResponse::text(status, "text/html", page)).await;
        let Error::Api(api) = &error else {
            panic!("{status}: expected Error::Api, got {error:?}")
        };
        kinds.push((
            api.message.clone(),
            api.excerpt.clone(),
            error.is_retryable(),
        ));
    }
    assert_eq!(kinds[0], kinds[1]);
}

#[tokio::test]
async fn a_200_that_is_not_the_schema_is_a_decode_error_with_an_excerpt() {
    let (error, _fake) = error_for(CannedResponse::json(200, &json!({"items": []}))).await;
    assert!(
        matches!(
            error,
            Error::Decode {
                status: Some(200),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("{\"items\":[]}"), "{error}");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let client = Client::builder()
        .token("t")
        .base_url(url)
        .build()
        .expect("client");
    let error = client
        .list_tokens("org")
        .first_page()
        .await
        .expect_err("refused");
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn server_text_with_newlines_and_escapes_stays_on_one_line() {
    let mut body = api_body(400, "bad\nrequest\r\n\u{1b}[31mred");
    body["requestId"] = json!("req\n42");
    body["fieldErrors"] = json!([{"code": "x\ny", "field": "limit\n", "message": "too\tbig"}]);
    let (error, _fake) = error_for(CannedResponse::json(400, &body)).await;
    let line = error.to_string();
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(line.contains("bad request"), "{line}");
    // The data itself is kept as sent, for programs that want it.
    assert_eq!(error.request_id(), Some("req\n42"));
}

#[tokio::test]
async fn a_proxy_page_that_echoes_the_token_does_not_leak_it() {
    const SECRET: &str = "echoed-secret-token-0123456789abcdef";
    for (status, body) in [
        (
            502,
            format!("<html><pre>Authorization: Bearer {SECRET}</pre></html>"),
        ),
        // Long enough that the excerpt cuts through the token.
        (500, format!("{}Bearer {SECRET}", "x".repeat(140))),
        (200, format!("{{\"debug\": \"Bearer {SECRET}\"}}")),
    ] {
        let canned = CannedResponse::text(status, "text/html", body.into_bytes());
        let fake = FakeApi::builder()
            .token(SECRET)
            .respond_with(move |_, _| Some(canned.clone()))
            .start()
            .await
            .expect("fake");
        let error = client_with_token(&fake, SECRET)
            .list_tokens(fake.organization_id())
            .first_page()
            .await
            .expect_err("an error");
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(
                !text.contains(&SECRET[..8]),
                "{status}: the token leaked: {text}"
            );
            assert!(text.contains("[redacted]"), "{status}: {text}");
        }
    }
}
