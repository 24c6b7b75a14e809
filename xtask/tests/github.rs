//! `--format github` on real text edits of `openapi/tokens.yaml` (its formatting kept):
//! each annotation's line must be the line the edit touched, found here by reading the
//! edited text, independently of the YAML parser the tool uses.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::fragment_text;

/// One parsed workflow command.
#[derive(Debug)]
struct Annotation {
    level: String,
    file: String,
    line: usize,
    title: String,
    message: String,
}

fn parse(stdout: &str) -> Vec<Annotation> {
    stdout
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("::")?;
            let (head, message) = rest.split_once("::")?;
            let (level, props) = head.split_once(' ')?;
            let prop = |k: &str| {
                props
                    .split(',')
                    .find_map(|p| p.strip_prefix(&format!("{k}=")))
                    .unwrap_or_default()
                    .to_owned()
            };
            Some(Annotation {
                level: level.to_owned(),
                file: prop("file"),
                line: prop("line").parse().ok()?,
                title: prop("title"),
                message: message.to_owned(),
            })
        })
        .collect()
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-github-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn annotate(old: &str, new: &str, name: &str) -> (Vec<Annotation>, PathBuf, PathBuf) {
    let (o, n) = (
        scratch(&format!("{name}-old.yaml"), old),
        scratch(&format!("{name}-new.yaml"), new),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec-diff", "--format", "github", "--fail-on", "none"])
        .arg(&o)
        .arg(&n)
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (parse(&String::from_utf8_lossy(&out.stdout)), o, n)
}

/// The 1-based number of the only line equal to `line` (trimmed) after line `after`.
fn line_of(text: &str, line: &str, after: usize) -> usize {
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i + 1 > after && l.trim() == line)
        .map(|(i, _)| i + 1)
        .collect();
    assert!(
        !found.is_empty(),
        "`{line}` not in the text after line {after}"
    );
    found[0]
}

/// Inserts `block` before the first line equal to `before` (trimmed) after line `after`.
fn insert_before(text: &str, before: &str, after: usize, block: &str) -> String {
    let at = line_of(text, before, after);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(at - 1, block.trim_end_matches('\n'));
    lines.join("\n") + "\n"
}

#[test]
fn a_value_added_deep_in_a_nested_schema_points_at_its_new_line() {
    let old = fragment_text();
    let role = line_of(&old, "ApiTokenRole:", 0);
    let example = line_of(&old, "example: WORKSPACE", role);
    let new = insert_before(&old, "example: WORKSPACE", role, "            - SERVICE");
    let (notes, _, n) = annotate(&old, &new, "deep");
    let added = notes
        .iter()
        .find(|a| a.title == "response.enum.value.added")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert_eq!(added.line, example, "the inserted `- SERVICE` line");
    assert_eq!(added.file, n.display().to_string());
    assert_eq!(added.level, "warning", "compatible, but worth a look");
    assert!(
        added.message.contains("roles[].entityType"),
        "{}",
        added.message
    );
}

#[test]
fn nullable_added_to_a_nested_property_points_at_the_keyword() {
    let old = fragment_text();
    let profile = line_of(&old, "BasicSubjectProfile:", line_of(&old, "schemas:", 0));
    let subject = line_of(&old, "subjectType:", profile);
    let new = insert_before(&old, "type: string", subject, "          nullable: true");
    let (notes, _, _) = annotate(&old, &new, "nullable");
    let change = notes
        .iter()
        .find(|a| a.title == "schema.nullable.added")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert_eq!(change.line, subject + 1);
    assert_eq!(change.level, "error");
}

#[test]
fn an_added_parameter_points_at_its_list_item_in_the_new_file() {
    let old = fragment_text();
    let block = "        - name: search\n          in: query\n          schema:\n            type: string\n";
    let new = insert_before(&old, "responses:", 0, block);
    let search = line_of(&new, "- name: search", 0);
    let (notes, _, _) = annotate(&old, &new, "added");
    let added = notes
        .iter()
        .find(|a| a.title == "param.added")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert_eq!(added.line, search);
    assert_eq!(added.level, "notice");
}

#[test]
fn a_removed_parameter_points_into_the_old_file() {
    let old = fragment_text();
    let start = line_of(&old, "- name: dagId", 0);
    let end = line_of(&old, "- name: dagTags", start);
    let new: String = old
        .lines()
        .enumerate()
        .filter(|(i, _)| *i + 1 < start || *i + 1 >= end)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let (notes, o, _) = annotate(&old, &new, "removed");
    let removed = notes
        .iter()
        .find(|a| a.title == "param.removed")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert_eq!(removed.line, start, "the `- name: dagId` line of OLD");
    assert_eq!(removed.file, o.display().to_string());
    assert_eq!(removed.level, "error");
    assert!(
        removed
            .message
            .contains(&format!("removed: line {start} of")),
        "{}",
        removed.message
    );
    assert_eq!(notes.len(), 1, "{notes:#?}");
}

#[test]
fn a_json_rendering_of_a_whole_file_change_points_at_json_lines() {
    let old = fragment_text();
    let mut v: serde_json::Value = serde_yaml::from_str(&old).expect("yaml");
    v["paths"]["/organizations/{organizationId}/tokens"]["get"]["operationId"] =
        "ListTokens".into();
    let new = serde_json::to_string_pretty(&v).expect("json");
    let (notes, _, _) = annotate(&old, &new, "json");
    let id = notes
        .iter()
        .find(|a| a.title == "operation.id.changed")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert_eq!(
        id.line,
        line_of(&new, "\"operationId\": \"ListTokens\",", 0)
    );
}
