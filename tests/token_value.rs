//! A listed token's own secret value (`ApiToken.token`, `format: password` in the fragment)
//! is a `SensitiveString`: absent from `Debug` and from serde output, read only through
//! `expose_secret()`, whether it comes from JSON or over HTTP from a server.

use astro_tokens::{ApiToken, Client, SensitiveString};
use astro_tokens_fake::FakeApi;
use serde_json::json;

const VALUE: &str = "listed-token-secret-value-7f1c";

fn token_with_value(id: &str) -> ApiToken {
    serde_json::from_value(json!({
        "id": id, "name": "n", "description": "", "shortToken": "s",
        "type": "WORKSPACE", "kind": "STANDARD",
        "createdAt": "2026-01-01T00:00:00Z", "startAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z", "token": VALUE
    }))
    .expect("a token")
}

#[test]
fn the_value_is_read_only_through_expose_secret() {
    let token = token_with_value("t1");
    let value = token.token.as_ref().expect("the value is kept");
    assert_eq!(value.expose_secret(), VALUE);
    for text in [
        format!("{token:?}"),
        format!("{token:#?}"),
        format!("{value:?}"),
        serde_json::to_string(&token).expect("serializes"),
        serde_json::to_string_pretty(&token).expect("serializes"),
    ] {
        assert!(!text.contains(VALUE), "the value leaked: {text}");
        assert!(text.contains(SensitiveString::REDACTED), "{text}");
    }
    assert_eq!(
        serde_json::to_value(&token).expect("serializes")["token"],
        SensitiveString::REDACTED
    );
}

#[test]
fn a_value_built_by_hand_is_just_as_secret() {
    let secret = SensitiveString::new(String::from(VALUE));
    assert_eq!(format!("{secret:?}"), "[redacted]");
    assert_eq!(secret.clone().into_exposed(), VALUE);
    assert_eq!(SensitiveString::from(VALUE), secret);
}

#[tokio::test]
async fn a_page_from_a_server_that_sends_values_debugs_without_them() {
    let fake = FakeApi::builder()
        .with_data(vec![token_with_value("t1"), token_with_value("t2")])
        .start()
        .await
        .expect("fake");
    // The fake sends the values themselves, as the API would.
    let raw = reqwest::Client::new()
        .get(fake.tokens_url())
        .bearer_auth(fake.token())
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert_eq!(raw.matches(VALUE).count(), 2, "{raw}");

    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()
        .expect("client");
    let page = client
        .list_tokens(fake.organization_id())
        .first_page()
        .await
        .expect("a page");
    assert_eq!(page.tokens.len(), 2);
    let shown = format!("{page:?} {page:#?}");
    assert!(!shown.contains(VALUE), "{shown}");
    for token in &page.tokens {
        let value = token.token.as_ref().map(SensitiveString::expose_secret);
        assert_eq!(value, Some(VALUE));
    }
}
