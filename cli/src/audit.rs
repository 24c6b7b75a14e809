//! Audit findings: pure functions over a list of tokens and a "now". No I/O here.
//!
//! A token appears under every finding that applies to it (an expired token that was never
//! used is both "expired" and "never used"). Findings come grouped in [`FindingKind::ALL`]
//! order, and within a group in the listing's order.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use astro_tokens::{ApiToken, ApiTokenRoleEntityType};

/// What the audit looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// "Expiring soon" means expiring within this many days from now.
    pub expiring_within_days: u32,
    /// "Unused" means last used this many days ago or earlier.
    pub unused_for_days: u32,
}

/// The kinds of finding, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// `endAt` is now or in the past.
    Expired,
    /// `endAt` is after now and within the policy's window.
    ExpiringSoon,
    /// No `lastUsedAt`.
    NeverUsed,
    /// `lastUsedAt` is at least the policy's number of days ago.
    Unused,
    /// At least one role on the `ORGANIZATION` entity.
    OrganizationRole,
}

impl FindingKind {
    /// Every kind, in report order.
    pub const ALL: [FindingKind; 5] = [
        Self::Expired,
        Self::ExpiringSoon,
        Self::NeverUsed,
        Self::Unused,
        Self::OrganizationRole,
    ];

    /// The machine name (as in JSON and CSV): `expired`, `expiring-soon`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::ExpiringSoon => "expiring-soon",
            Self::NeverUsed => "never-used",
            Self::Unused => "unused",
            Self::OrganizationRole => "organization-role",
        }
    }

    /// A heading for people, with the policy's numbers.
    pub fn label(self, policy: &Policy) -> String {
        match self {
            Self::Expired => "expired".to_owned(),
            Self::ExpiringSoon => {
                format!("expiring within {} days", policy.expiring_within_days)
            }
            Self::NeverUsed => "never used".to_owned(),
            Self::Unused => format!("unused for {}+ days", policy.unused_for_days),
            Self::OrganizationRole => "organization-wide roles".to_owned(),
        }
    }
}

/// One finding about one token.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding<'a> {
    /// What was found.
    pub kind: FindingKind,
    /// About which token.
    pub token: &'a ApiToken,
    /// Why, for people: dates and how far they are from now, or the roles.
    pub detail: String,
}

/// Every finding for `tokens` at `now`, grouped by kind in [`FindingKind::ALL`] order.
pub fn findings<'a>(
    tokens: &'a [ApiToken],
    now: DateTime<Utc>,
    policy: &Policy,
) -> Vec<Finding<'a>> {
    FindingKind::ALL
        .into_iter()
        .flat_map(|kind| {
            tokens.iter().filter_map(move |token| {
                detail(kind, token, now, policy).map(|detail| Finding {
                    kind,
                    token,
                    detail,
                })
            })
        })
        .collect()
}

/// How many findings of each kind, for every kind (zeros included), in report order.
pub fn summary(findings: &[Finding<'_>]) -> Vec<(FindingKind, usize)> {
    FindingKind::ALL
        .into_iter()
        .map(|kind| (kind, findings.iter().filter(|f| f.kind == kind).count()))
        .collect()
}

/// The detail of finding `kind` for `token`, or `None` when it does not apply.
fn detail(
    kind: FindingKind,
    token: &ApiToken,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Option<String> {
    match kind {
        FindingKind::Expired => {
            let end = token.end_at.filter(|end| *end <= now)?;
            Some(format!("expired {}", when(end, now)))
        }
        FindingKind::ExpiringSoon => {
            let horizon = now.checked_add_signed(days(policy.expiring_within_days))?;
            let end = token.end_at.filter(|end| *end > now && *end <= horizon)?;
            Some(format!("expires {}", when(end, now)))
        }
        FindingKind::NeverUsed => match token.last_used_at {
            Some(_) => None,
            None => Some(format!(
                "never used; created {}",
                when(token.created_at, now)
            )),
        },
        FindingKind::Unused => {
            let cutoff = now.checked_sub_signed(days(policy.unused_for_days))?;
            let used = token.last_used_at.filter(|used| *used <= cutoff)?;
            Some(format!("last used {}", when(used, now)))
        }
        FindingKind::OrganizationRole => {
            let roles: Vec<&str> = token
                .roles
                .iter()
                .filter(|r| r.entity_type == ApiTokenRoleEntityType::Organization)
                .map(|r| r.role.as_str())
                .collect();
            if roles.is_empty() {
                None
            } else {
                Some(roles.join(", "))
            }
        }
    }
}

fn days(n: u32) -> Duration {
    Duration::days(i64::from(n))
}

/// `2026-01-02 (13 days ago)`, `2026-02-01 (in 17 days)`, `2026-01-15 (today)`.
pub fn when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("{} ({})", at.format("%Y-%m-%d"), relative(at, now))
}

/// `13 days ago`, `in 17 days`, `today` (whole days, rounded towards zero).
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let delta = at.signed_duration_since(now).num_days();
    match delta {
        0 => "today".to_owned(),
        1 => "in 1 day".to_owned(),
        -1 => "1 day ago".to_owned(),
        d if d > 0 => format!("in {d} days"),
        d => format!("{} days ago", d.unsigned_abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use astro_tokens::{ApiTokenKind, ApiTokenRole, ApiTokenType};

    fn now() -> DateTime<Utc> {
        "2026-01-15T12:00:00Z".parse().expect("valid date")
    }

    fn at(days_from_now: i64) -> DateTime<Utc> {
        now() + Duration::days(days_from_now)
    }

    fn token(id: &str) -> ApiToken {
        ApiToken::builder()
            .created_at(at(-400))
            .description("")
            .id(id)
            .kind(ApiTokenKind::Standard)
            .last_used_at(Some(at(-1)))
            .name(id)
            .short_token("abcd1234")
            .start_at(at(-400))
            .type_(ApiTokenType::Workspace)
            .updated_at(at(-400))
            .try_into()
            .expect("every required field is set")
    }

    fn role(entity_type: ApiTokenRoleEntityType, role: &str) -> ApiTokenRole {
        ApiTokenRole::builder()
            .entity_id("entity")
            .entity_type(entity_type)
            .role(role)
            .try_into()
            .expect("every required field is set")
    }

    const POLICY: Policy = Policy {
        expiring_within_days: 30,
        unused_for_days: 90,
    };

    fn ids(found: &[Finding<'_>], kind: FindingKind) -> Vec<String> {
        found
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.token.id.clone())
            .collect()
    }

    #[test]
    fn expiry_splits_at_now_and_at_the_window_edge() {
        let mut tokens = Vec::new();
        for (id, end) in [
            ("past", Some(at(-3))),
            ("exactly-now", Some(now())),
            ("tomorrow", Some(at(1))),
            ("window-edge", Some(at(30))),
            ("past-window", Some(at(31))),
            ("never-expires", None),
        ] {
            let mut t = token(id);
            t.end_at = end;
            tokens.push(t);
        }
        let found = findings(&tokens, now(), &POLICY);
        assert_eq!(ids(&found, FindingKind::Expired), ["past", "exactly-now"]);
        assert_eq!(
            ids(&found, FindingKind::ExpiringSoon),
            ["tomorrow", "window-edge"]
        );
    }

    #[test]
    fn never_used_and_unused_are_told_apart() {
        let mut never = token("never");
        never.last_used_at = None;
        let mut old = token("old");
        old.last_used_at = Some(at(-90));
        let mut recent = token("recent");
        recent.last_used_at = Some(at(-89));
        let tokens = [never, old, recent];
        let found = findings(&tokens, now(), &POLICY);
        assert_eq!(ids(&found, FindingKind::NeverUsed), ["never"]);
        assert_eq!(ids(&found, FindingKind::Unused), ["old"]);
    }

    #[test]
    fn only_roles_on_the_organization_count_as_organization_wide() {
        let mut org = token("org");
        org.roles = vec![
            role(ApiTokenRoleEntityType::Workspace, "WORKSPACE_MEMBER"),
            role(ApiTokenRoleEntityType::Organization, "ORGANIZATION_OWNER"),
        ];
        let mut ws = token("ws");
        ws.roles = vec![role(ApiTokenRoleEntityType::Workspace, "WORKSPACE_OWNER")];
        let tokens = [org, ws];
        let found = findings(&tokens, now(), &POLICY);
        let org_findings: Vec<_> = found
            .iter()
            .filter(|f| f.kind == FindingKind::OrganizationRole)
            .collect();
        assert_eq!(org_findings.len(), 1);
        assert_eq!(org_findings[0].token.id, "org");
        assert_eq!(org_findings[0].detail, "ORGANIZATION_OWNER");
    }

    #[test]
    fn a_token_appears_under_every_finding_that_applies_in_report_order() {
        let mut bad = token("bad");
        bad.end_at = Some(at(-1));
        bad.last_used_at = None;
        bad.roles = vec![role(
            ApiTokenRoleEntityType::Organization,
            "ORGANIZATION_MEMBER",
        )];
        let tokens = [token("clean"), bad];
        let found = findings(&tokens, now(), &POLICY);
        let kinds: Vec<FindingKind> = found.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FindingKind::Expired,
                FindingKind::NeverUsed,
                FindingKind::OrganizationRole
            ]
        );
        assert!(found.iter().all(|f| f.token.id == "bad"));
        let counts = summary(&found);
        assert_eq!(counts.len(), FindingKind::ALL.len());
        assert_eq!(counts[1], (FindingKind::ExpiringSoon, 0));
        assert_eq!(counts[2], (FindingKind::NeverUsed, 1));
    }

    #[test]
    fn the_policy_numbers_move_the_thresholds() {
        let mut t = token("t");
        t.end_at = Some(at(45));
        t.last_used_at = Some(at(-10));
        let tokens = [t];
        let wide = Policy {
            expiring_within_days: 60,
            unused_for_days: 7,
        };
        let found = findings(&tokens, now(), &wide);
        assert_eq!(ids(&found, FindingKind::ExpiringSoon), ["t"]);
        assert_eq!(ids(&found, FindingKind::Unused), ["t"]);
        assert!(findings(&tokens, now(), &POLICY).is_empty());
    }

    #[test]
    fn details_give_the_date_and_the_distance_from_now() {
        let mut t = token("t");
        t.end_at = Some(at(-13));
        let tokens = [t];
        let found = findings(&tokens, now(), &POLICY);
        assert_eq!(found[0].detail, "expired 2026-01-02 (13 days ago)");
        assert_eq!(relative(at(17), now()), "in 17 days");
        assert_eq!(relative(now(), now()), "today");
        assert_eq!(relative(at(-1), now()), "1 day ago");
    }
}
