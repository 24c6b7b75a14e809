//! The audit's rules: pure functions over the listed tokens, the thresholds and a "now".
//! No I/O, no policy file, no output here.
//!
//! [`evaluate`] returns every finding that applies, grouped by rule in [`FindingId::ALL`]
//! order and, within a rule, in the listing's order. An expired token gets `expired` and no
//! other date-based finding (not `never-used`, `unused` or `not-rotated`); the
//! non-date findings (`organization-role`, `duplicate-name`) still apply to it.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use astro_tokens::{ApiToken, ApiTokenRole, ApiTokenRoleEntityType};

/// The largest threshold (100 years), so date arithmetic cannot overflow.
pub const MAX_DAYS: u32 = 36_500;

/// The role that makes an `organization-role` finding `high`.
pub const OWNER_ROLE: &str = "ORGANIZATION_OWNER";

/// What a finding is about: a stable id, the same in every format and in the policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingId {
    /// `endAt` ≤ now.
    Expired,
    /// now < `endAt` ≤ now + `expiring_within_days`.
    ExpiringSoon,
    /// No `endAt`.
    NoExpiry,
    /// No `lastUsedAt`, and `createdAt` ≤ now − `never_used_grace_days`.
    NeverUsed,
    /// `lastUsedAt` ≤ now − `unused_for_days`.
    Unused,
    /// (`lastRotatedAt`, else `createdAt`) ≤ now − `rotate_after_days`.
    NotRotated,
    /// At least one role on the `ORGANIZATION` entity.
    OrganizationRole,
    /// Another listed token has the same `name`.
    DuplicateName,
}

impl FindingId {
    /// Every finding, in report order.
    pub const ALL: [FindingId; 8] = [
        Self::Expired,
        Self::ExpiringSoon,
        Self::NoExpiry,
        Self::NeverUsed,
        Self::Unused,
        Self::NotRotated,
        Self::OrganizationRole,
        Self::DuplicateName,
    ];

    /// The id: `expired`, `expiring-soon`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::ExpiringSoon => "expiring-soon",
            Self::NoExpiry => "no-expiry",
            Self::NeverUsed => "never-used",
            Self::Unused => "unused",
            Self::NotRotated => "not-rotated",
            Self::OrganizationRole => "organization-role",
            Self::DuplicateName => "duplicate-name",
        }
    }

    /// The default severity of a finding about `token` (only `organization-role` depends
    /// on the token: `high` for [`OWNER_ROLE`], else `medium`).
    pub fn default_severity(self, token: &ApiToken) -> Severity {
        self.fixed_severity().unwrap_or_else(|| {
            if organization_roles(token).any(|r| r.role == OWNER_ROLE) {
                Severity::High
            } else {
                Severity::Medium
            }
        })
    }

    /// The default severity when it does not depend on the token (`None`:
    /// `organization-role`).
    pub fn fixed_severity(self) -> Option<Severity> {
        match self {
            Self::Expired | Self::NotRotated | Self::DuplicateName => Some(Severity::Low),
            Self::ExpiringSoon | Self::NoExpiry | Self::NeverUsed | Self::Unused => {
                Some(Severity::Medium)
            }
            Self::OrganizationRole => None,
        }
    }

    /// The default severity for people: `low`, `medium`, or `medium/high`.
    pub fn default_severity_label(self) -> &'static str {
        self.fixed_severity()
            .map_or("medium/high", Severity::as_str)
    }

    /// The rule, for people, with the thresholds in force.
    pub fn rule(self, thresholds: &Thresholds) -> String {
        match self {
            Self::Expired => "endAt ≤ now".to_owned(),
            Self::ExpiringSoon => format!(
                "now < endAt ≤ now + {} days",
                thresholds.expiring_within_days
            ),
            Self::NoExpiry => "no endAt".to_owned(),
            Self::NeverUsed => format!(
                "no lastUsedAt, created {}+ days ago",
                thresholds.never_used_grace_days
            ),
            Self::Unused => format!("lastUsedAt {}+ days ago", thresholds.unused_for_days),
            Self::NotRotated => format!(
                "lastRotatedAt (else createdAt) {}+ days ago",
                thresholds.rotate_after_days
            ),
            Self::OrganizationRole => "a role on the ORGANIZATION entity".to_owned(),
            Self::DuplicateName => "another listed token has the same name".to_owned(),
        }
    }
}

impl std::fmt::Display for FindingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How bad a finding is. Ordered: `low` < `medium` < `high`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hygiene: worth fixing, no exposure on its own.
    Low,
    /// A token that is a standing risk (no expiry, unused, about to break).
    Medium,
    /// A token that can take over the organization.
    High,
}

impl Severity {
    /// Every severity, highest first (the report's order).
    pub const HIGHEST_FIRST: [Severity; 3] = [Self::High, Self::Medium, Self::Low];

    /// `low`, `medium`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The numbers the date-based rules use, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// `expiring-soon`: `endAt` within this many days from now.
    pub expiring_within_days: u32,
    /// `unused`: `lastUsedAt` this many days ago or earlier.
    pub unused_for_days: u32,
    /// `never-used`: only once the token was created this many days ago or earlier.
    pub never_used_grace_days: u32,
    /// `not-rotated`: last rotated (or created) this many days ago or earlier.
    pub rotate_after_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            expiring_within_days: 30,
            unused_for_days: 90,
            never_used_grace_days: 7,
            rotate_after_days: 180,
        }
    }
}

/// One rule that applies to one token.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    /// Which rule.
    pub id: FindingId,
    /// About which token.
    pub token: &'a ApiToken,
    /// Why, on one line: dates and their distance from now, roles, the other names.
    pub detail: String,
}

/// Every rule that applies to `tokens` at `now`, grouped by rule in [`FindingId::ALL`]
/// order, then in the listing's order.
pub fn evaluate<'a>(
    tokens: &'a [ApiToken],
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> Vec<Found<'a>> {
    let names = Names::of(tokens);
    FindingId::ALL
        .into_iter()
        .flat_map(|id| {
            let names = &names;
            tokens.iter().filter_map(move |token| {
                detail(id, token, thresholds, now, names).map(|detail| Found { id, token, detail })
            })
        })
        .collect()
}

/// Which listed tokens carry each name.
struct Names<'a>(HashMap<&'a str, Vec<&'a str>>);

impl<'a> Names<'a> {
    fn of(tokens: &'a [ApiToken]) -> Self {
        let mut names: HashMap<&str, Vec<&str>> = HashMap::new();
        for token in tokens {
            names.entry(&token.name).or_default().push(&token.id);
        }
        Self(names)
    }

    /// The ids of the other tokens named like `token`.
    fn others(&self, token: &ApiToken) -> Vec<&'a str> {
        self.0
            .get(token.name.as_str())
            .map(|ids| ids.iter().copied().filter(|id| *id != token.id).collect())
            .unwrap_or_default()
    }
}

/// The detail of rule `id` for `token`, or `None` when it does not apply.
fn detail(
    id: FindingId,
    token: &ApiToken,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
    names: &Names<'_>,
) -> Option<String> {
    let expired = is_expired(token, now);
    match id {
        FindingId::Expired => token
            .end_at
            .filter(|_| expired)
            .map(|end| format!("expired {}", when(end, now))),
        FindingId::ExpiringSoon => {
            let horizon = now.checked_add_signed(days(thresholds.expiring_within_days))?;
            let end = token.end_at.filter(|end| *end > now && *end <= horizon)?;
            Some(format!("expires {}", when(end, now)))
        }
        FindingId::NoExpiry => token
            .end_at
            .is_none()
            .then(|| "no expiration date (no endAt)".to_owned()),
        FindingId::NeverUsed => {
            let cutoff = now.checked_sub_signed(days(thresholds.never_used_grace_days))?;
            (!expired && token.last_used_at.is_none() && token.created_at <= cutoff)
                .then(|| format!("never used; created {}", when(token.created_at, now)))
        }
        FindingId::Unused => {
            let cutoff = now.checked_sub_signed(days(thresholds.unused_for_days))?;
            let used = token
                .last_used_at
                .filter(|used| !expired && *used <= cutoff)?;
            Some(format!("last used {}", when(used, now)))
        }
        FindingId::NotRotated => {
            let cutoff = now.checked_sub_signed(days(thresholds.rotate_after_days))?;
            if expired {
                return None;
            }
            match token.last_rotated_at {
                Some(rotated) => {
                    (rotated <= cutoff).then(|| format!("last rotated {}", when(rotated, now)))
                }
                None => (token.created_at <= cutoff)
                    .then(|| format!("never rotated; created {}", when(token.created_at, now))),
            }
        }
        FindingId::OrganizationRole => {
            let roles: Vec<&str> = organization_roles(token).map(|r| r.role.as_str()).collect();
            (!roles.is_empty()).then(|| format!("organization role {}", roles.join(", ")))
        }
        FindingId::DuplicateName => {
            let others = names.others(token);
            match others.len() {
                0 => None,
                1 => Some(format!("same name as 1 other token: {}", others[0])),
                n => Some(format!(
                    "same name as {n} other tokens: {}",
                    others.join(", ")
                )),
            }
        }
    }
}

/// `endAt` ≤ now.
fn is_expired(token: &ApiToken, now: DateTime<Utc>) -> bool {
    token.end_at.is_some_and(|end| end <= now)
}

/// The token's roles on the `ORGANIZATION` entity (an unknown entity type is not one).
pub fn organization_roles(token: &ApiToken) -> impl Iterator<Item = &ApiTokenRole> {
    token
        .roles
        .iter()
        .filter(|r| r.entity_type == ApiTokenRoleEntityType::Organization)
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
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-01-15T12:00:00Z".parse().expect("valid date")
    }

    fn at_days(days_from_now: i64) -> DateTime<Utc> {
        now() + Duration::days(days_from_now)
    }

    fn second() -> Duration {
        Duration::seconds(1)
    }

    /// A token with no finding at the default thresholds: created 10 days ago, used
    /// yesterday, expiring in 60 days, a workspace role; `fields` are merged over it.
    fn token(id: &str, fields: serde_json::Value) -> ApiToken {
        let mut value = json!({
            "id": id,
            "name": format!("name-{id}"),
            "description": "",
            "shortToken": "abcd1234",
            "scope": "WORKSPACE",
            "kind": "STANDARD",
            "createdAt": at_days(-10),
            "startAt": at_days(-10),
            "updatedAt": at_days(-10),
            "lastUsedAt": at_days(-1),
            "endAt": at_days(60),
            "expiryPeriodInDays": 70,
            "roles": [{"entityId": "ws1", "entityType": "WORKSPACE", "role": "WORKSPACE_MEMBER"}]
        });
        if let (Some(base), Some(extra)) = (value.as_object_mut(), fields.as_object()) {
            for (key, field) in extra {
                if field.is_null() {
                    base.remove(key);
                } else {
                    base.insert(key.clone(), field.clone());
                }
            }
        }
        serde_json::from_value(value).expect("valid token")
    }

    fn ids(tokens: &[ApiToken], id: FindingId, thresholds: &Thresholds) -> Vec<String> {
        evaluate(tokens, thresholds, now())
            .iter()
            .filter(|f| f.id == id)
            .map(|f| f.token.id.clone())
            .collect()
    }

    fn defaults() -> Thresholds {
        Thresholds::default()
    }

    #[test]
    fn a_clean_token_has_no_finding() {
        let tokens = [token("clean", json!({}))];
        assert!(evaluate(&tokens, &defaults(), now()).is_empty());
    }

    #[test]
    fn expired_is_end_at_now_or_before() {
        let tokens = [
            token("second-before", json!({"endAt": now() - second()})),
            token("exactly-now", json!({"endAt": now()})),
            token("second-after", json!({"endAt": now() + second()})),
            token("no-end", json!({"endAt": null, "expiryPeriodInDays": null})),
        ];
        assert_eq!(
            ids(&tokens, FindingId::Expired, &defaults()),
            ["second-before", "exactly-now"]
        );
    }

    #[test]
    fn expiring_soon_is_after_now_and_at_most_the_window() {
        let edge = at_days(30);
        let tokens = [
            token("exactly-now", json!({"endAt": now()})),
            token("second-after-now", json!({"endAt": now() + second()})),
            token("second-before-edge", json!({"endAt": edge - second()})),
            token("exactly-edge", json!({"endAt": edge})),
            token("second-after-edge", json!({"endAt": edge + second()})),
            token("no-end", json!({"endAt": null})),
        ];
        assert_eq!(
            ids(&tokens, FindingId::ExpiringSoon, &defaults()),
            ["second-after-now", "second-before-edge", "exactly-edge"]
        );
        let narrow = Thresholds {
            expiring_within_days: 0,
            ..defaults()
        };
        assert!(ids(&tokens, FindingId::ExpiringSoon, &narrow).is_empty());
    }

    #[test]
    fn no_expiry_is_an_absent_end_at() {
        let tokens = [
            token("absent", json!({"endAt": null, "expiryPeriodInDays": null})),
            token("period-but-no-end", json!({"endAt": null})),
            token("ends", json!({})),
            token("ended", json!({"endAt": now()})),
        ];
        assert_eq!(
            ids(&tokens, FindingId::NoExpiry, &defaults()),
            ["absent", "period-but-no-end"]
        );
    }

    #[test]
    fn never_used_starts_after_the_grace_period() {
        let edge = at_days(-7);
        let unused = |id: &str, created: DateTime<Utc>| {
            token(
                id,
                json!({"lastUsedAt": null, "createdAt": created, "startAt": created}),
            )
        };
        let tokens = [
            unused("second-before-edge", edge - second()),
            unused("exactly-edge", edge),
            unused("second-after-edge", edge + second()),
            token("used", json!({"createdAt": at_days(-400)})),
        ];
        assert_eq!(
            ids(&tokens, FindingId::NeverUsed, &defaults()),
            ["second-before-edge", "exactly-edge"]
        );
        let no_grace = Thresholds {
            never_used_grace_days: 0,
            ..defaults()
        };
        assert_eq!(ids(&tokens, FindingId::NeverUsed, &no_grace).len(), 3);
    }

    #[test]
    fn unused_is_last_used_at_the_threshold_or_earlier() {
        let edge = at_days(-90);
        let tokens = [
            token("second-before-edge", json!({"lastUsedAt": edge - second()})),
            token("exactly-edge", json!({"lastUsedAt": edge})),
            token("second-after-edge", json!({"lastUsedAt": edge + second()})),
            token("never", json!({"lastUsedAt": null})),
        ];
        let thresholds = defaults();
        assert_eq!(
            ids(&tokens, FindingId::Unused, &thresholds),
            ["second-before-edge", "exactly-edge"]
        );
    }

    #[test]
    fn not_rotated_uses_last_rotated_at_else_created_at() {
        let edge = at_days(-180);
        let created = |id: &str, at: DateTime<Utc>| {
            token(
                id,
                json!({"createdAt": at, "startAt": at, "lastUsedAt": now()}),
            )
        };
        let rotated = |id: &str, at: DateTime<Utc>| {
            token(
                id,
                json!({"createdAt": at_days(-900), "startAt": at_days(-900), "lastRotatedAt": at}),
            )
        };
        let tokens = [
            created("created-second-before", edge - second()),
            created("created-exactly", edge),
            created("created-second-after", edge + second()),
            rotated("rotated-second-before", edge - second()),
            rotated("rotated-exactly", edge),
            rotated("rotated-second-after", edge + second()),
        ];
        assert_eq!(
            ids(&tokens, FindingId::NotRotated, &defaults()),
            [
                "created-second-before",
                "created-exactly",
                "rotated-second-before",
                "rotated-exactly"
            ]
        );
    }

    #[test]
    fn an_expired_token_gets_no_other_date_finding() {
        let old = at_days(-400);
        let tokens = [token(
            "expired",
            json!({
                "endAt": at_days(-1), "createdAt": old, "startAt": old, "lastUsedAt": null,
                "roles": [{"entityId": "o", "entityType": "ORGANIZATION", "role": "ORGANIZATION_MEMBER"}]
            }),
        )];
        let found: Vec<FindingId> = evaluate(&tokens, &defaults(), now())
            .iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(found, [FindingId::Expired, FindingId::OrganizationRole]);

        let used_long_ago = [token(
            "expired-unused",
            json!({"endAt": now(), "createdAt": old, "startAt": old, "lastUsedAt": old}),
        )];
        let found: Vec<FindingId> = evaluate(&used_long_ago, &defaults(), now())
            .iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(found, [FindingId::Expired]);
    }

    #[test]
    fn organization_role_is_high_only_for_the_owner() {
        let role =
            |entity: &str, role: &str| json!({"entityId": "e", "entityType": entity, "role": role});
        let tokens = [
            token(
                "owner",
                json!({"roles": [role("WORKSPACE", "WORKSPACE_OWNER"), role("ORGANIZATION", "ORGANIZATION_OWNER")]}),
            ),
            token(
                "member",
                json!({"roles": [role("ORGANIZATION", "ORGANIZATION_MEMBER")]}),
            ),
            token(
                "future-role",
                json!({"roles": [role("ORGANIZATION", "ORGANIZATION_AUDITOR")]}),
            ),
            token(
                "future-entity",
                json!({"roles": [role("CLUSTER", "ORGANIZATION_OWNER")]}),
            ),
            token("workspace", json!({})),
            token("no-roles", json!({"roles": []})),
        ];
        let found = evaluate(&tokens, &defaults(), now());
        let org: Vec<(&str, Severity, &str)> = found
            .iter()
            .filter(|f| f.id == FindingId::OrganizationRole)
            .map(|f| {
                (
                    f.token.id.as_str(),
                    f.id.default_severity(f.token),
                    f.detail.as_str(),
                )
            })
            .collect();
        assert_eq!(
            org,
            [
                (
                    "owner",
                    Severity::High,
                    "organization role ORGANIZATION_OWNER"
                ),
                (
                    "member",
                    Severity::Medium,
                    "organization role ORGANIZATION_MEMBER"
                ),
                (
                    "future-role",
                    Severity::Medium,
                    "organization role ORGANIZATION_AUDITOR"
                ),
            ]
        );
    }

    #[test]
    fn duplicate_name_names_the_other_tokens() {
        let tokens = [
            token("a", json!({"name": "ci"})),
            token("b", json!({"name": "ci"})),
            token("c", json!({"name": "ci"})),
            token("d", json!({"name": "CI"})),
            token("e", json!({"name": "solo"})),
        ];
        let found = evaluate(&tokens, &defaults(), now());
        let dups: Vec<(&str, &str)> = found
            .iter()
            .filter(|f| f.id == FindingId::DuplicateName)
            .map(|f| (f.token.id.as_str(), f.detail.as_str()))
            .collect();
        assert_eq!(
            dups,
            [
                ("a", "same name as 2 other tokens: b, c"),
                ("b", "same name as 2 other tokens: a, c"),
                ("c", "same name as 2 other tokens: a, b"),
            ]
        );
    }

    #[test]
    fn findings_come_in_rule_order_then_listing_order() {
        let old = at_days(-400);
        let tokens = [
            token("z", json!({"endAt": null, "name": "same"})),
            token(
                "a",
                json!({"createdAt": old, "startAt": old, "name": "same"}),
            ),
        ];
        let found: Vec<(FindingId, &str)> = evaluate(&tokens, &defaults(), now())
            .iter()
            .map(|f| (f.id, f.token.id.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (FindingId::NoExpiry, "z"),
                (FindingId::NotRotated, "a"),
                (FindingId::DuplicateName, "z"),
                (FindingId::DuplicateName, "a"),
            ]
        );
    }

    #[test]
    fn the_largest_thresholds_do_not_overflow() {
        let max = Thresholds {
            expiring_within_days: MAX_DAYS,
            unused_for_days: MAX_DAYS,
            never_used_grace_days: MAX_DAYS,
            rotate_after_days: MAX_DAYS,
        };
        let tokens = [token("t", json!({}))];
        let found = evaluate(&tokens, &max, now());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, FindingId::ExpiringSoon);
    }

    #[test]
    fn details_give_the_date_and_the_distance_from_now() {
        let tokens = [token("t", json!({"endAt": at_days(-13)}))];
        let found = evaluate(&tokens, &defaults(), now());
        assert_eq!(found[0].detail, "expired 2026-01-02 (13 days ago)");
        assert_eq!(relative(at_days(17), now()), "in 17 days");
        assert_eq!(relative(now(), now()), "today");
        assert_eq!(relative(at_days(-1), now()), "1 day ago");
        assert_eq!(relative(at_days(1), now()), "in 1 day");
    }

    #[test]
    fn ids_are_stable_and_in_report_order() {
        let names: Vec<&str> = FindingId::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(
            names,
            [
                "expired",
                "expiring-soon",
                "no-expiry",
                "never-used",
                "unused",
                "not-rotated",
                "organization-role",
                "duplicate-name"
            ]
        );
        for id in FindingId::ALL {
            assert_eq!(
                serde_json::to_value(id).expect("serializes"),
                json!(id.as_str())
            );
        }
        assert!(Severity::Low < Severity::Medium && Severity::Medium < Severity::High);
    }
}
