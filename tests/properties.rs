//! Property tests (proptest, 64 cases each): whatever a server sends as a body, whatever a
//! caller passes as a sort or an organization id, the SDK never panics and gives either
//! the correct result or a clear error of the expected variant.

mod support;

use std::sync::{Arc, Mutex, PoisonError};

use astro_tokens::generated::types::ApiTokensPaginated;
use astro_tokens::{Error, Sort};
use proptest::prelude::*;
use support::*;

/// 64 cases, or `PROPTEST_CASES` for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig::with_cases(cases)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Bodies worth trying: noise, valid pages cut anywhere, valid pages with one byte
/// changed, and JSON that is almost the schema.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    let valid = || page_body(0, 3, 3).into_bytes();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        (0usize..=1000).prop_map(move |cut| {
            let body = valid();
            body[..cut.min(body.len())].to_vec()
        }),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(move |(at, byte)| {
            let mut body = valid();
            let i = at.index(body.len());
            body[i] = byte;
            body
        }),
        Just(br#"{"limit":-1,"offset":0,"totalCount":3,"tokens":[]}"#.to_vec()),
        Just(br#"{"limit":3,"offset":0,"totalCount":3,"tokens":[{}]}"#.to_vec()),
        Just(b"null".to_vec()),
        Just(Vec::new()),
    ]
}

/// The statuses the API documents (decoded as its `Error`) and some it does not.
const STATUSES: [u16; 8] = [200, 400, 401, 404, 500, 429, 502, 503];
const DOCUMENTED_ERRORS: [u16; 4] = [400, 401, 404, 500];

/// The body and status the next request is answered with.
type Script = Arc<Mutex<(u16, Vec<u8>)>>;

#[test]
fn any_response_body_gives_the_page_or_a_clear_error_and_never_panics() {
    let rt = runtime();
    let script: Script = Arc::new(Mutex::new((200, Vec::new())));
    let server = rt.block_on(RawServer::start({
        let script = Arc::clone(&script);
        move |_| {
            let (status, body) = script
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            reply(response(
                status,
                &[("content-type", "application/json")],
                body,
            ))
        }
    }));
    let client = client_builder(&server)
        .retry_policy(astro_tokens::RetryPolicy::none())
        .build()
        .unwrap();
    proptest!(config(), |(status in prop::sample::select(&STATUSES[..]), body in bodies())| {
        *script.lock().unwrap_or_else(PoisonError::into_inner) = (status, body.clone());
        let before = server.request_count();
        let result = rt.block_on(client.list_tokens(ORG).page_size(3).first_page());
        prop_assert_eq!(server.request_count(), before + 1);
        let parsed = serde_json::from_slice::<ApiTokensPaginated>(&body);
        match (status, result) {
            (200, Ok(page)) => {
                let parsed = parsed.expect("a page was returned, so the body parses");
                prop_assert_eq!(page.tokens, parsed.tokens);
                prop_assert_eq!(Some(page.total_count), u64::try_from(parsed.total_count).ok());
            }
            (200, Err(Error::Decode { status, .. })) => {
                prop_assert!(parsed.is_err(), "the body parses but was refused");
                prop_assert_eq!(status, Some(200));
            }
            (200, Err(Error::Pagination { .. })) => {
                let parsed = parsed.expect("paging numbers were read, so the body parses");
                prop_assert!(parsed.limit < 0 || parsed.offset < 0 || parsed.total_count < 0);
            }
            (_, Err(error @ Error::Api(_))) => {
                prop_assert_eq!(error.status(), Some(status));
                let prefix = format!("HTTP {status}");
                prop_assert!(error.to_string().starts_with(&prefix), "{}", error);
            }
            (_, Err(error @ Error::Decode { .. })) => {
                // Only a documented error status has a schema to fail.
                prop_assert!(DOCUMENTED_ERRORS.contains(&status), "{status}: {error}");
                prop_assert_eq!(error.status(), Some(status));
            }
            (status, other) => prop_assert!(false, "status {status}: unexpected {other:?}"),
        }
    });
}

fn sort_inputs() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z]{0,13}:?(asc|desc|ASC|Desc|)? ?",
        prop::sample::select(Sort::all().map(|s| s.to_string()).collect::<Vec<_>>()),
    ]
}

#[test]
fn any_string_as_a_sort_parses_to_that_sort_or_a_clear_error() {
    proptest!(config(), |(text in sort_inputs())| {
        let parsed = text.parse::<Sort>();
        let from_json = serde_json::from_value::<Sort>(serde_json::Value::String(text.clone()));
        match parsed {
            Ok(sort) => {
                prop_assert_eq!(sort.to_string(), text.clone());
                prop_assert!(Sort::all().any(|s| s == sort));
                prop_assert_eq!(from_json.ok(), Some(sort));
            }
            Err(error) => {
                prop_assert_eq!(error.value(), text.as_str());
                let message = error.to_string();
                prop_assert!(message.contains("name:asc, name:desc"), "{}", message);
                let general = Error::from(error);
                prop_assert!(
                    matches!(&general, Error::InvalidInput { field: "sort", value, .. } if *value == text),
                    "{:?}", general
                );
                prop_assert!(general.to_string().contains("nothing was sent"), "{}", general);
                prop_assert!(from_json.is_err());
            }
        }
    });
}

fn organization_ids() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[./\\\\%?#&+= a-zA-Z0-9\t-]{0,8}",
        prop::sample::select(vec![
            "", " ", ".", "..", "...", "a/b", "a\\b", "%2e%2e", "?x=1", "#top", "org id", "ü",
        ])
        .prop_map(str::to_owned),
    ]
}

#[test]
fn any_organization_id_reaches_the_server_as_one_exact_path_segment_or_is_refused() {
    let rt = runtime();
    let server = rt.block_on(RawServer::start(|r| page_reply(r, 0)));
    let client = client_builder(&server)
        .retry_policy(astro_tokens::RetryPolicy::none())
        .build()
        .unwrap();
    proptest!(config(), |(org in organization_ids())| {
        let before = server.request_count();
        let result = rt.block_on(client.list_tokens(org.clone()).page_size(1).first_page());
        let refused = org.trim().is_empty() || org == "." || org == ".." || org.contains('\\');
        match result {
            Ok(page) => {
                prop_assert!(!refused, "{org:?} should have been refused");
                prop_assert!(page.tokens.is_empty());
                let requests = server.requests();
                prop_assert_eq!(requests.len(), before + 1);
                let path = requests[before].path().to_owned();
                let segment = path
                    .strip_prefix("/organizations/")
                    .and_then(|rest| rest.strip_suffix("/tokens"));
                prop_assert!(segment.is_some(), "path {path:?} for {org:?}");
                let segment = segment.unwrap_or_default();
                prop_assert!(!segment.contains('/'), "{segment:?} for {org:?}");
                prop_assert_eq!(percent_decode(segment), org);
            }
            Err(error) => {
                prop_assert!(refused, "{org:?}: {error}");
                prop_assert!(
                    matches!(&error, Error::InvalidInput { field: "organization_id", .. }),
                    "{:?}", error
                );
                prop_assert!(error.to_string().contains("nothing was sent"));
                prop_assert_eq!(server.request_count(), before);
            }
        }
    });
}

#[tokio::test]
async fn dot_segments_and_backslashes_are_refused_before_anything_is_sent() {
    let server = RawServer::start(|r| page_reply(r, 0)).await;
    let client = client_builder(&server).build().unwrap();
    for org in [".", "..", "a\\b", "\\"] {
        let error = client.list_tokens(org).first_page().await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput { field: "organization_id", value, .. } if value == org),
            "{org:?}: {error:?}"
        );
    }
    // Dots inside an id, or escaped ones, are ordinary characters.
    for org in ["...", ".a", "%2e%2e"] {
        client.list_tokens(org).first_page().await.unwrap();
    }
    let paths: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/organizations/.../tokens",
            "/organizations/.a/tokens",
            "/organizations/%252e%252e/tokens"
        ]
    );
}
