//! The retry policy: which failures are tried again, how long to wait before each retry,
//! and the time limit of one request.

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

/// When and how a failed request is tried again; set it with
/// [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy).
///
/// Retried (the request is an idempotent GET): HTTP 408, 429, 500, 502, 503 and 504,
/// whatever the body, connection failures, resets and timeouts (see
/// [`Error::is_retryable`]). Before retry *n* (from 0) the client waits a random duration
/// in `[0, min(max_delay, base_delay × 2ⁿ)]`, or exactly the server's `Retry-After`; one
/// longer than [`retry_after_cap`](Self::retry_after_cap) returns the error at once.
/// [`max_elapsed`](Self::max_elapsed) bounds one request, attempts and waits together,
/// and ends it with [`Error::RetryLimit`]. The pages of one listing share a budget of
/// `max_retries` retries, given back one per page received, so concurrent requests
/// against a failing server do not multiply the retries.
///
/// ```
/// use std::time::Duration;
/// use astro_tokens::{Client, RetryPolicy};
///
/// let policy = RetryPolicy::default()
///     .with_max_retries(5)
///     .with_base_delay(Duration::from_millis(200))
///     .with_retry_after_cap(Duration::from_secs(30));
/// let client = Client::builder().token("my-secret-token").retry_policy(policy).build()?;
/// assert_eq!(client.retry_policy().max_retries(), 5);
///
/// // Off: every failure is returned as it is.
/// let client = Client::builder().token("t").retry_policy(RetryPolicy::none()).build()?;
/// assert!(!client.retry_policy().is_enabled());
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

    /// The base of the exponential backoff: retry *n* waits up to `base × 2ⁿ` (zero: no wait).
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

    /// The longest `Retry-After` slept through; a longer one returns the error at once
    /// (zero: never sleep through one).
    #[must_use]
    pub fn with_retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// The time limit of one request: every attempt and every wait. More than zero, like
    /// every time limit of the client: [`ClientBuilder::build`](crate::ClientBuilder::build)
    /// refuses zero.
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
        if let Some(requested) = error.retry_after() {
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::error::ApiError;

    pub(crate) fn api(status: u16, retry_after: Option<Duration>) -> Error {
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
        assert_eq!(p.max_elapsed(), Duration::from_secs(120));
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
    fn client_errors_501_tls_decode_and_cancelled_requests_are_never_retried() {
        let p = RetryPolicy::default();
        let never = |e: &Error| p.decide(e, 0, top) == Decision::GiveUp(GiveUp::NotRetryable);
        for status in [400, 401, 403, 404, 409, 501] {
            assert!(
                never(&api(status, Some(Duration::from_secs(1)))),
                "{status}"
            );
        }
        let decode = Error::Decode {
            status: Some(200),
            request_id: None,
            excerpt: String::new(),
            source: "m".into(),
        };
        let tls = Error::Transport {
            timeout: false,
            connect: true,
            tls: true,
            request_id: None,
            source: "invalid peer certificate: UnknownIssuer".into(),
        };
        for error in [decode, tls, Error::Cancelled { offset: 0 }] {
            assert!(never(&error), "{error}");
        }
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_ceiling_and_jitter_draws_below_it() {
        let p = RetryPolicy::default()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(500))
            .with_max_retries(10);
        let wait = |n, draw: fn(u64) -> u64| match p.decide(&api(503, None), n, draw) {
            Decision::Wait { delay, .. } => delay,
            other => panic!("{other:?}"),
        };
        let ms = Duration::from_millis;
        let waits: Vec<_> = (0..5).map(|n| wait(n, top)).collect();
        assert_eq!(waits, [ms(100), ms(200), ms(400), ms(500), ms(500)]);
        assert_eq!(wait(2, |_| 0), Duration::ZERO);
        assert_eq!(wait(2, |n| n / 2), ms(200));
        // A draw outside the range is clamped, and huge retry numbers do not overflow.
        assert_eq!(wait(0, |_| u64::MAX), ms(100));
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
}
