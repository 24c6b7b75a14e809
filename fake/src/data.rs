//! Deterministic seed data for the fake: a tiny PRNG (splitmix64), cuid-like ids, the
//! pools of workspaces, deployments, DAGs and tags that tokens point at, and realistic
//! [`ApiToken`]s generated from them. The same `(organization, n, seed, anchor)` always
//! yields the same tokens, byte for byte.

use chrono::{DateTime, Duration, Utc};

use astro_tokens::generated::open_enums::{
    ApiTokenKind, ApiTokenRoleEntityType, ApiTokenScope, SubjectType,
};
use astro_tokens::generated::types::{ApiToken, ApiTokenRole, BasicSubjectProfile};

use crate::built;

/// Default organization id the fake serves: cuid-shaped (25 chars, leading `c`) like real
/// Astro ids, but visibly fake.
pub const DEFAULT_ORGANIZATION_ID: &str = "clz9fake0org00000000demo1";
/// Default bearer token the fake accepts. Never appears in the served data.
pub const DEFAULT_TOKEN: &str = "astro-fake-bearer-token-do-not-use";
/// Default PRNG seed for the generated data set.
pub const DEFAULT_SEED: u64 = 0x5EED_A57E_0000_0001;
/// Default number of seeded tokens.
pub const DEFAULT_TOKEN_COUNT: usize = 250;

/// Default anchor ("now" of the seeded data): 2026-01-15T12:00:00Z.
pub fn default_anchor() -> DateTime<Utc> {
    DateTime::from_timestamp(1_768_478_400, 0).unwrap_or_default()
}

/// splitmix64: tiny, fast, good enough for test data, and stable across platforms.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `0..n` (0 when `n == 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// `true` with roughly `percent`% probability.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Index into a slice of `len` items.
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A uniformly chosen instant in `[from, to]` (whole seconds); `from` if the range is empty.
    fn between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        let span = (to - from).num_seconds();
        if span <= 0 {
            return from;
        }
        from + Duration::seconds(self.below(span as u64 + 1) as i64)
    }
}

pub(crate) const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
pub(crate) const BASE62: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(crate) fn encode(mut value: u64, width: usize, alphabet: &[u8]) -> String {
    let base = alphabet.len() as u64;
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = alphabet[(value % base) as usize];
        value /= base;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A cuid-like id: `c` + 8 base36 chars of the millisecond timestamp + 16 random base36 chars.
fn cuid(rng: &mut SplitMix64, at: DateTime<Utc>) -> String {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    format!(
        "c{}{}{}",
        encode(millis, 8, BASE36),
        encode(rng.next_u64(), 8, BASE36),
        encode(rng.next_u64(), 8, BASE36)
    )
}

/// A deployment of the seeded pool and the workspace it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolDeployment {
    /// Deployment id (cuid-like).
    pub id: String,
    /// Id of the workspace containing it.
    pub workspace_id: String,
}

/// A DAG of the seeded pool. DAG ids are not globally unique: the same DAG id (e.g.
/// `example_dag`) exists in several deployments, as in real Airflow estates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolDag {
    /// The DAG id (what a `DAG` role's `entityId` holds).
    pub dag_id: String,
    /// The deployment running it (a `DAG` role's `deploymentId`).
    pub deployment_id: String,
}

/// The entities seeded tokens refer to. Depends on the seed only (not on `n` or the anchor).
#[derive(Clone, Debug, PartialEq)]
pub struct SeedPools {
    /// 3 workspace ids.
    pub workspaces: Vec<String>,
    /// 6 deployments, 2 per workspace.
    pub deployments: Vec<PoolDeployment>,
    /// 18 (DAG id, deployment) pairs over 8 distinct DAG ids, 3 per deployment.
    pub dags: Vec<PoolDag>,
    /// 6 DAG tags (what a `DAG_TAG` role's `entityId` holds).
    pub dag_tags: Vec<String>,
    /// 6 users (`subjectType: USER`, with `fullName`, `username`, `avatarUrl`).
    pub users: Vec<BasicSubjectProfile>,
    /// 3 service keys (`subjectType: SERVICEKEY`, with `apiTokenName`).
    pub service_keys: Vec<BasicSubjectProfile>,
}

const DAG_IDS: [&str; 8] = [
    "etl_orders_daily",
    "ml_feature_refresh",
    "dbt_run_marts",
    "s3_to_snowflake",
    "customer_360",
    "example_dag",
    "data_quality_checks",
    "reverse_etl_hubspot",
];
const DAG_TAGS: [&str; 6] = ["finance", "marketing", "ml", "critical", "hourly", "pii"];
const USERS: [(&str, &str); 6] = [
    ("Jane Doe", "jane.doe@example.com"),
    ("Ravi Patel", "ravi.patel@example.com"),
    ("Mei Chen", "mei.chen@example.com"),
    ("Lucas Silva", "lucas.silva@example.com"),
    ("Amara Okafor", "amara.okafor@example.com"),
    ("Élodie Martin", "elodie.martin@example.com"),
];
const SERVICE_KEYS: [&str; 3] = [
    "terraform-provisioner",
    "github-actions-ci",
    "astro-cli-automation",
];

/// The pools for `seed`.
pub fn seed_pools(seed: u64) -> SeedPools {
    let mut rng = SplitMix64::new(seed ^ 0x9001_5EED_0000_0000);
    let epoch = default_anchor() - Duration::days(1000);
    let stamp = |rng: &mut SplitMix64| rng.between(epoch, epoch + Duration::days(200));
    let workspaces: Vec<String> = (0..3)
        .map(|_| {
            let at = stamp(&mut rng);
            cuid(&mut rng, at)
        })
        .collect();
    let mut deployments = Vec::new();
    for workspace in &workspaces {
        for _ in 0..2 {
            let at = stamp(&mut rng);
            deployments.push(PoolDeployment {
                id: cuid(&mut rng, at),
                workspace_id: workspace.clone(),
            });
        }
    }
    let mut dags = Vec::new();
    for (j, deployment) in deployments.iter().enumerate() {
        for k in 0..3 {
            dags.push(PoolDag {
                dag_id: DAG_IDS[(j * 3 + k) % DAG_IDS.len()].to_owned(),
                deployment_id: deployment.id.clone(),
            });
        }
    }
    let users = USERS
        .iter()
        .map(|(full_name, username)| {
            let at = stamp(&mut rng);
            let id = cuid(&mut rng, at);
            built(
                BasicSubjectProfile::builder()
                    .avatar_url(Some(format!("https://avatars.example.com/u/{id}.png")))
                    .id(id)
                    .full_name(Some((*full_name).to_owned()))
                    .subject_type(Some(SubjectType::User))
                    .username(Some((*username).to_owned())),
            )
        })
        .collect();
    let service_keys = SERVICE_KEYS
        .iter()
        .map(|name| {
            let at = stamp(&mut rng);
            built(
                BasicSubjectProfile::builder()
                    .id(cuid(&mut rng, at))
                    .api_token_name(Some((*name).to_owned()))
                    .subject_type(Some(SubjectType::Servicekey)),
            )
        })
        .collect();
    SeedPools {
        workspaces,
        deployments,
        dags,
        dag_tags: DAG_TAGS.iter().map(|t| (*t).to_owned()).collect(),
        users,
        service_keys,
    }
}

const NAME_BASES: [&str; 10] = [
    "ci-deploy-bot",
    "airflow-sync",
    "terraform",
    "dbt-runner",
    "monitoring",
    "backup-job",
    "github-actions",
    "data-platform",
    "ml-pipeline",
    "astro-cli",
];
const PERIODS: [i64; 6] = [7, 30, 60, 90, 180, 365];

/// `n` seeded tokens for [`DEFAULT_ORGANIZATION_ID`]; see [`seed_tokens_for`].
pub fn seed_tokens(n: usize, seed: u64, anchor: DateTime<Utc>) -> Vec<ApiToken> {
    seed_tokens_for(DEFAULT_ORGANIZATION_ID, n, seed, anchor)
}

/// `n` deterministic, realistic tokens of `organization_id`, in insertion order, which is
/// also `createdAt` ascending (creation times spread over the two years before `anchor`;
/// a few consecutive tokens share a creation second, as batch-created tokens do).
///
/// Properties (for the default 250 tokens, all hold many times over):
/// - all three `scope`s and both `kind`s; roles of every entity type, `DAG`/`DAG_TAG` roles
///   carry `deploymentId`; `ORGANIZATION` roles point at `organization_id`;
/// - names like `ci-deploy-bot-017` that repeat (every token `i ≡ 5 mod 10` copies the name
///   of token `i - 3`), descriptions that repeat and are sometimes empty;
/// - expiry: ~35% never expire (no `expiryPeriodInDays`/`endAt`), others already expired,
///   expiring within 30 days of `anchor`, or later; rotated tokens (`lastRotatedAt`) restart
///   their period from the rotation;
/// - `lastUsedAt`: absent (never used), old (> 90 days before `anchor`) or recent;
/// - a few tokens start after `anchor` (scheduled);
/// - `createdBy`/`updatedBy`: users or service keys, occasionally absent;
/// - `token` (the secret) is always absent: the list endpoint does not return it.
pub fn seed_tokens_for(
    organization_id: &str,
    n: usize,
    seed: u64,
    anchor: DateTime<Utc>,
) -> Vec<ApiToken> {
    let pools = seed_pools(seed);
    let mut rng = SplitMix64::new(seed);
    let origin = anchor - Duration::days(730);
    let span = 700 * 86_400_i64;
    let step = (span / i64::try_from(n.max(1)).unwrap_or(i64::MAX)).max(1);
    let suffixes = (n as u64 / 20).max(3);
    let mut tokens: Vec<ApiToken> = Vec::with_capacity(n);
    for i in 0..n {
        let created_at = match tokens.last() {
            Some(prev) if i % 25 == 1 => prev.created_at,
            _ => {
                let at = i64::try_from(i).unwrap_or(i64::MAX).saturating_mul(step);
                origin + Duration::seconds(at + rng.below(step as u64) as i64)
            }
        };
        let scope = match i {
            0 => ApiTokenScope::Organization,
            1 => ApiTokenScope::Workspace,
            2 => ApiTokenScope::Deployment,
            _ => match rng.below(100) {
                0..20 => ApiTokenScope::Organization,
                20..60 => ApiTokenScope::Workspace,
                _ => ApiTokenScope::Deployment,
            },
        };
        let kind = if i == 3 || rng.chance(25) {
            ApiTokenKind::DirectAccess
        } else {
            ApiTokenKind::Standard
        };
        let name = if i % 10 == 5 {
            tokens[i - 3].name.clone()
        } else {
            let base = NAME_BASES[rng.index(NAME_BASES.len())];
            format!("{base}-{:03}", rng.below(suffixes))
        };
        let roles = roles(&mut rng, &pools, organization_id, &scope);
        let description = description(&mut rng, &pools, &roles);
        let start_at = match rng.below(100) {
            0..3 => anchor + Duration::seconds(3600 + rng.below(10 * 86_400) as i64),
            3..15 => {
                (created_at + Duration::seconds(3600 + rng.below(5 * 86_400) as i64)).min(anchor)
            }
            _ => created_at,
        };
        let (expiry_period_in_days, end_at, last_rotated_at) = expiry(&mut rng, start_at, anchor);
        let changed = last_rotated_at.unwrap_or(created_at).max(created_at);
        let updated_at = if rng.chance(40) || changed >= anchor {
            changed
        } else {
            rng.between(changed, anchor)
        };
        let last_used_at = last_used(&mut rng, start_at, end_at, anchor);
        let created_by = subject(&mut rng, &pools, 5);
        let updated_by = if rng.chance(60) && created_by.is_some() {
            created_by.clone()
        } else {
            subject(&mut rng, &pools, 0)
        };
        let id = cuid(&mut rng, created_at);
        let short_token = encode(rng.next_u64(), 8, BASE62);
        tokens.push(built(
            ApiToken::builder()
                .created_at(created_at)
                .created_by(created_by)
                .description(description)
                .end_at(end_at)
                .expiry_period_in_days(expiry_period_in_days)
                .id(id)
                .kind(kind)
                .last_rotated_at(last_rotated_at)
                .last_used_at(last_used_at)
                .name(name)
                .roles(roles)
                .short_token(short_token)
                .start_at(start_at)
                .scope(scope)
                .updated_at(updated_at)
                .updated_by(updated_by),
        ));
    }
    tokens
}

fn role(entity_type: ApiTokenRoleEntityType, entity_id: &str, role: &str) -> ApiTokenRole {
    built(
        ApiTokenRole::builder()
            .entity_id(entity_id)
            .entity_type(entity_type)
            .role(role),
    )
}

fn pick<'a>(rng: &mut SplitMix64, items: &[&'a str]) -> &'a str {
    items[rng.index(items.len())]
}

/// DAG and DAG_TAG roles on `deployment_id` (each with probability `percent`).
fn dag_roles(
    rng: &mut SplitMix64,
    pools: &SeedPools,
    deployment_id: &str,
    percent: u64,
    roles: &mut Vec<ApiTokenRole>,
) {
    if rng.chance(percent) {
        let dags: Vec<&PoolDag> = pools
            .dags
            .iter()
            .filter(|d| d.deployment_id == deployment_id)
            .collect();
        let first = rng.index(dags.len());
        for k in 0..=rng.index(2) {
            if let Some(dag) = dags.get((first + k) % dags.len().max(1)) {
                let mut r = role(
                    ApiTokenRoleEntityType::Dag,
                    &dag.dag_id,
                    pick(rng, &["DAG_VIEWER", "DAG_AUTHOR"]),
                );
                r.deployment_id = Some(deployment_id.to_owned());
                roles.push(r);
            }
        }
    }
    if rng.chance(percent) {
        let first = rng.index(pools.dag_tags.len());
        for k in 0..=rng.index(2) {
            let tag = &pools.dag_tags[(first + k) % pools.dag_tags.len()];
            let mut r = role(
                ApiTokenRoleEntityType::DagTag,
                tag,
                pick(rng, &["DAG_VIEWER", "DAG_AUTHOR"]),
            );
            r.deployment_id = Some(deployment_id.to_owned());
            roles.push(r);
        }
    }
}

fn roles(
    rng: &mut SplitMix64,
    pools: &SeedPools,
    organization_id: &str,
    scope: &ApiTokenScope,
) -> Vec<ApiTokenRole> {
    let mut roles = Vec::new();
    match scope {
        ApiTokenScope::Organization => {
            roles.push(role(
                ApiTokenRoleEntityType::Organization,
                organization_id,
                pick(
                    rng,
                    &[
                        "ORGANIZATION_OWNER",
                        "ORGANIZATION_MEMBER",
                        "ORGANIZATION_BILLING_ADMIN",
                    ],
                ),
            ));
            if rng.chance(40) {
                let ws = &pools.workspaces[rng.index(pools.workspaces.len())];
                roles.push(role(
                    ApiTokenRoleEntityType::Workspace,
                    ws,
                    pick(rng, &["WORKSPACE_OPERATOR", "WORKSPACE_MEMBER"]),
                ));
            }
        }
        ApiTokenScope::Workspace => {
            let ws = &pools.workspaces[rng.index(pools.workspaces.len())];
            roles.push(role(
                ApiTokenRoleEntityType::Workspace,
                ws,
                pick(
                    rng,
                    &[
                        "WORKSPACE_MEMBER",
                        "WORKSPACE_AUTHOR",
                        "WORKSPACE_OPERATOR",
                        "WORKSPACE_OWNER",
                    ],
                ),
            ));
            if rng.chance(30) {
                let own: Vec<&PoolDeployment> = pools
                    .deployments
                    .iter()
                    .filter(|d| &d.workspace_id == ws)
                    .collect();
                if let Some(dep) = own.get(rng.index(own.len())) {
                    roles.push(role(
                        ApiTokenRoleEntityType::Deployment,
                        &dep.id,
                        "DEPLOYMENT_ADMIN",
                    ));
                    dag_roles(rng, pools, &dep.id, 30, &mut roles);
                }
            }
        }
        _ => {
            let dep = &pools.deployments[rng.index(pools.deployments.len())];
            roles.push(role(
                ApiTokenRoleEntityType::Deployment,
                &dep.id,
                pick(
                    rng,
                    &["DEPLOYMENT_ADMIN", "DEPLOYMENT_ADMIN", "DEPLOYMENT_VIEWER"],
                ),
            ));
            dag_roles(rng, pools, &dep.id, 35, &mut roles);
        }
    }
    roles
}

fn description(rng: &mut SplitMix64, pools: &SeedPools, roles: &[ApiTokenRole]) -> String {
    let entity = roles.first().map_or("", |r| r.entity_id.as_str());
    match rng.below(10) {
        0 => String::new(),
        1 => "Read-only token for Grafana dashboards".to_owned(),
        2 => "Deploys DAGs from the main branch via GitHub Actions".to_owned(),
        3 => format!("Used by Terraform to manage {entity}"),
        4 => format!("Temporary token for incident INC-{}", 1000 + rng.below(40)),
        5 => {
            let user = &pools.users[rng.index(pools.users.len())];
            format!(
                "Rotated quarterly; owner: {}",
                user.full_name.as_deref().unwrap_or("unknown")
            )
        }
        6 => "CI pipeline token".to_owned(),
        7 => "dbt Cloud → Airflow trigger".to_owned(),
        _ => "Legacy token, scheduled for removal".to_owned(),
    }
}

fn subject(
    rng: &mut SplitMix64,
    pools: &SeedPools,
    absent_percent: u64,
) -> Option<BasicSubjectProfile> {
    if rng.chance(absent_percent) {
        return None;
    }
    if rng.chance(75) {
        Some(pools.users[rng.index(pools.users.len())].clone())
    } else {
        Some(pools.service_keys[rng.index(pools.service_keys.len())].clone())
    }
}

type Expiry = (Option<i64>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `(expiryPeriodInDays, endAt, lastRotatedAt)`; `endAt` = (rotation or start) + period.
fn expiry(rng: &mut SplitMix64, start: DateTime<Utc>, anchor: DateTime<Utc>) -> Expiry {
    let day = Duration::days(1);
    let category = rng.below(100);
    if category < 35 {
        let rotated = (rng.chance(10) && start < anchor).then(|| rng.between(start, anchor));
        return (None, None, rotated);
    }
    if category < 60 {
        // Already expired: start + period < anchor - 1 day.
        let feasible: Vec<i64> = PERIODS
            .iter()
            .copied()
            .filter(|p| start + day * (*p as i32) < anchor - day)
            .collect();
        if !feasible.is_empty() {
            let p = feasible[rng.index(feasible.len())];
            return (Some(p), Some(start + Duration::days(p)), None);
        }
    } else if category < 80 {
        // Expiring within 30 days of the anchor, through a rotation if needed.
        let target = anchor + Duration::seconds(3600 + rng.below(29 * 86_400) as i64);
        let feasible: Vec<i64> = PERIODS
            .iter()
            .copied()
            .filter(|p| {
                let from = target - Duration::days(*p);
                from >= start && from <= anchor
            })
            .collect();
        if feasible.is_empty() {
            return (Some(7), Some(start + Duration::days(7)), None);
        }
        let p = feasible[rng.index(feasible.len())];
        let from = target - Duration::days(p);
        let rotated = (from > start).then_some(from);
        return (Some(p), Some(target), rotated);
    }
    // Expiring later than 30 days from the anchor.
    let p = [90_i64, 180, 365][rng.index(3)];
    if start + Duration::days(p) > anchor + Duration::days(30) {
        return (Some(p), Some(start + Duration::days(p)), None);
    }
    let back = rng.below(((p - 31) * 86_400) as u64) as i64;
    let from = (anchor - Duration::seconds(back)).max(start);
    (
        Some(p),
        Some(from + Duration::days(p)),
        (from > start).then_some(from),
    )
}

fn last_used(
    rng: &mut SplitMix64,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    anchor: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if start >= anchor {
        return None;
    }
    let used = match rng.below(100) {
        0..20 => return None,
        20..45 => {
            let latest = anchor - Duration::days(91);
            if start > latest {
                return None;
            }
            rng.between(start.max(anchor - Duration::days(400)), latest)
        }
        _ => rng.between(start.max(anchor - Duration::days(30)), anchor),
    };
    match end {
        Some(end) if used > end => Some(rng.between(start.max(end - Duration::days(10)), end)),
        _ => Some(used),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = seed_tokens(100, 7, default_anchor());
        let b = seed_tokens(100, 7, default_anchor());
        let c = seed_tokens(100, 8, default_anchor());
        assert_eq!(a.len(), 100);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(seed_tokens(0, 7, default_anchor()).is_empty());
    }

    #[test]
    fn default_data_has_every_shape() {
        let anchor = default_anchor();
        let tokens = seed_tokens(DEFAULT_TOKEN_COUNT, DEFAULT_SEED, anchor);
        let any = |f: &dyn Fn(&ApiToken) -> bool| tokens.iter().filter(|t| f(t)).count();
        for t in ["ORGANIZATION", "WORKSPACE", "DEPLOYMENT"] {
            assert!(any(&|x| x.scope.as_str() == t) > 10, "scope {t}");
        }
        for k in ["STANDARD", "DIRECT_ACCESS"] {
            assert!(any(&|x| x.kind.as_str() == k) > 10, "kind {k}");
        }
        for e in ["ORGANIZATION", "WORKSPACE", "DEPLOYMENT", "DAG", "DAG_TAG"] {
            assert!(
                any(&|x| x.roles.iter().any(|r| r.entity_type.as_str() == e)) > 5,
                "role {e}"
            );
        }
        assert!(tokens.iter().all(|t| {
            t.roles.iter().all(|r| {
                matches!(r.entity_type.as_str(), "DAG" | "DAG_TAG") == r.deployment_id.is_some()
            })
        }));
        assert!(any(&|x| x.end_at.is_none() && x.expiry_period_in_days.is_none()) > 20);
        assert!(any(&|x| x.end_at.is_some_and(|e| e < anchor)) > 10);
        assert!(
            any(&|x| x
                .end_at
                .is_some_and(|e| e > anchor && e <= anchor + Duration::days(30)))
                > 10
        );
        assert!(any(&|x| x.end_at.is_some_and(|e| e > anchor + Duration::days(30))) > 10);
        assert!(any(&|x| x.last_used_at.is_none()) > 10);
        assert!(
            any(&|x| x
                .last_used_at
                .is_some_and(|u| u < anchor - Duration::days(90)))
                > 10
        );
        assert!(
            any(&|x| x
                .last_used_at
                .is_some_and(|u| u > anchor - Duration::days(30)))
                > 10
        );
        assert!(any(&|x| x.last_rotated_at.is_some()) > 5);
        assert!(any(&|x| x.start_at > anchor) > 0);
        assert!(any(&|x| x.created_by.is_none()) > 0);
        assert!(tokens.iter().all(|t| t.token.is_none()));
        assert!(
            tokens
                .iter()
                .all(|t| t.id.len() == 25 && t.id.starts_with('c'))
        );
        assert!(tokens.iter().all(|t| t.short_token != DEFAULT_TOKEN));
        // Insertion order is createdAt ascending, with ties.
        assert!(
            tokens
                .windows(2)
                .all(|w| w[0].created_at <= w[1].created_at)
        );
        assert!(
            tokens
                .windows(2)
                .any(|w| w[0].created_at == w[1].created_at)
        );
        // Names repeat; ids do not.
        let mut names: Vec<&str> = tokens.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() < tokens.len() - 20);
        let mut ids: Vec<&str> = tokens.iter().map(|t| t.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), tokens.len());
        // Time invariants.
        for t in &tokens {
            assert!(t.created_at <= anchor && t.updated_at <= anchor, "{}", t.id);
            assert!(t.start_at >= t.created_at && t.updated_at >= t.created_at);
            if let Some(r) = t.last_rotated_at {
                assert!(
                    r >= t.start_at && r <= anchor && t.updated_at >= r,
                    "{}",
                    t.id
                );
            }
            if let Some(u) = t.last_used_at {
                assert!(u >= t.start_at && u <= anchor);
                assert!(t.end_at.is_none_or(|e| u <= e));
            }
            assert_eq!(t.end_at.is_some(), t.expiry_period_in_days.is_some());
            if let (Some(end), Some(p)) = (t.end_at, t.expiry_period_in_days) {
                let from = t.last_rotated_at.unwrap_or(t.start_at);
                assert_eq!(end - from, Duration::days(p), "{}", t.id);
            }
        }
    }

    #[test]
    fn every_pool_member_is_referenced() {
        let pools = seed_pools(DEFAULT_SEED);
        let tokens = seed_tokens(DEFAULT_TOKEN_COUNT, DEFAULT_SEED, default_anchor());
        let has = |kind: &str, id: &str| {
            tokens
                .iter()
                .filter(|t| {
                    t.roles
                        .iter()
                        .any(|r| r.entity_type.as_str() == kind && r.entity_id == id)
                })
                .count()
        };
        for w in &pools.workspaces {
            assert!(has("WORKSPACE", w) >= 3, "workspace {w}");
        }
        for d in &pools.deployments {
            assert!(has("DEPLOYMENT", &d.id) >= 3, "deployment {}", d.id);
        }
        for d in &pools.dags {
            assert!(has("DAG", &d.dag_id) >= 2, "dag {}", d.dag_id);
        }
        for t in &pools.dag_tags {
            assert!(has("DAG_TAG", t) >= 2, "tag {t}");
        }
    }
}
