//! The `audit --format json` document and its `findings` items (also the lines of
//! `--format ndjson`). Its shape is described, field by field, by the committed JSON Schema
//! `cli/schema/audit-report.schema.json`, and every document the tests print is validated
//! against it. Tokens keep the API's field names (`shortToken`, `createdAt`, `scope`, ...),
//! whichever API version served them (v1beta1's `type` is read as `scope`);
//! their secret `token` field is dropped before they get here and never printed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use astro_tokens::ApiToken;

use super::Report;
use crate::audit;
use crate::audit::policy::Exception;
use crate::audit::rules::{FindingId, Severity, Thresholds};
use crate::output::timestamp;

/// The document's `schemaVersion`: raised when a field is removed, renamed or changes
/// meaning; adding a field or a finding id keeps it. 2: the token's `type` is `scope`, as in
/// Astro API v1.
pub const SCHEMA_VERSION: u32 = 2;

/// The whole report.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    schema_version: u32,
    now: String,
    organization_id: &'a str,
    policy_file: Option<String>,
    thresholds: Thresholds,
    severity_overrides: &'a BTreeMap<FindingId, Severity>,
    fail_on: Option<Severity>,
    tokens_audited: usize,
    summary: Summary,
    findings: Vec<Finding<'a>>,
    accepted: Vec<Accepted<'a>>,
    lapsed: Vec<ExceptionEntry<'a>>,
    stale: Vec<ExceptionEntry<'a>>,
}

#[derive(Serialize)]
struct Summary {
    #[serde(rename = "bySeverity")]
    by_severity: BySeverity,
    #[serde(rename = "byFinding")]
    by_finding: BTreeMap<FindingId, usize>,
    accepted: usize,
    lapsed: usize,
    stale: usize,
}

#[derive(Serialize)]
struct BySeverity {
    high: usize,
    medium: usize,
    low: usize,
}

/// One open finding: an item of `findings`, a line of ndjson.
#[derive(Serialize)]
pub struct Finding<'a> {
    finding: FindingId,
    severity: Severity,
    detail: &'a str,
    remediation: &'a str,
    token: &'a ApiToken,
}

impl<'a> Finding<'a> {
    /// The JSON of `finding`.
    pub fn new(finding: &'a audit::Finding<'a>) -> Self {
        Self {
            finding: finding.id,
            severity: finding.severity,
            detail: &finding.detail,
            remediation: &finding.remediation,
            token: finding.token,
        }
    }
}

/// A finding an exception accepts: the finding and the exception's reason and date.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Accepted<'a> {
    finding: FindingId,
    severity: Severity,
    detail: &'a str,
    remediation: &'a str,
    token: &'a ApiToken,
    reason: &'a str,
    until: Option<NaiveDate>,
    policy_line: usize,
}

/// A lapsed or stale exception, as the policy file has it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExceptionEntry<'a> {
    /// The token id the exception names.
    token: &'a str,
    /// `null`: every finding of the token.
    finding: Option<FindingId>,
    reason: &'a str,
    until: Option<NaiveDate>,
    policy_line: usize,
}

impl<'a> ExceptionEntry<'a> {
    fn new(exception: &'a Exception) -> Self {
        Self {
            token: &exception.token,
            finding: exception.finding,
            reason: &exception.reason,
            until: exception.until,
            policy_line: exception.line,
        }
    }
}

impl<'a> Document<'a> {
    /// The document for `report`.
    pub fn new(report: &'a Report<'a>) -> Self {
        let audit = report.audit;
        let [(_, high), (_, medium), (_, low)] = audit.by_severity();
        Self {
            schema_version: SCHEMA_VERSION,
            now: timestamp(report.now),
            organization_id: report.organization_id,
            policy_file: report.policy_file.map(|p| p.display().to_string()),
            thresholds: report.policy.thresholds,
            severity_overrides: &report.policy.severity,
            fail_on: report.fail_on,
            tokens_audited: report.tokens_audited,
            summary: Summary {
                by_severity: BySeverity { high, medium, low },
                by_finding: audit.by_finding().into_iter().collect(),
                accepted: audit.accepted.len(),
                lapsed: audit.lapsed.len(),
                stale: audit.stale.len(),
            },
            findings: audit.findings.iter().map(Finding::new).collect(),
            accepted: audit
                .accepted
                .iter()
                .map(|a| Accepted {
                    finding: a.finding.id,
                    severity: a.finding.severity,
                    detail: &a.finding.detail,
                    remediation: &a.finding.remediation,
                    token: a.finding.token,
                    reason: &a.exception.reason,
                    until: a.exception.until,
                    policy_line: a.exception.line,
                })
                .collect(),
            lapsed: audit
                .lapsed
                .iter()
                .map(|e| ExceptionEntry::new(e))
                .collect(),
            stale: audit.stale.iter().map(|e| ExceptionEntry::new(e)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> serde_json::Value {
        serde_json::from_str(include_str!("../../../schema/audit-report.schema.json"))
            .expect("the schema is JSON")
    }

    fn strings(value: &serde_json::Value) -> Vec<String> {
        value
            .as_array()
            .expect("an array")
            .iter()
            .map(|v| v.as_str().expect("a string").to_owned())
            .collect()
    }

    #[test]
    fn the_schema_lists_every_finding_id_and_severity_in_order() {
        let schema = schema();
        let ids: Vec<String> = FindingId::ALL
            .iter()
            .map(|id| id.as_str().to_owned())
            .collect();
        assert_eq!(strings(&schema["$defs"]["findingId"]["enum"]), ids);
        assert_eq!(
            strings(&schema["properties"]["summary"]["properties"]["byFinding"]["required"]),
            ids
        );
        let severities: Vec<String> = [Severity::Low, Severity::Medium, Severity::High]
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        assert_eq!(strings(&schema["$defs"]["severity"]["enum"]), severities);
        assert_eq!(
            schema["properties"]["schemaVersion"]["const"],
            serde_json::json!(SCHEMA_VERSION)
        );
        assert_eq!(
            schema["$defs"]["days"]["maximum"],
            serde_json::json!(crate::audit::rules::MAX_DAYS)
        );
    }
}
