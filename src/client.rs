//! The client: a configured `reqwest` stack (rustls, timeouts, user agent, a sensitive
//! bearer header) around the generated progenitor client.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use crate::error::Error;
use crate::generated;
use crate::retry::RetryPolicy;
use crate::secret::Secret;

/// The environment variable holding the API token (the one astro-cli uses).
pub const TOKEN_ENV: &str = "ASTRO_API_TOKEN";
/// The environment variable that overrides the base URL.
pub const URL_ENV: &str = "ASTRO_API_URL";
/// The default base URL: the fragment's first server.
pub const DEFAULT_BASE_URL: &str = generated::spec::DEFAULT_BASE_URL;
/// Default limit for a whole request attempt (headers and body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The `user-agent` sent with every request.
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A client for the List API tokens endpoint. Cheap to clone; clones share connections.
///
/// ```
/// # fn main() -> Result<(), astro_tokens::Error> {
/// let client = astro_tokens::Client::builder()
///     .token("my-secret-token")
///     .timeout(std::time::Duration::from_secs(20))
///     .build()?;
/// assert_eq!(client.base_url(), "https://api.astronomer.io/platform/v1beta1");
/// assert!(!format!("{client:?}").contains("my-secret-token"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: generated::Client,
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `ASTRO_API_TOKEN` and, if set, `ASTRO_API_URL`.
    pub fn from_env() -> Result<Self, Error> {
        let token = non_empty_env(TOKEN_ENV).ok_or_else(|| {
            Error::config(format!(
                "{TOKEN_ENV} is not set: export an Astro API token in it"
            ))
        })?;
        let mut builder = Self::builder().token(token);
        if let Some(url) = non_empty_env(URL_ENV) {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The base URL requests go to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// When and how failed requests are retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The generated progenitor client, for power users.
    pub fn generated(&self) -> &generated::Client {
        &self.inner
    }

    /// The generated builder for `ListApiTokens`, with every parameter as progenitor made
    /// it; no validation, paging or retries. Prefer [`Client::list_tokens`].
    pub fn list_api_tokens(&self) -> generated::builder::ListApiTokens<'_> {
        self.inner.list_api_tokens()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// Configures a [`Client`]. Only the token is required.
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<Secret>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

impl ClientBuilder {
    /// The API token, sent as `Authorization: Bearer <token>`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }

    /// The base URL (default: [`DEFAULT_BASE_URL`]). `https://` only, except `http://`
    /// to a loopback host (for local fakes and tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Limit for each request attempt, from sending to the last byte of the body (default 30 s).
    /// It applies to every attempt afresh: a retried request gets the full limit again.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for establishing a connection (default 10 s), per attempt.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The whole retry policy at once (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Retry a failed request at most this many times (default 3; 0 turns retries off).
    ///
    /// ```
    /// let client = astro_tokens::Client::builder().token("t").retries(5).build()?;
    /// assert_eq!(client.retry_policy().max_retries(), 5);
    /// # Ok::<(), astro_tokens::Error>(())
    /// ```
    pub fn retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.with_max_retries(retries);
        self
    }

    /// The base of the exponential backoff (default 500 ms): retry *n* waits a random
    /// duration up to `base × 2ⁿ`, capped by [`retry_max_delay`](Self::retry_max_delay).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry = self.retry.with_base_delay(delay);
        self
    }

    /// The ceiling of one computed backoff wait (default 8 s).
    pub fn retry_max_delay(mut self, delay: Duration) -> Self {
        self.retry = self.retry.with_max_delay(delay);
        self
    }

    /// The longest `Retry-After` the client sleeps through (default 60 s). A server asking
    /// for longer gets its error returned at once, with the requested delay in
    /// [`ApiError::retry_after`](crate::ApiError::retry_after).
    pub fn retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry = self.retry.with_retry_after_cap(cap);
        self
    }

    /// Turns retries off: every failure is returned after one attempt.
    pub fn no_retries(mut self) -> Self {
        self.retry = RetryPolicy::none();
        self
    }

    /// Builds the client; fails on a missing or malformed token or a refused base URL.
    pub fn build(self) -> Result<Client, Error> {
        let token = self.token.ok_or_else(|| {
            Error::invalid(
                "token",
                "(none)",
                format!("a non-empty API token, e.g. from {TOKEN_ENV}"),
            )
        })?;
        let authorization = token.header_value().map_err(|why| {
            Error::invalid(
                "token",
                "[redacted]",
                format!("a non-empty API token ({why})"),
            )
        })?;
        if self.timeout.is_zero() {
            return Err(Error::invalid(
                "timeout",
                "0s",
                "a duration greater than zero",
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid(
                "connect_timeout",
                "0s",
                "a duration greater than zero",
            ));
        }
        let base_url = checked_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, authorization);
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .https_only(false)
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: generated::Client::new_with_client(&base_url, http),
            base_url,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry,
        })
    }
}

/// Accepts `https://` URLs, and `http://` only to loopback; strips a trailing slash.
fn checked_base_url(raw: &str) -> Result<String, Error> {
    const ALLOWED: &str =
        "an https:// URL, or http:// to a loopback host (127.0.0.1, [::1], localhost)";
    let url = url::Url::parse(raw.trim())
        .map_err(|e| Error::invalid("base_url", raw, format!("{ALLOWED}; {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    let scheme_ok = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => loopback,
        _ => false,
    };
    if !scheme_ok {
        let why = if url.scheme() == "http" {
            "plain http:// would expose the token on the network"
        } else {
            "unsupported scheme"
        };
        return Err(Error::invalid(
            "base_url",
            raw,
            format!("{ALLOWED} ({why})"),
        ));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(Error::invalid(
            "base_url",
            redact_userinfo(&url),
            format!("{ALLOWED}, without credentials, query or fragment"),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn redact_userinfo(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
