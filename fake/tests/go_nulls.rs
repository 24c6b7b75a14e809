//! `FakeApiBuilder::go_nulls`: the raw JSON has `null` for every absent optional property
//! (checked against the fragment's schemas, so a property added to `openapi/tokens.yaml`
//! is covered or the test fails), `"tokens": null` for an empty page and
//! `"fieldErrors": null` in error bodies; the SDK's client still lists such answers. Off by
//! default.

use astro_tokens::ApiTokenRoleEntityType;
use astro_tokens::generated::types::{ApiToken, ApiTokenRole, BasicSubjectProfile};
use astro_tokens_fake::{FakeApi, token};
use reqwest::StatusCode;
use serde_json::Value;

/// The fragment the SDK is generated from.
const FRAGMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/tokens.yaml");

/// `(every property, the optional ones)` of schema `name` in the fragment.
fn schema_properties(name: &str) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(FRAGMENT).unwrap();
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let schema = &spec["components"]["schemas"][name];
    let all: Vec<String> = schema["properties"]
        .as_mapping()
        .unwrap_or_else(|| panic!("schema {name} has properties"))
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    let required: Vec<&str> = schema["required"]
        .as_sequence()
        .map(|r| r.iter().filter_map(serde_yaml::Value::as_str).collect())
        .unwrap_or_default();
    let optional = all
        .iter()
        .filter(|p| !required.contains(&p.as_str()))
        .cloned()
        .collect();
    (all, optional)
}

async fn raw(url: &str, bearer: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// A bare token (nothing optional set) and one whose nested objects leave their optional
/// properties unset: a subject with only an id, a role without `deploymentId`.
fn data() -> Vec<ApiToken> {
    let subject: BasicSubjectProfile = BasicSubjectProfile::builder()
        .id("cuser0000000000000000001")
        .try_into()
        .unwrap();
    let role: ApiTokenRole = ApiTokenRole::builder()
        .entity_id(astro_tokens_fake::DEFAULT_ORGANIZATION_ID)
        .entity_type(ApiTokenRoleEntityType::Organization)
        .role("ORGANIZATION_MEMBER")
        .try_into()
        .unwrap();
    vec![
        token("bare").try_into().unwrap(),
        token("nested")
            .created_by(subject.clone())
            .updated_by(subject)
            .roles(vec![role])
            .try_into()
            .unwrap(),
    ]
}

#[tokio::test]
async fn every_absent_optional_property_is_null() {
    let fake = FakeApi::builder()
        .go_nulls(true)
        .with_data(data())
        .start()
        .await
        .unwrap();
    let (status, body) = raw(&fake.tokens_url(), fake.token()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (bare, nested) = (&body["tokens"][0], &body["tokens"][1]);

    let (all, optional) = schema_properties("ApiToken");
    assert_eq!(keys(bare), sorted(all.clone()), "every property is sent");
    for property in &optional {
        assert_eq!(bare[property], Value::Null, "ApiToken.{property}: {bare}");
    }
    assert!(
        optional.iter().any(|p| p == "roles"),
        "an empty roles is null"
    );
    assert!(bare["scope"].is_string() && bare["description"] == "");

    let (all, optional) = schema_properties("BasicSubjectProfile");
    for subject in ["createdBy", "updatedBy"] {
        assert_eq!(keys(&nested[subject]), sorted(all.clone()), "{subject}");
        for property in &optional {
            assert_eq!(
                nested[subject][property],
                Value::Null,
                "{subject}.{property}"
            );
        }
    }
    let (all, optional) = schema_properties("ApiTokenRole");
    assert_eq!(keys(&nested["roles"][0]), sorted(all));
    for property in &optional {
        assert_eq!(nested["roles"][0][property], Value::Null, "role.{property}");
    }
}

#[tokio::test]
async fn seeded_values_stay_and_the_sdk_lists_them() {
    let fake = FakeApi::builder()
        .tokens(40)
        .go_nulls(true)
        .start()
        .await
        .unwrap();
    let (_, body) = raw(&format!("{}?limit=1000", fake.tokens_url()), fake.token()).await;
    let text = body.to_string();
    assert!(text.contains("\"endAt\":null"), "some never expire");
    assert!(text.contains("\"endAt\":\""), "some do");
    let listed = fake
        .client()
        .unwrap()
        .list_tokens(fake.organization_id())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(listed, fake.tokens());
}

#[tokio::test]
async fn an_empty_page_is_tokens_null_and_the_sdk_reads_it_as_empty() {
    let fake = FakeApi::builder()
        .tokens(5)
        .go_nulls(true)
        .start()
        .await
        .unwrap();
    for query in ["?offset=5", "?limit=0", "?kind=DIRECT_ACCESS&dagId=none"] {
        let (status, body) = raw(&format!("{}{query}", fake.tokens_url()), fake.token()).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(body.get("tokens"), Some(&Value::Null), "{query}: {body}");
    }
    let client = fake.client().unwrap();
    let none = client
        .list_tokens(fake.organization_id())
        .dag_id("no-such-dag")
        .collect_all()
        .await
        .unwrap();
    assert!(none.is_empty());
    // An organization without tokens, on v1beta1 too.
    let empty = FakeApi::builder()
        .go_nulls(true)
        .with_data(Vec::<ApiToken>::new())
        .start()
        .await
        .unwrap();
    let url = format!(
        "{}/organizations/{}/tokens",
        empty.platform_v1beta1_url(),
        empty.organization_id()
    );
    let (_, body) = raw(&url, empty.token()).await;
    assert_eq!(body.get("tokens"), Some(&Value::Null), "{body}");
    let listed = empty
        .client()
        .unwrap()
        .list_tokens(empty.organization_id())
        .collect_all()
        .await
        .unwrap();
    assert!(listed.is_empty());
}

#[tokio::test]
async fn error_bodies_send_field_errors_null() {
    let fake = FakeApi::builder()
        .tokens(2)
        .go_nulls(true)
        .start()
        .await
        .unwrap();
    let (status, body) = raw(&fake.tokens_url(), "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body.get("fieldErrors"), Some(&Value::Null), "{body}");
    let other = format!("{}/organizations/not-mine/tokens", fake.base_url());
    let (status, body) = raw(&other, fake.token()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body.get("fieldErrors"), Some(&Value::Null), "{body}");
    // A 400 has its entries.
    let (status, body) = raw(&format!("{}?limit=x", fake.tokens_url()), fake.token()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["fieldErrors"][0]["field"], "limit");
    // The SDK reads a null fieldErrors as none.
    let error = fake
        .client()
        .unwrap()
        .list_tokens("not-mine")
        .first_page()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert!(error.field_errors().is_empty());
}

#[tokio::test]
async fn off_by_default_absent_means_left_out() {
    let fake = FakeApi::builder().with_data(data()).start().await.unwrap();
    let (_, body) = raw(&fake.tokens_url(), fake.token()).await;
    assert!(!body.to_string().contains("null"), "{body}");
    assert_eq!(body["tokens"][0].get("endAt"), None);
    assert_eq!(body["tokens"][0].get("roles"), None);
    let (_, body) = raw(&format!("{}?offset=9", fake.tokens_url()), fake.token()).await;
    assert_eq!(body["tokens"], Value::Array(Vec::new()));
    let (_, body) = raw(&fake.tokens_url(), "wrong").await;
    assert_eq!(body.get("fieldErrors"), None);
}
