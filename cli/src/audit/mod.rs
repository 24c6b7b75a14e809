//! The audit: the rules (`rules.rs`), the policy file (`policy.rs`), the remediation of
//! each finding (`remediation.rs`), and here, how they combine into one result: every
//! finding with its severity and remediation, split into open and accepted by the
//! policy's exceptions, plus the exceptions that lapsed or are stale. Pure: no I/O.

pub mod policy;
pub mod remediation;
pub mod rules;

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use astro_tokens::ApiToken;

use policy::{Exception, Policy};
use rules::{FindingId, Severity};

/// One finding about one token.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding<'a> {
    /// Which rule.
    pub id: FindingId,
    /// Its severity (the policy's override, else the rule's default).
    pub severity: Severity,
    /// About which token.
    pub token: &'a ApiToken,
    /// Why, on one line.
    pub detail: String,
    /// What to do, naming the astro-cli command.
    pub remediation: String,
}

/// A finding that a policy exception accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted<'a> {
    /// The finding.
    pub finding: Finding<'a>,
    /// The exception that accepts it.
    pub exception: &'a Exception,
}

/// The outcome of an audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit<'a> {
    /// Findings no exception accepts, highest severity first, then in rule order, then in
    /// the listing's order. These count and can fail the run.
    pub findings: Vec<Finding<'a>>,
    /// Findings an exception in force accepts, in the same order.
    pub accepted: Vec<Accepted<'a>>,
    /// Exceptions past their `until` date (for listed tokens): they no longer apply.
    pub lapsed: Vec<&'a Exception>,
    /// Exceptions for a token id the listing did not return.
    pub stale: Vec<&'a Exception>,
}

/// Audits `tokens` (as listed in `organization_id`) under `policy` at `now`.
pub fn audit<'a>(
    tokens: &'a [ApiToken],
    policy: &'a Policy,
    now: DateTime<Utc>,
    organization_id: &str,
) -> Audit<'a> {
    let mut all: Vec<Finding<'a>> = rules::evaluate(tokens, &policy.thresholds, now)
        .into_iter()
        .map(|found| Finding {
            id: found.id,
            severity: policy.severity_of(found.id, found.token),
            remediation: remediation::remediation(
                found.id,
                found.token,
                organization_id,
                &policy.thresholds,
            ),
            token: found.token,
            detail: found.detail,
        })
        .collect();
    // Stable: rule order and listing order stay within a severity.
    all.sort_by_key(|f| std::cmp::Reverse(f.severity));

    let mut findings = Vec::new();
    let mut accepted = Vec::new();
    for finding in all {
        let in_force = policy.exceptions.iter().find(|e| {
            e.token == finding.token.id
                && e.finding.is_none_or(|id| id == finding.id)
                && e.in_force(now)
        });
        match in_force {
            Some(exception) => accepted.push(Accepted { finding, exception }),
            None => findings.push(finding),
        }
    }
    let listed: HashSet<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
    let (stale, known): (Vec<&Exception>, Vec<&Exception>) = policy
        .exceptions
        .iter()
        .partition(|e| !listed.contains(e.token.as_str()));
    let lapsed = known.into_iter().filter(|e| !e.in_force(now)).collect();
    Audit {
        findings,
        accepted,
        lapsed,
        stale,
    }
}

impl Audit<'_> {
    /// Open findings of `severity` or higher.
    pub fn at_or_above(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity >= severity)
            .count()
    }

    /// Open findings per severity, highest first, zeros included.
    pub fn by_severity(&self) -> [(Severity, usize); 3] {
        Severity::HIGHEST_FIRST
            .map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
    }

    /// Open findings per finding id, in report order, zeros included.
    pub fn by_finding(&self) -> [(FindingId, usize); 8] {
        FindingId::ALL.map(|id| (id, self.findings.iter().filter(|f| f.id == id).count()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-01-15T12:00:00Z".parse().expect("valid date")
    }

    fn token(id: &str, fields: serde_json::Value) -> ApiToken {
        let recent = now() - Duration::days(10);
        let mut value = json!({
            "id": id, "name": id, "description": "", "shortToken": "s",
            "scope": "ORGANIZATION", "kind": "STANDARD",
            "createdAt": recent, "startAt": recent, "updatedAt": recent,
            "lastUsedAt": now(), "endAt": now() + Duration::days(60),
            "roles": [{"entityId": "clorg", "entityType": "WORKSPACE", "role": "WORKSPACE_MEMBER"}]
        });
        if let (Some(base), Some(extra)) = (value.as_object_mut(), fields.as_object()) {
            base.extend(extra.clone());
        }
        serde_json::from_value(value).expect("valid token")
    }

    fn exception(token: &str, finding: Option<FindingId>, until: Option<&str>) -> Exception {
        Exception {
            token: token.to_owned(),
            finding,
            reason: format!("reviewed {token}"),
            until: until.map(|d| d.parse::<NaiveDate>().expect("date")),
            line: 1,
        }
    }

    fn owner_roles() -> serde_json::Value {
        json!([{"entityId": "clorg", "entityType": "ORGANIZATION", "role": "ORGANIZATION_OWNER"}])
    }

    #[test]
    fn findings_come_highest_severity_first_then_in_rule_order() {
        let tokens = [
            token("a", json!({"endAt": null})),
            token("b", json!({"roles": owner_roles()})),
            token("c", json!({"endAt": now() - Duration::days(1)})),
        ];
        let policy = Policy::default();
        let result = audit(&tokens, &policy, now(), "clorg");
        let order: Vec<(Severity, FindingId, &str)> = result
            .findings
            .iter()
            .map(|f| (f.severity, f.id, f.token.id.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                (Severity::High, FindingId::OrganizationRole, "b"),
                (Severity::Medium, FindingId::NoExpiry, "a"),
                (Severity::Low, FindingId::Expired, "c"),
            ]
        );
        assert_eq!(result.at_or_above(Severity::High), 1);
        assert_eq!(result.at_or_above(Severity::Medium), 2);
        assert_eq!(result.at_or_above(Severity::Low), 3);
        assert_eq!(
            result.by_severity(),
            [
                (Severity::High, 1),
                (Severity::Medium, 1),
                (Severity::Low, 1)
            ]
        );
        assert!(
            result.findings[0]
                .remediation
                .contains("--role ORGANIZATION_MEMBER")
        );
    }

    #[test]
    fn a_severity_override_moves_a_finding() {
        let tokens = [token("a", json!({"endAt": null}))];
        let mut policy = Policy::default();
        policy.severity.insert(FindingId::NoExpiry, Severity::High);
        let result = audit(&tokens, &policy, now(), "clorg");
        assert_eq!(result.findings[0].severity, Severity::High);
        assert_eq!(result.at_or_above(Severity::High), 1);
    }

    #[test]
    fn exceptions_accept_one_finding_or_every_finding_of_a_token() {
        let tokens = [
            token("one", json!({"endAt": null, "roles": owner_roles()})),
            token("all", json!({"endAt": null, "roles": owner_roles()})),
        ];
        let policy = Policy {
            exceptions: vec![
                exception("one", Some(FindingId::NoExpiry), None),
                exception("all", None, Some("2026-01-15")),
            ],
            ..Policy::default()
        };
        let result = audit(&tokens, &policy, now(), "clorg");
        let open: Vec<(FindingId, &str)> = result
            .findings
            .iter()
            .map(|f| (f.id, f.token.id.as_str()))
            .collect();
        assert_eq!(open, [(FindingId::OrganizationRole, "one")]);
        let accepted: Vec<(FindingId, &str, &str)> = result
            .accepted
            .iter()
            .map(|a| {
                (
                    a.finding.id,
                    a.finding.token.id.as_str(),
                    a.exception.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            accepted,
            [
                (FindingId::OrganizationRole, "all", "reviewed all"),
                (FindingId::NoExpiry, "one", "reviewed one"),
                (FindingId::NoExpiry, "all", "reviewed all"),
            ]
        );
        assert!(result.lapsed.is_empty() && result.stale.is_empty());
    }

    #[test]
    fn an_exception_applies_through_its_until_day_and_lapses_the_day_after() {
        let tokens = [token("t", json!({"endAt": null}))];
        let policy = Policy {
            exceptions: vec![exception("t", None, Some("2026-01-15"))],
            ..Policy::default()
        };
        let last_second: DateTime<Utc> = "2026-01-15T23:59:59Z".parse().expect("date");
        let on_the_day = audit(&tokens, &policy, last_second, "clorg");
        assert_eq!(on_the_day.accepted.len(), 1);
        assert!(on_the_day.findings.is_empty() && on_the_day.lapsed.is_empty());

        let next_day: DateTime<Utc> = "2026-01-16T00:00:00Z".parse().expect("date");
        let after = audit(&tokens, &policy, next_day, "clorg");
        assert!(after.accepted.is_empty());
        assert_eq!(
            after.findings.len(),
            1,
            "a lapsed exception no longer applies"
        );
        assert_eq!(after.lapsed, [&policy.exceptions[0]]);
    }

    #[test]
    fn an_exception_for_an_unlisted_token_is_stale() {
        let tokens = [token("listed", json!({}))];
        let policy = Policy {
            exceptions: vec![
                exception("gone", Some(FindingId::NoExpiry), None),
                exception("gone-and-lapsed", None, Some("2020-01-01")),
                exception("listed", None, None),
            ],
            ..Policy::default()
        };
        let result = audit(&tokens, &policy, now(), "clorg");
        let stale: Vec<&str> = result.stale.iter().map(|e| e.token.as_str()).collect();
        assert_eq!(stale, ["gone", "gone-and-lapsed"]);
        assert!(result.lapsed.is_empty());
    }
}
