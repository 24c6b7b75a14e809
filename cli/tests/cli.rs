//! End-to-end tests of the `astro-tokens` binary against the embedded fake API.
//!
//! Each test starts a fake (`astro_tokens_fake`) on a tokio runtime owned by the test,
//! runs the built binary with `--base-url` and `ASTRO_API_TOKEN`, and checks its output
//! and exit code. Every run goes through [`Fake::run`], which also asserts that the token
//! appears in neither stdout nor stderr. The audit has its own file, `audit.rs`.

mod common;

use std::process::Output;

use astro_tokens::ApiToken;
use astro_tokens_fake::{CannedResponse, FakeApi};
use chrono::{DateTime, Duration, Utc};
use common::*;
use serde_json::Value;

// ---------------------------------------------------------------- list: data

/// CLI flags, and the same filters as the fake's query pairs.
type FilterCase<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

#[test]
fn json_equals_the_fakes_selection_for_each_filter_set_across_pages() {
    let fake = Fake::seeded(150);
    let pools = fake.api.pools().clone();
    let workspace = pools.workspaces[0].clone();
    let deployment = pools.deployments[1].id.clone();
    let dag = pools.dags[0].dag_id.clone();
    let (tag1, tag2) = (pools.dag_tags[0].clone(), pools.dag_tags[1].clone());
    let cases: Vec<FilterCase<'_>> = vec![
        (vec![], vec![]),
        (
            vec![
                "--workspace-id",
                &workspace,
                "--sort",
                "name:asc",
                "--sort",
                "createdAt:desc",
            ],
            vec![
                ("workspaceId", &workspace),
                ("sorts", "name:asc"),
                ("sorts", "createdAt:desc"),
            ],
        ),
        (
            vec!["--deployment-id", &deployment, "--kind", "standard"],
            vec![("deploymentId", &deployment), ("kind", "STANDARD")],
        ),
        (vec!["--dag-id", &dag], vec![("dagId", &dag)]),
        (
            vec!["--dag-tag", &tag1, "--dag-tag", &tag2],
            vec![("dagTags", &tag1), ("dagTags", &tag2)],
        ),
        (
            vec![
                "--only-organization-tokens",
                "--kind",
                "direct-access",
                "--sort",
                "updatedAt:desc",
            ],
            vec![
                ("includeOnlyOrganizationTokens", "true"),
                ("kind", "DIRECT_ACCESS"),
                ("sorts", "updatedAt:desc"),
            ],
        ),
    ];
    for (flags, query) in cases {
        let mut args = vec!["--format", "json", "--page-size", "9"];
        args.extend(&flags);
        let printed = json_array(&fake.run("list", &args));
        let expected = fake.expected(&query);
        assert!(
            !expected.is_empty() || flags.contains(&"--dag-id"),
            "{flags:?}"
        );
        assert_eq!(printed, expected, "flags {flags:?}");
    }
}

#[test]
fn every_filter_and_control_reaches_the_request() {
    let fake = Fake::seeded(30);
    let output = fake.run(
        "list",
        &[
            "--workspace-id",
            "ws1",
            "--deployment-id",
            "dep1",
            "--dag-id",
            "dag1",
            "--dag-tag",
            "t1",
            "--dag-tag",
            "t2",
            "--only-organization-tokens",
            "--kind",
            "direct-access",
            "--sort",
            "tokenStartAt:desc",
            "--sort",
            "name:asc",
            "--offset",
            "3",
            "--page-size",
            "17",
            "--format",
            "ndjson",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let requests = fake.api.requests();
    let first = requests.first().expect("one request");
    assert_eq!(first.query_values("workspaceId"), ["ws1"]);
    assert_eq!(first.query_values("deploymentId"), ["dep1"]);
    assert_eq!(first.query_values("dagId"), ["dag1"]);
    assert_eq!(first.query_values("dagTags"), ["t1", "t2"]);
    assert_eq!(
        first.query_values("includeOnlyOrganizationTokens"),
        ["true"]
    );
    assert_eq!(first.query_values("kind"), ["DIRECT_ACCESS"]);
    assert_eq!(
        first.query_values("sorts"),
        ["tokenStartAt:desc", "name:asc"]
    );
    assert_eq!(first.query_values("offset"), ["3"]);
    assert_eq!(first.query_values("limit"), ["17"]);
    assert_eq!(first.header("authorization"), Some("[redacted]"));
}

#[test]
fn the_derived_flags_send_what_the_earlier_names_sent() {
    let fake = Fake::seeded(30);
    let controls = ["--offset", "3", "--page-size", "17", "--format", "ndjson"];
    let earlier = [
        "--workspace-id",
        "ws1",
        "--deployment-id",
        "dep1",
        "--dag-id",
        "dag1",
        "--dag-tag",
        "t1",
        "--dag-tag",
        "t2",
        "--only-organization-tokens",
        "--kind",
        "direct-access",
        "--sort",
        "tokenStartAt:desc",
        "--sort",
        "name:asc",
    ];
    let derived = [
        "--workspace-id",
        "ws1",
        "--deployment-id",
        "dep1",
        "--dag-id",
        "dag1",
        "--dag-tags",
        "t1",
        "--dag-tags",
        "t2",
        "--include-only-organization-tokens=true",
        "--kind",
        "DIRECT_ACCESS",
        "--sorts",
        "tokenStartAt:desc",
        "--sorts",
        "name:asc",
    ];
    for (subcommand, extra) in [("list", &controls[..]), ("audit", &["--format", "json"])] {
        let mut queries = Vec::new();
        for flags in [&earlier[..], &derived[..]] {
            fake.api.reset_requests();
            let mut args = flags.to_vec();
            args.extend(extra);
            let output = fake.run(subcommand, &args);
            assert_eq!(
                code(&output),
                0,
                "{subcommand} {args:?}: {}",
                stderr(&output)
            );
            let requests = fake.api.requests();
            let first = requests.first().expect("one request");
            queries.push(first.raw_query.clone().unwrap_or_default());
        }
        assert_eq!(queries[0], queries[1], "{subcommand}");
        assert!(
            queries[0].contains("dagTags=t1&dagTags=t2"),
            "{}",
            queries[0]
        );
    }
    // `--flag=false` sends false, under either name; no flag sends nothing.
    for (flags, sent) in [
        (
            &["--include-only-organization-tokens=false"][..],
            &["false"][..],
        ),
        (&["--only-organization-tokens=false"], &["false"]),
        (&["--only-organization-tokens=true"], &["true"]),
        (&[], &[]),
    ] {
        fake.api.reset_requests();
        let mut args = flags.to_vec();
        args.extend(["--format", "json"]);
        let output = fake.run("list", &args);
        assert_eq!(code(&output), 0, "{flags:?}: {}", stderr(&output));
        let requests = fake.api.requests();
        let first = requests.first().expect("one request");
        assert_eq!(
            first.query_values("includeOnlyOrganizationTokens"),
            sent,
            "{flags:?}"
        );
    }
}

#[test]
fn every_query_parameter_has_a_flag_in_list_and_audit_help() {
    for subcommand in ["list", "audit"] {
        let output = run(binary().args([subcommand, "--help"]).env("COLUMNS", "400"));
        assert_eq!(code(&output), 0);
        let help = stdout(&output);
        for parameter in astro_tokens::ListApiTokensQuery::PARAMETERS {
            let flag = kebab(parameter.name);
            let lines: Vec<&str> = help.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.trim_start().starts_with(&format!("--{flag}")))
                .unwrap_or_else(|| panic!("{subcommand} --help has no --{flag}:\n{help}"));
            // The description follows the flag, on its line or the next ones.
            let entry = lines[at..]
                .iter()
                .take_while(|l| !l.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                entry.contains(parameter.description),
                "{subcommand} --{flag}: {entry}"
            );
        }
        for alias in ["--dag-tag", "--only-organization-tokens", "--sort"] {
            assert!(
                help.contains(alias),
                "{subcommand}: {alias} missing:\n{help}"
            );
        }
    }
}

/// `dagTags` → `dag-tags`: an independent spelling of the rule the flags follow.
fn kebab(wire: &str) -> String {
    let mut out = String::new();
    for c in wire.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_bad_filter_value_exits_2_naming_the_flag_and_what_is_allowed_and_sends_nothing() {
    let fake = Fake::seeded(3);
    for subcommand in ["list", "audit"] {
        for (args, needles) in [
            (
                &["--kind", "PREMIUM"][..],
                &["--kind", "PREMIUM", "STANDARD", "DIRECT_ACCESS"][..],
            ),
            (
                &["--sorts", "name:sideways"],
                &["--sorts", "name:sideways", "createdAt:desc"],
            ),
            (
                &["--include-only-organization-tokens=yes"],
                &["--include-only-organization-tokens", "yes", "true, false"],
            ),
            (
                &["--workspace-id", "a", "--workspace-id", "b"],
                &["--workspace-id"],
            ),
        ] {
            let output = fake.run(subcommand, args);
            assert_eq!(
                code(&output),
                2,
                "{subcommand} {args:?}: {}",
                stderr(&output)
            );
            for needle in needles {
                assert!(
                    stderr(&output).contains(needle),
                    "{subcommand} {args:?}: {needle:?} missing: {}",
                    stderr(&output)
                );
            }
            assert!(output.stdout.is_empty());
        }
    }
    assert_eq!(fake.api.request_count(), 0, "nothing may be sent");
}

#[test]
fn ndjson_has_one_token_per_line_equal_to_the_fakes_data() {
    let fake = Fake::seeded(40);
    let output = fake.run(
        "list",
        &[
            "--format",
            "ndjson",
            "--page-size",
            "15",
            "--sort",
            "name:desc",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines, fake.expected(&[("sorts", "name:desc")]));
    assert_eq!(fake.api.request_count(), 3, "40 tokens in pages of 15");
}

#[test]
fn csv_parses_with_a_header_and_one_row_per_token() {
    let fake = Fake::seeded(35);
    let output = fake.run("list", &["--format", "csv", "--page-size", "10"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "name",
            "scope",
            "kind",
            "created",
            "expires",
            "last_used",
            "roles"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let expected: Vec<ApiToken> = fake.api.select(&[]).expect("valid");
    assert_eq!(rows.len(), expected.len());
    for (row, token) in rows.iter().zip(&expected) {
        assert_eq!(&row[0], token.id);
        assert_eq!(&row[1], token.name);
        assert_eq!(&row[2], token.scope.to_string());
        assert_eq!(&row[3], token.kind.to_string());
        let created: DateTime<Utc> = row[4].parse().expect("RFC 3339");
        assert_eq!(created, token.created_at);
        assert_eq!(row[5].is_empty(), token.end_at.is_none());
        assert_eq!(row[6].is_empty(), token.last_used_at.is_none());
        for role in &token.roles {
            assert!(row[7].contains(&role.role), "{:?}", &row[7]);
        }
    }
}

#[test]
fn max_items_caps_the_listing_and_the_requests() {
    let fake = Fake::seeded(60);
    let printed = json_array(&fake.run(
        "list",
        &["--format", "json", "--max-items", "13", "--page-size", "5"],
    ));
    let all = fake.expected(&[]);
    assert_eq!(printed, all[..13]);
    assert_eq!(fake.api.request_count(), 3, "5 + 5 + 3");
}

#[test]
fn offset_skips_the_first_matches() {
    let fake = Fake::seeded(25);
    let printed = json_array(&fake.run(
        "list",
        &["--format", "json", "--offset", "20", "--sort", "name:asc"],
    ));
    assert_eq!(printed, fake.expected(&[("sorts", "name:asc")])[20..]);
}

#[test]
fn concurrent_paging_prints_the_same_tokens_in_the_same_order() {
    let fake = Fake::seeded(90);
    let args = [
        "--format",
        "json",
        "--page-size",
        "10",
        "--sort",
        "createdAt:desc",
    ];
    let sequential = json_array(&fake.run("list", &args));
    let mut with_concurrency = args.to_vec();
    with_concurrency.extend(["--concurrency", "4"]);
    let concurrent = json_array(&fake.run("list", &with_concurrency));
    assert_eq!(ids(&concurrent), ids(&sequential));
    assert_eq!(sequential.len(), 90);
}

#[test]
fn the_base_url_can_come_from_astro_api_url() {
    let fake = Fake::seeded(5);
    let output = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .env("ASTRO_API_URL", fake.api.base_url())
        .args(["list", "--organization-id", &fake.org(), "--format", "json"]));
    assert_eq!(json_array(&output).len(), 5);
}

#[test]
fn an_empty_listing_is_an_empty_array_a_header_or_a_note() {
    let fake = Fake::start(FakeApi::builder().with_data(Vec::<ApiToken>::new()));
    assert!(json_array(&fake.run("list", &["--format", "json"])).is_empty());
    let csv = fake.run("list", &["--format", "csv"]);
    assert_eq!(
        stdout(&csv),
        "id,name,scope,kind,created,expires,last_used,roles\n"
    );
    let table = fake.run("list", &[]);
    assert_eq!(stdout(&table), "No tokens match.\n");
}

// ---------------------------------------------------------------- list: table

#[test]
fn the_table_shows_every_token_and_fits_80_columns() {
    let fake = Fake::seeded(30);
    let output = run(fake
        .command("list", &["--page-size", "8"])
        .env("COLUMNS", "80"));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "{} chars: {line}",
            line.chars().count()
        );
    }
    for token in fake.api.tokens() {
        assert!(text.contains(&token.id), "{} missing:\n{text}", token.id);
    }
    assert!(text.contains("30 tokens"), "{text}");
    assert!(text.contains("hidden to fit 80 columns"), "{text}");
}

#[test]
fn a_wide_table_has_every_column_and_relative_dates() {
    let now = now();
    let mut token = known_token("wide", now);
    token.end_at = Some(now + Duration::days(17));
    token.last_used_at = Some(now - Duration::days(3));
    let fake = Fake::start(FakeApi::builder().with_data(vec![token]));
    let output = run(fake.command("list", &["--now", NOW]).env("COLUMNS", "200"));
    let text = stdout(&output);
    let header = text.lines().next().unwrap_or_default();
    for column in [
        "NAME",
        "ID",
        "SCOPE",
        "KIND",
        "CREATED",
        "EXPIRES",
        "LAST USED",
        "ROLES",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(text.contains("in 17d"), "{text}");
    assert!(text.contains("3d ago"), "{text}");
    assert!(text.contains("1 token\n"), "{text}");
}

#[test]
fn control_characters_in_names_are_escaped_in_the_table() {
    let mut token = known_token("evil", now());
    token.name = "evil\u{1b}[31mred".to_owned();
    let fake = Fake::start(FakeApi::builder().with_data(vec![token]));
    let output = fake.run("list", &[]);
    assert!(!output.stdout.contains(&0x1b), "{}", stdout(&output));
    assert!(stdout(&output).contains("evil"));
}

#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let fake = Fake::seeded(50);
    let output = fake.run("list", &["--page-size", "5", "--format", "ndjson"]);
    assert_eq!(code(&output), 0);
    assert_eq!(fake.api.request_count(), 10);
    assert_eq!(stderr(&output), "", "stderr must stay empty when captured");
}

#[test]
fn list_csv_cells_from_the_server_cannot_start_a_formula() {
    let now = now();
    let mut token = known_token("-id", now);
    token.name = "=HYPERLINK(\"http://evil.example\",\"click\")".to_owned();
    token.roles = serde_json::from_value(serde_json::json!([
        {"entityId": "o1", "entityType": "ORGANIZATION", "role": "@ORG_ROLE"}
    ]))
    .expect("valid roles");
    let mut tab = known_token("tab", now);
    tab.name = "\t+1".to_owned();
    let mut carriage = known_token("cr", now);
    carriage.name = "\r-1".to_owned();
    let fake = Fake::start(FakeApi::builder().with_data(vec![token, tab, carriage]));

    let list = fake.run("list", &["--format", "csv", "--sort", "name:asc"]);
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let mut reader = csv::Reader::from_reader(list.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let cell = |id: &str, column: usize| -> String {
        rows.iter()
            .find(|r| r[0].trim_start_matches('\'') == id)
            .map(|r| r[column].to_owned())
            .unwrap_or_else(|| panic!("no row {id}: {}", stdout(&list)))
    };
    assert_eq!(cell("-id", 0), "'-id");
    assert_eq!(
        cell("-id", 1),
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(cell("-id", 7), "'@ORG_ROLE on ORGANIZATION o1");
    assert_eq!(cell("tab", 0), "tab", "a safe id is unchanged");
    assert_eq!(cell("tab", 1), "'\t+1");
    assert_eq!(cell("cr", 1), "'\r-1");
    assert_eq!(cell("cr", 7), "WORKSPACE_MEMBER on WORKSPACE ws1");
    assert!(
        cell("cr", 4).starts_with("2024-"),
        "dates are ours, unprefixed"
    );
}

#[test]
fn list_csv_guards_scope_and_kind_values_the_tool_does_not_know() {
    let mut token = serde_json::to_value(known_token("t1", now())).expect("serializes");
    token["scope"] = "=cmd|' /C calc'!A0".into();
    token["kind"] = "+FUTURE_KIND".into();
    let token: ApiToken = serde_json::from_value(token).expect("unknown values deserialize");
    let fake = Fake::start(FakeApi::builder().with_data(vec![token]));
    let list = fake.run("list", &["--format", "csv"]);
    assert_eq!(code(&list), 0, "{}", stderr(&list));
    let mut reader = csv::Reader::from_reader(list.stdout.as_slice());
    let row = reader
        .records()
        .next()
        .expect("one row")
        .expect("valid row");
    assert_eq!(&row[2], "'=cmd|' /C calc'!A0");
    assert_eq!(&row[3], "'+FUTURE_KIND");
}

#[test]
fn the_organization_can_come_from_astro_organization_id() {
    let fake = Fake::seeded(4);
    let from_env = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .env("ASTRO_ORGANIZATION_ID", fake.org())
        .args([
            "list",
            "--base-url",
            &fake.api.base_url(),
            "--format",
            "json",
        ]));
    assert_eq!(json_array(&from_env).len(), 4);
    // The flag wins over the variable.
    let flag_wins = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .env("ASTRO_ORGANIZATION_ID", "no-such-org")
        .args(["list", "--organization-id", &fake.org()])
        .args(["--base-url", &fake.api.base_url(), "--format", "json"]));
    assert_eq!(json_array(&flag_wins).len(), 4);
    let requests = fake.api.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests.iter().all(|r| r.path.contains(&fake.org())),
        "{requests:?}"
    );
}

// ---------------------------------------------------------------- API versions, real servers

/// `SUBCOMMAND ARGS --base-url URL` against `fake`, with the token; its stdout (exit 0).
fn stdout_from(fake: &Fake, url: &str, subcommand: &str, args: &[&str]) -> String {
    let output = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .arg(subcommand)
        .args(["--organization-id", &fake.org(), "--base-url", url])
        .args(args));
    assert_eq!(
        code(&output),
        0,
        "{subcommand} at {url}: {}",
        stderr(&output)
    );
    stdout(&output)
}

#[test]
fn v1_and_both_v1beta1_hosts_give_the_same_output_with_scope() {
    let fake = Fake::seeded(40);
    let urls = [
        fake.api.base_url(),
        fake.api.platform_v1beta1_url(),
        fake.api.iam_v1beta1_url(),
    ];
    assert!(urls[0].ends_with("/v1"), "{}", urls[0]);
    let cases: [(&str, &[&str]); 5] = [
        (
            "list",
            &[
                "--format",
                "json",
                "--page-size",
                "15",
                "--sort",
                "name:asc",
            ],
        ),
        ("list", &["--format", "ndjson", "--kind", "STANDARD"]),
        ("list", &["--format", "csv"]),
        ("audit", &["--format", "json", "--now", NOW]),
        ("audit", &["--format", "csv", "--now", NOW]),
    ];
    for (subcommand, args) in cases {
        let outputs: Vec<String> = urls
            .iter()
            .map(|url| stdout_from(&fake, url, subcommand, args))
            .collect();
        assert!(!outputs[0].is_empty(), "{subcommand} {args:?}");
        for (url, output) in urls.iter().zip(&outputs).skip(1) {
            assert_eq!(
                *output, outputs[0],
                "{subcommand} {args:?}: {url} differs from v1"
            );
        }
    }
    // The v1beta1 hosts send `type`; every output says `scope`, never `type`.
    let list = stdout_from(&fake, &urls[1], "list", &["--format", "json"]);
    let tokens: Vec<Value> = serde_json::from_str(&list).expect("a JSON array");
    assert_eq!(tokens.len(), 40);
    for token in &tokens {
        assert!(token["scope"].is_string(), "{token}");
        assert!(token.get("type").is_none(), "{token}");
    }
    assert_eq!(tokens, fake.expected(&[]));
    let audit: Value = serde_json::from_str(&stdout_from(
        &fake,
        &urls[2],
        "audit",
        &["--format", "json", "--now", NOW],
    ))
    .expect("a JSON document");
    assert_eq!(audit["schemaVersion"], 2);
    let findings = audit["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for finding in findings {
        assert!(finding["token"]["scope"].is_string(), "{finding}");
        assert!(finding["token"].get("type").is_none(), "{finding}");
    }
    let csv = stdout_from(&fake, &urls[1], "list", &["--format", "csv"]);
    assert!(csv.starts_with("id,name,scope,kind,"), "{csv}");
    let table = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .env("COLUMNS", "200")
        .args([
            "list",
            "--organization-id",
            &fake.org(),
            "--base-url",
            &urls[2],
        ]));
    assert!(
        stdout(&table)
            .lines()
            .next()
            .is_some_and(|l| l.contains("SCOPE"))
    );
}

/// The whole HTTP/1.1 response of the fake to a GET of `url` (one of its own), with the
/// token: what the server sent, before any client reads it.
fn raw_response(fake: &Fake, url: &str) -> String {
    use std::io::{Read, Write};
    let addr = fake.api.local_addr();
    let target = url
        .strip_prefix(&format!("http://{addr}"))
        .expect("a URL of the fake");
    let mut stream = std::net::TcpStream::connect(addr).expect("the fake accepts");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {SECRET}\r\n\
         Connection: close\r\n\r\n"
    )
    .expect("the request is sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("the response is read");
    response
}

/// Tokens with every optional property absent (a Go server sends each as `null`), one
/// with no roles at all (`"roles": null`), one with everything set.
fn sparse_tokens() -> Vec<ApiToken> {
    let now = now();
    let mut bare = known_token("bare", now);
    bare.roles.clear();
    bare.last_used_at = None;
    bare.end_at = None;
    let mut full = known_token("full", now);
    full.end_at = Some(now + Duration::days(10));
    full.last_rotated_at = Some(now - Duration::days(3));
    full.expiry_period_in_days = Some(30);
    vec![bare, known_token("plain", now), full]
}

#[test]
fn list_and_audit_read_go_style_nulls() {
    let plain = Fake::start(FakeApi::builder().with_data(sparse_tokens()));
    let go = Fake::start(FakeApi::builder().go_nulls(true).with_data(sparse_tokens()));
    // The fake really sends nulls.
    let raw = raw_response(&go, &go.api.tokens_url());
    assert!(raw.contains("\"roles\":null"), "{raw}");
    assert!(raw.contains("\"endAt\":null"), "{raw}");
    for (subcommand, args) in [
        ("list", &["--format", "json"][..]),
        ("list", &["--format", "ndjson"]),
        ("list", &["--format", "csv"]),
        ("audit", &["--format", "json", "--now", NOW]),
        ("audit", &["--format", "markdown", "--now", NOW]),
    ] {
        let from_go = go.run(subcommand, args);
        assert_eq!(
            code(&from_go),
            0,
            "{subcommand} {args:?}: {}",
            stderr(&from_go)
        );
        let from_plain = plain.run(subcommand, args);
        assert_eq!(code(&from_plain), 0, "{}", stderr(&from_plain));
        assert_eq!(
            stdout(&from_go),
            stdout(&from_plain),
            "{subcommand} {args:?}"
        );
    }
    let table = run(go.command("list", &["--now", NOW]).env("COLUMNS", "200"));
    assert_eq!(code(&table), 0, "{}", stderr(&table));
    assert!(stdout(&table).contains("name-bare"), "{}", stdout(&table));
    let printed = json_array(&go.run("list", &["--format", "json"]));
    let bare = printed
        .iter()
        .find(|t| t["id"] == "bare")
        .expect("the bare token");
    for absent in ["roles", "endAt", "lastUsedAt", "lastRotatedAt", "createdBy"] {
        assert!(bare.get(absent).is_none(), "{absent}: {bare}");
    }
}

#[test]
fn an_empty_organization_sent_as_tokens_null_is_an_empty_listing() {
    let go = Fake::start(
        FakeApi::builder()
            .go_nulls(true)
            .with_data(Vec::<ApiToken>::new()),
    );
    let raw = raw_response(&go, &go.api.tokens_url());
    assert!(raw.contains("\"tokens\":null"), "{raw}");
    assert!(json_array(&go.run("list", &["--format", "json"])).is_empty());
    let table = go.run("list", &[]);
    assert_eq!(code(&table), 0, "{}", stderr(&table));
    assert_eq!(stdout(&table), "No tokens match.\n");
    let ndjson = go.run("list", &["--format", "ndjson"]);
    assert_eq!(code(&ndjson), 0, "{}", stderr(&ndjson));
    assert_eq!(stdout(&ndjson), "");
    let audit = go.run("audit", &["--now", NOW, "--format", "json"]);
    assert_eq!(code(&audit), 0, "{}", stderr(&audit));
    let report: Value = serde_json::from_slice(&audit.stdout).expect("a JSON document");
    assert_eq!(report["tokensAudited"], 0);
    assert_eq!(report["findings"], serde_json::json!([]));
    let audit_table = go.run("audit", &["--now", NOW, "--fail-on-findings"]);
    assert_eq!(code(&audit_table), 0, "{}", stderr(&audit_table));
    assert!(
        stdout(&audit_table).starts_with("No findings."),
        "{}",
        stdout(&audit_table)
    );
}

// ---------------------------------------------------------------- errors

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let fake = Fake::seeded(5);
    let cases: [(&[&str], &str); 8] = [
        (&["--sort", "created:desc"], "createdAt:desc"),
        (&["--kind", "premium"], "DIRECT_ACCESS"),
        (&["--include-only-organization-tokens=maybe"], "true, false"),
        (
            &["--only-organization-tokens", "false"],
            "unexpected argument 'false'",
        ),
        (&["--page-size", "0"], "page_size"),
        (&["--page-size", "5000"], "1..=1000"),
        (&["--concurrency", "0"], "concurrency"),
        (&["--format", "yaml"], "ndjson"),
    ];
    for (args, hint) in cases {
        let output = fake.run("list", args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(hint),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    let audit = fake.run("audit", &["--expiring-within", "-3"]);
    assert_eq!(code(&audit), 2, "{}", stderr(&audit));
    assert_eq!(fake.api.request_count(), 0, "nothing may be sent");
}

#[test]
fn a_misspelt_sort_lists_every_valid_value() {
    let fake = Fake::seeded(1);
    let output = fake.run("list", &["--sort", "name:up"]);
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    for valid in astro_tokens::Sort::all() {
        assert!(text.contains(&valid.to_string()), "{valid} missing: {text}");
    }
}

#[test]
fn a_missing_organization_id_is_a_usage_error() {
    let output = run(binary().env("ASTRO_API_TOKEN", SECRET).args(["list"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--organization-id"),
        "{}",
        stderr(&output)
    );
    // An empty ASTRO_ORGANIZATION_ID counts as unset.
    let empty = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .env("ASTRO_ORGANIZATION_ID", "")
        .args(["audit"]));
    assert_eq!(code(&empty), 2, "{}", stderr(&empty));
    assert!(
        stderr(&empty).contains("--organization-id"),
        "{}",
        stderr(&empty)
    );
}

#[test]
fn a_missing_or_empty_token_exits_2_and_names_astro_api_token() {
    let fake = Fake::seeded(1);
    for token in [None, Some(""), Some("   ")] {
        let mut cmd = fake.command("list", &[]);
        match token {
            None => cmd.env_remove("ASTRO_API_TOKEN"),
            Some(value) => cmd.env("ASTRO_API_TOKEN", value),
        };
        let output = run(&mut cmd);
        assert_eq!(code(&output), 2, "{token:?}");
        assert!(
            stderr(&output).contains("ASTRO_API_TOKEN"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(fake.api.request_count(), 0);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_with_exit_2() {
    let fake = Fake::seeded(1);
    let output = run(binary().env("ASTRO_API_TOKEN", SECRET).args([
        "list",
        "--organization-id",
        &fake.org(),
        "--base-url",
        "http://api.example.com",
    ]));
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("https://"), "{}", stderr(&output));
}

/// One line on stderr: `error: HTTP <status> <reason>: <message> (request id <id>)`.
fn assert_one_api_error_line(output: &Output, status: &str) {
    assert_eq!(code(output), 1, "{}", stderr(output));
    let text = stderr(output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with(&format!("error: HTTP {status}")), "{text}");
    assert!(text.contains("(request id cfakereq"), "{text}");
    assert!(output.stdout.is_empty(), "{}", stdout(output));
}

#[test]
fn a_wrong_token_exits_1_with_status_message_and_request_id() {
    let fake = Fake::seeded(3);
    let wrong = "wrong-token-value-a1b2c3";
    let output = run(fake
        .command("list", &["--format", "json"])
        .env("ASTRO_API_TOKEN", wrong));
    assert_one_api_error_line(&output, "401");
    assert!(!stderr(&output).contains(wrong));
}

#[test]
fn an_api_message_with_newlines_and_escapes_stays_one_line() {
    let fake = Fake::start(FakeApi::builder().tokens(3).respond_with(|_, n| {
        Some(CannedResponse::error(
            403,
            n,
            "forbidden\nsecond line\r\n\u{1b}[31mred\u{1b}[0m\tend",
        ))
    }));
    let output = fake.run("list", &["--format", "json"]);
    assert_one_api_error_line(&output, "403");
    let text = stderr(&output);
    assert!(text.ends_with('\n'), "{text:?}");
    let line = text.trim_end_matches('\n');
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(
        line.contains("forbidden") && line.contains("end"),
        "{line:?}"
    );
}

#[test]
fn an_unknown_organization_exits_1_with_a_404_line() {
    let fake = Fake::seeded(3);
    let output = run(binary().env("ASTRO_API_TOKEN", SECRET).args([
        "audit",
        "--organization-id",
        "no-such-org",
        "--base-url",
        &fake.api.base_url(),
    ]));
    assert_one_api_error_line(&output, "404");
    assert!(
        stderr(&output).contains("no-such-org"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_failure_mid_listing_leaves_no_partial_json_but_keeps_streamed_lines() {
    let failing = || {
        Fake::start(FakeApi::builder().tokens(30).respond_with(|_, n| {
            (n == 1).then(|| CannedResponse::error(403, n, "access revoked mid-listing"))
        }))
    };
    let fake = failing();
    let json = fake.run("list", &["--format", "json", "--page-size", "10"]);
    assert_eq!(code(&json), 1);
    assert!(json.stdout.is_empty(), "{}", stdout(&json));
    assert!(
        stderr(&json).contains("access revoked mid-listing"),
        "{}",
        stderr(&json)
    );

    let fake = failing();
    let ndjson = fake.run("list", &["--format", "ndjson", "--page-size", "10"]);
    assert_eq!(code(&ndjson), 1);
    assert_eq!(
        stdout(&ndjson).lines().count(),
        10,
        "the first page was streamed"
    );
}

#[test]
fn an_unreachable_server_is_a_one_line_transport_error() {
    // Bind then drop a listener: the port is (very likely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let output = run(binary().env("ASTRO_API_TOKEN", SECRET).args([
        "list",
        "--organization-id",
        "org",
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
    ]));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error: could not connect to the API: ")
            && stderr(&output).contains("Connection refused"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_prints_no_partial_json() {
    let fake = Fake::start(
        FakeApi::builder()
            .tokens(50)
            .latency(std::time::Duration::from_millis(400)),
    );
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_astro-tokens"))
        .env("ASTRO_API_TOKEN", SECRET)
        .args(["list", "--organization-id", &fake.org(), "--base-url"])
        .arg(fake.api.base_url())
        .args(["--format", "json", "--page-size", "5"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    // The binary installs its Ctrl-C handler before it sends the first request (`each_page`
    // polls the interrupt first), so once the fake has seen a request, SIGINT is handled
    // rather than killing the process; a fixed sleep could fire too early on a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while fake.api.request_count() == 0 {
        if std::time::Instant::now() > deadline {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &child.id().to_string()])
                .status();
            let output = child.wait_with_output().expect("exits");
            panic!(
                "no request reached the fake within 30 s: {:?}, stderr: {}",
                output.status,
                stderr(&output)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let output = child.wait_with_output().expect("exits");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    assert!(
        stderr(&output).starts_with("interrupted"),
        "{}",
        stderr(&output)
    );
    assert!(fake.api.request_count() < 10, "it stopped paging");
}

// ---------------------------------------------------------------- help, demo

#[test]
fn help_never_shows_the_token_or_the_url_from_the_environment() {
    let hidden_url = "https://secret-host.example.com/with-path";
    for args in [
        vec!["--help"],
        vec!["list", "--help"],
        vec!["audit", "--help"],
        vec!["demo", "--help"],
        vec!["list", "-h"],
    ] {
        let output = run(binary()
            .env("ASTRO_API_TOKEN", SECRET)
            .env("ASTRO_API_URL", hidden_url)
            .args(&args));
        assert_eq!(code(&output), 0, "{args:?}");
        let text = stdout(&output);
        assert!(text.contains("ASTRO_API_TOKEN"), "{args:?}: {text}");
        assert!(!text.contains(hidden_url), "{args:?}: {text}");
    }
}

#[test]
fn demo_lists_a_sorted_multi_page_listing_and_traces_its_requests() {
    let output = run(binary()
        .args(["demo", "--latency-ms", "0"])
        .env("COLUMNS", "100"));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("24 tokens"), "{text}");
    assert!(text.contains("Requests made"), "{text}");
    assert!(
        text.lines().next().is_some_and(|l| l
            .starts_with("A fake Astro API v1 is listening on http://127.0.0.1:")
            && l.trim_end().ends_with("/v1")),
        "{text}"
    );
    assert!(text.contains("each GET /v1/organizations/"), "{text}");
    assert!(text.contains("SCOPE"), "{text}");
    for (offset, answer) in [
        ("offset=0&", "tokens 1–5 of 24"),
        ("offset=5&", "tokens 6–10 of 24"),
        ("offset=20&", "tokens 21–24 of 24"),
    ] {
        let line = text.lines().find(|l| l.contains(offset));
        assert!(
            line.is_some_and(|l| l.contains(answer)),
            "{offset} → {answer} missing:\n{text}"
        );
    }
    assert_eq!(text.lines().filter(|l| l.contains("?limit=5&")).count(), 5);
    assert!(
        text.contains("sorts=name:asc&sorts=createdAt:desc"),
        "{text}"
    );
    assert!(
        text.contains("✓ Sorted by name, then newest first"),
        "{text}"
    );
    assert!(text.contains("Bearer [redacted]"), "{text}");
    assert!(
        !text.contains(astro_tokens_fake::DEFAULT_TOKEN),
        "the fake's token is shown only with --serve"
    );
}

/// Runs `astro-tokens list` with stderr on a pseudo-terminal (util-linux `script`), stdout
/// to /dev/null; returns what the terminal showed. Panics if `script` is missing (it is part
/// of util-linux, on every CI image we use) or if the binary exits non-zero, so the test
/// can never pass without having checked anything.
#[cfg(target_os = "linux")]
fn list_on_a_terminal(fake: &Fake, args: &str) -> String {
    let line = format!(
        "{} list --organization-id {} --base-url {} {args} > /dev/null",
        env!("CARGO_BIN_EXE_astro-tokens"),
        fake.org(),
        fake.api.base_url()
    );
    // -e: `script` exits with the binary's status.
    let output = match std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("ASTRO_API_TOKEN", SECRET)
        .output()
    {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => panic!(
            "this test needs `script` from util-linux to give the binary a terminal: install \
             util-linux (e.g. `apt-get install util-linux`)"
        ),
        Err(error) => panic!("cannot run `script`: {error}"),
    };
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(!text.contains(SECRET), "the token leaked: {text}");
    assert!(
        output.status.success(),
        "`astro-tokens list {args}` on a terminal failed ({}): {text:?}, script's stderr: {}",
        output.status,
        stderr(&output)
    );
    text
}

#[cfg(target_os = "linux")]
#[test]
fn progress_shows_tokens_fetched_of_the_total_on_a_terminal_for_several_pages() {
    let fake = Fake::start(
        FakeApi::builder()
            .tokens(40)
            .latency(std::time::Duration::from_millis(150)),
    );
    let several = list_on_a_terminal(&fake, "--format ndjson --page-size 5");
    assert!(several.contains("/40 tokens fetched"), "{several:?}");
    let single = list_on_a_terminal(&fake, "--format ndjson --page-size 100");
    assert!(!single.contains("tokens fetched"), "{single:?}");
}

#[cfg(target_os = "linux")]
#[test]
#[should_panic(expected = "on a terminal failed")]
fn the_terminal_helper_fails_when_the_binary_fails() {
    let fake = Fake::seeded(3);
    // An unknown flag: the binary exits 2.
    list_on_a_terminal(&fake, "--no-such-flag");
}
