//! `--upstream`: the fragment against a multi-operation document built for the test
//! (`tests/fixtures/upstream-multi.yaml`), through the binary.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstream-multi.yaml")
}

fn fragment() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/tokens.yaml")
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn upstream(extra: &[&str], full: &std::path::Path) -> Output {
    let mut args = vec![
        "spec-diff",
        "--upstream",
        full.to_str().expect("utf8"),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    xtask(&args)
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-upstream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
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

#[test]
fn the_fragment_against_upstream_shows_the_scope_rename_and_nothing_unrelated() {
    let out = upstream(&[], &fixture());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let named = upstream(&["--operation", "ListApiTokens"], &fixture());
    let default = upstream(&[], &fixture());
    assert_eq!(named.stdout, default.stdout);
    // Slicing another operation compares the fragment's operation with a different one.
    let other = upstream(
        &["--operation", "ListDeployments", "--fail-on", "none"],
        &fixture(),
    );
    assert_eq!(
        other.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    assert!(
        has(&changes(&other), "path.changed", "") || has(&changes(&other), "operation.removed", "")
    );
}

#[test]
fn an_absent_operation_exits_2_naming_it_and_the_file() {
    let out = upstream(&["--operation", "DeleteEverything"], &fixture());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
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
    let broken = scratch("broken.yaml", &text);
    let out = upstream(&[], &broken);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("#/components/schemas/NoSuchProfile") && err.contains("does not resolve"),
        "{err}"
    );
}

#[test]
fn github_annotations_point_into_the_upstream_file_or_the_fragment() {
    let out = xtask(&[
        "spec-diff",
        "--upstream",
        fixture().to_str().expect("utf8"),
        "--format",
        "github",
        "--fail-on",
        "none",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let fragment = std::fs::read_to_string(fragment()).expect("fragment");
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
