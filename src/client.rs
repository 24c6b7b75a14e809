//! The client: a configured `reqwest` stack (the TLS backend the features chose, timeouts,
//! user agent, a sensitive bearer header) around the generated progenitor client.

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
    /// Kept only to scrub it from text a server echoes back into errors.
    pub(crate) secret: Secret,
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `ASTRO_API_TOKEN` and, if set, `ASTRO_API_URL`, with the other
    /// defaults: [`ClientBuilder::from_env`] then [`build`](ClientBuilder::build).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
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
    /// A builder with the token from `ASTRO_API_TOKEN` (the variable astro-cli uses) and,
    /// if set, the base URL from `ASTRO_API_URL`; any other setting can follow, and a later
    /// [`base_url`](Self::base_url) wins. A missing, empty or non-UTF-8 `ASTRO_API_TOKEN` is
    /// an [`Error::Config`] naming it.
    ///
    /// ```no_run
    /// let client = astro_tokens::ClientBuilder::from_env()?
    ///     .timeout(std::time::Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), astro_tokens::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name))
    }

    /// [`ClientBuilder::from_env`] over any variable lookup (tests pass a map).
    pub(crate) fn from_lookup(
        lookup: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<Self, Error> {
        let token = match lookup(TOKEN_ENV) {
            Ok(token) if !token.trim().is_empty() => token,
            Ok(_) => {
                return Err(Error::config(format!(
                    "{TOKEN_ENV} is empty: export an Astro API token in it"
                )));
            }
            Err(std::env::VarError::NotPresent) => {
                return Err(Error::config(format!(
                    "{TOKEN_ENV} is not set: export an Astro API token in it"
                )));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::config(format!("{TOKEN_ENV} is not valid UTF-8")));
            }
        };
        let mut builder = Self::default().token(token);
        if let Ok(url) = lookup(URL_ENV)
            && !url.trim().is_empty()
        {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

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

    /// The time limit of one page request: every attempt and every wait between them
    /// (default 2 minutes). When it runs out, the request ends with
    /// [`Error::RetryLimit`](crate::Error::RetryLimit), whose source is the last error.
    pub fn retry_max_elapsed(mut self, limit: Duration) -> Self {
        self.retry = self.retry.with_max_elapsed(limit);
        self
    }

    /// Turns retries off: every failure is returned after one attempt.
    pub fn no_retries(mut self) -> Self {
        self.retry = RetryPolicy::none();
        self
    }

    /// Builds the client; fails on a missing or malformed token, a refused base URL, or an
    /// `https://` one in a build without a TLS feature (README, "TLS").
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
        let http = crate::tls::configure(reqwest::Client::builder(), &base_url)?
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
            secret: token,
        })
    }
}

/// Accepts `https://` URLs, and `http://` only to loopback; strips a trailing slash.
/// Errors show the URL without its user and password, whatever else is wrong with it.
fn checked_base_url(raw: &str) -> Result<String, Error> {
    const ALLOWED: &str =
        "an https:// URL, or http:// to a loopback host (127.0.0.1, [::1], localhost)";
    let shown = without_userinfo(raw);
    let url = url::Url::parse(raw.trim())
        .map_err(|e| Error::invalid("base_url", &shown, format!("{ALLOWED}; {e}")))?;
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
            &shown,
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
            &shown,
            format!("{ALLOWED}, without credentials, query or fragment"),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `raw` with whatever stands between `scheme://` and the last `@` of the authority (a
/// user, a password) replaced by `[redacted]`: text only, so it works on URLs that do not
/// parse too.
fn without_userinfo(raw: &str) -> String {
    let (scheme, rest) = match raw.find("://") {
        Some(at) => raw.split_at(at + 3),
        None => ("", raw),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}[redacted]{}", &rest[at..]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-token-value";

    fn with_url(url: &str) -> Result<Client, Error> {
        Client::builder().token(SECRET).base_url(url).build()
    }

    #[test]
    fn defaults_follow_the_fragment_and_the_issue() {
        let client = Client::builder().token(SECRET).build().expect("builds");
        assert_eq!(client.base_url(), generated::spec::SERVERS[0].0);
        assert_eq!(client.timeout, Duration::from_secs(30));
        assert_eq!(client.connect_timeout, Duration::from_secs(10));
        assert_eq!(
            USER_AGENT,
            format!("astro-tokens/{}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let builder = Client::builder().token(SECRET);
        assert!(!format!("{builder:?}").contains(SECRET));
        let client = builder.build().expect("builds");
        let debug = format!("{client:?} {:?} {client:#?}", client.generated());
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        for url in [
            "http://api.astronomer.io/platform/v1beta1",
            "http://10.0.0.1:8080",
            "ftp://example.com",
            "not a url",
        ] {
            let error = with_url(url).expect_err(url);
            let text = error.to_string();
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        field: "base_url",
                        ..
                    }
                ),
                "{text}"
            );
            assert!(text.contains("https://"), "{text}");
        }
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
            "https://example.com/api/",
        ] {
            let client = with_url(url).expect(url);
            assert!(!client.base_url().ends_with('/'), "{}", client.base_url());
        }
    }

    #[test]
    fn credentials_in_the_url_are_refused_and_never_echoed() {
        for url in [
            "https://user:hunter2@example.com",
            "http://admin:hunter2@example.com/x",
            "http://admin:hunter2@127.0.0.1:1/x",
            "ftp://admin:hunter2@example.com",
            "https://hunter2@example.com/a?b",
            "https://admin:hunter2@exa mple.com",
            "not a url admin:hunter2@host",
            "https://admin:hunter2@@example.com:99999",
        ] {
            let error = with_url(url).expect_err(url);
            for text in [error.to_string(), format!("{error:?}")] {
                assert!(!text.contains("hunter2"), "{url}: {text}");
            }
            assert!(error.to_string().contains("base_url"), "{error}");
        }
        assert_eq!(
            without_userinfo("http://a:b@host/p@q"),
            "http://[redacted]@host/p@q"
        );
        assert_eq!(without_userinfo("https://host/x"), "https://host/x");
    }

    #[test]
    fn a_bad_token_is_refused_without_echoing_it() {
        for token in ["", "   ", "line\nbreak-s3cr3t"] {
            let error = Client::builder().token(token).build().expect_err("refused");
            assert!(
                matches!(error, Error::InvalidInput { field: "token", .. }),
                "{error}"
            );
            assert!(!error.to_string().contains("s3cr3t"), "{error}");
        }
        let missing = Client::builder().build().expect_err("refused");
        assert!(missing.to_string().contains(TOKEN_ENV), "{missing}");
    }

    #[test]
    fn from_env_reads_the_token_and_the_url() {
        let env = |token: Option<&str>, url: Option<&str>| {
            let (token, url) = (token.map(str::to_owned), url.map(str::to_owned));
            let var = |value: &Option<String>| value.clone().ok_or(std::env::VarError::NotPresent);
            ClientBuilder::from_lookup(move |name| match name {
                TOKEN_ENV => var(&token),
                URL_ENV => var(&url),
                _ => Err(std::env::VarError::NotPresent),
            })
            .and_then(ClientBuilder::build)
        };
        let error = env(None, None).expect_err("no token");
        assert!(error.to_string().contains("ASTRO_API_TOKEN"), "{error}");
        assert!(env(Some(""), None).is_err());
        assert_eq!(
            env(Some(SECRET), None).expect("ok").base_url(),
            DEFAULT_BASE_URL
        );
        assert_eq!(
            env(Some(SECRET), Some("http://127.0.0.1:4010/"))
                .expect("ok")
                .base_url(),
            "http://127.0.0.1:4010"
        );
        assert!(env(Some(SECRET), Some("http://example.com")).is_err());
    }

    #[test]
    fn zero_timeouts_are_refused() {
        let error = Client::builder()
            .token(SECRET)
            .timeout(Duration::ZERO)
            .build()
            .expect_err("refused");
        assert!(error.to_string().contains("timeout"), "{error}");
        let error = Client::builder()
            .token(SECRET)
            .connect_timeout(Duration::ZERO)
            .build()
            .expect_err("refused");
        assert!(
            matches!(
                error,
                Error::InvalidInput {
                    field: "connect_timeout",
                    ..
                }
            ),
            "{error}"
        );
    }
}
