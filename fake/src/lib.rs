//! # astro-tokens-fake
//!
//! A fake of Astro's *List API tokens* endpoint
//! (`GET /organizations/{organizationId}/tokens`): a real HTTP server on `127.0.0.1` to
//! test code that uses the [`astro_tokens`] SDK, with no credentials and no network. **Its
//! data is dated relative to a fixed "now", 2026-01-15T12:00:00Z, not the wall clock**, so
//! that every run sees the same tokens: a test that compares expiry or last use with
//! `Utc::now()` silently compares with today. Compare with [`FakeApi::now`] (the fake's
//! "now"), or start the fake with [`FakeApiBuilder::anchor`]`(Utc::now())` to date its data
//! relative to the wall clock.
//!
//! ```toml
//! [dev-dependencies]
//! astro-tokens-fake = "0.2"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! ## A first test
//!
//! Start a fake with seeded tokens, get an SDK client pointed at it, list with a filter:
//!
//! ```
//! use astro_tokens::{ApiTokenKind, TokenKind};
//! use astro_tokens_fake::FakeApi;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeApi::builder().tokens(120).start().await?;
//! let client = fake.client()?; // an astro_tokens::Client for the fake's URL and token
//! let standard = client
//!     .list_tokens(fake.organization_id())
//!     .kind(TokenKind::Standard)
//!     .collect_all()
//!     .await?;
//! assert!(standard.iter().all(|t| t.kind == ApiTokenKind::Standard));
//! let expected = fake.tokens().iter().filter(|t| t.kind == ApiTokenKind::Standard).count();
//! assert_eq!(standard.len(), expected);
//! assert_eq!(fake.request_count(), 1); // fewer than 100 matches: one page
//! # Ok(())
//! # }
//! ```
//!
//! ## Your own tokens
//!
//! [`token`]`(name)` is the SDK's generated `ApiToken` builder with every required field
//! filled in (an id derived from the name, scope `ORGANIZATION`, kind `STANDARD`, dates at
//! the fake's default "now"); set only the fields your test is about and hand the
//! builders to [`FakeApiBuilder::with_data`]:
//!
//! ```
//! use astro_tokens::chrono::Duration;
//! use astro_tokens_fake::{FakeApi, default_anchor, token};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let soon = default_anchor() + Duration::days(3);
//! let fake = FakeApi::builder()
//!     .with_data([token("ci-deploy").end_at(soon), token("nightly-backup")])
//!     .start()
//!     .await?;
//! let tokens = fake.client()?.list_tokens(fake.organization_id()).collect_all().await?;
//! let now = fake.now(); // 2026-01-15T12:00:00Z, not the wall clock
//! let expiring_this_week: Vec<&str> = tokens
//!     .iter()
//!     .filter(|t| t.end_at.is_some_and(|end| end > now && end <= now + Duration::days(7)))
//!     .map(|t| t.name.as_str())
//!     .collect();
//! assert_eq!(expiring_this_week, ["ci-deploy"]);
//! # Ok(())
//! # }
//! ```
//!
//! A builder that cannot build (say, `ApiToken::builder().name("x")`, with no id) makes
//! [`FakeApiBuilder::start`] fail with an [`std::io::ErrorKind::InvalidInput`] error naming
//! the token and the reason. [`FakeApiBuilder::with_data`] takes finished
//! [`astro_tokens::ApiToken`]s too, and [`FakeApi::insert_token`] adds one while serving.
//!
//! ## The fixed "now"
//!
//! Seeded tokens are spread over the two years before the fake's anchor,
//! [`default_anchor`] = 2026-01-15T12:00:00Z unless [`FakeApiBuilder::anchor`] sets another:
//! some expired, some expiring within 30 days of it, some unused for months, some never
//! expiring. [`FakeApi::now`] returns the anchor. Code under test that reads the clock
//! itself needs either to be given "now" (pass `fake.now()`), or a fake started with
//! `.anchor(Utc::now())`, whose data then differs from run to run only in its dates.
//!
//! ## Both API versions
//!
//! The fake serves the same data at three base URLs:
//!
//! | base URL | API | a token's scope is sent as | `X-API-Version` |
//! | --- | --- | --- | --- |
//! | [`FakeApi::base_url`], `http://127.0.0.1:PORT/v1` | v1 (GA) | `scope` | absent or `1.MINOR` (e.g. `1.0`); anything else is a 400 |
//! | [`FakeApi::platform_v1beta1_url`], `…/platform/v1beta1` | v1beta1 (deprecated) | `type` | ignored |
//! | [`FakeApi::iam_v1beta1_url`], `…/iam/v1beta1` | v1beta1 (deprecated) | `type` | ignored |
//!
//! [`FakeApi::client`] and [`FakeApi::tokens_url`] use v1. Any other path, the bare
//! `/organizations/{id}/tokens` included, is a 404. Recorded requests
//! ([`FakeApi::requests`]) keep the full path, so a test can tell which version was called.
//!
//! ```
//! use astro_tokens_fake::FakeApi;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeApi::builder().tokens(5).start().await?;
//! let beta = astro_tokens::Client::builder()
//!     .token(fake.token())
//!     .base_url(fake.iam_v1beta1_url())
//!     .build()?;
//! // The SDK reads v1beta1's `type` as `scope`.
//! assert_eq!(beta.list_tokens(fake.organization_id()).collect_all().await?, fake.tokens());
//! assert!(fake.requests()[0].path.starts_with("/iam/v1beta1/organizations/"));
//! # Ok(())
//! # }
//! ```
//!
//! ## Go-style nulls
//!
//! Astro's API is written in Go. [`FakeApiBuilder::go_nulls`]`(true)` answers the way a Go
//! server with nil pointers and nil slices does: every optional property without a value
//! is sent as `null` instead of being left out (`"endAt": null`, `"createdBy": null`, and
//! inside nested objects), an empty `roles` is `null`, an empty page is `"tokens": null`,
//! and error bodies send `"fieldErrors": null`. Use it to check that your code (and the
//! SDK) read those as absent or empty.
//!
//! ## Fault injection
//!
//! [`FakeApiBuilder::respond_with`] sees every request with its number and may answer
//! instead of the fake ([`CannedResponse`]): a 503 burst, a `Retry-After`, an HTML error
//! page from a proxy, a body that is not JSON. [`FakeApiBuilder::latency`] delays every
//! answer, [`FakeApiBuilder::max_limit`] caps page sizes like a proxy that clamps `limit`,
//! [`FakeApiBuilder::ignore_offset`] serves the first page for every offset, and
//! [`FakeApi::insert_token_at`] changes the data between two pages.
//!
//! ```
//! use astro_tokens::RetryPolicy;
//! use astro_tokens_fake::{CannedResponse, FakeApi};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeApi::builder()
//!     .respond_with(|_request, n| (n == 0).then(|| CannedResponse::error(503, n, "maintenance")))
//!     .start()
//!     .await?;
//! let client = fake.client_builder().retry_policy(RetryPolicy::none()).build()?;
//! let first = client.list_tokens(fake.organization_id()).first_page().await;
//! assert_eq!(first.err().and_then(|e| e.status()), Some(503));
//! let second = client.list_tokens(fake.organization_id()).first_page().await?;
//! assert_eq!(second.total_count, 250);
//! # Ok(())
//! # }
//! ```
//!
//! ## What it checks, in order
//!
//! 1. every request is recorded ([`FakeApi::requests`]) and numbered from 0 (numbers are
//!    never reused, even after [`FakeApi::reset_requests`]); its request id is
//!    [`request_id`]`(n)`;
//! 2. the configured latency is slept;
//! 3. the [`FakeApiBuilder::respond_with`] hook may answer instead;
//! 4. a path other than the three of the table above → 404 (matched on the raw path, so a
//!    percent-encoded organization id may contain `/`, `?`, spaces or non-ASCII); another
//!    method than `GET` → 405;
//! 5. missing or wrong `Authorization: Bearer <token>` → 401;
//! 6. an organization other than the fake's → 404;
//! 7. an invalid query, or on v1 an invalid `X-API-Version`, → 400 with one `fieldErrors`
//!    entry per problem;
//! 8. otherwise 200 with an `ApiTokensPaginated` page (`totalCount` counts the matches of
//!    the filters).
//!
//! Errors use the fragment's `Error` schema (`message`, `requestId`, `statusCode`,
//! `fieldErrors`), and every response carries an `x-request-id` header equal to the body's
//! `requestId`. Bodies are built from the SDK's generated models
//! ([`astro_tokens::generated::types`]), so they have the shapes of the SDK's OpenAPI
//! fragment; the project checks the fake against that fragment with schemathesis.
//!
//! ## Where Astro is silent: what the fake assumes
//!
//! Astro's documentation leaves some behaviour open. The fake picks one, and these are
//! assumptions, not documented facts about Astro:
//!
//! - **`workspaceId`** returns the workspace's `WORKSPACE` tokens *and the `DEPLOYMENT`
//!   tokens of its deployments*; `ORGANIZATION` tokens never match, even with a role on
//!   the workspace. Whether Astro includes Deployment tokens is undocumented. Which
//!   workspace a deployment belongs to comes from the seed pools, from
//!   [`FakeApiBuilder::deployment_in_workspace`], and from what the data shows.
//! - **`offset`** has no upper bound: an offset past the end, however large, answers an
//!   empty page (with the true `totalCount`); an offset beyond `i64` is echoed as
//!   `i64::MAX`. A negative or non-integer offset is a 400.
//! - **`X-API-Version`** on v1: any `1.MINOR` is accepted and served the same; a value
//!   that is not `MAJOR.MINOR` in digits (`v1`, `1`, `latest`, empty) or names another
//!   major version (`2.0`) is a 400 whose `fieldErrors` entry is named `X-API-Version`
//!   (code `format` or `oneof`). No version header is sent back.
//! - Without `sorts`, tokens come in insertion order (for seeded data, `createdAt`
//!   ascending); with `sorts`, ties are broken by `id`, so paging is stable.
//! - A scalar parameter given twice takes its first value; an empty value is refused by
//!   the typed parameters (`limit=`, `kind=`) and is no filter for the string ones
//!   (`workspaceId=`); unknown parameters are ignored.
//! - Another organization than the fake's is a 404 (Astro may answer 403).
//!
//! [`FakeApi::select`] runs the fake's own filtering and sorting, to compare with.

mod builder;
mod data;
mod nulls;
mod query;
mod records;
mod select;
mod server;
mod token;
mod version;

use std::net::SocketAddr;
use std::sync::{Arc, PoisonError};

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

pub use builder::FakeApiBuilder;
pub use data::{
    DEFAULT_ORGANIZATION_ID, DEFAULT_SEED, DEFAULT_TOKEN, DEFAULT_TOKEN_COUNT, PoolDag,
    PoolDeployment, SeedPools, default_anchor, seed_pools, seed_tokens, seed_tokens_for,
};
pub use query::{DEFAULT_LIMIT, FieldErrors, MAX_LIMIT, SORTS};
pub use records::{CannedResponse, RecordedRequest, request_id};
pub use token::token;

use astro_tokens::generated::types::ApiToken;
use server::{Log, Shared};

/// The fault-injection hook: for request number `n` (0-based), `Some` answers instead.
pub(crate) type Responder =
    Box<dyn Fn(&RecordedRequest, usize) -> Option<CannedResponse> + Send + Sync + 'static>;

/// A model built from its generated builder. The fake sets every required field, so a
/// failure here is a bug in the fake, reported with the builder's reason.
pub(crate) fn built<B, T>(builder: B) -> T
where
    T: TryFrom<B>,
    T::Error: std::fmt::Display,
{
    T::try_from(builder).unwrap_or_else(|e| panic!("the fake built an invalid model: {e}"))
}

/// A running fake of the List API tokens endpoint on `127.0.0.1`. Dropping it stops the
/// server: the accept loop is aborted, so new connections are refused (a keep-alive
/// connection a client already holds may still get answers until it closes).
///
/// The server runs on the tokio runtime that called [`start`](FakeApiBuilder::start); with
/// a current-thread runtime, use an async client (a blocking one would deadlock).
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
/// assert!(page["tokens"][0]["scope"].is_string()); // v1
/// assert_eq!(fake.request_count(), 1);
/// # Ok(())
/// # }
/// ```
pub struct FakeApi {
    shared: Arc<Shared>,
    addr: SocketAddr,
    pools: SeedPools,
    anchor: DateTime<Utc>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FakeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeApi")
            .field("base_url", &self.base_url())
            .field("organization_id", &self.shared.organization_id)
            .field("now", &self.anchor)
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

    /// The base URL of API v1, `http://127.0.0.1:PORT/v1` (no trailing slash): what an
    /// [`astro_tokens::Client`] takes as its base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, version::V1_PREFIX)
    }

    /// The base URL of the Platform API v1beta1, `http://127.0.0.1:PORT/platform/v1beta1`,
    /// where tokens carry `type` instead of `scope` and `X-API-Version` is ignored.
    pub fn platform_v1beta1_url(&self) -> String {
        format!("http://{}{}", self.addr, version::PLATFORM_V1BETA1_PREFIX)
    }

    /// The base URL of the IAM API v1beta1, `http://127.0.0.1:PORT/iam/v1beta1`, which
    /// answers like [`platform_v1beta1_url`](Self::platform_v1beta1_url).
    pub fn iam_v1beta1_url(&self) -> String {
        format!("http://{}{}", self.addr, version::IAM_V1BETA1_PREFIX)
    }

    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The full v1 URL of the list endpoint for the fake's organization (id
    /// percent-encoded): [`base_url`](Self::base_url) + `/organizations/{id}/tokens`.
    pub fn tokens_url(&self) -> String {
        format!(
            "{}/organizations/{}/tokens",
            self.base_url(),
            utf8_percent_encode(&self.shared.organization_id, PATH_SEGMENT)
        )
    }

    /// An SDK client pointed at the fake: its v1 [`base_url`](Self::base_url) and its
    /// bearer [`token`](Self::token), with the SDK's other defaults (retries included; see
    /// [`client_builder`](Self::client_builder) to change them).
    ///
    /// # Errors
    /// What [`astro_tokens::ClientBuilder::build`] returns; with the fake's own URL and
    /// token, only a failure to build the HTTP client.
    pub fn client(&self) -> Result<astro_tokens::Client, astro_tokens::Error> {
        self.client_builder().build()
    }

    /// An SDK client builder already pointed at the fake (v1 base URL and token), for a
    /// client with other settings, e.g. `.retry_policy(RetryPolicy::none())`.
    pub fn client_builder(&self) -> astro_tokens::ClientBuilder {
        astro_tokens::Client::builder()
            .token(self.token())
            .base_url(self.base_url())
    }

    /// The fake's "now": the anchor its seeded data is dated from, 2026-01-15T12:00:00Z
    /// ([`default_anchor`]) unless [`FakeApiBuilder::anchor`] set another. Compare the
    /// served dates with this, not with `Utc::now()`.
    pub fn now(&self) -> DateTime<Utc> {
        self.anchor
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
    /// validation as the endpoint; `offset`/`limit` are validated but not applied). See the
    /// crate docs for what the filters assume where Astro is silent (`workspaceId`).
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
