//! The wrapper follows the fragment's parameters, read at test time from
//! `openapi/tokens.yaml`: every query parameter can be set through `ListTokens` and reaches
//! the wire under its name, and every enum value of every request parameter can be sent.
//! A parameter or value added to the fragment without the wrapper following fails here,
//! naming it and what to change.

mod common;

use std::collections::BTreeSet;

use astro_tokens::{Client, ListTokens, Sort, SortField, TokenKind};
use astro_tokens_fake::FakeApi;
use serde_yaml::Value;

fn operation() -> Value {
    let text = std::fs::read_to_string(common::fragment_path()).expect("read the fragment");
    let spec: Value = serde_yaml::from_str(&text).expect("the fragment is YAML");
    spec["paths"]["/organizations/{organizationId}/tokens"]["get"].clone()
}

fn query_parameters() -> Vec<Value> {
    operation()["parameters"]
        .as_sequence()
        .expect("parameters")
        .iter()
        .filter(|p| p["in"] == "query")
        .cloned()
        .collect()
}

fn enum_values(parameter: &Value) -> Vec<String> {
    let schema = &parameter["schema"];
    let values = if schema["type"] == "array" {
        &schema["items"]["enum"]
    } else {
        &schema["enum"]
    };
    values
        .as_sequence()
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn client(fake: &FakeApi) -> Client {
    Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .build()
        .expect("a client")
}

/// Every setter of the wrapper, each with a value the fake accepts.
fn with_every_setter(list: ListTokens) -> ListTokens {
    list.workspace_id("ws")
        .deployment_id("dep")
        .dag_id("dag")
        .dag_tags(["tag-1", "tag-2"])
        .include_only_organization_tokens(true)
        .kind(TokenKind::Standard)
        .sort(SortField::Name.asc())
        .sort(SortField::CreatedAt.desc())
        .offset(5)
        .page_size(9)
}

#[tokio::test]
async fn every_query_parameter_of_the_fragment_reaches_the_wire_through_the_wrapper() {
    let fake = FakeApi::start().await.expect("fake");
    with_every_setter(client(&fake).list_tokens(fake.organization_id()))
        .first_page()
        .await
        .expect("a page");
    let request = &fake.requests()[0];
    let on_wire: BTreeSet<&str> = request.query.iter().map(|(k, _)| k.as_str()).collect();
    let in_fragment: BTreeSet<String> = query_parameters()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    let missing: Vec<&String> = in_fragment
        .iter()
        .filter(|name| !on_wire.contains(name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "query parameter(s) {missing:?} are in openapi/tokens.yaml but the wrapper never sends them: \
         add a setter to ListTokens (src/list.rs), a field to Filters (src/filters.rs), pass it in \
         src/fetch.rs, and set it in with_every_setter() here"
    );
    let unknown: Vec<&&str> = on_wire
        .iter()
        .filter(|name| !in_fragment.contains(**name))
        .collect();
    assert!(
        unknown.is_empty(),
        "the wrapper sends {unknown:?}, which openapi/tokens.yaml does not list"
    );
    assert_eq!(request.query_values("dagTags"), ["tag-1", "tag-2"]);
    assert_eq!(
        request.query_values("sorts"),
        ["name:asc", "createdAt:desc"]
    );
}

#[tokio::test]
async fn every_enum_value_of_every_request_parameter_can_be_sent() {
    let fake = FakeApi::start().await.expect("fake");
    let client = client(&fake);
    let mut sent = 0;
    for parameter in query_parameters() {
        let name = parameter["name"].as_str().expect("a name").to_owned();
        for value in enum_values(&parameter) {
            let list = client.list_tokens(fake.organization_id()).page_size(1);
            let list = match name.as_str() {
                "kind" => list.kind(value.parse::<TokenKind>().unwrap_or_else(|e| {
                    panic!("kind value {value:?} of the fragment has no TokenKind variant: {e}")
                })),
                "sorts" => list.sort(value.parse::<Sort>().unwrap_or_else(|e| {
                    panic!("sorts value {value:?} of the fragment is not a Sort: add it to SortField/Sort in src/sort.rs ({e})")
                })),
                other => panic!("request parameter {other:?} has enum values but this test does not know how to set it: add a case"),
            };
            fake.reset_requests();
            list.first_page()
                .await
                .unwrap_or_else(|e| panic!("{name}={value}: {e}"));
            assert_eq!(
                fake.requests()[0].query_values(&name),
                [value.as_str()],
                "{name}={value} on the wire"
            );
            sent += 1;
        }
    }
    assert_eq!(sent, 12, "2 kinds and 10 sorts in the fragment today");
}

#[test]
fn the_wrappers_page_size_limits_follow_the_fragments_limit_parameter() {
    let limit = query_parameters()
        .into_iter()
        .find(|p| p["name"] == "limit")
        .expect("a limit parameter");
    let maximum = limit["schema"]["maximum"]
        .as_u64()
        .expect("limit has a maximum");
    assert_eq!(
        u64::from(astro_tokens::MAX_PAGE_SIZE),
        maximum,
        "openapi/tokens.yaml says limit <= {maximum}: change MAX_PAGE_SIZE in src/list.rs to match"
    );
    const { assert!(astro_tokens::DEFAULT_PAGE_SIZE <= astro_tokens::MAX_PAGE_SIZE) };
}
