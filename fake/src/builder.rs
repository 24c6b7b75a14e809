//! The fake's configuration: [`FakeApiBuilder`], its settings and [`start`](FakeApiBuilder::start),
//! which binds `127.0.0.1` and spawns the server.

use std::collections::HashMap;
use std::fmt::Display;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use astro_tokens::generated::types::ApiToken;
use chrono::{DateTime, Utc};

use crate::data::{
    DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, DEFAULT_TOKEN_COUNT, default_anchor,
    seed_pools, seed_tokens_for,
};
use crate::select::DataSet;
use crate::server::{self, Log, Shared};
use crate::{CannedResponse, FakeApi, RecordedRequest, Responder};

/// Configures and starts a [`FakeApi`]: `FakeApi::builder()…start().await`.
pub struct FakeApiBuilder {
    count: usize,
    seed: u64,
    organization_id: String,
    token: String,
    anchor: DateTime<Utc>,
    latency: Option<Duration>,
    ignore_offset: bool,
    max_limit: Option<usize>,
    go_nulls: bool,
    /// The tokens of [`with_data`](Self::with_data), or why one of them could not be built.
    data: Option<Result<Vec<ApiToken>, String>>,
    deployment_workspace: Vec<(String, String)>,
    responder: Option<Responder>,
    port: u16,
}

impl Default for FakeApiBuilder {
    fn default() -> Self {
        Self {
            count: DEFAULT_TOKEN_COUNT,
            seed: DEFAULT_SEED,
            organization_id: DEFAULT_ORGANIZATION_ID.to_owned(),
            token: DEFAULT_TOKEN.to_owned(),
            anchor: default_anchor(),
            latency: None,
            ignore_offset: false,
            max_limit: None,
            go_nulls: false,
            data: None,
            deployment_workspace: Vec::new(),
            responder: None,
            port: 0,
        }
    }
}

impl std::fmt::Debug for FakeApiBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeApiBuilder")
            .field("count", &self.count)
            .field("seed", &self.seed)
            .field("organization_id", &self.organization_id)
            .field("anchor", &self.anchor)
            .field("latency", &self.latency)
            .field("ignore_offset", &self.ignore_offset)
            .field("max_limit", &self.max_limit)
            .field("go_nulls", &self.go_nulls)
            .field(
                "data",
                &self.data.as_ref().map(|d| d.as_ref().map(Vec::len)),
            )
            .field("respond_with", &self.responder.is_some())
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl FakeApiBuilder {
    /// Number of seeded tokens (default [`DEFAULT_TOKEN_COUNT`](crate::DEFAULT_TOKEN_COUNT)
    /// = 250). Ignored with [`with_data`](Self::with_data).
    #[must_use]
    pub fn tokens(mut self, n: usize) -> Self {
        self.count = n;
        self
    }

    /// Seed of the generated data (default [`DEFAULT_SEED`](crate::DEFAULT_SEED)).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The organization the fake serves (default
    /// [`DEFAULT_ORGANIZATION_ID`](crate::DEFAULT_ORGANIZATION_ID),
    /// `clz9fake0org00000000demo1`). Seeded `ORGANIZATION` roles point at it.
    #[must_use]
    pub fn organization_id(mut self, id: impl Into<String>) -> Self {
        self.organization_id = id.into();
        self
    }

    /// The bearer token the fake accepts (default [`DEFAULT_TOKEN`](crate::DEFAULT_TOKEN)).
    #[must_use]
    pub fn token(mut self, t: impl Into<String>) -> Self {
        self.token = t.into();
        self
    }

    /// "Now" for the seeded data's dates (default [`default_anchor`](crate::default_anchor),
    /// 2026-01-15T12:00:00Z), also what [`FakeApi::now`] returns. The default keeps the data
    /// the same in every run; `anchor(Utc::now())` dates it relative to the wall clock, for
    /// code under test that calls `Utc::now()` itself.
    #[must_use]
    pub fn anchor(mut self, now: DateTime<Utc>) -> Self {
        self.anchor = now;
        self
    }

    /// Sleep this long before answering each request (including canned answers).
    #[must_use]
    pub fn latency(mut self, d: Duration) -> Self {
        self.latency = Some(d);
        self
    }

    /// Misbehave: serve every page as if `offset` were 0 (still echoing the asked offset).
    #[must_use]
    pub fn ignore_offset(mut self, yes: bool) -> Self {
        self.ignore_offset = yes;
        self
    }

    /// Cap pages like a server or proxy that clamps `limit`: serve at most `n` tokens a
    /// page and report `limit: n` in the body when more were asked (a smaller `limit` is
    /// served and echoed as asked).
    #[must_use]
    pub fn max_limit(mut self, n: usize) -> Self {
        self.max_limit = Some(n);
        self
    }

    /// Answer like a Go server whose structs hold nil pointers and nil slices (default
    /// off): every optional property of a token and of its nested objects (`createdBy`,
    /// `updatedBy`, each role) that has no value is sent as `null` instead of being left
    /// out, an empty `roles` is `null`, an empty page is `"tokens": null`, and the fake's
    /// own error bodies send `"fieldErrors": null` when there are none. Required
    /// properties keep their values. Applies to both API versions; canned answers of
    /// [`respond_with`](Self::respond_with) are sent as given.
    #[must_use]
    pub fn go_nulls(mut self, yes: bool) -> Self {
        self.go_nulls = yes;
        self
    }

    /// Serve exactly these tokens (in this insertion order) instead of seeded ones: the
    /// SDK's [`ApiToken`](astro_tokens::ApiToken)s, or builders such as
    /// [`token`](crate::token)`("ci-deploy").end_at(soon)`. A later call replaces the
    /// earlier one.
    ///
    /// A builder that cannot build (a required field missing or invalid) makes
    /// [`start`](Self::start) fail with an [`std::io::ErrorKind::InvalidInput`] error that
    /// names the token (its index in `tokens`) and the builder's reason.
    #[must_use]
    pub fn with_data<T>(mut self, tokens: impl IntoIterator<Item = T>) -> Self
    where
        T: TryInto<ApiToken>,
        T::Error: Display,
    {
        self.data = Some(
            tokens
                .into_iter()
                .enumerate()
                .map(|(index, token)| {
                    token.try_into().map_err(|e| {
                        format!("with_data: the token at index {index} cannot be built: {e}")
                    })
                })
                .collect(),
        );
        self
    }

    /// Declare that `deployment_id` belongs to `workspace_id`, for the `workspaceId` filter
    /// over custom data (the seed pools' deployments are always known).
    #[must_use]
    pub fn deployment_in_workspace(
        mut self,
        deployment_id: impl Into<String>,
        workspace_id: impl Into<String>,
    ) -> Self {
        self.deployment_workspace
            .push((deployment_id.into(), workspace_id.into()));
        self
    }

    /// Fault injection: called for every request with its number `n` (0-based, counting
    /// every request since start); `Some` is sent instead of the fake's own answer.
    #[must_use]
    pub fn respond_with(
        mut self,
        f: impl Fn(&RecordedRequest, usize) -> Option<CannedResponse> + Send + Sync + 'static,
    ) -> Self {
        self.responder = Some(Box::new(f));
        self
    }

    /// Port to listen on (default 0: chosen by the OS).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds `127.0.0.1` and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// If the port cannot be bound; or, with an [`std::io::ErrorKind::InvalidInput`] error,
    /// if a token given to [`with_data`](Self::with_data) cannot be built.
    pub async fn start(self) -> std::io::Result<FakeApi> {
        let pools = seed_pools(self.seed);
        let tokens = match self.data {
            Some(Ok(tokens)) => tokens,
            Some(Err(why)) => {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
            }
            None => seed_tokens_for(&self.organization_id, self.count, self.seed, self.anchor),
        };
        let mut deployment_workspace: HashMap<String, String> = pools
            .deployments
            .iter()
            .map(|d| (d.id.clone(), d.workspace_id.clone()))
            .collect();
        deployment_workspace.extend(self.deployment_workspace);
        let shared = Arc::new(Shared {
            token: self.token,
            organization_id: self.organization_id,
            latency: self.latency,
            ignore_offset: self.ignore_offset,
            max_limit: self.max_limit,
            go_nulls: self.go_nulls,
            responder: self.responder,
            data: DataSet::new(tokens, deployment_workspace),
            log: Mutex::new(Log::default()),
        });
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            // Ends only on an accept error or when aborted by `Drop`.
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeApi {
            shared,
            addr,
            pools,
            anchor: self.anchor,
            task,
        })
    }
}
