//! Conformance of the generated client against Prism, an independent mock server that
//! validates requests against `openapi/tokens.yaml` and invents responses from it.
//!
//! What this proves:
//! - requests the generated client builds with every parameter set (all filters, several
//!   `sorts`, several `dagTags`, `kind`, `offset`, `limit`) and a bearer token are ones
//!   Prism finds valid: a 200 without an `sl-violations` header;
//! - Prism's validation is on, so that acceptance means something: an out-of-range
//!   `limit` sent by the generated client, an unknown `sorts` value and a bogus `kind`
//!   sent raw, and a request without credentials are all refused with `sl-violations`;
//! - 200 responses that Prism generates at random from the schemas (extra properties,
//!   random date-times and enum values included) all deserialize into
//!   `ApiTokensPaginated` through the generated client, with enum values the SDK knows.
//!
//! Which Prism: when `ASTRO_TOKENS_PRISM_URL` is set (`.ci/run` starts one Prism for the
//! whole run through `.ci/prism` and sets it), every test talks to that one and starts
//! nothing; Prism is stateless, so the tests still don't depend on each other. Otherwise
//! (`cargo test` on a developer's machine) each test starts its own Prism
//! (`.tools/node/node_modules/.bin/prism`, from `.ci/install-tools`, or `prism` on `PATH`)
//! on a free loopback port, trying a new port (3 attempts) when another process took the
//! port before Prism bound it, and stops it when done, pass or fail. Prism neither
//! running nor installed fails the test with the install command
//! (`ASTRO_TOKENS_SKIP_EXTERNAL=1` skips instead; CI never sets it).

mod common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use astro_tokens::generated::{Client, types};
use futures::StreamExt;

/// How long a self-started Prism may take to start listening.
const STARTUP: Duration = Duration::from_secs(60);
/// How many ports a self-started Prism is tried on: the free port is found by binding port
/// 0 and letting it go, so another process may take it before Prism binds it.
const START_ATTEMPTS: usize = 3;
/// How many dynamic responses are checked.
const DYNAMIC_RESPONSES: usize = 200;
/// The header where Prism lists the request's (or response's) violations.
const VIOLATIONS: &str = "sl-violations";

/// The Prism a test talks to: the shared one `.ci/run` started, or one this test started
/// (killed and reaped on drop).
struct Prism {
    base_url: String,
    /// The process, when this test started Prism itself.
    child: Option<Child>,
    /// Prism's log: this test's own, or the shared Prism's (`ASTRO_TOKENS_PRISM_LOG`).
    log: Option<PathBuf>,
}

/// Why a self-started Prism is not listening.
enum NotListening {
    /// It exited with `EADDRINUSE`: another process has the port; try another one.
    PortTaken(String),
    /// Anything else: the test fails with this.
    Failed(String),
}

impl Prism {
    /// The shared Prism when `ASTRO_TOKENS_PRISM_URL` is set; else starts one in dynamic
    /// mode with request-violation errors, or `None` when Prism is not installed and
    /// skipping was asked for.
    /// `test` names the log file and the skip message, so concurrent tests don't mix.
    fn start(test: &str) -> Option<Self> {
        if let Some(url) = common::env_nonempty(common::PRISM_URL_ENV) {
            return Some(Self::shared(&url));
        }
        let prism = common::prism(test)?;
        Some(Self::start_with(&prism, test, free_port))
    }

    /// The Prism `.ci/run` started; fails the test at once if nothing answers there.
    fn shared(url: &str) -> Self {
        let env = common::PRISM_URL_ENV;
        let parsed =
            reqwest::Url::parse(url).unwrap_or_else(|e| panic!("{env}={url:?} is not a URL: {e}"));
        let addresses = parsed
            .socket_addrs(|| None)
            .unwrap_or_else(|e| panic!("{env}={url:?} has no host and port: {e}"));
        let reachable = addresses
            .iter()
            .any(|address| TcpStream::connect_timeout(address, Duration::from_secs(2)).is_ok());
        assert!(
            reachable,
            "{env}={url:?} is set, but nothing listens there ({addresses:?}). It is set by \
             .ci/run for the Prism it started; unset it to have the test start its own Prism."
        );
        Self {
            base_url: url.trim_end_matches('/').to_owned(),
            child: None,
            log: common::env_nonempty(common::PRISM_LOG_ENV).map(PathBuf::from),
        }
    }

    /// Starts Prism on `next_port()`, and on another `next_port()` when that one was taken.
    fn start_with(prism: &Path, test: &str, mut next_port: impl FnMut() -> u16) -> Self {
        let log = common::scratch(&format!("prism-{test}"), "log");
        for attempt in 1..=START_ATTEMPTS {
            let port = next_port();
            let log_file = std::fs::File::create(&log).expect("create the Prism log");
            let child = Command::new(prism)
                .args(["mock", "-d", "--errors", "--host", "127.0.0.1", "--port"])
                .arg(port.to_string())
                .arg(common::fragment_path())
                .current_dir(common::root())
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("clone the log handle"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", prism.display()));
            let mut running = Self {
                base_url: format!("http://127.0.0.1:{port}"),
                child: Some(child),
                log: Some(log.clone()),
            };
            match running.wait_until_listening(port) {
                Ok(()) => return running,
                Err(NotListening::PortTaken(why)) if attempt < START_ATTEMPTS => {
                    eprintln!("{test}: {why}; trying another port");
                }
                Err(NotListening::PortTaken(why) | NotListening::Failed(why)) => {
                    panic!(
                        "{why} (attempt {attempt} of {START_ATTEMPTS}):\n{}",
                        running.log_tail()
                    )
                }
            }
            // `running` is dropped here: the exited Prism is reaped, its log removed.
        }
        unreachable!("the last attempt returns or panics")
    }

    /// Waits for Prism's own "listening" line for this port. Not a TCP connect: that would
    /// also succeed against another process that took the port.
    fn wait_until_listening(&mut self, port: u16) -> Result<(), NotListening> {
        let child = self.child.as_mut().expect("a self-started Prism");
        let log = self.log.as_deref().expect("a self-started Prism's log");
        let listening = format!("Prism is listening on http://127.0.0.1:{port}");
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let why = format!("Prism exited ({status}) before listening on port {port}");
                let text = std::fs::read_to_string(log).unwrap_or_default();
                return Err(if text.contains("EADDRINUSE") {
                    NotListening::PortTaken(why)
                } else {
                    NotListening::Failed(why)
                });
            }
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.contains(&listening) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(NotListening::Failed(format!(
                    "Prism did not listen on port {port} within {STARTUP:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last lines Prism printed, for failure messages.
    fn log_tail(&self) -> String {
        let Some(log) = &self.log else {
            return format!("(no Prism log: {} is not set)", common::PRISM_LOG_ENV);
        };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(40);
        format!(
            "--- Prism log {} (last lines) ---\n{}",
            log.display(),
            lines[start..].join("\n")
        )
    }
}

impl Drop for Prism {
    /// Stops a self-started Prism and removes its log; the shared one is left to `.ci/run`.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            if let Some(log) = &self.log {
                let _ = std::fs::remove_file(log);
            }
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A reqwest client that sends `Authorization: Bearer test`.
fn authorized_http() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_static("Bearer test"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("build the HTTP client")
}

fn generated_client(prism: &Prism) -> Client {
    Client::new_with_client(&prism.base_url, authorized_http())
}

fn all_sorts() -> Vec<types::ListApiTokensSortsItem> {
    use types::ListApiTokensSortsItem as S;
    vec![
        S::NameAsc,
        S::NameDesc,
        S::DescriptionAsc,
        S::DescriptionDesc,
        S::CreatedAtAsc,
        S::CreatedAtDesc,
        S::UpdatedAtAsc,
        S::UpdatedAtDesc,
        S::TokenStartAtAsc,
        S::TokenStartAtDesc,
    ]
}

/// Describes a failed call of the generated client, with Prism's violations if any.
fn describe(error: &astro_tokens::generated::Error<types::Error>) -> String {
    match error {
        astro_tokens::generated::Error::ErrorResponse(response) => format!(
            "HTTP {} {VIOLATIONS}: {:?} body: {:?}",
            response.status(),
            response.headers().get(VIOLATIONS),
            &**response
        ),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_client_requests_with_every_parameter_are_accepted_by_prism() {
    let Some(prism) =
        Prism::start("generated_client_requests_with_every_parameter_are_accepted_by_prism")
    else {
        return;
    };
    let client = generated_client(&prism);
    let sorts = all_sorts();
    let cases = [
        // Every parameter, several sorts and several dagTags.
        (
            types::TokenKind::Standard,
            0_u64,
            20_i64,
            vec![sorts[0], sorts[5], sorts[9]],
            vec!["etl", "daily", "team:data"],
            true,
        ),
        (
            types::TokenKind::DirectAccess,
            40,
            1000,
            sorts.clone(),
            vec!["tag with space", "ünïcode"],
            false,
        ),
        // The bounds of `limit` and a large `offset`.
        (
            types::TokenKind::Standard,
            1_000_000,
            0,
            vec![sorts[2]],
            vec!["one"],
            false,
        ),
    ];
    for (kind, offset, limit, sorts, dag_tags, only_org) in cases {
        let result = client
            .list_api_tokens()
            .organization_id("clm8q7f6q000008lcgyougpsk")
            .workspace_id("clm8sgvai000008l794psbkdv")
            .deployment_id("clm8t5u4q000008jq4qoc3031")
            .dag_id("example_dag")
            .dag_tags(dag_tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
            .include_only_organization_tokens(only_org)
            .kind(kind)
            .offset(offset)
            .limit(limit)
            .sorts(sorts.clone())
            .send()
            .await;
        let what = format!(
            "kind={kind} offset={offset} limit={limit} sorts={sorts:?} dagTags={dag_tags:?}"
        );
        match result {
            Ok(response) => {
                assert_eq!(response.status(), 200, "{what}");
                assert!(
                    response.headers().get(VIOLATIONS).is_none(),
                    "{what}: Prism reports violations: {:?}",
                    response.headers().get(VIOLATIONS)
                );
            }
            Err(error) => panic!(
                "Prism refused a request of the generated client ({what}): {}\n{}",
                describe(&error),
                prism.log_tail()
            ),
        }
    }

    // The required parameter alone is enough too.
    let response = client
        .list_api_tokens()
        .organization_id("org")
        .send()
        .await
        .unwrap_or_else(|e| panic!("minimal request refused: {}", describe(&e)));
    assert!(response.headers().get(VIOLATIONS).is_none());
}

/// Sends a raw GET to the operation with the given query string.
async fn raw_get(prism: &Prism, query: &str, authorized: bool) -> reqwest::Response {
    let http = if authorized {
        authorized_http()
    } else {
        reqwest::Client::new()
    };
    http.get(format!(
        "{}/organizations/org/tokens{query}",
        prism.base_url
    ))
    .send()
    .await
    .expect("Prism answers")
}

fn violations(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(VIOLATIONS)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn prism_refuses_invalid_requests_so_its_acceptance_means_something() {
    let Some(prism) =
        Prism::start("prism_refuses_invalid_requests_so_its_acceptance_means_something")
    else {
        return;
    };

    // Through the generated client: `limit` above the fragment's maximum.
    let client = generated_client(&prism);
    match client
        .list_api_tokens()
        .organization_id("org")
        .limit(5000)
        .send()
        .await
    {
        Err(astro_tokens::generated::Error::ErrorResponse(response)) => {
            assert_eq!(response.status(), 400);
            let header = response
                .headers()
                .get(VIOLATIONS)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            assert!(
                header.contains("limit"),
                "the violation does not name limit: {header:?}"
            );
            // Prism's 400 body is the fragment's BadRequest example, as a typed Error.
            assert_eq!(response.status_code, 400);
        }
        other => panic!(
            "limit=5000 was not refused with a 400: {:?}",
            other.map(|r| r.status())
        ),
    }

    // Raw requests the generated client cannot even build.
    for (query, parameter) in [
        ("?sorts=bogus", "sorts"),
        ("?sorts=name:asc&sorts=name:sideways", "sorts"),
        ("?kind=SUPER", "kind"),
        ("?limit=-1", "limit"),
        ("?offset=-5", "offset"),
        ("?limit=many", "limit"),
    ] {
        let response = raw_get(&prism, query, true).await;
        let header = violations(&response);
        assert!(
            response.status().is_client_error() && header.contains(parameter),
            "{query}: expected a 4xx naming {parameter}, got {} with {VIOLATIONS}: {header:?}",
            response.status()
        );
    }

    // No credentials: the fragment's BearerAuth is enforced.
    let response = raw_get(&prism, "", false).await;
    assert_eq!(response.status(), 401, "a request without a token");
    assert!(!violations(&response).is_empty());

    // And the same raw path with valid values is accepted (the refusals were about values).
    let response = raw_get(&prism, "?sorts=name:asc&kind=STANDARD&limit=5", true).await;
    assert_eq!(
        response.status(),
        200,
        "{VIOLATIONS}: {}",
        violations(&response)
    );
    assert!(violations(&response).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn prism_dynamic_responses_deserialize_into_api_tokens_paginated() {
    let Some(prism) = Prism::start("prism_dynamic_responses_deserialize_into_api_tokens_paginated")
    else {
        return;
    };
    let client = generated_client(&prism);
    let sorts = all_sorts();
    let kinds = [types::TokenKind::Standard, types::TokenKind::DirectAccess];

    let started = Instant::now();
    let outcomes: Vec<_> = futures::stream::iter(0..DYNAMIC_RESPONSES)
        .map(|i| {
            let mut request = client
                .list_api_tokens()
                .organization_id(format!("org-{i}"))
                .limit((i % 1001) as i64)
                .offset((i * 7) as u64);
            if i % 2 == 0 {
                request = request.kind(kinds[i % 4 / 2]);
            }
            if i % 3 == 0 {
                request = request.sorts(vec![sorts[i % 10], sorts[(i + 3) % 10]]);
            }
            if i % 5 == 0 {
                request = request
                    .dag_tags(vec![format!("tag{i}"), "shared".to_owned()])
                    .workspace_id("ws");
            }
            async move { (i, request.send().await) }
        })
        .buffer_unordered(4)
        .collect()
        .await;

    let mut tokens = 0;
    let mut roles = 0;
    let mut failures = Vec::new();
    for (i, outcome) in outcomes {
        match outcome {
            Ok(response) => {
                if let Some(v) = response.headers().get(VIOLATIONS) {
                    failures.push(format!("#{i}: response violations {v:?}"));
                }
                let page: types::ApiTokensPaginated = response.into_inner();
                for token in &page.tokens {
                    tokens += 1;
                    roles += token.roles.len();
                    // Prism picks enum values from the fragment's lists.
                    let mut unknown: Vec<String> = Vec::new();
                    if token.kind.is_unknown() {
                        unknown.push(token.kind.to_string());
                    }
                    if token.scope.is_unknown() {
                        unknown.push(token.scope.to_string());
                    }
                    unknown.extend(
                        token
                            .roles
                            .iter()
                            .filter(|r| r.entity_type.is_unknown())
                            .map(|r| r.entity_type.to_string()),
                    );
                    unknown.extend(
                        [&token.created_by, &token.updated_by]
                            .into_iter()
                            .flatten()
                            .filter_map(|p| p.subject_type.as_ref())
                            .filter(|s| s.is_unknown())
                            .map(ToString::to_string),
                    );
                    if !unknown.is_empty() {
                        failures.push(format!(
                            "#{i}: enum values not in the fragment: {unknown:?}"
                        ));
                    }
                }
            }
            Err(error) => failures.push(format!("#{i}: {}", describe(&error))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {DYNAMIC_RESPONSES} dynamic responses failed:\n{}\n{}",
        failures.len(),
        failures.join("\n"),
        prism.log_tail()
    );
    // Prism's generator must have produced tokens (and roles) to deserialize at all.
    assert!(tokens > 0, "no tokens in {DYNAMIC_RESPONSES} responses");
    assert!(roles > 0, "no roles in {tokens} tokens");
    println!(
        "{DYNAMIC_RESPONSES} dynamic responses ({tokens} tokens, {roles} roles) in {:?}",
        started.elapsed()
    );
}

/// The wrapper's listing with every setter and several sorts, as users send it.
fn every_setter(client: &astro_tokens::Client, round: usize) -> astro_tokens::ListTokens {
    use astro_tokens::{Sort, TokenKind};
    let all: Vec<Sort> = Sort::all().collect();
    let sorts: Vec<Sort> = all
        .iter()
        .copied()
        .cycle()
        .skip(round)
        .take(1 + round % 4)
        .collect();
    client
        .list_tokens(format!("org-{round}"))
        .workspace_id("ws-1")
        .deployment_id("dep-1")
        .dag_id("etl_daily")
        .dag_tags(
            ["team-a", "team b", "ünïcode"]
                .into_iter()
                .take(1 + round % 3),
        )
        .include_only_organization_tokens(round.is_multiple_of(2))
        .kind(if round.is_multiple_of(2) {
            TokenKind::Standard
        } else {
            TokenKind::DirectAccess
        })
        .sorts(sorts)
        .offset(round as u64)
        .page_size(1 + (round as u32 * 97) % 1000)
}

#[tokio::test(flavor = "multi_thread")]
async fn wrapper_requests_with_every_setter_pass_prism_validation() {
    let Some(prism) = Prism::start("wrapper_requests_with_every_setter_pass_prism_validation")
    else {
        return;
    };
    let client = astro_tokens::Client::builder()
        .token("test")
        .base_url(&prism.base_url)
        .retry_policy(astro_tokens::RetryPolicy::none())
        .build()
        .expect("a client for Prism");
    for round in 0..24 {
        match every_setter(&client, round).first_page().await {
            Ok(_) => {}
            // Prism invents paging numbers without a minimum: the wrapper refuses a negative
            // one after the request was accepted, which is not a request violation.
            Err(astro_tokens::Error::Pagination { .. }) => {}
            Err(error) => panic!(
                "round {round}: Prism refused the wrapper's request: {error}; log: {}",
                prism.log_tail()
            ),
        }
    }
}

/// The fix for the port race: a self-started Prism whose port another process took
/// (here: a listener this test holds) is started again on another port, not reported as
/// up because something answers on the taken port. Starts its own Prism even when
/// `ASTRO_TOKENS_PRISM_URL` is set, since self-starting is what it checks.
#[tokio::test(flavor = "multi_thread")]
async fn self_started_prism_retries_on_another_port_when_its_port_is_taken() {
    let test = "self_started_prism_retries_on_another_port_when_its_port_is_taken";
    let Some(bin) = common::prism(test) else {
        return;
    };
    let squatter = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a port to take");
    let taken = squatter.local_addr().expect("local address").port();
    let mut offered = Vec::new();
    let prism = Prism::start_with(&bin, test, || {
        let port = if offered.is_empty() {
            taken
        } else {
            free_port()
        };
        offered.push(port);
        port
    });
    assert_eq!(offered.len(), 2, "ports offered: {offered:?}");
    assert_eq!(offered[0], taken);
    assert_eq!(prism.base_url, format!("http://127.0.0.1:{}", offered[1]));
    // The Prism that came up on the second port answers as Prism.
    let response = raw_get(&prism, "?limit=5", true).await;
    assert_eq!(response.status(), 200, "{}", prism.log_tail());
    drop(squatter);
}
