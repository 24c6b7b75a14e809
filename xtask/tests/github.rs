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

/// Inserts `block` so that its first line becomes line `at` (1-based).
fn insert_at(text: &str, at: usize, block: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(at - 1, block.trim_end_matches('\n'));
    lines.join("\n") + "\n"
}

/// The indentation of line `n` (1-based).
fn indent_of(text: &str, n: usize) -> String {
    let line = text.lines().nth(n - 1).expect("the line exists");
    line[..line.len() - line.trim_start().len()].to_owned()
}

/// The 1-based number of the line holding the mapping key `key` (its own line, `key:`
/// alone) after line `after`. The layout-independent way to find a schema, a property or
/// a keyword whatever the key order and indentation.
fn key_line(text: &str, key: &str, after: usize) -> usize {
    line_of(text, &format!("{key}:"), after)
}

/// The block sequence whose key is on line `key` (`enum:`, `parameters:`): the line
/// numbers of its items (`- ...` lines at the items' indentation) and the line after its
/// last one. Items may be indented under their key or not; both are YAML.
fn sequence(text: &str, key: usize) -> (Vec<usize>, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let key_indent = indent_of(text, key).len();
    let first = (key..lines.len())
        .find(|&i| !lines[i].trim().is_empty())
        .expect("the sequence has items");
    let indent = lines[first].len() - lines[first].trim_start().len();
    assert!(
        lines[first].trim_start().starts_with("- ") && indent >= key_indent,
        "line {} is not a block sequence item: {:?}",
        first + 1,
        lines[first]
    );
    let mut items = Vec::new();
    let mut end = lines.len() + 1;
    for (i, line) in lines.iter().enumerate().skip(first) {
        if line.trim().is_empty() {
            continue;
        }
        let here = line.len() - line.trim_start().len();
        if here == indent && line.trim_start().starts_with('-') {
            items.push(i + 1);
        } else if here <= indent {
            end = i + 1;
            break;
        }
    }
    (items, end)
}

/// The item of the sequence on line `key` that holds the parameter `name`: its first line
/// and the line after it, whatever key comes first in a parameter.
fn parameter_item(text: &str, key: usize, name: &str) -> (usize, usize) {
    let (items, end) = sequence(text, key);
    let lines: Vec<&str> = text.lines().collect();
    let bounds: Vec<(usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, &start)| (start, items.get(i + 1).copied().unwrap_or(end)))
        .collect();
    bounds
        .into_iter()
        .find(|&(start, stop)| {
            lines[start - 1..stop - 1].iter().any(|l| {
                let l = l.trim().trim_start_matches("- ");
                l == format!("name: {name}")
            })
        })
        .unwrap_or_else(|| panic!("no parameter `{name}` in the list at line {key}"))
}

#[test]
fn a_value_added_deep_in_a_nested_schema_points_at_its_new_line() {
    let old = fragment_text();
    let role = key_line(&old, "ApiTokenRole", key_line(&old, "schemas", 0));
    let entity = key_line(&old, "entityType", role);
    let (values, after) = sequence(&old, key_line(&old, "enum", entity));
    let indent = indent_of(&old, values[0]);
    let new = insert_at(&old, after, &format!("{indent}- SERVICE"));
    let (notes, _, n) = annotate(&old, &new, "deep");
    let added = notes
        .iter()
        .find(|a| a.title == "response.enum.value.added")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    assert_eq!(added.line, after, "the inserted `- SERVICE` line");
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
    let profile = key_line(&old, "BasicSubjectProfile", key_line(&old, "schemas", 0));
    let subject = key_line(&old, "subjectType", profile);
    // The first keyword of the property, indented as its others are.
    let indent = indent_of(&old, subject + 1);
    let new = insert_at(&old, subject + 1, &format!("{indent}nullable: true"));
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
    // Appended to the operation's parameter list, indented as its items are.
    let (items, after) = sequence(&old, key_line(&old, "parameters", 0));
    let i = indent_of(&old, items[0]);
    let block = format!("{i}- name: search\n{i}  in: query\n{i}  schema:\n{i}    type: string");
    let new = insert_at(&old, after, &block);
    let search = line_of(&new, "- name: search", 0);
    assert_eq!(search, after);
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
    // The whole list item, whichever of its keys comes first.
    let (start, end) = parameter_item(&old, key_line(&old, "parameters", 0), "dagId");
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
    assert_eq!(
        removed.line, start,
        "the first line of dagId's list item in OLD"
    );
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
