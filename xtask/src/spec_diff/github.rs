//! `--format github`: one GitHub Actions workflow command per change, on the line of the
//! changed node: in the NEW file, or in the OLD one for a removal.
//!
//! Lines come from saphyr's `MarkedYaml`, a YAML parser that keeps every node's position
//! (docs/spec-diff.md says why this crate): each change carries a pointer to its node
//! ([`super::Ptr`]), which is followed through the parsed document; no text is searched.
//! When a pointer goes deeper than the document (a keyword the file does not spell), the
//! deepest node that exists gives the line.
//!
//! `::error` marks a change that breaks in either column, `::warning` a compatible change
//! that deserves a reviewer's attention ([`ATTENTION`]), `::notice` everything else.

use std::fmt::Write;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::{Change, Diff, Input, Ptr, report};

/// Compatible changes that still deserve attention, and why.
pub const ATTENTION: &[(&str, &str)] = &[
    (
        "response.enum.value.added",
        "values that used to arrive as `Unknown(..)` now arrive as a named variant",
    ),
    (
        "schema.default.changed",
        "callers that leave the value out get another default",
    ),
    (
        "response.status.added",
        "a status callers may want to handle",
    ),
    (
        "response.status.removed",
        "code handling that status becomes dead",
    ),
    (
        "security.alternative.added",
        "another way to authenticate is accepted",
    ),
    (
        "operation.deprecated.changed",
        "callers should plan to move away (or may stop planning to)",
    ),
    (
        "param.deprecated.changed",
        "callers should plan to move away (or may stop planning to)",
    ),
];

/// A parsed document that answers "which line is this node on?".
pub struct Positions<'t> {
    root: MarkedYaml<'t>,
}

impl<'t> Positions<'t> {
    /// Parses `input` (YAML or JSON); the error names the file and the position.
    pub fn parse(input: &'t Input) -> Result<Self, String> {
        let mut docs =
            MarkedYaml::load_from_str(&input.text).map_err(|e| format!("{}: {e}", input.origin))?;
        if docs.is_empty() {
            return Err(format!("{}: the file holds no YAML document", input.origin));
        }
        Ok(Self {
            root: docs.swap_remove(0),
        })
    }

    /// The 1-based line of the node at `ptr` (a mapping entry's key line, a sequence
    /// item's first line), and whether the whole pointer was found.
    pub fn line(&self, ptr: &Ptr) -> (usize, bool) {
        let mut node = &self.root;
        let mut line = node.span.start.line().max(1);
        for segment in &ptr.0 {
            let next = match &node.data {
                YamlData::Mapping(map) => map
                    .iter()
                    .find(|(k, _)| key_text(k).as_deref() == Some(segment.as_str()))
                    .map(|(k, v)| (k.span.start.line(), v)),
                YamlData::Sequence(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|item| (item.span.start.line(), item)),
                _ => None,
            };
            match next {
                Some((l, child)) => {
                    line = l;
                    node = child;
                }
                None => return (line, false),
            }
        }
        (line, true)
    }
}

fn key_text(key: &MarkedYaml<'_>) -> Option<String> {
    match &key.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Null) => Some("null".to_owned()),
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        _ => None,
    }
}

/// The file an annotation names: a path as given, or `path` for `REV:path`.
fn file_of(origin: &str) -> &str {
    if std::path::Path::new(origin).exists() {
        return origin;
    }
    origin.split_once(':').map_or(origin, |(_, path)| path)
}

/// `%`, CR and LF escaped as workflow commands require (plus `:` and `,` in properties).
fn escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// Which workflow command a change gets.
pub fn level(change: &Change) -> &'static str {
    if change.is_breaking() {
        "error"
    } else if ATTENTION.iter().any(|(rule, _)| *rule == change.rule) {
        "warning"
    } else {
        "notice"
    }
}

/// One workflow command per change (then the verdict as a plain line). `old` and `new`
/// are the texts the pointers refer to.
pub fn annotations(diff: &Diff, old: &Input, new: &Input) -> Result<String, String> {
    let old_pos = Positions::parse(old)?;
    let new_pos = Positions::parse(new)?;
    let mut out = String::new();
    for c in &diff.changes {
        let (file, line, note) = match (&c.new_at, &c.old_at) {
            (Some(p), _) => (file_of(&new.origin), new_pos.line(p).0, String::new()),
            (None, Some(p)) => {
                let line = old_pos.line(p).0;
                (
                    file_of(&old.origin),
                    line,
                    format!(" (removed: line {line} of {})", old.origin),
                )
            }
            (None, None) => (file_of(&new.origin), 1, String::new()),
        };
        let attention = ATTENTION
            .iter()
            .find(|(rule, _)| *rule == c.rule && !c.is_breaking())
            .map(|(_, why)| format!(" Worth a look: {why}."))
            .unwrap_or_default();
        let message = format!(
            "{}: {} [wire: {}, rust_api: {}]{note}{attention}",
            c.location,
            c.message,
            c.wire.as_str(),
            c.rust_api.as_str()
        );
        let _ = writeln!(
            out,
            "::{} file={},line={line},title={}::{}",
            level(c),
            escape(file, true),
            escape(&c.rule, true),
            escape(&message, false)
        );
    }
    let _ = writeln!(out, "{}", report::verdict(diff));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> Input {
        Input {
            origin: "t.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn pointers_follow_keys_and_indexes_and_fall_back_to_the_deepest_node() {
        let doc = input("a:\n  b:\n    - x\n    - name: y\n      deep: 1\n\"200\":\n  z: 2\n");
        let pos = Positions::parse(&doc).expect("yaml");
        assert_eq!(pos.line(&Ptr::of(&["a", "b", "1", "deep"])), (5, true));
        assert_eq!(pos.line(&Ptr::of(&["a", "b", "1"])), (4, true));
        assert_eq!(pos.line(&Ptr::of(&["200", "z"])), (7, true));
        assert_eq!(pos.line(&Ptr::of(&["a", "b", "1", "missing"])), (4, false));
    }

    #[test]
    fn json_documents_have_positions_too() {
        let doc = input("{\n  \"a\": {\n    \"b\": [1,\n      2]\n  }\n}\n");
        let pos = Positions::parse(&doc).expect("json is yaml");
        assert_eq!(pos.line(&Ptr::of(&["a", "b", "1"])).0, 4);
    }

    #[test]
    fn messages_and_properties_are_escaped() {
        assert_eq!(escape("a%b\nc", false), "a%25b%0Ac");
        assert_eq!(escape("x:y,z", true), "x%3Ay%2Cz");
        assert_eq!(
            file_of("origin/main:openapi/tokens.yaml"),
            "openapi/tokens.yaml"
        );
        assert_eq!(file_of("/tmp/new.yaml"), "/tmp/new.yaml");
    }
}
