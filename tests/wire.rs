//! What the SDK puts on the wire, checked on the embedded fake's record of each request:
//! every parameter with its camelCase name, repeated keys in order, booleans as words,
//! the path percent-encoded, and the headers every request carries.

use astro_tokens::{Client, SortField, TokenKind};
use astro_tokens_fake::FakeApi;

fn client(fake: &FakeApi) -> Client {
    Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()
        .expect("a client")
}

#[tokio::test]
async fn every_parameter_puts_exactly_the_expected_query_on_the_wire() {
    let fake = FakeApi::start().await.expect("fake");
    let page = client(&fake)
        .list_tokens(fake.organization_id())
        .workspace_id("ws 1")
        .deployment_id("dep-1")
        .dag_id("etl_daily")
        .dag_tags(["team-b", "team-a"])
        .include_only_organization_tokens(false)
        .kind(TokenKind::DirectAccess)
        .sort(SortField::Name.asc())
        .sort(SortField::CreatedAt.desc())
        .offset(3)
        .page_size(7)
        .first_page()
        .await
        .expect("a page");
    assert!(
        page.tokens.is_empty(),
        "no token matches these invented ids"
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].raw_query.as_deref(),
        Some(
            "dagId=etl_daily&dagTags=team-b&dagTags=team-a&deploymentId=dep-1\
             &includeOnlyOrganizationTokens=false&kind=DIRECT_ACCESS&limit=7&offset=3\
             &sorts=name%3Aasc&sorts=createdAt%3Adesc&workspaceId=ws+1"
        )
    );
}

#[tokio::test]
async fn unset_parameters_are_not_sent_and_true_is_a_word() {
    let fake = FakeApi::start().await.expect("fake");
    client(&fake)
        .list_tokens(fake.organization_id())
        .include_only_organization_tokens(true)
        .first_page()
        .await
        .expect("a page");
    let request = &fake.requests()[0];
    assert_eq!(
        request.raw_query.as_deref(),
        Some("includeOnlyOrganizationTokens=true&limit=100&offset=0")
    );
}

#[tokio::test]
async fn the_organization_id_is_percent_encoded_in_the_path() {
    let id = "org/with space?and-é";
    let fake = FakeApi::builder()
        .organization_id(id)
        .tokens(3)
        .start()
        .await
        .expect("fake");
    let page = client(&fake)
        .list_tokens(id)
        .first_page()
        .await
        .expect("the fake routes the encoded id");
    assert_eq!(page.total_count, 3);
    assert_eq!(
        fake.requests()[0].path,
        "/v1/organizations/org%2Fwith%20space%3Fand-%C3%A9/tokens"
    );
}

#[tokio::test]
async fn every_request_carries_auth_user_agent_and_accept() {
    let fake = FakeApi::start().await.expect("fake");
    client(&fake)
        .list_tokens(fake.organization_id())
        .first_page()
        .await
        .expect("a page");
    let request = &fake.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.header("authorization"),
        Some("[redacted]"),
        "the fake saw and checked a bearer"
    );
    assert_eq!(request.header("user-agent"), Some(astro_tokens::USER_AGENT));
    assert_eq!(request.header("accept"), Some("application/json"));
    // The documented pin replaces progenitor's undocumented `api-version: <info.version>`.
    assert_eq!(request.header("x-api-version"), astro_tokens::API_VERSION);
    assert_eq!(astro_tokens::API_VERSION, Some("1.0"));
    assert_eq!(request.header("api-version"), None);
}
