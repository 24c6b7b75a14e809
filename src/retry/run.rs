//! The loop that runs one request's attempts under a [`RetryPolicy`]: until one succeeds,
//! the policy gives up, the listing's [`Budget`] runs dry, or `max_elapsed` runs out.
//! Retries are logged at `DEBUG` (why, and how long the wait is), giving up on a retryable
//! error at `INFO`, under the target `astro_tokens`; the lines carry the error's `Display`,
//! which never holds the token.

use std::future::Future;

use super::budget::Budget;
use super::policy::{Decision, GiveUp, RetryPolicy};
use crate::error::Error;

/// Runs `attempt(1)`, `attempt(2)`, ... for `operation` (named in the logs); returns the
/// value with the number of attempts it took, or the last error.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    budget: Option<&Budget>,
    operation: &str,
    mut attempt: F,
) -> Result<(T, u32), Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let started = tokio::time::Instant::now();
    let deadline = started + policy.max_elapsed();
    let give_up = |attempts, why: &str, error: &Error| {
        tracing::info!(target: crate::LOG_TARGET, operation_id = operation, attempts, why, reason = %error, "giving up on {operation}");
    };
    let limit = |attempts, retry_after, last: Option<Error>| Error::RetryLimit {
        max_elapsed: policy.max_elapsed(),
        elapsed: started.elapsed(),
        attempts,
        retry_after,
        last: last.map(Box::new),
    };
    let mut number = 1u32;
    let mut last: Option<Error> = None;
    loop {
        let error = match tokio::time::timeout_at(deadline, attempt(number)).await {
            Ok(Ok(value)) => {
                budget.inspect(|b| b.deposit());
                return Ok((value, number));
            }
            Ok(Err(error)) => error,
            Err(_) => {
                let error = limit(number, None, last);
                give_up(
                    number,
                    "the retry time limit ran out during an attempt",
                    &error,
                );
                return Err(error);
            }
        };
        let (delay, retry_after) = match policy.decide(&error, number - 1, |n| fastrand::u64(0..=n))
        {
            Decision::Wait { delay, retry_after } => (delay, retry_after),
            Decision::GiveUp(GiveUp::NotRetryable) => return Err(error),
            Decision::GiveUp(GiveUp::Exhausted) => {
                if policy.is_enabled() {
                    give_up(number, "retries exhausted", &error);
                }
                return Err(error);
            }
            Decision::GiveUp(GiveUp::RetryAfterTooLong { requested, cap }) => {
                tracing::info!(
                    target: crate::LOG_TARGET,
                    operation_id = operation,
                    attempts = number,
                    retry_after_ms = millis(requested),
                    cap_ms = millis(cap),
                    reason = %error,
                    "not retrying {operation}: the server's Retry-After exceeds the cap"
                );
                return Err(error);
            }
        };
        if tokio::time::Instant::now() + delay > deadline {
            let error = limit(number, retry_after.then_some(delay), Some(error));
            give_up(
                number,
                "the next wait would end after the retry time limit",
                &error,
            );
            return Err(error);
        }
        if budget.is_some_and(|b| !b.withdraw()) {
            give_up(number, "the listing's retry budget is spent", &error);
            return Err(error);
        }
        tracing::debug!(
            target: crate::LOG_TARGET,
            operation_id = operation,
            attempt = number,
            next_attempt = number.saturating_add(1),
            max_attempts = policy.max_retries().saturating_add(1),
            wait_ms = millis(delay),
            wait_source = if retry_after { "retry-after" } else { "backoff" },
            status = error.status(),
            request_id = error.request_id(),
            reason = %error,
            "retrying {operation} after a transient failure"
        );
        last = Some(error);
        tokio::time::sleep(delay).await;
        number = number.saturating_add(1);
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::retry::policy::tests::api;

    fn quick() -> RetryPolicy {
        RetryPolicy::default().with_base_delay(Duration::from_millis(1))
    }

    #[tokio::test]
    async fn run_numbers_attempts_and_stops_at_the_first_success() {
        let mut seen = Vec::new();
        let result = run(&quick(), None, "Op", |n| {
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
        let mut count = 0;
        let result: Result<((), u32), Error> =
            run(&quick().with_max_retries(2), None, "Op", |_| {
                count += 1;
                async { Err(api(504, None)) }
            })
            .await;
        assert_eq!(result.err().and_then(|e| e.status()), Some(504));
        assert_eq!(count, 3);
    }

    #[tokio::test]
    async fn a_spent_budget_ends_the_request_and_a_success_refills_it() {
        let budget = Budget::new(2);
        let mut count = 0;
        let failed: Result<((), u32), Error> = run(&quick(), Some(&budget), "Op", |_| {
            count += 1;
            async { Err(api(503, None)) }
        })
        .await;
        assert_eq!(failed.err().and_then(|e| e.status()), Some(503));
        assert_eq!(count, 3, "two retries, not the policy's three");
        assert!(!budget.withdraw());
        let ok = run(&quick(), Some(&budget), "Op", |_| async { Ok(()) }).await;
        assert!(ok.is_ok());
        assert!(budget.withdraw(), "the success gave one back");
    }
}
