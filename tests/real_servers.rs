//! What real servers send, read as the API means it: Go servers (Astronomer's) send `null`
//! for nil pointers and slices, `time.Time` with nanoseconds, and fields this SDK does not
//! know yet; v1beta1 servers call the token's scope `type`. A body that is truly wrong still
//! fails, with the decoder's located error.

mod support;

use astro_tokens::{ApiTokenScope, Error};
use support::*;

/// A page of one token, the token given as JSON.
fn page_of(token: serde_json::Value) -> String {
    serde_json::json!({ "limit": 20, "offset": 0, "totalCount": 1, "tokens": [token] }).to_string()
}

async fn serve(body: String) -> RawServer {
    RawServer::start(move |_| reply(json(200, &[], body.clone()))).await
}

#[tokio::test]
async fn null_in_every_optional_property_and_array_reads_as_absent_or_empty() {
    let mut token = token_json(0);
    for property in [
        "createdBy",
        "updatedBy",
        "endAt",
        "lastUsedAt",
        "lastRotatedAt",
        "expiryPeriodInDays",
        "roles",
        "token",
    ] {
        token[property] = serde_json::Value::Null;
    }
    let server = serve(page_of(token)).await;
    let page = first_page(&client_builder(&server).build().unwrap())
        .await
        .expect("a page");
    let token = &page.tokens[0];
    assert!(token.roles.is_empty() && token.created_by.is_none() && token.end_at.is_none());
    assert!(token.token.is_none() && token.expiry_period_in_days.is_none());

    // Nested: a subject whose optional fields are all null, and a role whose deployment is.
    let mut token = token_json(1);
    token["createdBy"] = serde_json::json!({
        "id": "u1", "subjectType": null, "apiTokenName": null, "avatarUrl": null,
        "fullName": null, "username": null,
    });
    token["roles"] = serde_json::json!([
        { "entityId": "w1", "entityType": "WORKSPACE", "role": "WORKSPACE_MEMBER", "deploymentId": null }
    ]);
    let server = serve(page_of(token)).await;
    let page = first_page(&client_builder(&server).build().unwrap())
        .await
        .expect("a page");
    let subject = page.tokens[0].created_by.as_ref().expect("a subject");
    assert!(subject.subject_type.is_none() && subject.full_name.is_none());
    assert!(page.tokens[0].roles[0].deployment_id.is_none());
}

#[tokio::test]
async fn tokens_null_is_an_empty_page_and_field_errors_null_none() {
    let body = r#"{"limit":20,"offset":0,"totalCount":0,"tokens":null}"#.to_owned();
    let server = serve(body).await;
    let client = client_builder(&server).build().unwrap();
    let page = first_page(&client).await.expect("an empty page");
    assert!(page.tokens.is_empty());
    assert_eq!(
        client
            .list_tokens(ORG)
            .collect_all()
            .await
            .expect("listed")
            .len(),
        0
    );

    let error = r#"{"message":"bad","requestId":"r1","statusCode":400,"fieldErrors":null}"#;
    let server = RawServer::start(move |_| reply(json(400, &[], error))).await;
    let failed = first_page(&client_builder(&server).build().unwrap())
        .await
        .expect_err("a 400");
    assert_eq!(failed.status(), Some(400));
    assert!(failed.field_errors().is_empty());
    assert!(failed.to_string().contains("bad"), "{failed}");
}

#[tokio::test]
async fn timestamps_with_fractional_seconds_and_offsets_are_read() {
    for (sent, expected_nanos) in [
        ("2026-01-15T12:00:00.123456789Z", 123_456_789),
        ("2026-01-15T12:00:00.5Z", 500_000_000),
        ("2026-01-15T13:00:00.000000001+01:00", 1),
    ] {
        let mut token = token_json(0);
        token["createdAt"] = sent.into();
        token["lastUsedAt"] = sent.into();
        let server = serve(page_of(token)).await;
        let page = first_page(&client_builder(&server).build().unwrap())
            .await
            .unwrap_or_else(|e| panic!("{sent}: {e}"));
        let created = page.tokens[0].created_at;
        assert_eq!(created.timestamp(), 1_768_478_400, "{sent}");
        assert_eq!(created.timestamp_subsec_nanos(), expected_nanos, "{sent}");
        assert_eq!(page.tokens[0].last_used_at, Some(created));
    }
}

#[tokio::test]
async fn properties_this_sdk_does_not_know_are_ignored() {
    let mut token = token_json(0);
    token["rotationPolicy"] = serde_json::json!({ "days": 30 });
    token["labels"] = serde_json::json!(["a"]);
    let body = serde_json::json!({
        "limit": 20, "offset": 0, "totalCount": 1, "tokens": [token], "nextCursor": "abc",
    });
    let server = serve(body.to_string()).await;
    let page = first_page(&client_builder(&server).build().unwrap())
        .await
        .expect("a page");
    assert_eq!(ids(&page.tokens), [token_id(0)]);
}

#[tokio::test]
async fn a_truly_wrong_body_still_fails_with_the_located_error() {
    let mut required_null = token_json(0);
    required_null["createdAt"] = serde_json::Value::Null;
    let mut wrong_type = token_json(0);
    wrong_type["roles"] = "WORKSPACE_MEMBER".into();
    for body in [
        page_of(required_null),
        page_of(wrong_type),
        r#"{"limit":20,"offset":0,"totalCount":1}"#.to_owned(),
        r#"{"limit":20,"offset":0,"totalCount":1,"tokens":"none"}"#.to_owned(),
    ] {
        let server = serve(body.clone()).await;
        let error = first_page(&client_builder(&server).build().unwrap())
            .await
            .expect_err("not a page");
        let decode = error
            .find_source::<serde_json::Error>()
            .unwrap_or_else(|| panic!("{body}: {error:?}"));
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
        assert!(decode.line() >= 1 && decode.column() >= 1, "{decode}");
        assert!(decode.to_string().contains("line 1 column"), "{decode}");
    }
}

#[tokio::test]
async fn v1_pins_the_api_version_and_v1beta1_reads_type_into_scope_with_the_same_query() {
    let server = RawServer::start(|request| {
        // A v1beta1 server calls the scope `type`; a v1 server `scope`.
        let mut token = token_json(0);
        if request.path().contains("/v1beta1/") {
            let scope = token
                .as_object_mut()
                .and_then(|t| t.remove("scope"))
                .unwrap_or_default();
            token["type"] = scope;
        }
        reply(json(200, &[], page_of(token)))
    })
    .await;
    let mut queries = Vec::new();
    for (base, pinned) in [
        ("/v1", true),
        ("/iam/v1beta1", false),
        ("/platform/v1beta1", false),
    ] {
        let client = client_builder(&server)
            .base_url(format!("{}{base}", server.base_url()))
            .build()
            .unwrap();
        let page = client
            .list_tokens(ORG)
            .workspace_id("ws")
            .first_page()
            .await
            .unwrap_or_else(|e| panic!("{base}: {e}"));
        assert_eq!(page.tokens[0].scope, ApiTokenScope::Organization, "{base}");
        let sent = server.requests().pop().expect("a request");
        assert_eq!(sent.path(), format!("{base}/organizations/{ORG}/tokens"));
        assert_eq!(
            sent.header("x-api-version"),
            pinned.then_some("1.0"),
            "{base}"
        );
        assert_eq!(
            sent.header("api-version"),
            None,
            "progenitor's header is dropped"
        );
        queries.push(sent.query());
    }
    assert!(
        queries.windows(2).all(|w| w[0] == w[1]),
        "the same query: {queries:?}"
    );

    let latest = client_builder(&server)
        .base_url(format!("{}/v1", server.base_url()))
        .api_version(None)
        .build()
        .unwrap();
    first_page(&latest).await.expect("a page");
    let sent = server.requests().pop().expect("a request");
    assert_eq!(
        sent.header("x-api-version"),
        None,
        "None asks for the latest"
    );
}
