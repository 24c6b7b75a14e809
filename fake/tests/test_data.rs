//! What a new user reaches for first: `token(name)` builders through `with_data`, a bad
//! builder failing `start()` with the token named, `FakeApi::client()`, and the fixed "now".

use astro_tokens::chrono::{Duration, TimeZone, Utc};
use astro_tokens::generated::types::ApiToken;
use astro_tokens::{ApiTokenKind, ApiTokenScope};
use astro_tokens_fake::{FakeApi, default_anchor, token};

#[tokio::test]
async fn token_builders_round_trip_through_with_data() {
    let soon = default_anchor() + Duration::days(3);
    let fake = FakeApi::builder()
        .with_data([
            token("ci-deploy").end_at(soon).expiry_period_in_days(30),
            token("ws-reader").scope(ApiTokenScope::Workspace),
            token("direct").kind(ApiTokenKind::DirectAccess),
        ])
        .start()
        .await
        .unwrap();
    let served = fake.tokens();
    let names: Vec<&str> = served.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["ci-deploy", "ws-reader", "direct"]);
    assert_eq!(served[0].end_at, Some(soon));
    assert_eq!(served[0].expiry_period_in_days, Some(30));
    assert_eq!(served[1].scope, ApiTokenScope::Workspace);
    assert_eq!(served[2].kind, ApiTokenKind::DirectAccess);
    // Everything not set is as token() documents it.
    assert_eq!(served[1].kind, ApiTokenKind::Standard);
    assert_eq!(served[0].scope, ApiTokenScope::Organization);
    assert_eq!(served[0].created_at, default_anchor());
    let mut ids: Vec<&str> = served.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // Over HTTP, through the SDK, unchanged.
    let listed = fake
        .client()
        .unwrap()
        .list_tokens(fake.organization_id())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(listed, served);
    // The same name gives the same token in another fake.
    let again = FakeApi::builder()
        .with_data([token("ci-deploy").end_at(soon).expiry_period_in_days(30)])
        .start()
        .await
        .unwrap();
    assert_eq!(again.tokens()[0], served[0]);
}

#[tokio::test]
async fn finished_tokens_still_work_in_with_data() {
    let t: ApiToken = token("plain").try_into().unwrap();
    let fake = FakeApi::builder()
        .with_data(vec![t.clone()])
        .start()
        .await
        .unwrap();
    assert_eq!(fake.tokens(), [t]);
}

#[tokio::test]
async fn a_bad_builder_makes_start_fail_naming_the_token() {
    let error = FakeApi::builder()
        .with_data([
            token("fine"),
            token("also-fine"),
            ApiToken::builder().name("no-id-or-dates"),
        ])
        .start()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    let message = error.to_string();
    assert!(message.contains("index 2"), "{message}");
    assert!(message.contains("no value supplied for"), "{message}");
    assert!(message.contains("with_data"), "{message}");
}

#[tokio::test]
async fn client_lists_the_fake_with_filters() {
    let fake = FakeApi::start().await.unwrap();
    let client = fake.client().unwrap();
    assert_eq!(client.base_url(), fake.base_url());
    let workspace = fake.pools().workspaces[0].clone();
    let listed = client
        .list_tokens(fake.organization_id())
        .workspace_id(workspace.clone())
        .collect_all()
        .await
        .unwrap();
    let expected = fake.select(&[("workspaceId", &workspace)]).unwrap();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
    let organization_only = client
        .list_tokens(fake.organization_id())
        .include_only_organization_tokens(true)
        .collect_all()
        .await
        .unwrap();
    assert!(
        organization_only
            .iter()
            .all(|t| t.scope == ApiTokenScope::Organization)
    );
    assert!(!organization_only.is_empty());
    let requests = fake.requests();
    assert!(requests.iter().all(|r| r.path.starts_with("/v1/")));
    assert!(requests.iter().all(|r| r.header("authorization").is_some()));
}

#[tokio::test]
async fn now_is_the_anchor_of_the_seeded_data() {
    let fake = FakeApi::builder().tokens(50).start().await.unwrap();
    assert_eq!(fake.now(), default_anchor());
    assert_eq!(
        fake.now(),
        Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap()
    );
    assert!(fake.tokens().iter().all(|t| t.created_at <= fake.now()));
    assert!(
        fake.tokens()
            .iter()
            .any(|t| t.end_at.is_some_and(|end| end > fake.now()))
    );
    let anchor = Utc.with_ymd_and_hms(2031, 6, 1, 0, 0, 0).unwrap();
    let later = FakeApi::builder()
        .tokens(50)
        .anchor(anchor)
        .start()
        .await
        .unwrap();
    assert_eq!(later.now(), anchor);
    assert!(later.tokens().iter().all(|t| t.created_at <= anchor));
    assert!(
        later
            .tokens()
            .iter()
            .all(|t| t.created_at > anchor - Duration::days(731))
    );
}
