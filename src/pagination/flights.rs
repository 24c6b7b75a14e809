//! The page requests a listing started and has not consumed yet, in offset order. Each runs
//! as its own tokio task, so it makes progress whether or not the stream is polled (the
//! consumer may be busy with earlier tokens); dropping a request aborts its task, so
//! dropping the listing leaves nothing running.

use std::collections::VecDeque;

use tracing::Instrument;
use tracing::instrument::WithSubscriber;

use crate::error::Error;
use crate::page::Page;

/// One page request, running in its own task.
pub(super) struct Flight {
    /// The offset asked.
    pub(super) offset: u64,
    /// The limit asked.
    pub(super) limit: u32,
    task: tokio::task::JoinHandle<Result<Page, Error>>,
}

impl Flight {
    /// Starts `request` (for `offset` and `limit`) on the current tokio runtime, in the
    /// caller's tracing span and with the caller's subscriber (which may be a thread's
    /// default: the task may run on another thread).
    ///
    /// # Panics
    /// Outside a tokio runtime, like every request of the SDK.
    fn spawn(
        offset: u64,
        limit: u32,
        request: impl Future<Output = Result<Page, Error>> + Send + 'static,
    ) -> Self {
        let request = request
            .instrument(tracing::Span::current())
            .with_current_subscriber();
        let task = tokio::spawn(request);
        Self {
            offset,
            limit,
            task,
        }
    }

    /// Where the tokens this request is expected to bring end, with `page_size` the page
    /// size now in force (a request sent before a cap was adopted brings only the cap).
    fn expected_end(&self, page_size: u32) -> u64 {
        self.offset
            .saturating_add(u64::from(self.limit.min(page_size)))
    }

    /// Waits for the page. A panic in the request resumes here, in the consumer's task.
    pub(super) async fn outcome(mut self) -> Result<Page, Error> {
        match (&mut self.task).await {
            Ok(outcome) => outcome,
            Err(failure) => match failure.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // Cancelled: the tokio runtime is shutting down (the listing itself only
                // aborts requests it no longer awaits).
                Err(_) => Err(Error::Cancelled {
                    offset: self.offset,
                }),
            },
        }
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        // A no-op once the task finished.
        self.task.abort();
    }
}

/// The requests in flight, by offset; they never overlap as asked.
#[derive(Default)]
pub(super) struct Flights {
    queue: VecDeque<Flight>,
}

/// Where the next request should go: the first stretch from the cursor that no request in
/// flight is expected to cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hole {
    /// Its position among the requests.
    index: usize,
    /// Its first offset.
    pub(super) start: u64,
    /// The offset of the next request in flight after it, if any.
    pub(super) end: Option<u64>,
}

impl Flights {
    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    /// The request with the lowest offset.
    pub(super) fn pop_front(&mut self) -> Option<Flight> {
        self.queue.pop_front()
    }

    /// Aborts every request.
    pub(super) fn clear(&mut self) {
        self.queue.clear();
    }

    /// Aborts the requests that start before `offset` (already covered by a page longer
    /// than asked); returns how many.
    pub(super) fn drop_before(&mut self, offset: u64) -> usize {
        let before = self.queue.len();
        self.queue.retain(|flight| flight.offset >= offset);
        before - self.queue.len()
    }

    /// The sum, over the requests, of the tokens each is expected to bring.
    pub(super) fn expected(&self, page_size: u32) -> u64 {
        self.queue
            .iter()
            .map(|flight| u64::from(flight.limit.min(page_size)))
            .sum()
    }

    /// The first hole at or after `cursor`, given the page size now in force.
    pub(super) fn first_hole(&self, cursor: u64, page_size: u32) -> Hole {
        let mut at = cursor;
        for (index, flight) in self.queue.iter().enumerate() {
            if flight.offset > at {
                return Hole {
                    index,
                    start: at,
                    end: Some(flight.offset),
                };
            }
            at = at.max(flight.expected_end(page_size));
        }
        Hole {
            index: self.queue.len(),
            start: at,
            end: None,
        }
    }

    /// Starts `request` for `limit` tokens at the start of `hole`.
    pub(super) fn start(
        &mut self,
        hole: Hole,
        limit: u32,
        request: impl Future<Output = Result<Page, Error>> + Send + 'static,
    ) {
        let flight = Flight::spawn(hole.start, limit, request);
        self.queue.insert(hole.index, flight);
    }

    /// The `(offset, limit)` of every request, in order.
    #[cfg(test)]
    fn asked(&self) -> Vec<(u64, u32)> {
        self.queue.iter().map(|f| (f.offset, f.limit)).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A request that never answers.
    fn pending() -> impl Future<Output = Result<Page, Error>> + Send + 'static {
        futures::future::pending()
    }

    fn flights(asked: &[(u64, u32)]) -> Flights {
        let mut flights = Flights::default();
        for &(offset, limit) in asked {
            let hole = flights.first_hole(offset, u32::MAX);
            flights.start(hole, limit, pending());
        }
        flights
    }

    #[tokio::test]
    async fn the_first_hole_is_after_the_last_request_when_they_tile() {
        let flights = flights(&[(100, 100), (200, 100), (300, 100)]);
        let hole = flights.first_hole(100, 100);
        assert_eq!((hole.start, hole.end), (400, None));
        assert_eq!(flights.expected(100), 300);
    }

    #[tokio::test]
    async fn under_a_cap_each_request_sent_before_it_leaves_a_hole_behind_it() {
        let mut flights = flights(&[(1000, 1000), (2000, 1000)]);
        let hole = flights.first_hole(100, 100);
        assert_eq!((hole.start, hole.end), (100, Some(1000)));
        flights.start(hole, 100, pending());
        assert_eq!(flights.asked(), [(100, 100), (1000, 1000), (2000, 1000)]);
        let hole = flights.first_hole(100, 100);
        assert_eq!((hole.start, hole.end), (200, Some(1000)));
        // Skip the rest of the first hole: the next one is behind the request at 1000.
        let mut from_1000 = Flights::default();
        from_1000.queue.extend(flights.queue.drain(1..));
        let hole = from_1000.first_hole(1000, 100);
        assert_eq!((hole.start, hole.end), (1100, Some(2000)));
        assert_eq!(from_1000.expected(100), 200);
        assert_eq!(from_1000.expected(1000), 2000);
    }

    #[tokio::test]
    async fn requests_covered_by_a_longer_page_are_dropped() {
        let mut flights = flights(&[(100, 100), (200, 100), (300, 100)]);
        assert_eq!(flights.drop_before(220), 2);
        assert_eq!(flights.asked(), [(300, 100)]);
    }

    #[tokio::test]
    async fn a_cancelled_request_is_a_cancellation_not_a_transport_error() {
        let flight = Flight::spawn(40, 10, pending());
        flight.task.abort();
        let error = flight.outcome().await.expect_err("cancelled");
        assert!(
            matches!(error, Error::Cancelled { offset: 40 }),
            "{error:?}"
        );
        assert!(!error.is_retryable());
        assert!(error.to_string().contains("cancelled"), "{error}");
    }

    #[tokio::test]
    async fn dropping_a_flight_aborts_its_task() {
        struct Guard(Arc<AtomicUsize>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicUsize::new(0));
        let mut flights = Flights::default();
        for offset in [0, 10] {
            let guard = Guard(Arc::clone(&dropped));
            let hole = flights.first_hole(offset, 10);
            flights.start(hole, 10, async move {
                let _guard = guard;
                futures::future::pending().await
            });
        }
        tokio::task::yield_now().await;
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
        flights.clear();
        let deadline = 10_000;
        for _ in 0..deadline {
            if dropped.load(Ordering::SeqCst) == 2 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 2, "both tasks were aborted");
    }
}
