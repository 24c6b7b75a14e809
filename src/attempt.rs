//! What one attempt saw of its response, carried from the request hook (which sees the
//! headers) to the error conversion (which may get only a body back from progenitor): the
//! status, the request id and `Retry-After`, read once from the headers.

use std::cell::OnceCell;
use std::time::{Duration, SystemTime};

/// What the hook saw of one attempt's response.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Observed {
    pub(crate) status: Option<u16>,
    pub(crate) request_id: Option<String>,
    /// Only for an error status: a page's headers are not parsed for it.
    pub(crate) retry_after: Option<Duration>,
}

/// The header the API (and most proxies) use for the request id.
const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    /// Set once per attempt by [`record`], inside [`observe`].
    static SLOT: OnceCell<Observed>;
}

/// Runs one attempt (sending, reading, decoding) with a place for the hook to record what
/// it saw; returns the attempt's output and the record (empty if no response came).
pub(crate) async fn observe<T>(attempt: impl Future<Output = T>) -> (T, Observed) {
    SLOT.scope(OnceCell::new(), async {
        let output = attempt.await;
        let seen = SLOT.with(|slot| slot.get().cloned()).unwrap_or_default();
        (output, seen)
    })
    .await
}

/// Whether the caller runs inside [`observe`] (the wrapper's attempts do; a request sent
/// through the raw generated builder does not).
pub(crate) fn is_observed() -> bool {
    SLOT.try_with(|_| ()).is_ok()
}

/// Reads what matters from a response's headers, and records it for the running attempt.
pub(crate) fn record(response: &reqwest::Response) -> Observed {
    let headers = response.headers();
    let seen = Observed {
        status: Some(response.status().as_u16()),
        request_id: headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        retry_after: (!response.status().is_success())
            .then(|| retry_after(headers))
            .flatten(),
    };
    let _ = SLOT.try_with(|slot| slot.set(seen.clone()));
    seen
}

/// `Retry-After` as delay-seconds or an HTTP date in any of the three forms RFC 9110
/// (§10.2.3, §5.6.7) asks recipients to accept: IMF-fixdate, RFC 850 and asctime. A date
/// in the past means no wait.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn after(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).expect("header"));
        retry_after(&headers)
    }

    #[test]
    fn retry_after_reads_seconds_and_every_http_date_form() {
        assert_eq!(after("7"), Some(Duration::from_secs(7)));
        assert_eq!(after(" 0 "), Some(Duration::ZERO));
        // One future instant (2068-12-31T23:59:59Z) in the three forms RFC 9110 asks
        // recipients to accept: IMF-fixdate, RFC 850 (two-digit year) and asctime.
        let expected = SystemTime::UNIX_EPOCH + Duration::from_secs(3_124_223_999);
        let wait = expected
            .duration_since(SystemTime::now())
            .expect("2068 is ahead");
        for date in [
            "Mon, 31 Dec 2068 23:59:59 GMT",
            "Monday, 31-Dec-68 23:59:59 GMT",
            "Mon Dec 31 23:59:59 2068",
        ] {
            let got = after(date).unwrap_or_else(|| panic!("{date:?} not understood"));
            assert!(
                got <= wait && wait - got < Duration::from_secs(60),
                "{date:?}: {got:?}"
            );
        }
        assert_eq!(after("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        assert_eq!(after("soon"), None);
        assert_eq!(after("-3"), None);
    }

    #[tokio::test]
    async fn what_is_recorded_inside_an_attempt_comes_back_with_its_output() {
        assert!(!is_observed());
        let (output, seen) = observe(async {
            assert!(is_observed());
            let response: reqwest::Response = http::Response::builder()
                .status(503)
                .header("x-request-id", "req-1")
                .header("retry-after", "3")
                .body(Vec::<u8>::new())
                .expect("response")
                .into();
            record(&response);
            7
        })
        .await;
        assert_eq!(output, 7);
        assert_eq!(
            seen,
            Observed {
                status: Some(503),
                request_id: Some("req-1".to_owned()),
                retry_after: Some(Duration::from_secs(3)),
            }
        );
        let (_, nothing) = observe(async {}).await;
        assert_eq!(nothing, Observed::default());
    }
}
