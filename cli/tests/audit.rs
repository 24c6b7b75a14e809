//! End-to-end tests of `astro-tokens audit` against the embedded fake API: every finding,
//! every format (each `json` document validated against the committed JSON Schema, each
//! `ndjson` line against its finding sub-schema), the policy file and its errors, the
//! exceptions, `--fail-on`, `ASTRO_ORGANIZATION_ID`, completions and the demo's data.

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;

use astro_tokens::ApiToken;
use astro_tokens_fake::FakeApi;
use chrono::Duration;
use common::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------- schema

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/audit-report.schema.json"
        );
        let text = std::fs::read_to_string(path).expect("the schema is committed");
        serde_json::from_str(&text).expect("the schema is JSON")
    })
}

fn validator(pointer: Option<&str>) -> jsonschema::Validator {
    let mut schema = schema().clone();
    if let Some(pointer) = pointer {
        // The sub-schema, with the same $defs to resolve its references.
        schema = json!({
            "$schema": schema["$schema"],
            "$defs": schema["$defs"],
            "$ref": pointer,
        });
    }
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn report_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| validator(None))
}

fn finding_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| validator(Some("#/$defs/finding")))
}

fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations: {errors:#?}\n{value:#}"
    );
}

/// The json report of `output` (exit `expected_code`), validated against the schema.
fn report_with_code(output: &Output, expected_code: i32) -> Value {
    assert_eq!(code(output), expected_code, "stderr: {}", stderr(output));
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", stdout(output)));
    assert_valid(report_validator(), &report);
    report
}

fn report(output: &Output) -> Value {
    report_with_code(output, 0)
}

/// The ndjson lines of `output`, each validated against the finding sub-schema.
fn ndjson_findings(output: &Output) -> Vec<Value> {
    assert_eq!(code(output), 0, "stderr: {}", stderr(output));
    stdout(output)
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("each line is JSON");
            assert_valid(finding_validator(), &value);
            value
        })
        .collect()
}

#[test]
fn the_schema_is_valid_draft_2020_12_and_rejects_what_it_must() {
    jsonschema::meta::validate(schema()).expect("a valid 2020-12 schema");
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let good = report(&fake.run("audit", &["--now", NOW, "--format", "json"]));
    type Breaks = fn(&mut Value);
    let broken: [(&str, Breaks); 7] = [
        ("a secret in a token", |r| {
            r["findings"][0]["token"]["token"] = "leak".into()
        }),
        ("v1beta1's type next to scope", |r| {
            r["findings"][0]["token"]["type"] = "WORKSPACE".into()
        }),
        ("type instead of scope (schemaVersion 1's shape)", |r| {
            if let Some(token) = r["findings"][0]["token"].as_object_mut() {
                let scope = token.remove("scope").unwrap_or_default();
                token.insert("type".to_owned(), scope);
            }
        }),
        ("a missing count", |r| {
            if let Some(counts) = r["summary"]["byFinding"].as_object_mut() {
                counts.remove("expired");
            }
        }),
        ("an unknown finding id", |r| {
            r["findings"][0]["finding"] = "weird".into()
        }),
        ("a two-line detail", |r| {
            r["findings"][0]["detail"] = "a\nb".into()
        }),
        ("an undocumented field", |r| r["extra"] = 1.into()),
    ];
    for (what, breaks) in broken {
        let mut bad = good.clone();
        breaks(&mut bad);
        assert!(
            !report_validator().is_valid(&bad),
            "the schema accepts {what}"
        );
    }
}

// ---------------------------------------------------------------- fixtures

/// A token with no finding at `NOW` under the default thresholds: created 100 days ago,
/// used yesterday, expiring in 60 days, a workspace role; `fields` are merged over it
/// (`null` removes a field).
fn token(id: &str, fields: Value) -> ApiToken {
    let now = now();
    let created = now - Duration::days(100);
    let mut value = json!({
        "id": id,
        "name": format!("name-{id}"),
        "description": "",
        "shortToken": "abcd1234",
        "scope": "WORKSPACE",
        "kind": "STANDARD",
        "createdAt": created,
        "startAt": created,
        "updatedAt": created,
        "lastUsedAt": now - Duration::days(1),
        "endAt": now + Duration::days(60),
        "expiryPeriodInDays": 160,
        "roles": [{"entityId": "clws1", "entityType": "WORKSPACE", "role": "WORKSPACE_MEMBER"}]
    });
    if let (Some(base), Some(extra)) = (value.as_object_mut(), fields.as_object()) {
        for (key, field) in extra {
            if field.is_null() {
                base.remove(key);
            } else {
                base.insert(key.clone(), field.clone());
            }
        }
    }
    serde_json::from_value(value).expect("valid token")
}

fn org_role(role: &str) -> Value {
    json!([{"entityId": "clorg", "entityType": "ORGANIZATION", "role": role}])
}

/// A secret value in the listing: it must never be printed.
const TOKEN_VALUE: &str = "astro-token-value-that-must-not-print";

/// One token per finding (two for duplicate-name), plus a clean one carrying a secret.
/// At `NOW`: high 1, medium 5, low 4.
fn fixture() -> Vec<ApiToken> {
    let now = now();
    vec![
        token("clean", json!({"token": TOKEN_VALUE})),
        token("expired", json!({"endAt": now - Duration::days(2)})),
        token("soon", json!({"endAt": now + Duration::days(10)})),
        token(
            "forever",
            json!({"endAt": null, "expiryPeriodInDays": null}),
        ),
        token("never", json!({"lastUsedAt": null})),
        token("stale", json!({"lastUsedAt": now - Duration::days(120)})),
        token(
            "old",
            json!({"createdAt": now - Duration::days(400), "startAt": now - Duration::days(400)}),
        ),
        token(
            "owner",
            json!({"scope": "ORGANIZATION", "roles": org_role("ORGANIZATION_OWNER")}),
        ),
        token(
            "member",
            json!({"scope": "ORGANIZATION", "roles": org_role("ORGANIZATION_MEMBER")}),
        ),
        token("twin-a", json!({"name": "twin"})),
        token("twin-b", json!({"name": "twin"})),
    ]
}

/// (finding, severity, token id) of every item of a report's `findings`.
fn triples(report: &Value, key: &str) -> Vec<(String, String, String)> {
    report[key]
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| {
            (
                f["finding"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["token"]["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn triple(finding: &str, severity: &str, id: &str) -> (String, String, String) {
    (finding.to_owned(), severity.to_owned(), id.to_owned())
}

/// A policy file in the temporary directory, unique per test.
fn policy_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "astro-tokens-test-{}-{name}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).expect("temp file is writable");
    path
}

fn audit(fake: &Fake, args: &[&str]) -> Output {
    let mut all = vec!["--now", NOW];
    all.extend(args);
    fake.run("audit", &all)
}

// ---------------------------------------------------------------- findings

#[test]
fn every_finding_has_its_severity_detail_and_remediation() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let output = audit(&fake, &["--format", "json", "--page-size", "4"]);
    assert!(!stdout(&output).contains(TOKEN_VALUE), "the secret leaked");
    let report = report(&output);
    assert_eq!(report["tokensAudited"], 11);
    assert_eq!(report["now"], NOW);
    assert_eq!(report["schemaVersion"], 2);
    assert_eq!(
        triples(&report, "findings"),
        [
            triple("organization-role", "high", "owner"),
            triple("expiring-soon", "medium", "soon"),
            triple("no-expiry", "medium", "forever"),
            triple("never-used", "medium", "never"),
            triple("unused", "medium", "stale"),
            triple("organization-role", "medium", "member"),
            triple("expired", "low", "expired"),
            triple("not-rotated", "low", "old"),
            triple("duplicate-name", "low", "twin-a"),
            triple("duplicate-name", "low", "twin-b"),
        ]
    );
    let by_id = |finding: &str, id: &str| -> Value {
        report["findings"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|f| f["finding"] == finding && f["token"]["id"] == id)
            })
            .cloned()
            .unwrap_or_else(|| panic!("no {finding} for {id}"))
    };
    let org = fake.org();
    for (finding, id, detail, remediation) in [
        (
            "expired",
            "expired",
            "expired 2026-01-13 (2 days ago)",
            "astro workspace token delete expired --workspace-id clws1".to_owned(),
        ),
        (
            "expiring-soon",
            "soon",
            "expires 2026-01-25 (in 10 days)",
            "astro workspace token rotate soon --workspace-id clws1".to_owned(),
        ),
        (
            "no-expiry",
            "forever",
            "no expiration date (no endAt)",
            "astro workspace token create --name name-forever --role WORKSPACE_MEMBER \
             --expiration 180 --workspace-id clws1"
                .to_owned(),
        ),
        (
            "never-used",
            "never",
            "never used; created 2025-10-07 (100 days ago)",
            "astro workspace token delete never --workspace-id clws1".to_owned(),
        ),
        (
            "unused",
            "stale",
            "last used 2025-09-17 (120 days ago)",
            "astro workspace token delete stale --workspace-id clws1".to_owned(),
        ),
        (
            "not-rotated",
            "old",
            "never rotated; created 2024-12-11 (400 days ago)",
            "astro workspace token rotate old --workspace-id clws1".to_owned(),
        ),
        (
            "organization-role",
            "owner",
            "organization role ORGANIZATION_OWNER",
            format!(
                "astro organization token update owner --role ORGANIZATION_MEMBER \
                 --organization-id {org}"
            ),
        ),
        (
            "organization-role",
            "member",
            "organization role ORGANIZATION_MEMBER",
            format!("astro organization token roles member --organization-id {org}"),
        ),
        (
            "duplicate-name",
            "twin-a",
            "same name as 1 other token: twin-b",
            "astro workspace token update twin-a --new-name <NEW_NAME> --workspace-id clws1"
                .to_owned(),
        ),
    ] {
        let item = by_id(finding, id);
        assert_eq!(item["detail"], detail, "{finding}");
        let text = item["remediation"].as_str().unwrap_or_default();
        assert!(text.contains(&remediation), "{finding}: {text}");
        assert_eq!(
            item["token"]["name"],
            format!("name-{id}").replace("name-twin-a", "twin")
        );
    }
    let counts = &report["summary"];
    assert_eq!(
        counts["bySeverity"],
        json!({"high": 1, "medium": 5, "low": 4})
    );
    assert_eq!(
        counts["byFinding"],
        json!({
            "expired": 1, "expiring-soon": 1, "no-expiry": 1, "never-used": 1, "unused": 1,
            "not-rotated": 1, "organization-role": 2, "duplicate-name": 2
        })
    );
}

#[test]
fn unknown_enum_values_never_fail_the_audit_and_show_as_text() {
    let fake = Fake::start(FakeApi::builder().with_data(vec![token(
        "future",
        json!({
            "scope": "CLUSTER", "kind": "EPHEMERAL", "endAt": null,
            "roles": [
                {"entityId": "clorg", "entityType": "ORGANIZATION", "role": "ORGANIZATION_AUDITOR"},
                {"entityId": "x", "entityType": "GALAXY", "role": "GALAXY_OWNER"}
            ]
        }),
    )]));
    let report = report(&audit(&fake, &["--format", "json"]));
    assert_eq!(
        triples(&report, "findings"),
        [
            triple("no-expiry", "medium", "future"),
            triple("organization-role", "medium", "future"),
        ]
    );
    assert_eq!(
        report["findings"][1]["detail"],
        "organization role ORGANIZATION_AUDITOR"
    );
    assert_eq!(report["findings"][0]["token"]["scope"], "CLUSTER");
    assert!(
        report["findings"][0]["remediation"]
            .as_str()
            .is_some_and(|r| r.contains("CLUSTER") && r.contains("Astro UI")),
        "{report:#}"
    );
    let table = audit(&fake, &[]);
    assert_eq!(code(&table), 0, "{}", stderr(&table));
    assert!(stdout(&table).contains("cluster"), "{}", stdout(&table));
}

// ---------------------------------------------------------------- formats

#[test]
fn the_table_is_grouped_by_severity_then_finding_with_a_summary_line_each() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let output = run(fake.command("audit", &["--now", NOW]).env("COLUMNS", "400"));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(!text.contains(TOKEN_VALUE));
    let headings: Vec<&str> = text
        .lines()
        .filter(|l| {
            ["HIGH · ", "MEDIUM · ", "LOW · "]
                .iter()
                .any(|s| l.starts_with(s))
        })
        .map(|l| l.split(':').next().unwrap_or_default())
        .collect();
    assert_eq!(
        headings,
        [
            "HIGH · organization-role (1)",
            "MEDIUM · expiring-soon (1)",
            "MEDIUM · no-expiry (1)",
            "MEDIUM · never-used (1)",
            "MEDIUM · unused (1)",
            "MEDIUM · organization-role (1)",
            "LOW · expired (1)",
            "LOW · not-rotated (1)",
            "LOW · duplicate-name (2)",
        ]
    );
    assert!(text.contains("REMEDIATION"), "{text}");
    assert!(text.contains("astro workspace token rotate soon --workspace-id clws1"));
    let summary: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Audited 11 tokens"))
        .skip(1)
        .collect();
    let expected = [
        ("high", 1),
        ("medium", 5),
        ("low", 4),
        ("expired", 1),
        ("expiring-soon", 1),
        ("no-expiry", 1),
        ("never-used", 1),
        ("unused", 1),
        ("not-rotated", 1),
        ("organization-role", 2),
        ("duplicate-name", 2),
    ];
    assert_eq!(summary.len(), expected.len() + 1, "{summary:?}");
    for (line, (name, count)) in summary.iter().zip(expected) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.first(), Some(&name), "{line}");
        assert_eq!(words.last(), Some(&count.to_string().as_str()), "{line}");
    }
    assert_eq!(
        summary.last().map(|l| l.trim()),
        Some("accepted 0 · lapsed exceptions 0 · stale exceptions 0")
    );
}

#[test]
fn zero_counts_are_listed_when_nothing_is_found() {
    let fake = Fake::start(FakeApi::builder().with_data(vec![token("clean", json!({}))]));
    let output = audit(&fake, &[]);
    let text = stdout(&output);
    assert!(text.starts_with("No findings."), "{text}");
    let zeros = text
        .lines()
        .filter(|l| l.starts_with("  ") && l.trim_end().ends_with(" 0"))
        .count();
    assert_eq!(
        zeros, 12,
        "3 severities, 8 findings, the exceptions: {text}"
    );
    let report = report(&audit(&fake, &["--format", "json"]));
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["summary"]["byFinding"]["duplicate-name"], 0);
}

#[test]
fn ndjson_is_one_valid_finding_per_line_and_the_summary_goes_to_stderr() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let output = audit(&fake, &["--format", "ndjson"]);
    let lines = ndjson_findings(&output);
    assert_eq!(lines.len(), 10);
    let json = report(&audit(&fake, &["--format", "json"]));
    assert_eq!(
        Value::from(lines),
        json["findings"],
        "the same items as json"
    );
    assert!(
        stderr(&output).contains("Audited 11 tokens"),
        "{}",
        stderr(&output)
    );
    assert!(!stdout(&output).contains(TOKEN_VALUE));
}

#[test]
fn csv_has_severity_and_remediation_columns_and_a_row_per_finding() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let output = audit(&fake, &["--format", "csv"]);
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
            "severity",
            "finding",
            "detail",
            "remediation",
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
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[1].to_owned(), r[0].to_owned(), r[4].to_owned()))
        .collect();
    let json = report(&audit(&fake, &["--format", "json"]));
    assert_eq!(got, triples(&json, "findings"));
    assert!(
        rows[0][3].starts_with("Grant only what it needs"),
        "{:?}",
        &rows[0]
    );
    assert!(stderr(&output).contains("Audited 11 tokens"));
    assert!(!stdout(&output).contains(TOKEN_VALUE));
}

/// Names, ids and roles that try to break or abuse each format.
const HOSTILE_NAMES: [&str; 12] = [
    "pipe|in|name",
    "`back`ticks``",
    "[x](http://evil.example)",
    "![img](http://evil.example/i.png)",
    "<script>alert(1)</script>",
    "line1\nline2\r\n| --- |",
    "@user please look",
    "http://evil.example/autolink",
    "**bold** _em_ # heading",
    "&lt;b&gt; &amp; &#124;",
    "back\\|slash",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
];

fn hostile_fixture() -> Vec<ApiToken> {
    HOSTILE_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            token(
                &format!("clhostile{i}"),
                json!({"name": name, "endAt": null, "scope": "ORGANIZATION", "roles": org_role(name)}),
            )
        })
        .collect()
}

#[test]
fn markdown_has_a_summary_and_a_section_per_severity() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let policy = policy_file(
        "markdown",
        "[[accept]]\ntoken = \"forever\"\nfinding = \"no-expiry\"\nreason = \"break-glass\"\n\n\
         [[accept]]\ntoken = \"stale\"\nreason = \"was reviewed\"\nuntil = \"2026-01-14\"\n\n\
         [[accept]]\ntoken = \"gone\"\nreason = \"deleted token\"\n",
    );
    let output = audit(
        &fake,
        &[
            "--format",
            "markdown",
            "--policy",
            &policy.display().to_string(),
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let md = stdout(&output);
    assert!(md.starts_with("## Astro API token audit\n"), "{md}");
    for line in [
        "| high | 1 |",
        "| medium | 4 |",
        "| low | 4 |",
        "| accepted | 1 |",
        "| lapsed exceptions | 1 |",
        "| stale exceptions | 1 |",
        "| organization-role | medium/high | `a role on the ORGANIZATION entity` | 2 |",
        "| no-expiry | medium | `no endAt` | 0 |",
        "### High (1)",
        "### Medium (4)",
        "### Low (4)",
        "### Accepted (1)",
        "### Lapsed exceptions (1)",
        "### Stale exceptions (1)",
        "| no-expiry | medium | `name-forever` | `forever` | - | `break-glass` |",
        "| 6 | `stale` | (all) | 2026-01-14 | `was reviewed` |",
        "| 11 | `gone` | (all) | - | `deleted token` |",
    ] {
        assert!(md.lines().any(|l| l == line), "{line:?} missing:\n{md}");
    }
    let high = md.find("### High").unwrap_or(usize::MAX);
    let medium = md.find("### Medium").unwrap_or(0);
    let low = md.find("### Low").unwrap_or(0);
    assert!(high < medium && medium < low, "{md}");
    assert!(!md.contains(TOKEN_VALUE));
    let _ = std::fs::remove_file(policy);

    let clean = Fake::start(FakeApi::builder().with_data(vec![token("clean", json!({}))]));
    let empty = stdout(&audit(&clean, &["--format", "markdown"]));
    assert_eq!(empty.matches("\nNone.\n").count(), 3, "{empty}");
}

/// The events of `md` parsed as GFM (tables), with the table shape checked.
fn parse_gfm(md: &str) -> Vec<pulldown_cmark::Event<'_>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let events: Vec<Event<'_>> = Parser::new_ext(md, Options::ENABLE_TABLES).collect();
    // Every row of a table has as many cells as its header.
    let mut columns = 0;
    let mut cells = 0;
    for event in &events {
        match event {
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) => columns = cells,
            Event::End(TagEnd::TableRow) => assert_eq!(cells, columns, "a row lost its shape"),
            _ => {}
        }
    }
    events
}

#[test]
fn markdown_keeps_hostile_server_text_inert_inside_code_spans() {
    use pulldown_cmark::{Event, Tag};
    let fake = Fake::start(FakeApi::builder().with_data(hostile_fixture()));
    let output = audit(&fake, &["--format", "markdown"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let md = stdout(&output);
    let events = parse_gfm(&md);
    let mut code_spans = Vec::new();
    for event in &events {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => panic!("HTML got through: {html}"),
            Event::Start(Tag::Link { dest_url, .. }) => panic!("a link got through: {dest_url}"),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image got through: {dest_url}"),
            Event::Start(Tag::Emphasis | Tag::Strong) => panic!("emphasis got through"),
            Event::Code(text) => code_spans.push(text.to_string()),
            Event::Text(text) => {
                for name in HOSTILE_NAMES {
                    assert!(!text.contains(name), "{name:?} is plain text: {text:?}");
                }
                assert!(!text.contains('@'), "a mention can fire: {text:?}");
                assert!(!text.contains("http"), "an autolink can fire: {text:?}");
            }
            _ => {}
        }
    }
    // Each name is shown whole, as the printable text, in a code span (no line breaks).
    for name in HOSTILE_NAMES {
        let shown = name.replace('\n', "\\n").replace('\r', "\\r");
        assert!(
            code_spans.contains(&shown),
            "{shown:?} not shown as one code span: {code_spans:#?}"
        );
    }
    // The table rows stayed rows: one per finding (no-expiry + organization-role each).
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| no-expiry | `"))
        .count();
    assert_eq!(rows, HOSTILE_NAMES.len(), "{md}");
}

#[test]
fn hostile_server_text_is_guarded_in_csv_and_escaped_in_the_table() {
    let mut tokens = hostile_fixture();
    let mut odd = serde_json::to_value(token("-clodd", json!({"endAt": null}))).expect("json");
    odd["scope"] = "@FUTURE_SCOPE".into();
    odd["kind"] = "=FUTURE_KIND".into();
    odd["roles"] = org_role("+ROLE");
    tokens.push(serde_json::from_value(odd).expect("unknown enum values deserialize"));
    let fake = Fake::start(FakeApi::builder().with_data(tokens));
    let output = audit(&fake, &["--format", "csv"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let formula = |cell: &str| cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            assert!(!formula(cell), "column {i} can run as a formula: {row:?}");
        }
    }
    let odd_rows: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[4] == "'-clodd").collect();
    assert!(!odd_rows.is_empty(), "{rows:?}");
    for row in odd_rows {
        assert_eq!(&row[6], "'@FUTURE_SCOPE");
        assert_eq!(&row[7], "'=FUTURE_KIND");
        assert!(row[11].starts_with("'+ROLE on ORGANIZATION"), "{row:?}");
        if &row[1] == "organization-role" {
            assert_eq!(&row[2], "organization role +ROLE");
        }
        if &row[1] == "organization-role" {
            assert!(row[3].contains("--organization-id"), "{row:?}");
            assert!(
                row[3].contains(" -- -clodd"),
                "a flag-like id goes after --: {row:?}"
            );
        }
    }
    let formula_name = rows
        .iter()
        .find(|r| r[5].contains("HYPERLINK"))
        .expect("the formula name");
    assert_eq!(
        &formula_name[5],
        "'=HYPERLINK(\"http://evil.example\",\"x\")"
    );

    let table = audit(&fake, &[]);
    assert!(
        !table.stdout.iter().any(|b| *b == 0x1b || *b == b'\r'),
        "{}",
        stdout(&table)
    );
    assert!(
        stdout(&table).contains("line1\\nline2"),
        "{}",
        stdout(&table)
    );
}

// ---------------------------------------------------------------- policy file

#[test]
fn the_policy_file_sets_thresholds_and_severities_and_flags_override_it() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let policy = policy_file(
        "thresholds",
        "[thresholds]\nexpiring_within_days = 5\nunused_for_days = 200\n\
         never_used_grace_days = 365\nrotate_after_days = 500\n\n\
         [severity]\nno-expiry = \"high\"\nduplicate-name = \"medium\"\n",
    );
    let path = policy.display().to_string();
    let from_file = report(&audit(&fake, &["--format", "json", "--policy", &path]));
    assert_eq!(
        from_file["thresholds"],
        json!({"expiringWithinDays": 5, "unusedForDays": 200, "neverUsedGraceDays": 365,
               "rotateAfterDays": 500})
    );
    assert_eq!(
        from_file["severityOverrides"],
        json!({"no-expiry": "high", "duplicate-name": "medium"})
    );
    assert_eq!(from_file["policyFile"], path);
    let found = triples(&from_file, "findings");
    assert!(
        found.contains(&triple("no-expiry", "high", "forever")),
        "{found:?}"
    );
    assert!(
        found.contains(&triple("duplicate-name", "medium", "twin-a")),
        "{found:?}"
    );
    for gone in ["expiring-soon", "unused", "never-used", "not-rotated"] {
        assert!(found.iter().all(|(f, _, _)| f != gone), "{gone}: {found:?}");
    }

    let flags = report(&audit(
        &fake,
        &[
            "--format",
            "json",
            "--policy",
            &path,
            "--expiring-within",
            "30",
            "--unused-for",
            "90",
            "--never-used-grace",
            "7",
            "--rotate-after",
            "180",
        ],
    ));
    assert_eq!(
        flags["thresholds"],
        json!({"expiringWithinDays": 30, "unusedForDays": 90, "neverUsedGraceDays": 7,
               "rotateAfterDays": 180})
    );
    let found = triples(&flags, "findings");
    for back in ["expiring-soon", "unused", "never-used", "not-rotated"] {
        assert!(found.iter().any(|(f, _, _)| f == back), "{back}: {found:?}");
    }
    let _ = std::fs::remove_file(policy);
}

#[test]
fn policy_errors_exit_2_name_the_file_line_and_key_and_send_nothing() {
    let accept = "[[accept]]\ntoken = \"forever\"\nreason = \"r\"\n";
    let cases: Vec<(&str, String, usize, &str, &[&str])> = vec![
        (
            "unknown-table",
            "[sverity]\nno-expiry = \"high\"\n".into(),
            1,
            "sverity",
            &["`thresholds`, `severity`, `accept`"],
        ),
        (
            "unknown-key",
            "[thresholds]\nunused_for_dayz = 3\n".into(),
            2,
            "thresholds.unused_for_dayz",
            &["`unused_for_days`"],
        ),
        (
            "wrong-type",
            "\n[thresholds]\nunused_for_days = \"90\"\n".into(),
            3,
            "thresholds.unused_for_days",
            &["invalid type", "0 to 36500"],
        ),
        (
            "bad-severity",
            "[severity]\nno-expiry = \"critical\"\n".into(),
            2,
            "severity.no-expiry",
            &["`low`, `medium`, `high`"],
        ),
        (
            "unknown-finding",
            format!("{accept}finding = \"no-expire\"\n"),
            4,
            "accept[1].finding",
            &["`no-expiry`", "`duplicate-name`"],
        ),
        (
            "unknown-severity-key",
            "[severity]\nno-expire = \"high\"\n".into(),
            2,
            "severity.no-expire",
            &["`no-expiry`"],
        ),
        (
            "bad-date",
            format!("{accept}until = \"2027-13-01\"\n"),
            4,
            "accept[1].until",
            &["not a date", "YYYY-MM-DD"],
        ),
        (
            "syntax",
            "[thresholds]\nunused_for_days = = 3\n".into(),
            2,
            "",
            &["invalid TOML"],
        ),
    ];
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    for (name, text, line, key, needles) in cases {
        let path = policy_file(name, &text);
        let shown = path.display().to_string();
        let output = audit(&fake, &["--policy", &shown, "--format", "json"]);
        assert_eq!(code(&output), 2, "{name}: {}", stderr(&output));
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{name}: {message}");
        assert!(
            message.starts_with(&format!("error: policy file {shown}:{line}:")),
            "{name}: {message}"
        );
        if !key.is_empty() {
            assert!(message.contains(&format!(": {key}: ")), "{name}: {message}");
        }
        for needle in needles {
            assert!(
                message.contains(needle),
                "{name}: {needle:?} missing: {message}"
            );
        }
        assert!(output.stdout.is_empty(), "{name}");
        let _ = std::fs::remove_file(path);
    }
    let missing = audit(&fake, &["--policy", "/no/such/policy.toml"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("policy file /no/such/policy.toml: cannot read it"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(fake.api.request_count(), 0, "nothing may be sent");
}

// ---------------------------------------------------------------- exceptions

#[test]
fn exceptions_are_applied_lapsed_or_stale_and_reported_with_their_reason() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let policy = policy_file(
        "exceptions",
        "[[accept]]\ntoken = \"forever\"\nfinding = \"no-expiry\"\n\
         reason = \"break-glass token, reviewed by security\"\nuntil = \"2026-01-15\"\n\n\
         [[accept]]\ntoken = \"owner\"\nreason = \"the provisioning token\"\n\n\
         [[accept]]\ntoken = \"stale\"\nreason = \"was reviewed\"\nuntil = 2026-01-14\n\n\
         [[accept]]\ntoken = \"deleted-long-ago\"\nfinding = \"unused\"\nreason = \"old\"\n",
    );
    let path = policy.display().to_string();
    let report = report(&audit(&fake, &["--format", "json", "--policy", &path]));
    let open = triples(&report, "findings");
    assert!(
        !open.contains(&triple("no-expiry", "medium", "forever")),
        "{open:?}"
    );
    assert!(!open.iter().any(|(_, _, id)| id == "owner"), "{open:?}");
    assert!(
        open.contains(&triple("unused", "medium", "stale")),
        "lapsed: {open:?}"
    );
    assert_eq!(
        triples(&report, "accepted"),
        [
            triple("organization-role", "high", "owner"),
            triple("no-expiry", "medium", "forever")
        ]
    );
    assert_eq!(
        report["accepted"][1]["reason"],
        "break-glass token, reviewed by security"
    );
    assert_eq!(report["accepted"][1]["until"], "2026-01-15");
    assert_eq!(report["accepted"][1]["policyLine"], 1);
    assert_eq!(report["accepted"][0]["until"], Value::Null);
    assert_eq!(
        report["lapsed"],
        json!([{"token": "stale", "finding": null, "reason": "was reviewed",
                "until": "2026-01-14", "policyLine": 11}])
    );
    assert_eq!(
        report["stale"],
        json!([{"token": "deleted-long-ago", "finding": "unused", "reason": "old",
                "until": null, "policyLine": 16}])
    );
    assert_eq!(
        report["summary"]["bySeverity"],
        json!({"high": 0, "medium": 4, "low": 4})
    );
    assert_eq!(report["summary"]["accepted"], 2);
    assert_eq!(report["summary"]["lapsed"], 1);
    assert_eq!(report["summary"]["stale"], 1);

    let table = run(fake
        .command("audit", &["--now", NOW, "--policy", &path])
        .env("COLUMNS", "200"));
    let text = stdout(&table);
    for needle in [
        "ACCEPTED (2)",
        "the provisioning token",
        "LAPSED EXCEPTIONS (1)",
        "was reviewed",
        "STALE EXCEPTIONS (1)",
        "deleted-long-ago",
        "accepted 2 · lapsed exceptions 1 · stale exceptions 1",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }

    // The next day, the first exception has lapsed too.
    let next_day = report_with_code(
        &fake.run(
            "audit",
            &[
                "--now",
                "2026-01-16T00:00:00Z",
                "--format",
                "json",
                "--policy",
                &path,
            ],
        ),
        0,
    );
    assert_eq!(next_day["summary"]["lapsed"], 2);
    assert!(
        triples(&next_day, "findings")
            .iter()
            .any(|(f, _, id)| f == "no-expiry" && id == "forever")
    );
    let _ = std::fs::remove_file(policy);
}

// ---------------------------------------------------------------- --fail-on

#[test]
fn fail_on_exits_3_at_each_level_and_fail_on_findings_means_low() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    assert_eq!(code(&audit(&fake, &["--format", "json"])), 0);
    for (flags, count, level) in [
        (vec!["--fail-on", "high"], 1, "high"),
        (vec!["--fail-on", "medium"], 6, "medium"),
        (vec!["--fail-on", "low"], 10, "low"),
        (vec!["--fail-on-findings"], 10, "low"),
    ] {
        let mut args = vec!["--format", "json"];
        args.extend(&flags);
        let output = audit(&fake, &args);
        let report = report_with_code(&output, 3);
        assert_eq!(report["failOn"], level, "{flags:?}");
        let plural = if count == 1 { "" } else { "s" };
        assert_eq!(
            stderr(&output).trim_end(),
            format!(
                "{count} unaccepted finding{plural} at or above {level} (exit 3 because of \
                 --fail-on {level})"
            ),
            "{flags:?}"
        );
    }
    // Only low findings: medium and high pass, low fails.
    let low_only = Fake::start(FakeApi::builder().with_data(vec![token(
        "expired",
        json!({"endAt": now() - Duration::days(1)}),
    )]));
    for (level, expected) in [("high", 0), ("medium", 0), ("low", 3)] {
        let output = audit(&low_only, &["--fail-on", level]);
        assert_eq!(code(&output), expected, "{level}: {}", stderr(&output));
    }
    // Accepted findings do not fail the run.
    let policy = policy_file(
        "fail-on",
        "[[accept]]\ntoken = \"owner\"\nreason = \"ok\"\n",
    );
    let accepted = audit(
        &fake,
        &[
            "--fail-on",
            "high",
            "--policy",
            &policy.display().to_string(),
        ],
    );
    assert_eq!(code(&accepted), 0, "{}", stderr(&accepted));
    let _ = std::fs::remove_file(policy);
    // Usage errors: both flags, or a severity that does not exist.
    let both = audit(&fake, &["--fail-on", "high", "--fail-on-findings"]);
    assert_eq!(code(&both), 2, "{}", stderr(&both));
    let unknown = audit(&fake, &["--fail-on", "critical"]);
    assert_eq!(code(&unknown), 2);
    assert!(
        stderr(&unknown).contains("low, medium, high"),
        "{}",
        stderr(&unknown)
    );
}

// ---------------------------------------------------------------- conventions

#[test]
fn the_organization_comes_from_astro_organization_id_for_audit() {
    let fake = Fake::start(FakeApi::builder().with_data(fixture()));
    let output = run(binary()
        .env("ASTRO_API_TOKEN", SECRET)
        .env("ASTRO_ORGANIZATION_ID", fake.org())
        .args(["audit", "--now", NOW, "--format", "json"])
        .args(["--base-url", &fake.api.base_url()]));
    let report = report(&output);
    assert_eq!(report["organizationId"], fake.org());
    assert!(
        report["findings"][0]["remediation"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!("--organization-id {}", fake.org()))),
        "{report:#}"
    );
}

#[test]
fn audit_help_documents_every_finding_the_policy_file_and_the_exit_codes() {
    let output = run(binary().args(["audit", "--help"]));
    assert_eq!(code(&output), 0);
    let help = stdout(&output);
    for (id, severity) in [
        ("expired", "low"),
        ("expiring-soon", "medium"),
        ("no-expiry", "medium"),
        ("never-used", "medium"),
        ("unused", "medium"),
        ("not-rotated", "low"),
        ("organization-role", "medium/high"),
        ("duplicate-name", "low"),
    ] {
        assert!(
            help.lines().any(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                words.len() > 2 && words[0] == id && words[1] == severity
            }),
            "{id} {severity} missing:\n{help}"
        );
    }
    for needle in [
        "[thresholds]",
        "never_used_grace_days = 7",
        "rotate_after_days = 180",
        "[[accept]]",
        "until = \"2027-03-01\"",
        "--fail-on <SEVERITY>",
        "--policy <FILE>",
        "ASTRO_ORGANIZATION_ID",
        "3 `audit --fail-on`",
        "130 interrupted",
        "markdown",
    ] {
        assert!(help.contains(needle), "{needle:?} missing:\n{help}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(binary().args(["completions", shell]));
        assert_eq!(code(&output), 0, "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        for needle in [
            "astro-tokens",
            "audit",
            "completions",
            "fail-on",
            "policy",
            "organization-id",
        ] {
            assert!(script.contains(needle), "{shell}: {needle} missing");
        }
        if shell == "bash" {
            let path =
                std::env::temp_dir().join(format!("astro-tokens-{}.bash", std::process::id()));
            std::fs::write(&path, &script).expect("temp file");
            match std::process::Command::new("bash")
                .arg("-n")
                .arg(&path)
                .output()
            {
                Ok(check) => assert!(
                    check.status.success(),
                    "bash -n rejects the script: {}",
                    String::from_utf8_lossy(&check.stderr)
                ),
                Err(error) => panic!("cannot run bash: {error}"),
            }
            let _ = std::fs::remove_file(path);
        }
    }
    let unknown = run(binary().args(["completions", "tcsh"]));
    assert_eq!(code(&unknown), 2);
}

// ---------------------------------------------------------------- demo data

/// `audit` against `astro-tokens demo --serve`: the demo's data shows every finding.
#[cfg(unix)]
#[test]
fn an_audit_of_the_demo_server_shows_every_finding() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_astro-tokens"))
        .args(["demo", "--serve", "--latency-ms", "0", "--now", NOW])
        .env_remove("ASTRO_API_URL")
        .env_remove("ASTRO_API_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the demo starts");
    let stop = |child: &mut std::process::Child| {
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let _ = child.wait();
    };
    let mut url = None;
    let mut token = None;
    let mut org = None;
    if let Some(out) = child.stdout.take() {
        // The lines `demo --serve` prints once the fake keeps serving.
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let line = line.trim().to_owned();
            if let Some(value) = line.strip_prefix("export ASTRO_API_URL=") {
                url = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("export ASTRO_API_TOKEN=") {
                token = url.is_some().then(|| value.to_owned());
            } else if let Some(rest) = line
                .strip_prefix("astro-tokens audit --organization-id ")
                .filter(|_| url.is_some())
            {
                org = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
    }
    let (Some(url), Some(token), Some(org)) = (url, token, org) else {
        stop(&mut child);
        panic!("the demo did not print how to reach it");
    };
    if !(url.starts_with("http://127.0.0.1:") && url.ends_with("/v1")) {
        stop(&mut child);
        panic!("the demo's URL is not the fake's API v1: {url}");
    }
    // The hint's `list` line, through ASTRO_API_URL as printed.
    let listed = binary()
        .env("ASTRO_API_TOKEN", &token)
        .env("ASTRO_API_URL", &url)
        .args([
            "list",
            "--organization-id",
            &org,
            "--page-size",
            "25",
            "--format",
            "json",
        ])
        .output();
    let output = binary()
        .env("ASTRO_API_TOKEN", &token)
        .args(["audit", "--organization-id", &org, "--base-url", &url])
        .args(["--now", NOW, "--format", "json"])
        .output();
    stop(&mut child);
    let listed = listed.expect("the listing runs");
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    let tokens: Vec<Value> = serde_json::from_slice(&listed.stdout).expect("a JSON array");
    assert_eq!(tokens.len(), 24, "the demo's tokens");
    assert!(tokens.iter().all(|t| t["scope"].is_string()));
    let report = report(&output.expect("the audit runs"));
    let counts = &report["summary"]["byFinding"];
    for id in [
        "expired",
        "expiring-soon",
        "no-expiry",
        "never-used",
        "unused",
        "not-rotated",
        "organization-role",
        "duplicate-name",
    ] {
        assert!(
            counts[id].as_u64().unwrap_or(0) >= 1,
            "{id} missing: {counts}"
        );
    }
    let org_severities: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["finding"] == "organization-role")
        .filter_map(|f| f["severity"].as_str())
        .collect();
    assert!(
        org_severities.contains(&"high") && org_severities.contains(&"medium"),
        "{org_severities:?}"
    );
}
