//! The audit policy: thresholds, severity overrides and reviewed exceptions, from an
//! optional TOML file (`--policy FILE`), with the table of the rules as defaults.
//!
//! The file is read with the `toml` crate through serde (`deny_unknown_fields`, spans on
//! every value that is checked after parsing). Every error names the file, the line and
//! column (computed from the byte span the parser reports), the key (found by walking the
//! parsed document to the innermost key whose span holds the error) and the valid values.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use astro_tokens::ApiToken;

use super::rules::{FindingId, MAX_DAYS, Severity, Thresholds};

/// What the audit applies: thresholds, severities and exceptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// The date thresholds.
    pub thresholds: Thresholds,
    /// Severity overrides by finding (`[severity]`).
    pub severity: BTreeMap<FindingId, Severity>,
    /// Reviewed exceptions (`[[accept]]`), in file order.
    pub exceptions: Vec<Exception>,
}

impl Policy {
    /// The severity of finding `id` about `token`: the override, else the rule's default.
    pub fn severity_of(&self, id: FindingId, token: &ApiToken) -> Severity {
        self.severity
            .get(&id)
            .copied()
            .unwrap_or_else(|| id.default_severity(token))
    }
}

/// One `[[accept]]` entry: a reviewed exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// The token's id.
    pub token: String,
    /// The finding it accepts; `None`: every finding of the token.
    pub finding: Option<FindingId>,
    /// Why it is accepted.
    pub reason: String,
    /// The last day (UTC) on which it applies; `None`: no end.
    pub until: Option<NaiveDate>,
    /// Where it is in the policy file (1-based line of its `[[accept]]`).
    pub line: usize,
}

impl Exception {
    /// Whether it still applies at `now`: through the whole `until` day, in UTC.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.until.is_none_or(|until| now.date_naive() <= until)
    }
}

/// A policy file that cannot be used: where, which key, what is wrong and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file, as given on the command line.
    pub file: String,
    /// 1-based line (0: the file could not be read).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The key, e.g. `thresholds.unused_for_days`, `accept[2].until` (empty: none).
    pub key: String,
    /// What is wrong, and the valid values.
    pub problem: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "policy file {}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for PolicyError {}

/// Reads and checks the policy file at `path`.
pub fn load(path: &Path) -> Result<Policy, PolicyError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| PolicyError {
        file: file.clone(),
        line: 0,
        column: 0,
        key: String::new(),
        problem: format!("cannot read it: {error}"),
    })?;
    parse(&text, &file)
}

// ------------------------------------------------------------------- the file's shape

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    thresholds: ThresholdsFile,
    #[serde(default)]
    severity: BTreeMap<FindingId, Severity>,
    #[serde(default)]
    accept: Vec<Spanned<AcceptFile>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ThresholdsFile {
    expiring_within_days: Option<Spanned<i64>>,
    unused_for_days: Option<Spanned<i64>>,
    never_used_grace_days: Option<Spanned<i64>>,
    rotate_after_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptFile {
    token: Spanned<String>,
    #[serde(default)]
    finding: Option<FindingId>,
    reason: Spanned<String>,
    #[serde(default)]
    until: Option<Spanned<toml::Value>>,
}

/// The valid values for the value at `key`, for error messages.
fn valid_values(key: &[Segment]) -> String {
    let ids = || {
        FindingId::ALL
            .iter()
            .map(|id| id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match key {
        [] => "valid tables: [thresholds], [severity], [[accept]]".to_owned(),
        [Segment::Key(table)] if table == "thresholds" => {
            "valid keys: expiring_within_days, unused_for_days, never_used_grace_days, \
             rotate_after_days"
                .to_owned()
        }
        [Segment::Key(table), Segment::Key(_), ..] if table == "thresholds" => {
            format!("valid: a whole number of days from 0 to {MAX_DAYS}")
        }
        [Segment::Key(table)] if table == "severity" => {
            format!("valid keys: {}; valid values: low, medium, high", ids())
        }
        [Segment::Key(table), Segment::Key(_), ..] if table == "severity" => {
            format!(
                "valid findings: {}; valid severities: low, medium, high",
                ids()
            )
        }
        [Segment::Key(table), ..] if table == "accept" => match key.get(2) {
            Some(Segment::Key(k)) if k == "finding" => format!("valid findings: {}", ids()),
            Some(Segment::Key(k)) if k == "until" => {
                "valid: a date YYYY-MM-DD (the last day the exception applies, UTC)".to_owned()
            }
            Some(Segment::Key(k)) if k == "token" || k == "reason" => {
                "valid: a non-empty string".to_owned()
            }
            _ => "each [[accept]] has token and reason (strings), and optionally finding \
                  (a finding id) and until (a date YYYY-MM-DD)"
                .to_owned(),
        },
        _ => "valid tables: [thresholds], [severity], [[accept]]".to_owned(),
    }
}

// ------------------------------------------------------------------- parsing

/// Parses and checks policy text; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Policy, PolicyError> {
    let locate = Locator { text, file };
    // Syntax first: the located errors of the TOML parser itself.
    let document = DeTable::parse(text).map_err(|e| locate.toml_error(&e, None))?;
    let parsed: PolicyFile =
        toml::from_str(text).map_err(|e| locate.toml_error(&e, Some(document.get_ref())))?;

    let mut thresholds = Thresholds::default();
    for (name, value, slot) in [
        (
            "expiring_within_days",
            &parsed.thresholds.expiring_within_days,
            &mut thresholds.expiring_within_days,
        ),
        (
            "unused_for_days",
            &parsed.thresholds.unused_for_days,
            &mut thresholds.unused_for_days,
        ),
        (
            "never_used_grace_days",
            &parsed.thresholds.never_used_grace_days,
            &mut thresholds.never_used_grace_days,
        ),
        (
            "rotate_after_days",
            &parsed.thresholds.rotate_after_days,
            &mut thresholds.rotate_after_days,
        ),
    ] {
        if let Some(value) = value {
            let key = [Segment::key("thresholds"), Segment::key(name)];
            *slot = u32::try_from(*value.get_ref())
                .ok()
                .filter(|days| *days <= MAX_DAYS)
                .ok_or_else(|| {
                    locate.error(
                        value.span(),
                        &key,
                        format!("{} is out of range", value.get_ref()),
                    )
                })?;
        }
    }

    let mut exceptions = Vec::with_capacity(parsed.accept.len());
    for (index, entry) in parsed.accept.iter().enumerate() {
        let at = |name: &str| {
            [
                Segment::key("accept"),
                Segment::Index(index),
                Segment::key(name),
            ]
        };
        let accept = entry.get_ref();
        for (name, value) in [("token", &accept.token), ("reason", &accept.reason)] {
            if value.get_ref().trim().is_empty() {
                return Err(locate.error(value.span(), &at(name), "is empty".to_owned()));
            }
        }
        let until = match &accept.until {
            None => None,
            Some(value) => Some(date(value.get_ref()).ok_or_else(|| {
                locate.error(
                    value.span(),
                    &at("until"),
                    format!("{} is not a date", value.get_ref()),
                )
            })?),
        };
        exceptions.push(Exception {
            token: accept.token.get_ref().clone(),
            finding: accept.finding,
            reason: accept.reason.get_ref().clone(),
            until,
            line: locate.line_column(entry.span().start).0,
        });
    }
    Ok(Policy {
        thresholds,
        severity: parsed.severity,
        exceptions,
    })
}

/// A calendar date from `until`: a TOML local date (`2027-03-01`) or a string holding one.
fn date(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::String(text) => {
            let text = text.trim();
            // Exactly YYYY-MM-DD: chrono alone would also take `2027-3-1`.
            (text.len() == 10)
                .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
                .flatten()
        }
        toml::Value::Datetime(datetime) => match (datetime.date, datetime.time, datetime.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        },
        _ => None,
    }
}

// ------------------------------------------------------------------- locating errors

/// A step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Segment {
    fn key(name: &str) -> Self {
        Self::Key(name.to_owned())
    }
}

/// `thresholds.unused_for_days`, `accept[2].until` (array indices 1-based, as people count
/// `[[accept]]` entries).
fn key_text(key: &[Segment]) -> String {
    let mut text = String::new();
    for segment in key {
        match segment {
            Segment::Key(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(name);
            }
            Segment::Index(i) => text.push_str(&format!("[{}]", i + 1)),
        }
    }
    text
}

struct Locator<'a> {
    text: &'a str,
    file: &'a str,
}

impl Locator<'_> {
    /// 1-based line and column (in characters) of byte `offset`.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }

    fn error(&self, span: Range<usize>, key: &[Segment], problem: String) -> PolicyError {
        let (line, column) = self.line_column(span.start);
        PolicyError {
            file: self.file.to_owned(),
            line,
            column,
            key: key_text(key),
            // serde's "unknown field/variant" messages already list what is expected.
            problem: if problem.contains("expected one of") {
                problem
            } else {
                format!("{problem}; {}", valid_values(key))
            },
        }
    }

    /// A parser or serde error: its span gives the line; the key is the innermost key of
    /// `document` whose key or value span holds the error's start.
    fn toml_error(&self, error: &toml::de::Error, document: Option<&DeTable<'_>>) -> PolicyError {
        let span = error.span().unwrap_or(0..0);
        let key = document
            .map(|table| innermost_key(table, span.start))
            .unwrap_or_default();
        let problem = readable(error.message());
        match document {
            Some(_) => self.error(span, &key, problem),
            None => {
                let (line, column) = self.line_column(span.start);
                PolicyError {
                    file: self.file.to_owned(),
                    line,
                    column,
                    key: String::new(),
                    problem: format!("invalid TOML: {problem}"),
                }
            }
        }
    }
}

/// A parser or serde message on one line, without the names of this file's private types.
fn readable(message: &str) -> String {
    let mut text = message.trim().replace('\n', " ");
    for private in [
        "struct ThresholdsFile",
        "struct AcceptFile",
        "struct PolicyFile",
    ] {
        text = text.replace(private, "a table");
    }
    text.replace("expected i64", "expected a whole number")
}

/// The path of the innermost key whose key span or value span holds `offset`.
fn innermost_key(table: &DeTable<'_>, offset: usize) -> Vec<Segment> {
    for (key, value) in table {
        if key.span().contains(&offset) {
            return vec![Segment::Key(key.get_ref().to_string())];
        }
        if value.span().contains(&offset) || value.span().start == offset {
            let mut path = vec![Segment::Key(key.get_ref().to_string())];
            path.extend(inner(value, offset));
            return path;
        }
    }
    // Not inside any value's span: tables declared by a header (`[thresholds]`,
    // `[[accept]]`) span only their header, so take the last one that starts at or before
    // `offset`, and look inside it.
    let mut best: Option<(usize, Vec<Segment>, &Spanned<DeValue<'_>>)> = None;
    for (key, value) in table {
        for (start, path, item) in starts(key.get_ref(), value) {
            if start <= offset && best.as_ref().is_none_or(|(b, _, _)| start >= *b) {
                best = Some((start, path, item));
            }
        }
    }
    match best {
        Some((_, mut path, item)) => {
            if let DeValue::Table(inside) = item.get_ref() {
                path.extend(innermost_key(inside, offset));
            }
            path
        }
        None => Vec::new(),
    }
}

fn inner(value: &Spanned<DeValue<'_>>, offset: usize) -> Vec<Segment> {
    match value.get_ref() {
        DeValue::Table(table) => innermost_key(table, offset),
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .find(|(_, item)| item.span().contains(&offset) || item.span().start == offset)
            .map(|(i, item)| {
                let mut path = vec![Segment::Index(i)];
                path.extend(inner(item, offset));
                path
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Where each table (and each table of an array) under `key` starts, with its path.
fn starts<'v, 'i>(
    key: &str,
    value: &'v Spanned<DeValue<'i>>,
) -> Vec<(usize, Vec<Segment>, &'v Spanned<DeValue<'i>>)> {
    let top = vec![Segment::Key(key.to_owned())];
    match value.get_ref() {
        DeValue::Table(_) => vec![(value.span().start, top, value)],
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut path = top.clone();
                path.push(Segment::Index(i));
                (item.span().start, path, item)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> PolicyError {
        parse(text, "policy.toml").expect_err("refused")
    }

    #[test]
    fn an_empty_file_is_the_default_policy() {
        assert_eq!(parse("", "p.toml").expect("valid"), Policy::default());
        assert_eq!(
            parse("# nothing\n[thresholds]\n[severity]\n", "p.toml").expect("valid"),
            Policy::default()
        );
    }

    #[test]
    fn every_key_is_read() {
        let text = r#"
[thresholds]
expiring_within_days = 14
unused_for_days = 45
never_used_grace_days = 0
rotate_after_days = 90

[severity]
no-expiry = "high"
duplicate-name = "medium"

[[accept]]
token = "clm8q7f6q000008lcgyougpsk"
finding = "no-expiry"
reason = "break-glass token, reviewed by security"
until = "2027-03-01"

[[accept]]
token = "clother"
reason = "every finding, no end"

[[accept]]
token = "cldate"
reason = "a TOML date works too"
until = 2026-12-31
"#;
        let policy = parse(text, "p.toml").expect("valid");
        assert_eq!(
            policy.thresholds,
            Thresholds {
                expiring_within_days: 14,
                unused_for_days: 45,
                never_used_grace_days: 0,
                rotate_after_days: 90,
            }
        );
        assert_eq!(
            policy.severity,
            BTreeMap::from([
                (FindingId::NoExpiry, Severity::High),
                (FindingId::DuplicateName, Severity::Medium)
            ])
        );
        assert_eq!(
            policy.exceptions,
            [
                Exception {
                    token: "clm8q7f6q000008lcgyougpsk".to_owned(),
                    finding: Some(FindingId::NoExpiry),
                    reason: "break-glass token, reviewed by security".to_owned(),
                    until: NaiveDate::from_ymd_opt(2027, 3, 1),
                    line: 12,
                },
                Exception {
                    token: "clother".to_owned(),
                    finding: None,
                    reason: "every finding, no end".to_owned(),
                    until: None,
                    line: 18,
                },
                Exception {
                    token: "cldate".to_owned(),
                    finding: None,
                    reason: "a TOML date works too".to_owned(),
                    until: NaiveDate::from_ymd_opt(2026, 12, 31),
                    line: 22,
                },
            ]
        );
    }

    #[test]
    fn each_error_names_the_line_the_key_and_the_valid_values() {
        let accept = "[[accept]]\ntoken = \"a\"\nreason = \"r\"\n";
        let cases: Vec<(String, usize, &str, &[&str])> = vec![
            (
                "[sverity]\nno-expiry = \"high\"\n".into(),
                1,
                "sverity",
                &[
                    "unknown field `sverity`",
                    "`thresholds`, `severity`, `accept`",
                ],
            ),
            (
                "[thresholds]\n\nunused_for_dayz = 3\n".into(),
                3,
                "thresholds.unused_for_dayz",
                &["unknown field", "`unused_for_days`", "`rotate_after_days`"],
            ),
            (
                "[thresholds]\nunused_for_days = \"3\"\n".into(),
                2,
                "thresholds.unused_for_days",
                &[
                    "invalid type: string \"3\"",
                    "whole number of days from 0 to 36500",
                ],
            ),
            (
                "[thresholds]\nrotate_after_days = -1\n".into(),
                2,
                "thresholds.rotate_after_days",
                &["-1 is out of range", "from 0 to 36500"],
            ),
            (
                "[thresholds]\nexpiring_within_days = 36501\n".into(),
                2,
                "thresholds.expiring_within_days",
                &["36501 is out of range"],
            ),
            (
                "thresholds = 3\n".into(),
                1,
                "thresholds",
                &["expected a table", "unused_for_days"],
            ),
            (
                "[severity]\nno-expiry = \"critical\"\n".into(),
                2,
                "severity.no-expiry",
                &["unknown variant `critical`", "`low`, `medium`, `high`"],
            ),
            (
                "[severity]\n\nno-expire = \"high\"\n".into(),
                3,
                "severity.no-expire",
                &[
                    "unknown variant `no-expire`",
                    "`expired`",
                    "`duplicate-name`",
                ],
            ),
            (
                format!(
                    "{accept}\n[[accept]]\ntoken = \"b\"\nfinding = \"nope\"\nreason = \"r\"\n"
                ),
                7,
                "accept[2].finding",
                &["unknown variant `nope`", "`no-expiry`", "`not-rotated`"],
            ),
            (
                format!("{accept}until = \"2027-02-30\"\n"),
                4,
                "accept[1].until",
                &["\"2027-02-30\" is not a date", "YYYY-MM-DD"],
            ),
            (
                format!("{accept}until = \"1 March 2027\"\n"),
                4,
                "accept[1].until",
                &["is not a date", "YYYY-MM-DD"],
            ),
            (
                format!("{accept}until = 2027-03-01T10:00:00Z\n"),
                4,
                "accept[1].until",
                &["is not a date", "YYYY-MM-DD"],
            ),
            (
                format!("{accept}until = 20270301\n"),
                4,
                "accept[1].until",
                &["is not a date"],
            ),
            (
                "\n[[accept]]\ntoken = \"a\"\n".into(),
                2,
                "accept[1]",
                &["missing field `reason`", "token and reason"],
            ),
            (
                format!("{accept}comment = \"x\"\n"),
                4,
                "accept[1].comment",
                &[
                    "unknown field `comment`",
                    "`token`, `finding`, `reason`, `until`",
                ],
            ),
            (
                "[[accept]]\ntoken = 3\nreason = \"r\"\n".into(),
                2,
                "accept[1].token",
                &["invalid type: integer `3`", "non-empty string"],
            ),
            (
                "[[accept]]\ntoken = \"a\"\nreason = \"  \"\n".into(),
                3,
                "accept[1].reason",
                &["is empty", "non-empty string"],
            ),
        ];
        for (text, line, key, needles) in cases {
            let error = refused(&text);
            let shown = error.to_string();
            assert_eq!(error.line, line, "{text:?}: {shown}");
            assert_eq!(error.key, key, "{text:?}: {shown}");
            assert!(
                shown.starts_with(&format!("policy file policy.toml:{line}:")),
                "{shown}"
            );
            for needle in needles {
                assert!(shown.contains(needle), "{needle:?} missing: {shown}");
            }
            assert_eq!(shown.lines().count(), 1, "{shown}");
        }
    }

    #[test]
    fn invalid_toml_names_the_line() {
        let error = refused("[thresholds]\nunused_for_days = 3\n[thresholds\n");
        assert_eq!(error.line, 3, "{error}");
        assert!(error.to_string().contains("invalid TOML"), "{error}");
        let duplicate = refused("[thresholds]\nunused_for_days = 3\nunused_for_days = 4\n");
        assert_eq!(duplicate.line, 3, "{duplicate}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let error = refused("# é\n[severity]\n\"é\" = \"high\"\n");
        assert_eq!((error.line, error.column), (3, 1), "{error}");
        let value = refused("[severity]\nexpired = \"élevé\"\n");
        assert_eq!((value.line, value.column), (2, 11), "{value}");
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let error = load(Path::new("/no/such/policy.toml")).expect_err("missing");
        assert!(
            error
                .to_string()
                .starts_with("policy file /no/such/policy.toml: cannot read it")
        );
    }
}
