//! `--upstream FULL.yaml --write PATH`: the real command on a small upstream document built
//! for the tests (`tests/fixtures/upstream-multi.yaml`) and a small local-additions file,
//! writing into a scratch directory: the slice and the local additions are both in the
//! result, a second run changes no byte and reports nothing, and a result the generator
//! would reject is never written.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::PATH;
use serde_yaml::Value;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstream-multi.yaml")
}

/// Local additions in the fixture's shape, one of each kind.
const LOCAL: &str = "\
# Local additions for the test.
actions:
  - target: /info/title
    update: Astro Platform API — API tokens (List)
    why: names the fragment after its operation
  - target: /servers
    update:
      - url: https://api.astronomer.io/v1
        description: Astro API v1
      - url: https://api.astronomer.io/platform/v1beta1
        description: 'Astro Platform API v1beta1, deprecated: support ends in January 2027'
    why: the v1beta1 host still serves the operation
  - target: /components/schemas/ApiToken/properties/token/format
    update: password
    why: the token's value is a secret
  - target: /components/schemas/ApiToken/properties/scope/x-former-names
    update: [type]
    why: v1beta1 servers send the scope as `type`
  - target: /paths/~1organizations~1{organizationId}~1tokens/get/responses/200/content/application~1json/example
    update:
      limit: 10
      offset: 0
      totalCount: 1
      tokens:
        - id: clm8q7f6q000008lcgyougpsk
          name: My token
          description: my token description
          shortToken: short-token
          scope: WORKSPACE
          kind: STANDARD
          createdAt: '2022-11-22T04:37:12Z'
          startAt: '2022-11-22T04:37:12Z'
          updatedAt: '2022-11-22T04:37:12Z'
    why: an example page
  - target: /components/schemas/Error/properties/message/description
    update: A human-readable description of the error.
    why: upstream leaves it undescribed
  - target: /paths/~1organizations~1{organizationId}~1tokens/get/tags
    remove: true
    why: a removal, for the test
";

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("xtask-write-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `spec-diff --upstream FIXTURE --write OUT --format json` plus `extra`.
fn write(out: &Path, extra: &[&str]) -> Output {
    let fixture = fixture();
    let mut args = vec![
        "spec-diff",
        "--upstream",
        fixture.to_str().expect("utf8"),
        "--write",
        out.to_str().expect("utf8"),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn changes(out: &Output) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)));
    json["changes"].as_array().expect("changes").clone()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("readable")
}

#[test]
fn writes_the_slice_with_the_local_additions_and_a_second_run_changes_nothing() {
    let dir = Scratch::new("roundtrip");
    dir.write("local.yaml", LOCAL);
    let out = dir.path("tokens.yaml");

    // First run: no fragment yet, so the operation is named.
    let first = write(&out, &["--operation", "ListApiTokens"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("tokens.yaml: written"),
        "{}",
        stderr(&first)
    );
    let text = read(&out);

    // The header: where it comes from, where local additions go.
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    assert!((2..=4).contains(&header.len()), "{header:#?}");
    let header = header.join("\n");
    for needle in [
        "cargo xtask spec-diff --upstream",
        "ListApiTokens",
        "upstream-multi.yaml",
        "local.yaml",
    ] {
        assert!(header.contains(needle), "header lacks {needle}: {header}");
    }

    // It parses back, and the generator accepts it.
    astro_tokens_codegen::parse_spec(&text, "written").expect("parses back");
    astro_tokens_codegen::generate_str(&text, "written").expect("generates");

    let doc: Value = serde_yaml::from_str(&text).expect("yaml");
    let op = &doc["paths"][PATH]["get"];
    let schemas = &doc["components"]["schemas"];
    // The local additions.
    assert_eq!(
        doc["info"]["title"],
        "Astro Platform API — API tokens (List)"
    );
    assert_eq!(
        doc["servers"][1]["url"],
        "https://api.astronomer.io/platform/v1beta1"
    );
    assert_eq!(doc["servers"].as_sequence().map(Vec::len), Some(2));
    assert_eq!(
        schemas["ApiToken"]["properties"]["token"]["format"],
        "password"
    );
    assert_eq!(
        schemas["ApiToken"]["properties"]["scope"]["x-former-names"],
        common::parse("[type]")
    );
    let example = &op["responses"]["200"]["content"]["application/json"]["example"];
    assert_eq!(example["tokens"][0]["scope"], "WORKSPACE");
    assert_eq!(
        example["tokens"][0]["createdAt"], "2022-11-22T04:37:12Z",
        "a date-time stays a string"
    );
    assert_eq!(
        schemas["Error"]["properties"]["message"]["description"],
        "A human-readable description of the error."
    );
    assert!(op.get("tags").is_none(), "removed");
    // The slice's own content, and nothing unrelated.
    assert_eq!(doc["info"]["version"], "v1.0");
    assert_eq!(op["operationId"], "ListApiTokens");
    assert_eq!(
        op["parameters"].as_sequence().map(Vec::len),
        Some(10),
        "every parameter"
    );
    assert_eq!(schemas["ApiToken"]["properties"]["scope"]["type"], "string");
    assert_eq!(
        doc["components"]["securitySchemes"]["JWT"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["responses"]["BadRequest"]["content"].is_mapping());
    for unrelated in ["CreateApiTokenRequest", "Deployment", "Unused"] {
        assert!(schemas.get(unrelated).is_none(), "{unrelated} leaked");
    }
    assert!(doc["paths"].as_mapping().map(|m| m.len()) == Some(1));
    // Upstream's key order, not serde_json's sorted one.
    let top: Vec<&str> = doc
        .as_mapping()
        .expect("mapping")
        .keys()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        top,
        [
            "openapi",
            "info",
            "servers",
            "security",
            "paths",
            "components"
        ]
    );

    // Second run: the operation comes from the fragment; same bytes, nothing to report.
    let second = write(&out, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(read(&out), text, "byte-identical");
    assert_eq!(changes(&second), Vec::<serde_json::Value>::new());
    assert!(
        stderr(&second).contains("tokens.yaml: unchanged"),
        "{}",
        stderr(&second)
    );
    assert_eq!(
        dir.files(),
        ["local.yaml", "tokens.yaml"],
        "no temporary file left"
    );
}

#[test]
fn the_report_is_the_fragment_before_against_what_was_written() {
    let dir = Scratch::new("report");
    dir.write("local.yaml", LOCAL);
    let out = dir.path("tokens.yaml");
    let created = write(&out, &["--operation", "ListApiTokens"]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let before = read(&out);

    // Dropping a local addition changes the fragment, and the report says how.
    let without_secret = LOCAL.replace(
        "/components/schemas/ApiToken/properties/token/format\n    update: password",
        "/components/schemas/ApiToken/properties/token/description\n    update: The token",
    );
    assert_ne!(without_secret, LOCAL);
    let local = dir.write("other-local.yaml", &without_secret);
    let changed = write(&out, &["--local", local.to_str().expect("utf8")]);
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    let c = changes(&changed);
    assert!(
        c.iter().any(|c| c["rule"] == "schema.format.changed"
            && c["location"]
                .as_str()
                .is_some_and(|l| l.ends_with("tokens[].token"))),
        "{c:#?}"
    );
    // (The generated code's own entry, `rust.generated.*`, may come with it.)
    let contract: Vec<_> = c
        .iter()
        .filter(|c| !c["rule"].as_str().is_some_and(|r| r.starts_with("rust.")))
        .collect();
    assert_eq!(contract.len(), 1, "nothing else changed: {c:#?}");
    assert!(!read(&out).contains("format: password"));
    assert!(
        read(&out).contains("other-local.yaml"),
        "the header names --local"
    );

    // Back to the default local file: the first bytes again.
    let restored = write(&out, &["--fail-on", "none"]);
    assert_eq!(restored.status.code(), Some(0), "{}", stderr(&restored));
    assert_eq!(read(&out), before);
}

#[test]
fn a_result_the_generator_rejects_is_not_written() {
    let dir = Scratch::new("rejected");
    let out = dir.write("tokens.yaml", "# an earlier fragment\n");
    // Without responses the operation is no OpenAPI operation.
    dir.write(
        "local.yaml",
        "actions:\n  - target: /paths/~1organizations~1{organizationId}~1tokens/get/responses\n    remove: true\n    why: breaks it\n",
    );
    let result = write(&out, &["--operation", "ListApiTokens"]);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("tokens.yaml: not written") && err.contains("generator"),
        "{err}"
    );
    assert_eq!(read(&out), "# an earlier fragment\n", "untouched");
    assert!(result.stdout.is_empty());
    assert_eq!(dir.files(), ["local.yaml", "tokens.yaml"]);
}

#[test]
fn a_local_action_that_no_longer_fits_stops_before_writing() {
    let dir = Scratch::new("misfit");
    dir.write(
        "local.yaml",
        "actions:\n  - {target: /info/title, update: t, why: w}\n  - {target: /components/schemas/ApiToken/properties/type/x-former-names, update: [kind], why: w}\n",
    );
    let out = dir.path("tokens.yaml");
    let result = write(&out, &["--operation", "ListApiTokens"]);
    assert_eq!(result.status.code(), Some(2));
    let err = stderr(&result);
    assert!(
        err.contains(
            "local.yaml: actions[1] (target /components/schemas/ApiToken/properties/type/x-former-names)"
        ) && err.contains("/components/schemas/ApiToken/properties/type does not exist"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");

    // An explicit --local that does not exist is an error too (the default may be absent).
    let missing = dir.path("missing.yaml");
    let result = write(
        &out,
        &[
            "--operation",
            "ListApiTokens",
            "--local",
            missing.to_str().expect("utf8"),
        ],
    );
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("missing.yaml: cannot read the file"),
        "{}",
        stderr(&result)
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn without_a_local_file_the_slice_is_written_as_is() {
    let dir = Scratch::new("bare");
    let out = dir.path("tokens.yaml");
    let result = write(&out, &["--operation", "ListApiTokens"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let text = read(&out);
    assert!(text.contains("with no local additions"), "{text}");
    let doc: Value = serde_yaml::from_str(&text).expect("yaml");
    assert_eq!(
        doc["info"]["title"],
        "A multi-operation document built for the --upstream tests"
    );
    assert!(
        doc["components"]["schemas"]["ApiToken"]["properties"]["token"]
            .get("format")
            .is_none()
    );
}
