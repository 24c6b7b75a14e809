//! The client: a configured `reqwest` stack (the TLS backend the features chose, timeouts,
//! user agent, a sensitive bearer header, the API version pin) around the generated
//! progenitor client.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString, zeroize::Zeroizing};

use crate::error::Error;
use crate::generated;
use crate::retry::RetryPolicy;

/// The environment variable holding the API token (the one astro-cli uses).
pub const TOKEN_ENV: &str = "ASTRO_API_TOKEN";
/// The environment variable that overrides the base URL.
pub const URL_ENV: &str = "ASTRO_API_URL";
/// The default base URL: the fragment's first server (Astro API v1).
pub const DEFAULT_BASE_URL: &str = generated::spec::DEFAULT_BASE_URL;
/// The minor version of the API the fragment describes, which clients pin by default with
/// the [`API_VERSION_HEADER`] (`None` if the fragment names none).
pub const API_VERSION: Option<&str> = generated::spec::API_VERSION;
/// The header that pins a minor version of Astro API v1 (`X-API-Version: 1.0`).
pub const API_VERSION_HEADER: &str = "x-api-version";
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
/// assert_eq!(client.base_url(), "https://api.astronomer.io/v1");
/// assert_eq!(client.api_version(), Some("1.0"));
/// assert!(!format!("{client:?}").contains("my-secret-token"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: generated::Client,
    base_url: String,
    api_version: Option<String>,
    pub(crate) retry: RetryPolicy,
    /// Kept only to scrub it from text a server echoes back into errors; zeroized on drop.
    pub(crate) secret: SecretString,
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

    /// The `X-API-Version` every request carries, if any: the pinned minor version, or
    /// `None` (latest, or a v1beta1 base URL, which takes no version header).
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// When and how failed requests are retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The generated progenitor client, for power users. Its errors are progenitor's own,
    /// not this crate's [`Error`]: nothing is scrubbed, and a body that fails to decode is
    /// quoted whole, a listed token's secret value included. Do not log them as they are.
    pub fn generated(&self) -> &generated::Client {
        &self.inner
    }

    /// The generated builder for `ListApiTokens`, with every parameter as progenitor made
    /// it; no validation, paging or retries. Prefer [`Client::list_tokens`]. Its errors
    /// are progenitor's, unscrubbed (see [`Client::generated`]).
    pub fn list_api_tokens(&self) -> generated::builder::ListApiTokens<'_> {
        self.inner.list_api_tokens()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .field("token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Only the token is required.
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<SecretString>,
    base_url: Option<String>,
    api_version: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: None,
            api_version: API_VERSION.map(str::to_owned),
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
            .field(
                "base_url",
                &self
                    .base_url
                    .as_deref()
                    .map(crate::base_url::without_userinfo),
            )
            .field("api_version", &self.api_version)
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
            Ok(token) if !token.trim().is_empty() => Zeroizing::new(token),
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
        let mut builder = Self::default().token(token.as_str());
        if let Ok(url) = lookup(URL_ENV)
            && !url.trim().is_empty()
        {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// The API token, sent as `Authorization: Bearer <token>`. Held in a
    /// [`secrecy::SecretString`]: never printed, and zeroized when dropped.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// The base URL (default: [`DEFAULT_BASE_URL`], Astro API v1). `https://` only, except
    /// `http://` to a loopback host (for local fakes and tests). Until v1beta1's end of
    /// support (January 2027), `https://api.astronomer.io/iam/v1beta1` or
    /// `…/platform/v1beta1` still work: tokens read the same, and no `X-API-Version` is sent.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The minor version of API v1 to pin with `X-API-Version` (default: [`API_VERSION`],
    /// the version the fragment describes, as SDKs pin the version they were generated
    /// from); `None` sends no header, so the server answers with its latest minor version.
    /// A v1beta1 base URL never gets the header.
    ///
    /// ```
    /// let client = astro_tokens::Client::builder().token("t").api_version(None).build()?;
    /// assert_eq!(client.api_version(), None);
    /// # Ok::<(), astro_tokens::Error>(())
    /// ```
    pub fn api_version(mut self, version: Option<&str>) -> Self {
        self.api_version = version.map(str::to_owned);
        self
    }

    /// Limit for each request attempt, from sending to the last byte of the body (default
    /// 30 s, more than zero). A retried request gets the full limit again.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit for establishing a connection (default 10 s, more than zero), per attempt.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// When and how failed requests are retried (default: [`RetryPolicy::default`]; off
    /// with [`RetryPolicy::none`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the client; fails on a missing or malformed token, a refused base URL, a
    /// zero time limit, a malformed API version, or an `https://` URL in a build without a
    /// TLS feature (see the crate's features).
    pub fn build(self) -> Result<Client, Error> {
        let token = self.token.ok_or_else(|| {
            Error::invalid(
                "token",
                "(none)",
                format!("a non-empty API token, e.g. from {TOKEN_ENV}"),
            )
        })?;
        let authorization = authorization(&token)?;
        for (field, limit) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
            ("max_elapsed", self.retry.max_elapsed()),
        ] {
            if limit.is_zero() {
                return Err(Error::invalid(field, "0s", "a duration greater than zero"));
            }
        }
        let base_url =
            crate::base_url::checked(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let api_version = match self.api_version {
            _ if crate::base_url::is_v1beta1(&base_url) => None,
            Some(version) => Some(checked_api_version(version)?),
            None => None,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, authorization);
        if let Some(version) = &api_version {
            let value = reqwest::header::HeaderValue::from_str(version)
                .map_err(|_| Error::invalid("api_version", version, "MAJOR.MINOR, e.g. 1.0"))?;
            headers.insert(API_VERSION_HEADER, value);
        }
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
            api_version,
            retry: self.retry,
            secret: token,
        })
    }
}

/// `Bearer <token>`, marked sensitive so HTTP stacks never log it; the text built on the
/// way is zeroized. The error says nothing of the token's text.
fn authorization(token: &SecretString) -> Result<reqwest::header::HeaderValue, Error> {
    let text = token.expose_secret().trim();
    let refuse = |why: &str| {
        Error::invalid(
            "token",
            "[redacted]",
            format!("a non-empty API token ({why})"),
        )
    };
    if text.is_empty() {
        return Err(refuse("the token is empty"));
    }
    let line = Zeroizing::new(format!("Bearer {text}"));
    let mut value = reqwest::header::HeaderValue::from_str(&line).map_err(|_| {
        refuse("it contains characters not allowed in an HTTP header, e.g. a newline")
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `MAJOR.MINOR` in digits, as Astro's `X-API-Version` takes it.
fn checked_api_version(version: String) -> Result<String, Error> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match version.split_once('.') {
        Some((major, minor)) if digits(major) && digits(minor) => Ok(version),
        _ => Err(Error::invalid(
            "api_version",
            version,
            "MAJOR.MINOR, e.g. 1.0 (or None for the latest)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-token-value";

    #[test]
    fn defaults_follow_the_fragment() {
        let client = Client::builder().token(SECRET).build().expect("builds");
        assert_eq!(client.base_url(), generated::spec::SERVERS[0].0);
        assert_eq!(client.api_version(), generated::spec::API_VERSION);
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
    fn debug_never_shows_a_password_in_the_base_url_not_yet_checked() {
        for url in [
            "https://admin:hunter2@example.com",
            "https:/admin:hunter2@example.com",
        ] {
            let builder = Client::builder().token(SECRET).base_url(url);
            let debug = format!("{builder:?}");
            assert!(!debug.contains("hunter2"), "{debug}");
            assert!(debug.contains("example.com"), "{debug}");
        }
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
    fn the_authorization_header_is_marked_sensitive() {
        let value = authorization(&SecretString::from("abc")).expect("a header");
        assert!(value.is_sensitive());
        assert_eq!(format!("{value:?}"), "Sensitive");
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
        let local = env(Some(SECRET), Some("http://127.0.0.1:4010/")).expect("ok");
        assert_eq!(local.base_url(), "http://127.0.0.1:4010");
        assert!(env(Some(SECRET), Some("http://example.com")).is_err());
    }

    #[test]
    fn every_zero_time_limit_is_refused_the_same_way() {
        let with = |builder: ClientBuilder| builder.token(SECRET).build().expect_err("refused");
        let cases = [
            ("timeout", with(Client::builder().timeout(Duration::ZERO))),
            (
                "connect_timeout",
                with(Client::builder().connect_timeout(Duration::ZERO)),
            ),
            (
                "max_elapsed",
                with(
                    Client::builder()
                        .retry_policy(RetryPolicy::default().with_max_elapsed(Duration::ZERO)),
                ),
            ),
        ];
        for (field, error) in cases {
            match &error {
                Error::InvalidInput {
                    field: f,
                    value,
                    allowed,
                    ..
                } => {
                    assert_eq!((*f, value.as_str()), (field, "0s"));
                    assert_eq!(allowed, "a duration greater than zero");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_api_version_is_pinned_on_v1_only_and_can_be_changed_or_dropped() {
        let build = |url: &str, version: Option<Option<&str>>| {
            let builder = Client::builder().token(SECRET).base_url(url);
            match version {
                Some(v) => builder.api_version(v).build(),
                None => builder.build(),
            }
        };
        let v1 = "http://127.0.0.1:1/v1";
        assert_eq!(build(v1, None).expect("ok").api_version(), API_VERSION);
        assert_eq!(
            build(v1, Some(Some("1.3"))).expect("ok").api_version(),
            Some("1.3")
        );
        assert_eq!(build(v1, Some(None)).expect("ok").api_version(), None);
        for beta in [
            "http://127.0.0.1:1/iam/v1beta1",
            "http://127.0.0.1:1/platform/v1beta1",
        ] {
            assert_eq!(
                build(beta, Some(Some("1.0"))).expect("ok").api_version(),
                None
            );
        }
        for bad in ["", "1", "v1.0", "1.0\n", "latest"] {
            let error = build(v1, Some(Some(bad))).expect_err(bad);
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        field: "api_version",
                        ..
                    }
                ),
                "{error}"
            );
        }
    }
}
