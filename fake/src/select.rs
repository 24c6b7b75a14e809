//! The fake's data set and its list semantics: filters (AND-combined), multi-key sorting
//! with a total tie-break, and offset/limit paging that clones only the served page.
//!
//! Filter definitions:
//! - `workspaceId=W`: `WORKSPACE`-scope tokens with a `WORKSPACE` role on `W`, and
//!   `DEPLOYMENT`-scope tokens with a role on a deployment of `W` (a `DEPLOYMENT` role's
//!   `entityId`, or a `DAG`/`DAG_TAG` role's `deploymentId`). `ORGANIZATION` tokens never
//!   match, even with a workspace role. Including the Deployment tokens is an assumption:
//!   Astro documents only "filters on Workspace", not whether a workspace's deployments'
//!   tokens are listed. Which workspace a deployment belongs to comes from the seed pools,
//!   `FakeApiBuilder::deployment_in_workspace`, and what the data shows: a
//!   `WORKSPACE`-scope token with a `WORKSPACE` role on `W` and a role on deployment `D`
//!   puts `D` in `W` (first seen wins).
//! - `deploymentId=D`: any token with a `DEPLOYMENT` role on `D` or a `DAG`/`DAG_TAG` role
//!   whose `deploymentId` is `D`.
//! - `dagId=X`: tokens with a `DAG` role whose `entityId` is `X` (in any deployment).
//! - `dagTags=a&dagTags=b`: tokens with a `DAG_TAG` role whose `entityId` is any listed tag.
//! - `includeOnlyOrganizationTokens=true`: `scope` `ORGANIZATION` only (`false`: no filter).
//! - `kind=K`: `kind` equals `K`.
//!
//! Order: without `sorts`, insertion order (for seeded data that is `createdAt` ascending).
//! With `sorts`, the keys in the given order (strings compare by bytes), then `id`
//! ascending, then insertion order, so the order is total and deterministic.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::query::{ListQuery, SortField, SortKey};
use astro_tokens::generated::open_enums::{ApiTokenRoleEntityType, ApiTokenScope};
use astro_tokens::generated::types::ApiToken;

/// Tokens plus what the filters need to know about them.
#[derive(Debug, Default)]
struct Store {
    tokens: Vec<ApiToken>,
    /// deployment id → workspace id.
    deployment_workspace: HashMap<String, String>,
    /// Bumped on every mutation; keys the selection cache.
    version: u64,
}

impl Store {
    fn learn(&mut self, token: &ApiToken) {
        if token.scope != ApiTokenScope::Workspace {
            return;
        }
        let Some(workspace) = token
            .roles
            .iter()
            .find(|r| r.entity_type == ApiTokenRoleEntityType::Workspace)
        else {
            return;
        };
        for deployment in token.roles.iter().filter_map(deployment_of) {
            self.deployment_workspace
                .entry(deployment.to_owned())
                .or_insert_with(|| workspace.entity_id.clone());
        }
    }
}

/// How many distinct selections (filters + sorts) keep their match list cached.
const CACHED_SELECTIONS: usize = 4;

/// The matching indices, in order, of one selection at one data version.
#[derive(Debug)]
struct Selection {
    version: u64,
    /// The query with `offset`/`limit` zeroed: only filters and sorts.
    key: ListQuery,
    matches: Arc<Vec<usize>>,
}

/// The fake's tokens, shared between the server task and the [`FakeApi`](super::FakeApi)
/// handle. Reads run concurrently. The ordered match list of the last few selections is
/// cached per data version, so paging through a large (filtered, sorted) set costs one
/// filter+sort for the first page and O(page) for each later one.
#[derive(Debug, Default)]
pub(crate) struct DataSet {
    store: RwLock<Store>,
    cache: Mutex<Vec<Selection>>,
}

fn deployment_of(role: &astro_tokens::generated::types::ApiTokenRole) -> Option<&str> {
    match role.entity_type {
        ApiTokenRoleEntityType::Deployment => Some(role.entity_id.as_str()),
        ApiTokenRoleEntityType::Dag | ApiTokenRoleEntityType::DagTag => {
            role.deployment_id.as_deref()
        }
        _ => None,
    }
}

fn is_match(
    token: &ApiToken,
    query: &ListQuery,
    deployment_workspace: &HashMap<String, String>,
) -> bool {
    if query.only_organization && token.scope != ApiTokenScope::Organization {
        return false;
    }
    if let Some(kind) = &query.kind
        && &token.kind != kind
    {
        return false;
    }
    if let Some(workspace) = &query.workspace_id {
        let hit = match token.scope {
            ApiTokenScope::Workspace => token.roles.iter().any(|r| {
                r.entity_type == ApiTokenRoleEntityType::Workspace && &r.entity_id == workspace
            }),
            ApiTokenScope::Deployment => token
                .roles
                .iter()
                .filter_map(deployment_of)
                .any(|d| deployment_workspace.get(d).is_some_and(|w| w == workspace)),
            _ => false,
        };
        if !hit {
            return false;
        }
    }
    if let Some(deployment) = &query.deployment_id
        && !token
            .roles
            .iter()
            .filter_map(deployment_of)
            .any(|d| d == deployment)
    {
        return false;
    }
    if let Some(dag) = &query.dag_id
        && !token
            .roles
            .iter()
            .any(|r| r.entity_type == ApiTokenRoleEntityType::Dag && &r.entity_id == dag)
    {
        return false;
    }
    if !query.dag_tags.is_empty()
        && !token.roles.iter().any(|r| {
            r.entity_type == ApiTokenRoleEntityType::DagTag && query.dag_tags.contains(&r.entity_id)
        })
    {
        return false;
    }
    true
}

fn compare(a: &ApiToken, b: &ApiToken, sorts: &[SortKey]) -> Ordering {
    for key in sorts {
        let ordering = match key.field {
            SortField::Name => a.name.cmp(&b.name),
            SortField::Description => a.description.cmp(&b.description),
            SortField::CreatedAt => a.created_at.cmp(&b.created_at),
            SortField::UpdatedAt => a.updated_at.cmp(&b.updated_at),
            SortField::StartAt => a.start_at.cmp(&b.start_at),
        };
        let ordering = if key.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.id.cmp(&b.id)
}

/// One page of a list answer.
#[derive(Debug)]
pub(crate) struct Page {
    /// Matches after filters.
    pub(crate) total: usize,
    /// The served slice of them.
    pub(crate) tokens: Vec<ApiToken>,
}

impl DataSet {
    pub(crate) fn new(
        tokens: Vec<ApiToken>,
        deployment_workspace: HashMap<String, String>,
    ) -> Self {
        let mut store = Store {
            tokens: Vec::new(),
            deployment_workspace,
            version: 0,
        };
        for token in &tokens {
            store.learn(token);
        }
        store.tokens = tokens;
        Self {
            store: RwLock::new(store),
            cache: Mutex::new(Vec::new()),
        }
    }

    /// A copy of every token, in insertion order.
    pub(crate) fn snapshot(&self) -> Vec<ApiToken> {
        self.store
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .tokens
            .clone()
    }

    pub(crate) fn len(&self) -> usize {
        self.store
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .tokens
            .len()
    }

    /// Inserts `token` at `index` (clamped to the end).
    pub(crate) fn insert(&self, index: usize, token: ApiToken) {
        let mut store = self.store.write().unwrap_or_else(PoisonError::into_inner);
        store.learn(&token);
        let index = index.min(store.tokens.len());
        store.tokens.insert(index, token);
        store.version += 1;
    }

    /// The indices of the matches of `query`, in order.
    fn matches(&self, store: &Store, query: &ListQuery) -> Arc<Vec<usize>> {
        let key = ListQuery {
            offset: 0,
            limit: 0,
            ..query.clone()
        };
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = cache
            .iter()
            .find(|c| c.version == store.version && c.key == key)
        {
            return Arc::clone(&hit.matches);
        }
        let mut matches: Vec<usize> = store
            .tokens
            .iter()
            .enumerate()
            .filter(|(_, token)| is_match(token, query, &store.deployment_workspace))
            .map(|(i, _)| i)
            .collect();
        if !query.sorts.is_empty() {
            // Stable: equal keys (including equal ids) keep insertion order.
            matches.sort_by(|&a, &b| compare(&store.tokens[a], &store.tokens[b], &query.sorts));
        }
        let matches = Arc::new(matches);
        cache.retain(|c| c.version == store.version);
        cache.truncate(CACHED_SELECTIONS - 1);
        cache.insert(
            0,
            Selection {
                version: store.version,
                key,
                matches: Arc::clone(&matches),
            },
        );
        matches
    }

    /// The page `[offset, offset + limit)` of the matches, and their count.
    pub(crate) fn page(&self, query: &ListQuery, offset: usize, limit: usize) -> Page {
        let store = self.store.read().unwrap_or_else(PoisonError::into_inner);
        let matches = self.matches(&store, query);
        let start = offset.min(matches.len());
        let end = offset.saturating_add(limit).min(matches.len());
        Page {
            total: matches.len(),
            tokens: matches[start..end]
                .iter()
                .filter_map(|&i| store.tokens.get(i).cloned())
                .collect(),
        }
    }

    /// Every match, in order (no paging).
    pub(crate) fn select(&self, query: &ListQuery) -> Vec<ApiToken> {
        let store = self.store.read().unwrap_or_else(PoisonError::into_inner);
        self.matches(&store, query)
            .iter()
            .filter_map(|&i| store.tokens.get(i).cloned())
            .collect()
    }
}
