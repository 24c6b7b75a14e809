//! The fake's two API versions over real HTTP: v1 under `/v1` (tokens carry `scope`,
//! `X-API-Version` checked), v1beta1 under `/platform/v1beta1` and `/iam/v1beta1` (tokens
//! carry `type`, `X-API-Version` ignored), and a 404 anywhere else.

use astro_tokens::generated::types::Error;
use astro_tokens_fake::FakeApi;
use reqwest::StatusCode;
use serde_json::Value;

async fn get(url: &str, bearer: &str, api_version: Option<&str>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(url).bearer_auth(bearer);
    if let Some(version) = api_version {
        request = request.header("x-api-version", version);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn tokens_url(base: &str, fake: &FakeApi) -> String {
    format!("{base}/organizations/{}/tokens", fake.organization_id())
}

fn tokens(body: &Value) -> &Vec<Value> {
    body["tokens"].as_array().expect("a page")
}

#[tokio::test]
async fn the_base_urls_name_their_versions() {
    let fake = FakeApi::builder().tokens(1).start().await.unwrap();
    let root = format!("http://{}", fake.local_addr());
    assert_eq!(fake.base_url(), format!("{root}/v1"));
    assert_eq!(
        fake.platform_v1beta1_url(),
        format!("{root}/platform/v1beta1")
    );
    assert_eq!(fake.iam_v1beta1_url(), format!("{root}/iam/v1beta1"));
    assert_eq!(fake.tokens_url(), tokens_url(&fake.base_url(), &fake));
}

#[tokio::test]
async fn v1_sends_scope_and_accepts_a_v1_minor_version() {
    let fake = FakeApi::builder().tokens(12).start().await.unwrap();
    let expected: Vec<String> = fake
        .tokens()
        .iter()
        .map(|t| t.scope.as_str().to_owned())
        .collect();
    for version in [None, Some("1.0"), Some("1.7")] {
        let (status, body) = get(&fake.tokens_url(), fake.token(), version).await;
        assert_eq!(status, StatusCode::OK, "{version:?}: {body}");
        let scopes: Vec<String> = tokens(&body)
            .iter()
            .map(|t| t["scope"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(scopes, expected, "{version:?}");
        assert!(tokens(&body).iter().all(|t| t.get("type").is_none()));
    }
    // The SDK's client pins 1.0 on v1, and the fake serves it.
    fake.reset_requests();
    let listed = fake
        .client()
        .unwrap()
        .list_tokens(fake.organization_id())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(listed, fake.tokens());
    assert_eq!(fake.requests()[0].header("x-api-version"), Some("1.0"));
}

#[tokio::test]
async fn a_malformed_or_foreign_api_version_is_a_400_naming_the_header() {
    let fake = FakeApi::builder().tokens(3).start().await.unwrap();
    for (version, code) in [
        ("abc", "format"),
        ("1", "format"),
        ("v1.0", "format"),
        ("1.0.0", "format"),
        ("", "format"),
        ("2.0", "oneof"),
    ] {
        let (status, body) = get(&fake.tokens_url(), fake.token(), Some(version)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{version:?}: {body}");
        let error: Error = serde_json::from_value(body).unwrap();
        assert_eq!(error.status_code, 400);
        assert!(error.message.contains("X-API-Version"), "{}", error.message);
        assert_eq!(error.field_errors.len(), 1, "{version:?}");
        assert_eq!(error.field_errors[0].field, "X-API-Version");
        assert_eq!(error.field_errors[0].code, code, "{version:?}");
    }
    // With a bad query too: one entry each.
    let url = format!("{}?limit=5000", fake.tokens_url());
    let (status, body) = get(&url, fake.token(), Some("latest")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error: Error = serde_json::from_value(body).unwrap();
    let fields: Vec<&str> = error
        .field_errors
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["X-API-Version", "limit"]);
    // Auth comes first: a bad token is a 401 whatever the version header says.
    let (status, _) = get(&fake.tokens_url(), "wrong", Some("abc")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn both_v1beta1_paths_send_type_and_ignore_the_api_version() {
    let fake = FakeApi::builder().tokens(15).start().await.unwrap();
    let (_, v1) = get(&fake.tokens_url(), fake.token(), None).await;
    for (base, prefix) in [
        (
            fake.platform_v1beta1_url(),
            "/platform/v1beta1/organizations/",
        ),
        (fake.iam_v1beta1_url(), "/iam/v1beta1/organizations/"),
    ] {
        fake.reset_requests();
        for version in [None, Some("1.0"), Some("not a version")] {
            let (status, body) = get(&tokens_url(&base, &fake), fake.token(), version).await;
            assert_eq!(status, StatusCode::OK, "{base} {version:?}: {body}");
            assert_eq!(tokens(&body).len(), tokens(&v1).len());
            for (beta, ga) in tokens(&body).iter().zip(tokens(&v1)) {
                assert_eq!(beta.get("scope"), None, "{base}: {beta}");
                assert_eq!(beta["type"], ga["scope"], "{base}");
                // Nothing else differs.
                let mut renamed = beta.clone();
                let kind = renamed.as_object_mut().unwrap().remove("type").unwrap();
                renamed
                    .as_object_mut()
                    .unwrap()
                    .insert("scope".to_owned(), kind);
                assert_eq!(&renamed, ga);
            }
        }
        // The SDK's client reads `type` as `scope` and sends no version header there.
        let client = astro_tokens::Client::builder()
            .token(fake.token())
            .base_url(&base)
            .build()
            .unwrap();
        let listed = client
            .list_tokens(fake.organization_id())
            .collect_all()
            .await
            .unwrap();
        assert_eq!(listed, fake.tokens(), "{base}");
        let requests = fake.requests();
        assert!(
            requests.iter().all(|r| r.path.starts_with(prefix)),
            "{requests:?}"
        );
        assert_eq!(requests.last().unwrap().header("x-api-version"), None);
    }
}

#[tokio::test]
async fn the_bare_path_and_other_versions_are_404() {
    let fake = FakeApi::builder().tokens(2).start().await.unwrap();
    let root = format!("http://{}", fake.local_addr());
    for base in [
        root.clone(),
        format!("{root}/v2"),
        format!("{root}/v1beta1"),
        format!("{root}/iam/v1"),
        format!("{root}/platform"),
    ] {
        let url = tokens_url(&base, &fake);
        let (status, body) = get(&url, fake.token(), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
        let error: Error = serde_json::from_value(body).unwrap();
        assert_eq!(error.status_code, 404);
        assert!(error.message.contains("no route"), "{}", error.message);
    }
}
