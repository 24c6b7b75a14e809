//! # astro-tokens-fake
//!
//! A fake of Astro's "List API tokens" endpoint
//! (`GET /organizations/{organizationId}/tokens`): a real HTTP server on `127.0.0.1` for
//! tests, demos and benchmarks of code that uses the [`astro_tokens`] SDK. Add it as a
//! dev-dependency; it is a crate of its own so that the SDK's API and docs carry no test
//! code.
//!
//! This file holds the public handle ([`FakeApi`]), its builder, and the request/response
//! records. The rest, one concern per file:
//! - `data.rs`: deterministic seed data ([`seed_tokens`], [`seed_pools`]);
//! - `query.rs`: query parsing and validation (400 `fieldErrors`);
//! - `select.rs`: filters, sorting and paging over the data set;
//! - `server.rs`: the axum handler (routing, auth, recording, latency, fault injection).
//!
//! The fake serves the SDK's generated models ([`astro_tokens::generated::types`]), so what it
//! sends has the shapes of `openapi/tokens.yaml`.
//!
//! Behaviour, in the order checks apply:
//! 1. every request is recorded ([`FakeApi::requests`]) and numbered from 0 (numbers are never
//!    reused, even after [`FakeApi::reset_requests`]); its request id is [`request_id`]`(n)`;
//! 2. the configured latency is slept;
//! 3. the [`FakeApiBuilder::respond_with`] hook may answer instead;
//! 4. a path other than `/organizations/{id}/tokens` (matched on the raw path, so a
//!    percent-encoded id may contain `/`, `?`, spaces or non-ASCII) → 404; another method → 405;
//! 5. missing or wrong `Authorization: Bearer <token>` → 401;
//! 6. an organization other than the fake's → 404;
//! 7. invalid query → 400 with one `fieldErrors` entry per problem;
//! 8. otherwise 200 with `ApiTokensPaginated` (`totalCount` counts matches after filters;
//!    with [`FakeApiBuilder::max_limit`], at most that many tokens, and `limit` says so).
//!
//! Errors use the `Error` schema (`message`, `requestId`, `statusCode`, `fieldErrors`), and
//! every response carries an `x-request-id` header equal to the body's `requestId`.

mod data;
mod query;
mod select;
mod server;

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

pub use data::{
    DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, DEFAULT_TOKEN_COUNT, PoolDag,
    PoolDeployment, SeedPools, default_anchor, seed_pools, seed_tokens, seed_tokens_for,
};
pub use query::{DEFAULT_LIMIT, FieldErrors, MAX_LIMIT, SORTS};

use astro_tokens::generated::types::ApiToken;
use select::DataSet;
use server::{Log, Shared};

/// The fault-injection hook: for request number `n` (0-based), `Some` answers instead.
pub(crate) type Responder =
    Box<dyn Fn(&RecordedRequest, usize) -> Option<CannedResponse> + Send + Sync + 'static>;

/// The request id the fake gives its `n`-th request (0-based): cuid-shaped, unique per fake.
///
/// ```
/// assert_eq!(astro_tokens_fake::request_id(7), "cfakereq00000000000000007");
/// ```
pub fn request_id(n: usize) -> String {
    format!("cfakereq{n:017}")
}

/// A model built from its generated builder. The fake sets every required field, so a
/// failure here is a bug in the fake, reported with the builder's reason.
pub(crate) fn built<B, T>(builder: B) -> T
where
    T: TryFrom<B>,
    T::Error: std::fmt::Display,
{
    T::try_from(builder).unwrap_or_else(|e| panic!("the fake built an invalid model: {e}"))
}

/// A request the fake received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The query string as sent (without `?`), if any.
    pub raw_query: Option<String>,
    /// Decoded query pairs in wire order (`+` decodes to a space).
    pub query: Vec<(String, String)>,
    /// Headers in received order, names lower-case; the `authorization` value is replaced
    /// by `"[redacted]"`.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    fn from_parts(parts: &Parts) -> Self {
        let raw_query = parts.uri.query().map(str::to_owned);
        let query = raw_query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = if name == AUTHORIZATION {
                    "[redacted]".to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        Self {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            raw_query,
            query,
            headers,
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every decoded value of query parameter `key`, in wire order.
    pub fn query_values(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A response to send instead of the fake's own answer (see
/// [`FakeApiBuilder::respond_with`]). The fake adds `x-request-id` unless `headers` has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannedResponse {
    /// HTTP status (an invalid code becomes 500).
    pub status: u16,
    /// Headers to send (invalid names or values are skipped).
    pub headers: Vec<(String, String)>,
    /// The body, sent as is.
    pub body: Vec<u8>,
}

impl CannedResponse {
    /// `value` serialized as JSON, with `content-type: application/json`.
    pub fn json(status: u16, value: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(value)
            .unwrap_or_else(|e| format!("canned response failed to serialize: {e}").into_bytes());
        Self::text(status, "application/json", body)
    }

    /// `body` with the given content type.
    pub fn text(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    /// An `Error`-schema JSON body for request number `n`, whose `requestId` matches the
    /// `x-request-id` the fake will send.
    pub fn error(status: u16, n: usize, message: &str) -> Self {
        let body: astro_tokens::generated::types::Error = built(
            astro_tokens::generated::types::Error::builder()
                .message(message)
                .request_id(request_id(n))
                .status_code(i64::from(status)),
        );
        Self::json(status, &body)
    }

    /// Adds a header, e.g. `retry-after`.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Configures and starts a [`FakeApi`].
pub struct FakeApiBuilder {
    count: usize,
    seed: u64,
    organization_id: String,
    token: String,
    anchor: DateTime<Utc>,
    latency: Option<Duration>,
    ignore_offset: bool,
    max_limit: Option<usize>,
    data: Option<Vec<ApiToken>>,
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
            .field("data", &self.data.as_ref().map(Vec::len))
            .field("respond_with", &self.responder.is_some())
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl FakeApiBuilder {
    /// Number of seeded tokens (default [`DEFAULT_TOKEN_COUNT`] = 250). Ignored with
    /// [`with_data`](Self::with_data).
    #[must_use]
    pub fn tokens(mut self, n: usize) -> Self {
        self.count = n;
        self
    }

    /// Seed of the generated data (default [`DEFAULT_SEED`]).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The organization the fake serves (default [`DEFAULT_ORGANIZATION_ID`],
    /// `clz9fake0org00000000demo1`). Seeded `ORGANIZATION` roles point at it.
    #[must_use]
    pub fn organization_id(mut self, id: impl Into<String>) -> Self {
        self.organization_id = id.into();
        self
    }

    /// The bearer token the fake accepts (default [`DEFAULT_TOKEN`]).
    #[must_use]
    pub fn token(mut self, t: impl Into<String>) -> Self {
        self.token = t.into();
        self
    }

    /// "Now" for the seeded data's dates (default [`default_anchor`], 2026-01-15T12:00:00Z).
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

    /// Serve exactly these tokens (in this insertion order) instead of seeded ones.
    #[must_use]
    pub fn with_data(mut self, tokens: Vec<ApiToken>) -> Self {
        self.data = Some(tokens);
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
    /// If the port cannot be bound.
    pub async fn start(self) -> std::io::Result<FakeApi> {
        let pools = seed_pools(self.seed);
        let tokens = match self.data {
            Some(tokens) => tokens,
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
            task,
        })
    }
}

/// A running fake of the List API tokens endpoint on `127.0.0.1`. Dropping it stops the
/// server: the accept loop is aborted, so new connections are refused (a keep-alive
/// connection a client already holds may still get answers until it closes).
///
/// The server runs on the tokio runtime that called [`start`](Self::start); with a
/// current-thread runtime, use an async client (a blocking one would deadlock).
///
/// ```
/// use astro_tokens_fake::FakeApi;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let fake = FakeApi::builder().tokens(30).start().await?;
/// let page: serde_json::Value = reqwest::Client::new()
///     .get(format!("{}?limit=5&sorts=name:asc", fake.tokens_url()))
///     .bearer_auth(fake.token())
///     .send()
///     .await?
///     .json()
///     .await?;
/// assert_eq!(page["totalCount"], 30);
/// assert_eq!(page["tokens"].as_array().map(Vec::len), Some(5));
/// assert_eq!(fake.request_count(), 1);
/// # Ok(())
/// # }
/// ```
pub struct FakeApi {
    shared: Arc<Shared>,
    addr: SocketAddr,
    pools: SeedPools,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FakeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeApi")
            .field("base_url", &self.base_url())
            .field("organization_id", &self.shared.organization_id)
            .field("tokens", &self.shared.data.len())
            .finish_non_exhaustive()
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What `progenitor_client::encode_path` encodes in a path segment (incl. `/` and `%`).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

impl FakeApi {
    /// A builder with the defaults.
    pub fn builder() -> FakeApiBuilder {
        FakeApiBuilder::default()
    }

    /// Starts a fake with the defaults (250 seeded tokens).
    ///
    /// # Errors
    /// If the port cannot be bound.
    pub async fn start() -> std::io::Result<FakeApi> {
        Self::builder().start().await
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The full URL of the list endpoint for the fake's organization (id percent-encoded).
    pub fn tokens_url(&self) -> String {
        format!(
            "{}/organizations/{}/tokens",
            self.base_url(),
            utf8_percent_encode(&self.shared.organization_id, PATH_SEGMENT)
        )
    }

    /// The bearer token the fake accepts.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The organization the fake serves.
    pub fn organization_id(&self) -> &str {
        &self.shared.organization_id
    }

    /// The seed pools (workspaces, deployments, DAGs, tags, subjects) of the fake's seed.
    pub fn pools(&self) -> &SeedPools {
        &self.pools
    }

    /// Every request received since start (or the last [`reset_requests`](Self::reset_requests)),
    /// in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.log().requests.clone()
    }

    /// How many requests [`requests`](Self::requests) holds.
    pub fn request_count(&self) -> usize {
        self.log().requests.len()
    }

    /// Forgets the recorded requests (request numbers keep counting).
    pub fn reset_requests(&self) {
        self.log().requests.clear();
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The whole current data set, in insertion order.
    pub fn tokens(&self) -> Vec<ApiToken> {
        self.shared.data.snapshot()
    }

    /// Appends a token while serving (visible to the next request).
    pub fn insert_token(&self, token: ApiToken) {
        self.shared.data.insert(usize::MAX, token);
    }

    /// Inserts a token at `index` of the insertion order (clamped to the end), e.g. at 0 to
    /// shift every later page of an unsorted listing by one.
    pub fn insert_token_at(&self, index: usize, token: ApiToken) {
        self.shared.data.insert(index, token);
    }

    /// The fake's own filtering and sorting of its data for `query` (same parameters and
    /// validation as the endpoint; `offset`/`limit` are validated but not applied).
    ///
    /// # Errors
    /// The field errors a request with this query would get in its 400 body.
    pub fn select(&self, query: &[(&str, &str)]) -> Result<Vec<ApiToken>, FieldErrors> {
        let pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let query = query::parse(&pairs)?;
        Ok(self.shared.data.select(&query))
    }
}
