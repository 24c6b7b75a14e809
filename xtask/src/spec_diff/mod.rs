//! Spec diff: compares two revisions of the OpenAPI fragment and classifies every change
//! in two columns, `wire` (does a client built from OLD still work against a server that
//! implements NEW?) and `rust_api` (does code written against the SDK generated from OLD
//! still compile and behave against the SDK generated from NEW?).
//!
//! The walk is our own, over `openapiv3` types: [`walk`] (servers, security, operations,
//! responses, bodies), [`params`] (parameters, renames, style) and [`schema`] (types,
//! formats, ranges, enums, properties, with `$ref` resolution and cycle detection).
//! Documentation-only fields (descriptions, summaries, examples, titles), key order and
//! formatting never produce a change. [`rust_api`] summarises the generated code itself,
//! and [`report`] renders text, markdown and JSON. [`upstream`] slices the fragment's
//! operation out of upstream's full document, and [`local`] applies the project's own
//! additions (`openapi/local.yaml`) to that slice.
//!
//! A schema component shared by several use sites is compared once, at its first use site
//! in document order; the message of each change found inside it names the other sites.

pub mod agreement;
pub mod corpus;
pub mod edit;
pub mod github;
pub mod local;
pub mod params;
pub mod report;
pub mod rust_api;
pub mod rust_types;
pub mod schema;
pub mod upstream;
pub mod verify;
pub mod walk;
pub mod wrapper;
pub mod yaml_text;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::OpenAPI;
use serde::Serialize;
use serde_json::Value;

/// How a change affects one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Breaking,
    Compatible,
    None,
}

impl Impact {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Compatible => "compatible",
            Impact::None => "none",
        }
    }
}

/// Which way data flows through a schema: the variance rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Sent by the client (parameters, request bodies): the server must accept every value
    /// an OLD client may send, so narrowing breaks.
    Request,
    /// Sent by the server (response bodies): the OLD client must accept every value a NEW
    /// server may send, so widening breaks.
    Response,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Stable rule id, such as `param.removed`.
    pub rule: String,
    /// Where: method, path, then parameter or property path.
    pub location: String,
    pub wire: Impact,
    pub rust_api: Impact,
    pub old: Value,
    pub new: Value,
    /// One line a reviewer can trust.
    pub message: String,
    /// The components the change was found in, outermost first (used for "also at").
    #[serde(skip)]
    pub components: Vec<String>,
    /// Where the changed node is in OLD (`--format github` points removals there).
    #[serde(skip)]
    pub old_at: Option<Ptr>,
    /// Where the changed node is in NEW (preferred when set).
    #[serde(skip)]
    pub new_at: Option<Ptr>,
}

/// A node's place in a document: mapping keys and sequence indexes from the root, as in a
/// JSON pointer. A pointer may go deeper than the document does (`nullable` on a schema
/// that does not spell it): positions then fall back to the deepest node that exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ptr(pub Vec<String>);

impl Ptr {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// `/a/b` + `c` → `/a/b/c`.
    pub fn child(&self, segment: impl ToString) -> Self {
        let mut v = self.0.clone();
        v.push(segment.to_string());
        Self(v)
    }

    /// From keys.
    pub fn of(segments: &[&str]) -> Self {
        Self(segments.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl std::fmt::Display for Ptr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.0 {
            write!(f, "/{}", s.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

/// The same node on both sides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Here {
    pub old: Ptr,
    pub new: Ptr,
}

impl Here {
    pub fn both(p: Ptr) -> Self {
        Self {
            old: p.clone(),
            new: p,
        }
    }

    pub fn child(&self, segment: impl ToString) -> Self {
        let s = segment.to_string();
        Self {
            old: self.old.child(&s),
            new: self.new.child(&s),
        }
    }
}

impl Change {
    pub fn new(rule: &str, location: impl Into<String>, wire: Impact, rust_api: Impact) -> Self {
        Self {
            rule: rule.to_owned(),
            location: location.into(),
            wire,
            rust_api,
            old: Value::Null,
            new: Value::Null,
            message: String::new(),
            components: Vec::new(),
            old_at: None,
            new_at: None,
        }
    }

    /// The change is at `here` on both sides (positions prefer NEW).
    pub fn at(mut self, here: &Here) -> Self {
        self.old_at = Some(here.old.clone());
        self.new_at = Some(here.new.clone());
        self
    }

    /// The change is only in OLD (a removal).
    pub fn at_old(mut self, p: Ptr) -> Self {
        self.old_at = Some(p);
        self.new_at = None;
        self
    }

    /// The change is only in NEW (an addition).
    pub fn at_new(mut self, p: Ptr) -> Self {
        self.new_at = Some(p);
        self.old_at = None;
        self
    }

    pub fn old(mut self, value: impl Serialize) -> Self {
        self.old = serde_json::to_value(value).unwrap_or(Value::Null);
        self
    }

    pub fn new_value(mut self, value: impl Serialize) -> Self {
        self.new = serde_json::to_value(value).unwrap_or(Value::Null);
        self
    }

    pub fn msg(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Whether either column is breaking.
    pub fn is_breaking(&self) -> bool {
        self.wire == Impact::Breaking || self.rust_api == Impact::Breaking
    }
}

/// The result of comparing two documents.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// Sorted: breaking first, then by location, rule, old and new.
    pub changes: Vec<Change>,
    /// Problems that make the comparison incomplete (for example an unresolvable `$ref`).
    pub errors: Vec<String>,
}

impl Diff {
    pub fn wire_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.wire == Impact::Breaking)
    }

    pub fn rust_api_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.rust_api == Impact::Breaking)
    }

    /// The rule ids, in report order (handy in tests).
    pub fn rules(&self) -> Vec<&str> {
        self.changes.iter().map(|c| c.rule.as_str()).collect()
    }
}

/// Shared state of one comparison.
pub struct Ctx<'a> {
    pub old: &'a OpenAPI,
    pub new: &'a OpenAPI,
    changes: Vec<Change>,
    errors: Vec<String>,
    /// (old component, new component, direction) already compared → later use sites.
    visited: BTreeMap<(String, String, Direction), Vec<String>>,
    /// Components being compared right now (innermost last).
    stack: Vec<(String, String, Direction)>,
}

impl<'a> Ctx<'a> {
    fn new(old: &'a OpenAPI, new: &'a OpenAPI) -> Self {
        Self {
            old,
            new,
            changes: Vec::new(),
            errors: Vec::new(),
            visited: BTreeMap::new(),
            stack: Vec::new(),
        }
    }

    /// Records a change, tagging it with the component it was found in.
    pub fn add(&mut self, mut change: Change) {
        change.components = self.stack.iter().map(|(_, new, _)| new.clone()).collect();
        self.changes.push(change);
    }

    pub fn error(&mut self, message: String) {
        self.errors.push(message);
    }

    /// Enters a pair of components; returns false (and remembers the site) when the pair
    /// was already compared in this direction — which also stops self-references looping.
    pub fn enter(&mut self, old: &str, new: &str, dir: Direction, site: &str) -> bool {
        let key = (old.to_owned(), new.to_owned(), dir);
        if let Some(sites) = self.visited.get_mut(&key) {
            if !self.stack.contains(&key) {
                sites.push(site.to_owned());
            }
            return false;
        }
        self.visited.insert(key.clone(), Vec::new());
        self.stack.push(key);
        true
    }

    pub fn leave(&mut self) {
        self.stack.pop();
    }

    fn finish(mut self) -> Diff {
        let mut shared: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for ((_, new, _), sites) in &self.visited {
            for site in sites {
                shared
                    .entry(new.as_str())
                    .or_default()
                    .insert(site.as_str());
            }
        }
        for change in &mut self.changes {
            let notes: Vec<String> = change
                .components
                .iter()
                .filter_map(|c| {
                    let sites = shared.get(c.as_str())?;
                    let list: Vec<&str> = sites.iter().copied().collect();
                    Some(format!(
                        "`{c}` is shared: also applies at {}",
                        list.join("; ")
                    ))
                })
                .collect();
            if !notes.is_empty() {
                change.message = format!("{} ({})", change.message, notes.join("; "));
            }
        }
        let mut changes = self.changes;
        changes.sort_by(|a, b| {
            (
                !a.is_breaking(),
                &a.location,
                &a.rule,
                a.old.to_string(),
                a.new.to_string(),
            )
                .cmp(&(
                    !b.is_breaking(),
                    &b.location,
                    &b.rule,
                    b.old.to_string(),
                    b.new.to_string(),
                ))
        });
        changes.dedup();
        Diff {
            changes,
            errors: self.errors,
        }
    }
}

/// Compares two parsed documents.
pub fn diff(old: &OpenAPI, new: &OpenAPI) -> Diff {
    let mut ctx = Ctx::new(old, new);
    walk::document(&mut ctx);
    ctx.finish()
}

/// Removes documentation-only keys (descriptions, summaries, examples, titles, external
/// docs) from a JSON rendering, recursively, so structural comparisons ignore them.
pub fn strip_docs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "description"
                            | "summary"
                            | "example"
                            | "examples"
                            | "title"
                            | "externalDocs"
                    )
                })
                .map(|(k, v)| (k.clone(), strip_docs(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_docs).collect()),
        other => other.clone(),
    }
}

/// JSON rendering of anything serialisable, without documentation fields.
pub fn shape(value: &impl Serialize) -> Value {
    strip_docs(&serde_json::to_value(value).unwrap_or(Value::Null))
}

impl Ctx<'_> {
    /// Whether the walk is inside a `components/schemas` entry right now.
    pub fn in_component(&self) -> bool {
        !self.stack.is_empty()
    }
}

/// One side of a comparison: where it came from and its text.
#[derive(Debug, Clone)]
pub struct Input {
    /// Names the file in messages (`origin/main:openapi/tokens.yaml`, a path...).
    pub origin: String,
    pub text: String,
}

/// Everything a report needs.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub diff: Diff,
    /// The generated Rust API summary, or why it is unavailable.
    pub rust: Result<rust_api::Summary, String>,
    /// What the hand-written wrapper (`src/`) exposes of the generated code, or why it
    /// could not be read (only with the Rust summary).
    pub wrapper: Result<wrapper::Wrapper, String>,
}

/// Parses both sides (an error names the file and, for YAML, the line: exit status 2),
/// diffs them, and summarises the generated Rust API when both sides generate.
pub fn compare_texts(old: &Input, new: &Input, with_rust: bool) -> Result<Outcome, String> {
    let old_spec =
        astro_tokens_codegen::parse_spec(&old.text, &old.origin).map_err(|e| e.to_string())?;
    let new_spec =
        astro_tokens_codegen::parse_spec(&new.text, &new.origin).map_err(|e| e.to_string())?;
    let mut diff = diff(&old_spec, &new_spec);
    if !diff.errors.is_empty() {
        let named: Vec<String> = diff
            .errors
            .iter()
            .map(|e| {
                e.replacen("OLD:", &format!("{}:", old.origin), 1).replacen(
                    "NEW:",
                    &format!("{}:", new.origin),
                    1,
                )
            })
            .collect();
        return Err(named.join("\n"));
    }
    let rust = if with_rust {
        rust_api::summarize_specs(&old.text, &old.origin, &new.text, &new.origin)
    } else {
        Err("not requested".to_owned())
    };
    if let Ok(summary) = &rust {
        reconcile(&mut diff, summary);
    }
    let wrapper = if with_rust {
        wrapper::scan(&wrapper::crate_src())
    } else {
        Err("not requested".to_owned())
    };
    Ok(Outcome {
        diff,
        rust,
        wrapper,
    })
}

/// Rules whose `rust_api: breaking` is an assumption the generated code settles.
const GENERATED_DECIDES: &[&str] = &[
    "schema.changed",
    "response.status.added",
    "response.status.removed",
    "param.in.changed",
];

/// The generated code is the ground truth for the Rust column. When it removes or changes
/// public items but no rule said the Rust API breaks, one `rust.generated.changed` entry
/// says so. When it adds variants or fields to types that are not `#[non_exhaustive]` (the
/// premise of every rule that calls such additions compatible), one
/// `rust.generated.exhaustive` entry says so.
fn reconcile(diff: &mut Diff, summary: &rust_api::Summary) {
    // Some rules cannot tell what their change does to the Rust types (the catch-all for
    // untyped schemas; a success status added or removed, where the return type may or
    // may not change; a parameter leaving the query, whose generated `query` items may or
    // may not exist); the generated code can.
    let untouched = summary.removed.is_empty()
        && summary.changed.is_empty()
        && summary.exhaustive_additions.is_empty();
    if untouched {
        for c in diff.changes.iter_mut().filter(|c| {
            GENERATED_DECIDES.contains(&c.rule.as_str()) && c.rust_api == Impact::Breaking
        }) {
            c.rust_api = if summary.added.is_empty() {
                Impact::None
            } else {
                Impact::Compatible
            };
            c.message = format!(
                "{}; the generated Rust code {}",
                c.message,
                if summary.added.is_empty() {
                    "is the same"
                } else {
                    "only gains items"
                }
            );
        }
    }
    if diff.rust_api_breaking() {
        return;
    }
    if !summary.removed.is_empty() || !summary.changed.is_empty() {
        let mut items: Vec<&str> = summary.removed.iter().map(|(k, _)| k.as_str()).collect();
        items.extend(summary.changed.iter().map(|(k, _, _)| k.as_str()));
        let shown: Vec<&str> = items.iter().take(3).copied().collect();
        diff.changes.insert(
            0,
            Change::new("rust.generated.changed", "generated Rust API", Impact::None, Impact::Breaking)
                .old(&shown)
                .msg(format!(
                    "the generated code removes or changes {} public item(s) no rule accounts for ({}); see the Rust API summary",
                    items.len(),
                    shown.join(", ")
                )),
        );
        return;
    }
    if !summary.exhaustive_additions.is_empty() {
        let items = &summary.exhaustive_additions;
        let shown: Vec<&str> = items.iter().take(3).map(String::as_str).collect();
        diff.changes.insert(
            0,
            Change::new("rust.generated.exhaustive", "generated Rust API", Impact::None, Impact::Breaking)
                .new_value(&shown)
                .msg(format!(
                    "the generated code adds {} variant(s) or field(s) to types that are not #[non_exhaustive] ({}): an exhaustive `match` or a struct literal in user code stops compiling. The rules call such additions compatible only because the generated types are #[non_exhaustive]",
                    items.len(),
                    shown.join(", ")
                )),
        );
    }
}

/// Which breaking changes make the exit status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    None,
    Wire,
    RustApi,
    Any,
}

/// The exit status for a finished comparison.
pub fn exit_code(diff: &Diff, fail_on: FailOn) -> i32 {
    let fails = match fail_on {
        FailOn::None => false,
        FailOn::Wire => diff.wire_breaking(),
        FailOn::RustApi => diff.rust_api_breaking(),
        FailOn::Any => diff.wire_breaking() || diff.rust_api_breaking(),
    };
    i32::from(fails)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_code_changes_no_rule_explains_add_a_rust_generated_entry() {
        let mut diff = Diff::default();
        let summary = rust_api::Summary {
            removed: vec![("variant types::E::A".to_owned(), String::new())],
            ..Default::default()
        };
        reconcile(&mut diff, &summary);
        assert_eq!(diff.rules(), ["rust.generated.changed"]);
        assert!(diff.rust_api_breaking() && !diff.wire_breaking());
    }

    #[test]
    fn a_variant_added_to_an_exhaustive_enum_breaks_the_rust_api() {
        let mut diff = Diff::default();
        diff.changes.push(Change::new(
            "request.enum.value.added",
            "x",
            Impact::Compatible,
            Impact::Compatible,
        ));
        let summary = rust_api::Summary {
            added: vec![("variant types::K::B".to_owned(), String::new())],
            exhaustive_additions: vec!["variant types::K::B (in enum types::K)".to_owned()],
            ..Default::default()
        };
        reconcile(&mut diff, &summary);
        assert_eq!(
            diff.rules(),
            ["rust.generated.exhaustive", "request.enum.value.added"]
        );
        assert!(diff.rust_api_breaking() && !diff.wire_breaking());
    }

    #[test]
    fn the_catch_all_takes_the_rust_column_from_the_generated_code() {
        let mut diff = Diff::default();
        diff.changes.push(Change::new(
            "schema.changed",
            "x",
            Impact::Breaking,
            Impact::Breaking,
        ));
        reconcile(&mut diff, &rust_api::Summary::default());
        assert_eq!(diff.changes[0].rust_api, Impact::None);
        assert_eq!(diff.changes[0].wire, Impact::Breaking);
        let mut diff = Diff::default();
        diff.changes.push(Change::new(
            "schema.changed",
            "x",
            Impact::Breaking,
            Impact::Breaking,
        ));
        let changed = rust_api::Summary {
            changed: vec![("field types::A.x".into(), "Value".into(), "String".into())],
            ..Default::default()
        };
        reconcile(&mut diff, &changed);
        assert_eq!(diff.rules(), ["schema.changed"]);
        assert_eq!(diff.changes[0].rust_api, Impact::Breaking);
    }

    #[test]
    fn explained_or_additive_generated_changes_add_nothing() {
        let mut diff = Diff::default();
        let added = rust_api::Summary {
            added: vec![("field types::A.x".to_owned(), "i64".to_owned())],
            ..Default::default()
        };
        reconcile(&mut diff, &added);
        assert!(diff.changes.is_empty());
        diff.changes.push(Change::new(
            "param.removed",
            "x",
            Impact::Breaking,
            Impact::Breaking,
        ));
        let removed = rust_api::Summary {
            removed: vec![("setter L::x".to_owned(), String::new())],
            ..Default::default()
        };
        reconcile(&mut diff, &removed);
        assert_eq!(diff.rules(), ["param.removed"]);
    }

    #[test]
    fn fail_on_selects_the_columns_that_set_exit_status_1() {
        let mut diff = Diff::default();
        diff.changes.push(Change::new(
            "schema.maximum.lowered",
            "x",
            Impact::Breaking,
            Impact::None,
        ));
        assert_eq!(exit_code(&diff, FailOn::Any), 1);
        assert_eq!(exit_code(&diff, FailOn::Wire), 1);
        assert_eq!(exit_code(&diff, FailOn::RustApi), 0);
        assert_eq!(exit_code(&diff, FailOn::None), 0);
    }
}
