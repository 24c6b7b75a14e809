//! Retries for the one GET this SDK sends: which failures are tried again, how long to
//! wait between attempts (exponential backoff with full jitter, or the server's
//! `Retry-After` up to a cap), the time limit over all attempts and waits of one request
//! (`max_elapsed`), and the loop that runs the attempts.
//!
//! A hand-written loop rather than a crate: the policy needs full jitter (a uniform wait
//! in `[0, min(max_delay, base_delay × 2ⁿ)]`), the server's `Retry-After` taking the place
//! of the computed wait, a cap above which the error is returned without sleeping, and the
//! attempt number in each request's tracing span. `backon`, the obvious candidate, adds its
//! jitter on top of the delay rather than drawing the whole delay, so it would need a
//! custom backoff, an `adjust` hook and a shared counter to do the same; the loop below is
//! shorter than that glue, and its decision is a pure function tested without a clock.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;

/// How many times a failed request is retried by default (so at most 4 attempts).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The default base of the exponential backoff: the first retry waits up to this long.
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
/// The default ceiling of one computed backoff wait.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(8);
/// The default longest `Retry-After` honoured; a longer one returns the error at once.
pub const DEFAULT_RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// The default time limit of one page request: every attempt and every wait between them.
pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(120);

/// When and how a failed request is tried again.
///
/// The request is an idempotent GET, so the policy is the one trusted SDKs (Stainless,
/// aws-sdk-rust, google-cloud-rust) apply to idempotent calls. Retried: HTTP 408, 429, 500,
/// 502, 503 and 504, whatever the body, connection failures, resets and timeouts (see
/// [`Error::is_retryable`]). Never retried: 400, 401, 403, 404, 501 and other statuses, TLS
/// failures, 2xx bodies that do not decode, and invalid input. Before retry *n* (from 0)
/// the client waits a random duration in `[0, min(max_delay, base_delay × 2ⁿ)]` ("full
/// jitter"), or exactly the server's `Retry-After` when it sent one. A `Retry-After` longer
/// than [`retry_after_cap`](Self::retry_after_cap) is not slept through: the error is
/// returned at once, its [`ApiError::retry_after`](crate::ApiError::retry_after) holding
/// the requested delay, for the caller to schedule.
///
/// [`max_elapsed`](Self::max_elapsed) (default 2 minutes) bounds one request as a whole:
/// every attempt and every wait. An attempt still running when it is reached is cut
/// short, and a wait that would end after it is not started; either way the request ends
/// with [`Error::RetryLimit`], whose source is the last attempt's error.
///
/// ```
/// use std::time::Duration;
/// use astro_tokens::{Client, RetryPolicy};
///
/// // On the client builder:
/// let client = Client::builder()
///     .token("my-secret-token")
///     .retries(5)
///     .retry_base_delay(Duration::from_millis(200))
///     .retry_after_cap(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(client.retry_policy().max_retries(), 5);
///
/// // Or as a value:
/// let policy = RetryPolicy::default().with_max_retries(2).with_max_delay(Duration::from_secs(2));
/// let client = Client::builder().token("my-secret-token").retry_policy(policy).build()?;
/// assert_eq!(client.retry_policy(), policy);
///
/// // Off: every failure is returned as it is.
/// let client = Client::builder().token("my-secret-token").no_retries().build()?;
/// assert!(!client.retry_policy().is_enabled());
/// assert_eq!(RetryPolicy::none().max_retries(), 0);
/// # Ok::<(), astro_tokens::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    retry_after_cap: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, 500 ms base, 8 s ceiling per wait, `Retry-After` honoured up to 60 s,
    /// 2 minutes for a request in all.
    fn default() -> Self {
        Self {
            max_retries: DEFAULT_MAX_RETRIES,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            retry_after_cap: DEFAULT_RETRY_AFTER_CAP,
            max_elapsed: DEFAULT_MAX_ELAPSED,
        }
    }
}

impl RetryPolicy {
    /// No retries: each request is attempted once.
    pub fn none() -> Self {
        Self::default().with_max_retries(0)
    }

    /// At most this many retries after the first attempt (0 turns retries off).
    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The base of the exponential backoff: retry *n* waits up to `base × 2ⁿ`.
    #[must_use]
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The ceiling of one computed backoff wait (not of `Retry-After`).
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` slept through; a longer one returns the error at once.
    #[must_use]
    pub fn with_retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// The time limit of one request: every attempt and every wait (zero is taken as
    /// one millisecond).
    #[must_use]
    pub fn with_max_elapsed(mut self, limit: Duration) -> Self {
        self.max_elapsed = limit;
        self
    }

    /// Retries after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The base of the exponential backoff.
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// The ceiling of one computed backoff wait.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// The longest `Retry-After` slept through.
    pub fn retry_after_cap(&self) -> Duration {
        self.retry_after_cap
    }

    /// The time limit of one request: every attempt and every wait.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// Whether any retry can happen.
    pub fn is_enabled(&self) -> bool {
        self.max_retries > 0
    }

    /// The longest computed wait before retry `retry` (numbered from 0).
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    /// What to do after `error` ended attempt `retries_done + 1`. `draw(n)` returns a
    /// uniform number in `0..=n` (the jitter source, injectable for tests).
    pub(crate) fn decide(
        &self,
        error: &Error,
        retries_done: u32,
        draw: impl FnOnce(u64) -> u64,
    ) -> Decision {
        if !error.is_retryable() {
            return Decision::GiveUp(GiveUp::NotRetryable);
        }
        if retries_done >= self.max_retries {
            return Decision::GiveUp(GiveUp::Exhausted);
        }
        if let Error::Api(api) = error
            && let Some(requested) = api.retry_after
        {
            if requested > self.retry_after_cap {
                return Decision::GiveUp(GiveUp::RetryAfterTooLong {
                    requested,
                    cap: self.retry_after_cap,
                });
            }
            return Decision::Wait {
                delay: requested,
                retry_after: true,
            };
        }
        let ceiling =
            u64::try_from(self.backoff_ceiling(retries_done).as_nanos()).unwrap_or(u64::MAX);
        Decision::Wait {
            delay: Duration::from_nanos(draw(ceiling).min(ceiling)),
            retry_after: false,
        }
    }
}

/// The outcome of one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Sleep this long, then try again; `retry_after` when the server asked for it.
    Wait { delay: Duration, retry_after: bool },
    /// Return the error.
    GiveUp(GiveUp),
}

/// Why an error is returned rather than retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    NotRetryable,
    Exhausted,
    RetryAfterTooLong { requested: Duration, cap: Duration },
}

/// Runs `attempt(1)`, `attempt(2)`, ... until one succeeds, the policy gives up, or
/// [`RetryPolicy::max_elapsed`] runs out. Retries are logged at `DEBUG` (why, and how long
/// the wait is), giving up on a retryable error at `INFO`: expected conditions, for the
/// application to surface through the error it gets. The token never reaches these lines:
/// they carry the error's `Display`, which never holds it.
/// Returns the value with the number of attempts it took.
pub(crate) async fn run<T, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<(T, u32), Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let started = tokio::time::Instant::now();
    let limit = policy.max_elapsed.max(Duration::from_millis(1));
    let deadline = started + limit;
    let mut number = 1u32;
    let mut last: Option<Error> = None;
    loop {
        let error = match tokio::time::timeout_at(deadline, attempt(number)).await {
            Ok(Ok(value)) => return Ok((value, number)),
            Ok(Err(error)) => error,
            Err(_) => {
                let error = retry_limit(policy, started, number, None, last);
                log_give_up(
                    number,
                    "the retry time limit ran out during an attempt",
                    &error,
                );
                return Err(error);
            }
        };
        let retries_done = number - 1;
        match policy.decide(&error, retries_done, |n| fastrand::u64(0..=n)) {
            Decision::Wait { delay, retry_after } => {
                if tokio::time::Instant::now() + delay > deadline {
                    let asked = retry_after.then_some(delay);
                    let error = retry_limit(policy, started, number, asked, Some(error));
                    log_give_up(
                        number,
                        "the next wait would end after the retry time limit",
                        &error,
                    );
                    return Err(error);
                }
                tracing::debug!(
                    operation_id = crate::hooks::OPERATION_ID,
                    attempt = number,
                    next_attempt = number + 1,
                    max_attempts = policy.max_retries.saturating_add(1),
                    wait_ms = duration_ms(delay),
                    wait_source = if retry_after { "retry-after" } else { "backoff" },
                    status = error.status(),
                    request_id = error.request_id(),
                    reason = %error,
                    "retrying ListApiTokens after a transient failure"
                );
                last = Some(error);
                tokio::time::sleep(delay).await;
            }
            Decision::GiveUp(GiveUp::NotRetryable) => return Err(error),
            Decision::GiveUp(GiveUp::Exhausted) => {
                if policy.max_retries > 0 {
                    log_give_up(number, "retries exhausted", &error);
                }
                return Err(error);
            }
            Decision::GiveUp(GiveUp::RetryAfterTooLong { requested, cap }) => {
                tracing::info!(
                    operation_id = crate::hooks::OPERATION_ID,
                    attempts = number,
                    retry_after_ms = duration_ms(requested),
                    cap_ms = duration_ms(cap),
                    reason = %error,
                    "not retrying ListApiTokens: the server's Retry-After exceeds the cap"
                );
                return Err(error);
            }
        }
        number = number.saturating_add(1);
    }
}

fn retry_limit(
    policy: &RetryPolicy,
    started: tokio::time::Instant,
    attempts: u32,
    retry_after: Option<Duration>,
    last: Option<Error>,
) -> Error {
    Error::RetryLimit {
        max_elapsed: policy.max_elapsed,
        elapsed: started.elapsed(),
        attempts,
        retry_after,
        last: last.map(Box::new),
    }
}

fn log_give_up(attempts: u32, why: &str, error: &Error) {
    tracing::info!(
        operation_id = crate::hooks::OPERATION_ID,
        attempts,
        why,
        reason = %error,
        "giving up on ListApiTokens"
    );
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    fn api(status: u16, retry_after: Option<Duration>) -> Error {
        Error::Api(Box::new(ApiError {
            status,
            message: "m".to_owned(),
            request_id: None,
            field_errors: Vec::new(),
            retry_after,
            excerpt: String::new(),
        }))
    }

    fn transport(timeout: bool) -> Error {
        Error::Transport {
            timeout,
            connect: !timeout,
            tls: false,
            request_id: None,
            source: "m".into(),
        }
    }

    fn top(n: u64) -> u64 {
        n
    }

    #[test]
    fn defaults_are_three_retries_half_second_base_and_sixty_second_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries(), 3);
        assert_eq!(p.base_delay(), Duration::from_millis(500));
        assert_eq!(p.max_delay(), Duration::from_secs(8));
        assert_eq!(p.retry_after_cap(), Duration::from_secs(60));
        assert!(p.is_enabled());
        assert!(!RetryPolicy::none().is_enabled());
    }

    #[test]
    fn retryable_statuses_and_transport_errors_wait_then_retry() {
        let p = RetryPolicy::default();
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(
                p.decide(&api(status, None), 0, top),
                Decision::Wait {
                    retry_after: false,
                    ..
                }
            ));
        }
        for timeout in [true, false] {
            assert!(matches!(
                p.decide(&transport(timeout), 0, top),
                Decision::Wait { .. }
            ));
        }
    }

    #[test]
    fn client_errors_501_tls_and_decode_errors_are_never_retried() {
        let p = RetryPolicy::default();
        for status in [400, 401, 403, 404, 409, 501] {
            assert_eq!(
                p.decide(&api(status, Some(Duration::from_secs(1))), 0, top),
                Decision::GiveUp(GiveUp::NotRetryable)
            );
        }
        let decode = Error::Decode {
            status: Some(200),
            request_id: None,
            excerpt: String::new(),
            source: "m".into(),
        };
        assert_eq!(
            p.decide(&decode, 0, top),
            Decision::GiveUp(GiveUp::NotRetryable)
        );
        let tls = Error::Transport {
            timeout: false,
            connect: true,
            tls: true,
            request_id: None,
            source: "invalid peer certificate: UnknownIssuer".into(),
        };
        assert_eq!(
            p.decide(&tls, 0, top),
            Decision::GiveUp(GiveUp::NotRetryable)
        );
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_ceiling_and_jitter_draws_below_it() {
        let p = RetryPolicy::default()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(500))
            .with_max_retries(10);
        let waits: Vec<_> = (0..5)
            .map(|n| match p.decide(&api(503, None), n, top) {
                Decision::Wait { delay, .. } => delay,
                other => panic!("{other:?}"),
            })
            .collect();
        let ms = Duration::from_millis;
        assert_eq!(waits, [ms(100), ms(200), ms(400), ms(500), ms(500)]);
        assert_eq!(
            p.decide(&api(503, None), 2, |_| 0),
            Decision::Wait {
                delay: Duration::ZERO,
                retry_after: false
            }
        );
        assert_eq!(
            p.decide(&api(503, None), 2, |n| n / 2),
            Decision::Wait {
                delay: ms(200),
                retry_after: false
            }
        );
        // A draw outside the range is clamped, and huge retry numbers do not overflow.
        assert_eq!(
            p.decide(&api(503, None), 0, |_| u64::MAX),
            Decision::Wait {
                delay: ms(100),
                retry_after: false
            }
        );
        assert_eq!(p.backoff_ceiling(u32::MAX), ms(500));
    }

    #[test]
    fn retry_after_replaces_the_backoff_up_to_the_cap_and_beyond_it_gives_up() {
        let p = RetryPolicy::default().with_retry_after_cap(Duration::from_secs(5));
        assert_eq!(
            p.decide(&api(429, Some(Duration::from_secs(5))), 0, |_| 0),
            Decision::Wait {
                delay: Duration::from_secs(5),
                retry_after: true
            }
        );
        assert_eq!(
            p.decide(&api(503, Some(Duration::from_secs(6))), 0, top),
            Decision::GiveUp(GiveUp::RetryAfterTooLong {
                requested: Duration::from_secs(6),
                cap: Duration::from_secs(5)
            })
        );
    }

    #[test]
    fn gives_up_after_the_configured_retries() {
        let p = RetryPolicy::default().with_max_retries(2);
        assert!(matches!(
            p.decide(&api(503, None), 1, top),
            Decision::Wait { .. }
        ));
        assert_eq!(
            p.decide(&api(503, None), 2, top),
            Decision::GiveUp(GiveUp::Exhausted)
        );
        assert_eq!(
            RetryPolicy::none().decide(&transport(true), 0, top),
            Decision::GiveUp(GiveUp::Exhausted)
        );
    }

    #[tokio::test]
    async fn run_numbers_attempts_and_stops_at_the_first_success() {
        let p = RetryPolicy::default().with_base_delay(Duration::from_millis(1));
        let mut seen = Vec::new();
        let result = run(&p, |n| {
            seen.push(n);
            async move { if n < 3 { Err(api(503, None)) } else { Ok(n) } }
        })
        .await;
        assert_eq!(
            result.ok(),
            Some((3, 3)),
            "the value and the attempts it took"
        );
        assert_eq!(seen, [1, 2, 3]);
    }

    #[tokio::test]
    async fn run_returns_the_last_error_after_max_retries_plus_one_attempts() {
        let p = RetryPolicy::default()
            .with_max_retries(2)
            .with_base_delay(Duration::from_millis(1));
        let mut count = 0;
        let result: Result<((), u32), Error> = run(&p, |_| {
            count += 1;
            async { Err(api(504, None)) }
        })
        .await;
        assert_eq!(result.err().and_then(|e| e.status()), Some(504));
        assert_eq!(count, 3);
    }
}
