//! The binary: exit statuses (0 nothing breaking, 1 breaking per `--fail-on`, 2 bad
//! input), the three formats, `--base` through git, and the Rust summary fallback.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-spec-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn spec_diff(old: &Path, new: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "spec-diff",
        old.to_str().expect("utf8"),
        new.to_str().expect("utf8"),
    ];
    args.extend_from_slice(extra);
    xtask(&args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn limit_and_sort_edit() -> String {
    let mut v = fragment();
    param(&mut v, "limit")["schema"]["maximum"] = 500.into();
    remove_str(
        &mut param(&mut v, "sorts")["schema"]["items"]["enum"],
        "tokenStartAt:desc",
    );
    yaml(&v)
}

fn limit_only_edit() -> String {
    let mut v = fragment();
    param(&mut v, "limit")["schema"]["maximum"] = 500.into();
    yaml(&v)
}

#[test]
fn identical_files_exit_0_and_say_no_changes() {
    let old = scratch("same-old.yaml", &fragment_text());
    let out = spec_diff(&old, &old, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("No changes"), "{}", stdout(&out));
}

#[test]
fn reformatted_file_exits_0_with_no_change_entries() {
    let old = scratch("fmt-old.yaml", &fragment_text());
    let new = scratch(
        "fmt-new.json",
        &serde_json::to_string(&fragment()).expect("json"),
    );
    let out = spec_diff(&old, &new, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(json["changes"], serde_json::json!([]));
}

#[test]
fn breaking_edit_exits_1_and_fail_on_adjusts_it() {
    let old = scratch("brk-old.yaml", &fragment_text());
    let new = scratch("brk-new.yaml", &limit_and_sort_edit());
    assert_eq!(spec_diff(&old, &new, &[]).status.code(), Some(1));
    assert_eq!(
        spec_diff(&old, &new, &["--fail-on", "none"]).status.code(),
        Some(0)
    );
    assert_eq!(
        spec_diff(&old, &new, &["--fail-on", "rust-api"])
            .status
            .code(),
        Some(1)
    );
    let wire_only = scratch("wire-only.yaml", &limit_only_edit());
    assert_eq!(
        spec_diff(&old, &wire_only, &["--fail-on", "wire"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        spec_diff(&old, &wire_only, &["--fail-on", "rust-api"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn json_output_has_the_stable_shape() {
    let old = scratch("json-old.yaml", &fragment_text());
    let new = scratch("json-new.yaml", &limit_and_sort_edit());
    let out = spec_diff(&old, &new, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(
        json["breaking"],
        serde_json::json!({"wire": true, "rust_api": true})
    );
    let changes = json["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 2);
    for c in changes {
        let keys: Vec<&String> = c.as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            [
                "location", "message", "new", "old", "rule", "rust_api", "wire"
            ]
        );
    }
    assert_eq!(changes[0]["rule"], "schema.maximum.lowered");
    assert_eq!(changes[0]["old"], 1000);
    assert_eq!(changes[0]["new"], 500);
    assert_eq!(changes[1]["rule"], "request.enum.value.removed");
    assert_eq!(
        changes[1]["location"],
        "GET /organizations/{organizationId}/tokens param sorts[]"
    );
}

#[test]
fn markdown_puts_the_verdict_first_and_summarises_the_crates_rust_api() {
    let old = scratch("md-old.yaml", &fragment_text());
    let new = scratch("md-new.yaml", &limit_and_sort_edit());
    let md = stdout(&spec_diff(&old, &new, &["--format", "markdown"]));
    let verdict = md.find("BREAKING").expect("verdict");
    let table = md.find("### Breaking changes").expect("breaking table");
    let rust = md
        .find("### Rust API (crate `astro-tokens`")
        .expect("rust summary");
    assert!(verdict < table && table < rust, "{md}");
    let line = md
        .lines()
        .find(|l| {
            l.starts_with(
                "- removed `variant astro_tokens::generated::types::ListApiTokensSortsItem::TokenStartAtDesc`",
            )
        })
        .unwrap_or_else(|| panic!("{md}"));
    // The wrapper's side: what reaches the enum, and where src/ names the variant.
    assert!(
        line.contains("reached through Sort::to_generated"),
        "{line}"
    );
    assert!(
        line.contains("the wrapper names it at src/sort.rs:"),
        "{line}"
    );
    assert!(md.contains("`TokenKind` = `generated::types::"), "{md}");
}

#[test]
fn bad_yaml_exits_2_naming_file_and_line() {
    let text = fragment_text();
    let old = scratch("ok.yaml", &text);
    // An unclosed flow sequence on the `version:` line of `info`, whatever it says.
    let line = text
        .lines()
        .position(|l| l.starts_with("  version: "))
        .expect("the fragment has info.version");
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == line {
                l.replacen("version: ", "version: [", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    let bad = scratch("bad.yaml", &(broken.join("\n") + "\n"));
    let out = spec_diff(&old, &bad, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // serde_yaml reports the line after the unclosed sequence's opening line or that line.
    assert!(
        err.contains(&format!("bad.yaml:{}:", line + 1))
            || err.contains(&format!("bad.yaml:{}:", line + 2)),
        "{err}"
    );
}

#[test]
fn missing_file_exits_2() {
    let old = scratch("exists.yaml", &fragment_text());
    let out = spec_diff(&old, &PathBuf::from("/nonexistent/tokens.yaml"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/tokens.yaml"));
}

#[test]
fn base_revision_is_read_with_git_show() {
    let out = xtask(&[
        "spec-diff",
        "--base",
        "HEAD",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert!(json["changes"].is_array());
    let bad = xtask(&["spec-diff", "--base", "no-such-revision-xyz"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn wire_diff_is_reported_when_one_side_cannot_generate_rust() {
    // A component named like a hoisted response enum makes the generator refuse NEW.
    let mut v = fragment();
    v["components"]["schemas"]["ApiTokenKind"] =
        parse("{type: object, properties: {x: {type: string}}}");
    param(&mut v, "limit")["schema"]["maximum"] = 500.into();
    let old = scratch("gen-old.yaml", &fragment_text());
    let new = scratch("gen-new.yaml", &yaml(&v));
    let out = spec_diff(&old, &new, &["--format", "markdown"]);
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.contains("schema.maximum.lowered"), "{md}");
    assert!(
        md.contains("Summary unavailable: ")
            && md.contains("gen-new.yaml: components/schemas/ApiTokenKind"),
        "{md}"
    );
    assert!(md.contains("could not be generated"), "{md}");
}
