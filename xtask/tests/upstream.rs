//! `--upstream` without `--write`: a fragment against a multi-operation document built for
//! the test (`tests/fixtures/upstream-multi.yaml`), through the binary. Each test runs in a
//! scratch git repository of its own whose `openapi/tokens.yaml` is a v1beta1-shaped
//! fragment made from the fixture, so the tests hold whatever the real fragment says.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{PATH, parse};
use serde_yaml::{Mapping, Value};
use xtask::spec_diff::{Input, upstream, yaml_text};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstream-multi.yaml")
}

/// The fixture's ListApiTokens as our v1beta1 fragment says it: the scope called `type`,
/// the `BearerAuth` scheme, the two v1beta1 hosts.
fn v1beta1_fragment() -> String {
    let full = Input {
        origin: "upstream-multi.yaml".to_owned(),
        text: std::fs::read_to_string(fixture()).expect("fixture"),
    };
    let mut doc = upstream::slice_yaml(&full, "ListApiTokens").expect("slices");
    doc["info"]["version"] = Value::from("v1beta1");
    doc["servers"] = parse(
        "[{url: 'https://api.astronomer.io/platform/v1beta1'}, {url: 'https://api.astronomer.io/iam/v1beta1'}]",
    );
    doc["security"] = parse("[{BearerAuth: []}]");
    doc["paths"][PATH]["get"]["security"] = parse("[{BearerAuth: []}]");
    doc["components"]["securitySchemes"] = parse("{BearerAuth: {type: http, scheme: bearer}}");
    let token = &mut doc["components"]["schemas"]["ApiToken"];
    let renamed: Mapping = token["properties"]
        .as_mapping()
        .expect("properties")
        .iter()
        .map(|(k, v)| {
            let k = if k == "scope" {
                Value::from("type")
            } else {
                k.clone()
            };
            (k, v.clone())
        })
        .collect();
    token["properties"] = Value::Mapping(renamed);
    for name in token["required"].as_sequence_mut().expect("required") {
        if name == "scope" {
            *name = Value::from("type");
        }
    }
    yaml_text::to_string(&doc).expect("yaml")
}

/// A scratch git repository with `openapi/tokens.yaml` (and `openapi/local.yaml` when
/// given); removed on drop.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str, fragment: &str, local: Option<&str>) -> Self {
        let dir =
            std::env::temp_dir().join(format!("xtask-upstream-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("openapi")).expect("temp dir");
        let git = Command::new("git")
            .args(["init", "-q"])
            .current_dir(&dir)
            .status()
            .expect("git runs");
        assert!(git.success(), "git init");
        std::fs::write(dir.join("openapi/tokens.yaml"), fragment).expect("write");
        if let Some(local) = local {
            std::fs::write(dir.join("openapi/local.yaml"), local).expect("write");
        }
        Self(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    fn xtask(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("the binary runs")
    }

    /// `spec-diff --upstream FULL --format json` plus `extra`.
    fn upstream(&self, full: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "spec-diff",
            "--upstream",
            full.to_str().expect("utf8"),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        self.xtask(&args)
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn changes(out: &Output) -> Vec<serde_json::Value> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    json["changes"].as_array().expect("changes").clone()
}

fn has(changes: &[serde_json::Value], rule: &str, loc_suffix: &str) -> bool {
    changes.iter().any(|c| {
        c["rule"] == rule
            && c["location"]
                .as_str()
                .is_some_and(|l| l.ends_with(loc_suffix))
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_fragment_against_upstream_shows_the_scope_rename_and_nothing_unrelated() {
    let repo = Repo::new("rename", &v1beta1_fragment(), None);
    let out = repo.upstream(&fixture(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let c = changes(&out);
    assert!(
        has(&c, "response.property.removed", "tokens[].type"),
        "{c:#?}"
    );
    assert!(
        has(&c, "response.property.added", "tokens[].scope"),
        "{c:#?}"
    );
    assert!(
        has(&c, "server.removed", "servers") && has(&c, "server.added", "servers"),
        "{c:#?}"
    );
    assert!(has(&c, "security.changed", "security"), "{c:#?}");
    let text = serde_json::to_string(&c).expect("json");
    for unrelated in [
        "CreateApiToken",
        "GetApiToken",
        "ListDeployments",
        "Deployment",
        "Unused",
        "ApiKey",
        "tokenId",
    ] {
        assert!(
            !text.contains(unrelated),
            "`{unrelated}` leaked into the diff: {text}"
        );
    }
}

#[test]
fn the_operation_defaults_to_the_fragments_and_can_be_named() {
    let repo = Repo::new("operation", &v1beta1_fragment(), None);
    let named = repo.upstream(&fixture(), &["--operation", "ListApiTokens"]);
    let default = repo.upstream(&fixture(), &[]);
    assert_eq!(named.stdout, default.stdout);
    // Slicing another operation compares the fragment's operation with a different one.
    let other = repo.upstream(
        &fixture(),
        &["--operation", "ListDeployments", "--fail-on", "none"],
    );
    assert_eq!(other.status.code(), Some(0), "{}", stderr(&other));
    assert!(
        has(&changes(&other), "path.changed", "") || has(&changes(&other), "operation.removed", "")
    );
}

#[test]
fn an_absent_operation_exits_2_naming_it_and_the_file() {
    let repo = Repo::new("absent", &v1beta1_fragment(), None);
    let out = repo.upstream(&fixture(), &["--operation", "DeleteEverything"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("upstream-multi.yaml") && err.contains("`DeleteEverything`"),
        "{err}"
    );
    assert!(
        err.contains("ListApiTokens"),
        "lists the operations it has: {err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unresolvable_ref_exits_2_naming_the_ref() {
    let text = std::fs::read_to_string(fixture())
        .expect("fixture")
        .replace(
            "$ref: '#/components/schemas/BasicSubjectProfile'",
            "$ref: '#/components/schemas/NoSuchProfile'",
        );
    assert!(
        text.contains("NoSuchProfile"),
        "the fixture refers to BasicSubjectProfile"
    );
    let repo = Repo::new("unresolvable", &v1beta1_fragment(), None);
    let broken = repo.path("broken.yaml");
    std::fs::write(&broken, text).expect("write");
    let out = repo.upstream(&broken, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("#/components/schemas/NoSuchProfile") && err.contains("does not resolve"),
        "{err}"
    );
}

#[test]
fn github_annotations_point_into_the_upstream_file_or_the_fragment() {
    let fragment = v1beta1_fragment();
    let repo = Repo::new("github", &fragment, None);
    let out = repo.xtask(&[
        "spec-diff",
        "--upstream",
        fixture().to_str().expect("utf8"),
        "--format",
        "github",
        "--fail-on",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let full = std::fs::read_to_string(fixture()).expect("fixture");
    let scope_line = full
        .lines()
        .position(|l| l.trim() == "scope:")
        .map(|i| i + 1)
        .expect("the fixture has `scope:`");
    let added = stdout
        .lines()
        .find(|l| l.contains("title=response.property.added") && l.contains("tokens[].scope"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        added.contains(&format!("upstream-multi.yaml,line={scope_line},")),
        "{added}"
    );
    let type_line = fragment
        .lines()
        .position(|l| l.trim() == "type:")
        .map(|i| i + 1)
        .expect("the fragment has `type:`");
    let removed = stdout
        .lines()
        .find(|l| l.contains("title=response.property.removed") && l.contains("tokens[].type"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        removed.contains(&format!("tokens.yaml,line={type_line},")),
        "{removed}"
    );
}

/// Local additions for the fixture's ListApiTokens: a v1beta1 host kept, the token's value
/// marked secret.
const LOCAL: &str = "
actions:
  - target: /servers/-
    update: {url: 'https://api.astronomer.io/platform/v1beta1'}
    why: the v1beta1 host still serves the operation
  - target: /components/schemas/ApiToken/properties/token/format
    update: password
    why: the token's value is a secret
";

#[test]
fn the_local_additions_next_to_the_fragment_are_applied_before_the_diff() {
    // The fragment is upstream plus the local additions: the diff shows nothing of ours.
    let full = Input {
        origin: "upstream-multi.yaml".to_owned(),
        text: std::fs::read_to_string(fixture()).expect("fixture"),
    };
    let mut ours = upstream::slice_yaml(&full, "ListApiTokens").expect("slices");
    ours["servers"] = parse(
        "[{url: 'https://api.astronomer.io/v1'}, {url: 'https://api.astronomer.io/platform/v1beta1'}]",
    );
    ours["components"]["schemas"]["ApiToken"]["properties"]["token"]["format"] =
        Value::from("password");
    let fragment = yaml_text::to_string(&ours).expect("yaml");
    let repo = Repo::new("local", &fragment, Some(LOCAL));
    let out = repo.upstream(&fixture(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(changes(&out), Vec::<serde_json::Value>::new());
    assert!(
        stderr(&out).contains("2 local addition(s) of openapi/local.yaml"),
        "{}",
        stderr(&out)
    );

    // Without them (an empty --local), our own additions show as changes.
    let empty = repo.path("empty.yaml");
    std::fs::write(&empty, "actions: []\n").expect("write");
    let out = repo.upstream(
        &fixture(),
        &[
            "--local",
            empty.to_str().expect("utf8"),
            "--fail-on",
            "none",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c = changes(&out);
    assert!(has(&c, "server.removed", "servers"), "{c:#?}");
    assert!(has(&c, "schema.format.changed", "tokens[].token"), "{c:#?}");

    // An action upstream no longer fits stops the diff, naming the action.
    std::fs::write(
        repo.path("openapi/local.yaml"),
        "actions:\n  - {target: /components/schemas/Gone/description, update: x, why: w}\n",
    )
    .expect("write");
    let out = repo.upstream(&fixture(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "openapi/local.yaml: actions[0] (target /components/schemas/Gone/description)"
        ) && err.contains("/components/schemas/Gone does not exist"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}
