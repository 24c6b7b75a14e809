//! Black-box tests of the fake (`astro_tokens_fake`) over real HTTP with reqwest, on API v1:
//! auth, routing, validation, paging, sorting, filters, mutation and the misbehaviour hooks.
//! The API versions, Go-style nulls and the test-data helpers have files of their own.

use std::time::{Duration, Instant};

use astro_tokens::generated::types::{ApiToken, ApiTokensPaginated, Error};
use astro_tokens_fake::{CannedResponse, FakeApi, request_id};
use reqwest::StatusCode;

struct Answer {
    status: StatusCode,
    request_id: Option<String>,
    body: serde_json::Value,
}

async fn get_url(url: &str, bearer: Option<&str>, query: &[(&str, &str)]) -> Answer {
    let mut request = reqwest::Client::new().get(url).query(query);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let request_id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap();
    Answer {
        status,
        request_id,
        body,
    }
}

async fn get(fake: &FakeApi, query: &[(&str, &str)]) -> Answer {
    get_url(&fake.tokens_url(), Some(fake.token()), query).await
}

async fn page(fake: &FakeApi, query: &[(&str, &str)]) -> ApiTokensPaginated {
    let answer = get(fake, query).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_value(answer.body).unwrap()
}

fn error_of(answer: &Answer) -> Error {
    serde_json::from_value(answer.body.clone()).unwrap()
}

fn ids(tokens: &[ApiToken]) -> Vec<&str> {
    tokens.iter().map(|t| t.id.as_str()).collect()
}

#[tokio::test]
async fn unauthorized_without_or_with_wrong_token() {
    let fake = FakeApi::start().await.unwrap();
    for bearer in [None, Some("wrong"), Some("")] {
        let answer = get_url(&fake.tokens_url(), bearer, &[]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{bearer:?}");
        let error = error_of(&answer);
        assert_eq!(error.status_code, 401);
        assert_eq!(Some(error.request_id), answer.request_id);
    }
    // Recorded, with the credential redacted.
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[1].header("authorization"), Some("[redacted]"));
    assert!(
        requests
            .iter()
            .all(|r| r.headers.iter().all(|(_, v)| !v.contains("wrong")))
    );
}

#[tokio::test]
async fn unknown_organization_and_unknown_path_are_404() {
    let fake = FakeApi::start().await.unwrap();
    let url = format!("{}/organizations/not-mine/tokens", fake.base_url());
    let answer = get_url(&url, Some(fake.token()), &[]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&answer).status_code, 404);
    assert!(error_of(&answer).message.contains("not-mine"));

    let url = format!(
        "{}/organizations/{}/tokenz",
        fake.base_url(),
        fake.organization_id()
    );
    let answer = get_url(&url, Some(fake.token()), &[]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.request_id.is_some());
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let fake = FakeApi::start().await.unwrap();
    let cases: [(&str, &str, &str); 9] = [
        ("limit", "1001", "max"),
        ("limit", "-1", "min"),
        ("limit", "abc", "type"),
        ("offset", "-5", "min"),
        ("offset", "1.5", "type"),
        ("sorts", "name:up", "oneof"),
        ("sorts", "id:asc", "oneof"),
        ("kind", "BOGUS", "oneof"),
        ("includeOnlyOrganizationTokens", "maybe", "type"),
    ];
    for (field, value, code) in cases {
        let answer = get(&fake, &[(field, value)]).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{field}={value}");
        let error = error_of(&answer);
        assert_eq!(error.status_code, 400);
        assert_eq!(error.field_errors.len(), 1, "{field}={value}: {error:?}");
        assert_eq!(error.field_errors[0].field, field);
        assert_eq!(error.field_errors[0].code, code, "{field}={value}");
        assert!(error.message.starts_with(field), "{}", error.message);
        assert_eq!(Some(error.request_id), answer.request_id);
    }
    // Several problems: one entry each.
    let answer = get(&fake, &[("limit", "5000"), ("offset", "-1"), ("kind", "x")]).await;
    let mut fields: Vec<String> = error_of(&answer)
        .field_errors
        .into_iter()
        .map(|e| e.field)
        .collect();
    fields.sort();
    assert_eq!(fields, ["kind", "limit", "offset"]);
    // Boundaries are accepted; unknown parameters ignored.
    assert_eq!(
        page(&fake, &[("limit", "1000"), ("whatever", "1")])
            .await
            .tokens
            .len(),
        250
    );
    assert_eq!(fake.request_count(), 11);
}

#[tokio::test]
async fn paging_and_total_count() {
    let fake = FakeApi::builder().tokens(45).start().await.unwrap();
    let all = fake.tokens();
    let first = page(&fake, &[]).await;
    assert_eq!((first.offset, first.limit, first.total_count), (0, 20, 45));
    assert_eq!(first.tokens, all[..20]);
    let last = page(&fake, &[("offset", "40"), ("limit", "20")]).await;
    assert_eq!((last.offset, last.limit, last.total_count), (40, 20, 45));
    assert_eq!(last.tokens, all[40..]);
    let past = page(&fake, &[("offset", "100")]).await;
    assert!(past.tokens.is_empty());
    assert_eq!(past.total_count, 45);
    let zero = page(&fake, &[("limit", "0")]).await;
    assert!(zero.tokens.is_empty());
    assert_eq!((zero.limit, zero.total_count), (0, 45));
    // Walking pages yields everything once.
    let mut seen = Vec::new();
    let mut offset = 0;
    while offset < 45 {
        let o = offset.to_string();
        seen.extend(page(&fake, &[("offset", &o), ("limit", "7")]).await.tokens);
        offset += 7;
    }
    assert_eq!(seen, all);
    // Secrets are never listed.
    assert!(all.iter().all(|t| t.token.is_none()));
    let raw = get(&fake, &[("limit", "1000")]).await.body.to_string();
    assert!(!raw.contains(fake.token()));
    assert!(!raw.contains("\"token\""));
}

#[tokio::test]
async fn an_offset_past_the_end_of_any_size_is_an_empty_page() {
    let fake = FakeApi::builder().tokens(25).start().await.unwrap();
    let huge = format!("1{}", "0".repeat(60));
    for (offset, echoed) in [
        ("25", 25),
        ("9223372036854775807", i64::MAX),
        // Schema-valid (no maximum), larger than i64: what schemathesis found (ST202).
        ("9223372036854775808", i64::MAX),
        ("99999999999999999999", i64::MAX),
        (huge.as_str(), i64::MAX),
    ] {
        let answer = get(&fake, &[("offset", offset)]).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "offset={offset}: {}",
            answer.body
        );
        let got: ApiTokensPaginated = serde_json::from_value(answer.body).unwrap();
        assert!(got.tokens.is_empty(), "offset={offset}");
        assert_eq!(
            (got.offset, got.total_count),
            (echoed, 25),
            "offset={offset}"
        );
    }
    // A negative one, however large, is still refused.
    let answer = get(&fake, &[("offset", "-99999999999999999999")]).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&answer).field_errors[0].code, "min");
}

#[tokio::test]
async fn two_key_sort_with_id_tiebreak() {
    let fake = FakeApi::start().await.unwrap();
    let got = page(
        &fake,
        &[
            ("sorts", "name:desc"),
            ("sorts", "createdAt:asc"),
            ("limit", "1000"),
        ],
    )
    .await
    .tokens;
    let mut expected = fake.tokens();
    expected.sort_by(|a, b| {
        b.name
            .cmp(&a.name)
            .then(a.created_at.cmp(&b.created_at))
            .then(a.id.cmp(&b.id))
    });
    assert_eq!(ids(&got), ids(&expected));
    // The seeded names repeat, so the second key matters.
    assert!(got.windows(2).any(|w| w[0].name == w[1].name));
    let unsorted = page(&fake, &[("limit", "1000")]).await.tokens;
    assert_ne!(ids(&got), ids(&unsorted));
    // tokenStartAt maps to startAt.
    let by_start = page(&fake, &[("sorts", "tokenStartAt:desc"), ("limit", "1000")]).await;
    assert!(
        by_start
            .tokens
            .windows(2)
            .all(|w| w[0].start_at >= w[1].start_at)
    );
    assert_eq!(
        fake.select(&[("sorts", "name:desc"), ("sorts", "createdAt:asc")])
            .unwrap(),
        got
    );
}

#[tokio::test]
async fn each_filter_returns_only_matches() {
    let fake = FakeApi::start().await.unwrap();
    let pools = fake.pools().clone();
    let all = fake.tokens();
    let role_on = |t: &ApiToken, kind: &str, id: &str| {
        t.roles
            .iter()
            .any(|r| r.entity_type.as_str() == kind && r.entity_id == id)
    };
    let check = |got: &ApiTokensPaginated, expected: Vec<&ApiToken>, what: &str| {
        assert!(!expected.is_empty(), "{what}: no seeded match");
        assert!(
            expected.len() < all.len(),
            "{what}: filter matches everything"
        );
        assert_eq!(got.total_count as usize, expected.len(), "{what}");
        assert_eq!(
            ids(&got.tokens),
            expected.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            "{what}"
        );
    };

    for ws in &pools.workspaces {
        let deployments: Vec<&str> = pools
            .deployments
            .iter()
            .filter(|d| &d.workspace_id == ws)
            .map(|d| d.id.as_str())
            .collect();
        let expected = all
            .iter()
            .filter(|t| match t.scope.as_str() {
                "WORKSPACE" => role_on(t, "WORKSPACE", ws),
                "DEPLOYMENT" => t.roles.iter().any(|r| {
                    let dep = if r.entity_type.as_str() == "DEPLOYMENT" {
                        Some(r.entity_id.as_str())
                    } else {
                        r.deployment_id.as_deref()
                    };
                    dep.is_some_and(|d| deployments.contains(&d))
                }),
                _ => false,
            })
            .collect();
        let got = page(&fake, &[("workspaceId", ws), ("limit", "1000")]).await;
        check(&got, expected, "workspaceId");
    }
    for dep in &pools.deployments {
        let expected = all
            .iter()
            .filter(|t| {
                role_on(t, "DEPLOYMENT", &dep.id)
                    || t.roles
                        .iter()
                        .any(|r| r.deployment_id.as_deref() == Some(dep.id.as_str()))
            })
            .collect();
        let got = page(&fake, &[("deploymentId", &dep.id), ("limit", "1000")]).await;
        check(&got, expected, "deploymentId");
    }
    let dag = &pools.dags[0].dag_id;
    let got = page(&fake, &[("dagId", dag), ("limit", "1000")]).await;
    check(
        &got,
        all.iter().filter(|t| role_on(t, "DAG", dag)).collect(),
        "dagId",
    );

    let (a, b) = (&pools.dag_tags[0], &pools.dag_tags[1]);
    let got = page(&fake, &[("dagTags", a), ("dagTags", b), ("limit", "1000")]).await;
    let expected: Vec<&ApiToken> = all
        .iter()
        .filter(|t| role_on(t, "DAG_TAG", a) || role_on(t, "DAG_TAG", b))
        .collect();
    let only_a = all.iter().filter(|t| role_on(t, "DAG_TAG", a)).count();
    assert!(expected.len() > only_a, "second tag adds matches");
    check(&got, expected, "dagTags");

    let got = page(
        &fake,
        &[("includeOnlyOrganizationTokens", "true"), ("limit", "1000")],
    )
    .await;
    let expected = all
        .iter()
        .filter(|t| t.scope.as_str() == "ORGANIZATION")
        .collect();
    check(&got, expected, "includeOnlyOrganizationTokens");
    let got = page(&fake, &[("includeOnlyOrganizationTokens", "false")]).await;
    assert_eq!(got.total_count, 250);

    let got = page(&fake, &[("kind", "DIRECT_ACCESS"), ("limit", "1000")]).await;
    let expected = all
        .iter()
        .filter(|t| t.kind.as_str() == "DIRECT_ACCESS")
        .collect();
    check(&got, expected, "kind");

    // AND-combined, and paging applies after filtering.
    let dep = &pools.deployments[0].id;
    let both = fake
        .select(&[("deploymentId", dep), ("kind", "STANDARD")])
        .unwrap();
    assert!(both.iter().all(|t| t.kind.as_str() == "STANDARD"));
    assert!(both.len() < fake.select(&[("deploymentId", dep)]).unwrap().len());
    let got = page(
        &fake,
        &[("deploymentId", dep), ("kind", "STANDARD"), ("limit", "2")],
    )
    .await;
    assert_eq!(got.total_count as usize, both.len());
    assert_eq!(got.tokens, both[..2]);
}

#[tokio::test]
async fn percent_encoded_organization_id_routes() {
    let org = "team a/b?c é";
    let fake = FakeApi::builder()
        .organization_id(org)
        .tokens(12)
        .start()
        .await
        .unwrap();
    assert_eq!(fake.organization_id(), org);
    assert!(fake.tokens_url().contains("team%20a%2Fb%3Fc%20%C3%A9"));
    let got = page(&fake, &[]).await;
    assert_eq!(got.total_count, 12);
    assert_eq!(
        fake.requests()[0].path,
        "/v1/organizations/team%20a%2Fb%3Fc%20%C3%A9/tokens"
    );
    // The seeded organization roles point at the configured id.
    assert!(fake.tokens().iter().any(|t| {
        t.roles
            .iter()
            .any(|r| r.entity_type.as_str() == "ORGANIZATION" && r.entity_id == org)
    }));
    // A different (or wrongly encoded) id is unknown.
    let url = format!("{}/organizations/team%20a%2Fb/tokens", fake.base_url());
    assert_eq!(
        get_url(&url, Some(fake.token()), &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn inserted_token_is_served() {
    let fake = FakeApi::builder().tokens(5).start().await.unwrap();
    let mut extra = fake.tokens()[0].clone();
    extra.id = "cnewtoken0000000000000001".to_owned();
    extra.name = "zz-inserted".to_owned();
    fake.insert_token(extra.clone());
    let got = page(&fake, &[]).await;
    assert_eq!(got.total_count, 6);
    assert_eq!(got.tokens.last(), Some(&extra));
    assert_eq!(fake.tokens().len(), 6);
    // Sorted views see it too (the sort cache is invalidated).
    let sorted = page(&fake, &[("sorts", "name:desc")]).await;
    let _ = page(&fake, &[("sorts", "name:asc")]).await;
    let mut first = extra.clone();
    first.id = "cnewtoken0000000000000002".to_owned();
    first.name = "zzz-front".to_owned();
    fake.insert_token_at(0, first.clone());
    assert_eq!(sorted.tokens[0], extra);
    assert_eq!(
        page(&fake, &[("sorts", "name:desc")]).await.tokens[0],
        first
    );
    assert_eq!(page(&fake, &[]).await.tokens[0], first);
}

#[tokio::test]
async fn ignore_offset_serves_first_page_and_echoes_offset() {
    let fake = FakeApi::builder()
        .tokens(30)
        .ignore_offset(true)
        .start()
        .await
        .unwrap();
    let first = page(&fake, &[("limit", "10")]).await;
    let second = page(&fake, &[("limit", "10"), ("offset", "10")]).await;
    assert_eq!(second.offset, 10);
    assert_eq!(second.total_count, 30);
    assert_eq!(second.tokens, first.tokens);
    assert_eq!(second.tokens, fake.tokens()[..10]);
}

#[tokio::test]
async fn respond_with_overrides_selected_requests() {
    let fake = FakeApi::builder()
        .tokens(3)
        .respond_with(|request, n| match n {
            0 => Some(CannedResponse::error(503, n, "maintenance").with_header("retry-after", "1")),
            1 if request.query_values("limit") == ["7"] => {
                Some(CannedResponse::text(200, "text/html", "<html>proxy</html>"))
            }
            _ => None,
        })
        .start()
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .get(fake.tokens_url())
        .bearer_auth(fake.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(response.headers()["x-request-id"], request_id(0).as_str());
    let error: Error = response.json().await.unwrap();
    assert_eq!(
        (error.status_code, error.message.as_str()),
        (503, "maintenance")
    );
    assert_eq!(error.request_id, request_id(0));

    let response = reqwest::Client::new()
        .get(fake.tokens_url())
        .query(&[("limit", "7")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.text().await.unwrap(), "<html>proxy</html>");

    // Back to normal answers.
    assert_eq!(page(&fake, &[]).await.total_count, 3);
    assert_eq!(fake.request_count(), 3);
    fake.reset_requests();
    assert_eq!(fake.request_count(), 0);
    let answer = get(&fake, &[]).await;
    assert_eq!(
        answer.request_id,
        Some(request_id(3)),
        "numbers keep counting"
    );
    assert_eq!(fake.requests()[0].method, "GET");
}

#[tokio::test]
async fn latency_delays_each_answer() {
    let fake = FakeApi::builder()
        .tokens(2)
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(page(&fake, &[]).await.total_count, 2);
    assert_eq!(
        get(&fake, &[("limit", "x")]).await.status,
        StatusCode::BAD_REQUEST
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn request_ids_are_unique_and_recorded_query_is_decoded() {
    let fake = FakeApi::builder().tokens(3).start().await.unwrap();
    let a = get(
        &fake,
        &[
            ("dagTags", "a b"),
            ("dagTags", "c+d"),
            ("sorts", "name:asc"),
        ],
    )
    .await;
    let b = get(&fake, &[]).await;
    assert_ne!(a.request_id, b.request_id);
    assert_eq!(a.body.get("requestId"), None, "200 bodies are pages");
    let recorded = &fake.requests()[0];
    assert_eq!(recorded.query_values("dagTags"), ["a b", "c+d"]);
    assert_eq!(recorded.query_values("sorts"), ["name:asc"]);
    assert!(recorded.raw_query.as_deref().unwrap().contains("c%2Bd"));
    assert!(fake.select(&[("limit", "5000")]).is_err());
}

#[tokio::test]
async fn drop_stops_the_server() {
    let fake = FakeApi::builder().tokens(1).start().await.unwrap();
    let url = fake.tokens_url();
    assert_eq!(get(&fake, &[]).await.status, StatusCode::OK);
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fresh = reqwest::Client::new().get(&url).send().await;
    assert!(fresh.is_err(), "still serving after drop");
}

#[tokio::test]
async fn large_data_set_pages_quickly() {
    let fake = FakeApi::builder().tokens(5_000).start().await.unwrap();
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut offset = 0;
    while offset < 5_000 {
        let o = offset.to_string();
        let got = page(
            &fake,
            &[("offset", &o), ("limit", "1000"), ("sorts", "name:asc")],
        )
        .await;
        assert_eq!(got.total_count, 5_000);
        seen.extend(got.tokens);
        offset += 1000;
    }
    assert_eq!(seen.len(), 5_000);
    assert_eq!(seen, fake.select(&[("sorts", "name:asc")]).unwrap());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn generated_client_round_trips_against_the_fake() {
    use astro_tokens::generated::Client;
    use astro_tokens::generated::types::{ListApiTokensSortsItem, TokenKind};

    let fake = FakeApi::builder()
        .organization_id("org with/slash é")
        .start()
        .await
        .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {}", fake.token());
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&bearer).unwrap(),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = Client::new_with_client(&fake.base_url(), http);
    let tag = fake.pools().dag_tags[2].clone();
    let got = client
        .list_api_tokens()
        .organization_id(fake.organization_id())
        .dag_tags(vec![tag.clone(), fake.pools().dag_tags[3].clone()])
        .kind(TokenKind::Standard)
        .sorts(vec![
            ListApiTokensSortsItem::DescriptionAsc,
            ListApiTokensSortsItem::UpdatedAtDesc,
        ])
        .limit(1000)
        .send()
        .await
        .unwrap()
        .into_inner();
    let expected = fake
        .select(&[
            ("dagTags", tag.as_str()),
            ("dagTags", fake.pools().dag_tags[3].as_str()),
            ("kind", "STANDARD"),
            ("sorts", "description:asc"),
            ("sorts", "updatedAt:desc"),
        ])
        .unwrap();
    assert!(!expected.is_empty());
    assert_eq!(got.tokens, expected);
    assert_eq!(got.total_count as usize, expected.len());
    let recorded = &fake.requests()[0];
    assert_eq!(
        recorded.query_values("sorts"),
        ["description:asc", "updatedAt:desc"]
    );
    // The raw generated client speaks v1 at the fake's base URL, without a version pin
    // (only `astro_tokens::Client` adds `X-API-Version`).
    assert!(
        recorded.path.starts_with("/v1/organizations/"),
        "{}",
        recorded.path
    );
    assert_eq!(recorded.header("x-api-version"), None);

    // Typed error bodies decode too.
    let error = client
        .list_api_tokens()
        .organization_id(fake.organization_id())
        .limit(5000)
        .send()
        .await
        .unwrap_err();
    match error {
        astro_tokens::generated::Error::ErrorResponse(body) => {
            assert_eq!(body.status().as_u16(), 400);
            assert_eq!(body.field_errors[0].field, "limit");
        }
        other => panic!("unexpected {other:?}"),
    }
}
