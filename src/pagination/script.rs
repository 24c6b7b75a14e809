//! An in-memory, scripted API for the state machine's tests: it pages a list of ids as the
//! real one would, departs from that in scripted ways ([`Quirk`], [`Cap`]), and counts
//! every call, cancellation and clone so that tests assert events, never timings.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;

use super::{Items, Pages, Plan, paginate};
use crate::error::Error;
use crate::generated::types::ApiToken;
use crate::page::Page;

/// A token with this id; the other fields are fixed.
pub(crate) fn token(id: &str) -> ApiToken {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "name": format!("name {id}"),
        "description": "",
        "shortToken": "short",
        "scope": "ORGANIZATION",
        "kind": "STANDARD",
        "createdAt": "2024-01-01T00:00:00Z",
        "startAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-01T00:00:00Z",
    }))
    .expect("the fixed token JSON matches the schema")
}

/// `tok-00000` .. the `n`-th.
pub(super) fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("tok-{i:05}")).collect()
}

pub(super) fn id_list(tokens: &[ApiToken]) -> Vec<String> {
    tokens.iter().map(|t| t.id.clone()).collect()
}

/// How the scripted server departs from a well-behaved one.
#[derive(Clone, Copy, Debug, Default)]
pub(super) enum Quirk {
    #[default]
    None,
    /// Serves the first page whatever the offset, and says so (`offset: 0`).
    IgnoreOffset,
    /// Serves the first page whatever the offset, but echoes the offset asked.
    RepeatFirstPage,
    /// Answers an empty page at this offset (totalCount unchanged).
    EmptyAt(u64),
    /// Answers only this many tokens at this offset (its `limit` echoed as asked).
    ShortAt(u64, usize),
    /// Answers this many more tokens than asked at this offset.
    LongAt(u64, usize),
    /// Fails the request at this offset.
    FailAt(u64),
    /// Before serving call number `call` (from 0), inserts `count` tokens at `at`.
    InsertBefore {
        call: usize,
        at: usize,
        count: usize,
    },
    /// Before serving call number `call` (from 0), deletes the token at `at`.
    DeleteBefore { call: usize, at: usize },
    /// Before serving call number `call` (from 0), inserts one token at `insert_at`, then
    /// deletes the token at `delete_at`: the total stays the same.
    InsertAndDeleteBefore {
        call: usize,
        insert_at: usize,
        delete_at: usize,
    },
    /// From this offset on, serves the page before the one asked (echoing the offset
    /// asked): a server that stops advancing.
    StuckFrom(u64),
}

/// A server cap: requests at `from` or beyond get at most `limit` tokens, and a body
/// `limit` of `limit` when they asked for more.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cap {
    pub(super) limit: u32,
    pub(super) from: u64,
}

/// An in-memory API that pages `ids` as the real one would, counting calls.
#[derive(Clone, Default)]
pub(super) struct Server {
    pub(super) ids: Arc<Mutex<Vec<String>>>,
    quirk: Quirk,
    cap: Option<Cap>,
    /// Latency of call `i` (from 0); none by default.
    latency: Option<fn(usize) -> Duration>,
    calls: Arc<Mutex<Vec<(u64, u32)>>>,
    /// For each call, how many calls had finished when it started.
    finished_before: Arc<Mutex<Vec<usize>>>,
    pub(super) started: Arc<AtomicUsize>,
    pub(super) finished: Arc<AtomicUsize>,
    pub(super) cancelled: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    pub(super) max_in_flight: Arc<AtomicUsize>,
}

/// Counts a request as cancelled if it is dropped before it finished.
struct Flight {
    server: Server,
    done: bool,
}

impl Drop for Flight {
    fn drop(&mut self) {
        self.server.in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.done {
            self.server.finished.fetch_add(1, Ordering::SeqCst);
        } else {
            self.server.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Server {
    pub(super) fn with(n: usize) -> Self {
        Self {
            ids: Arc::new(Mutex::new(ids(n))),
            ..Self::default()
        }
    }

    pub(super) fn quirk(mut self, quirk: Quirk) -> Self {
        self.quirk = quirk;
        self
    }

    /// Caps every page at `limit` tokens.
    pub(super) fn cap(self, limit: u32) -> Self {
        self.cap_from(limit, 0)
    }

    /// Caps pages at `limit` tokens from offset `from` on.
    pub(super) fn cap_from(mut self, limit: u32, from: u64) -> Self {
        self.cap = Some(Cap { limit, from });
        self
    }

    pub(super) fn latency(mut self, latency: fn(usize) -> Duration) -> Self {
        self.latency = Some(latency);
        self
    }

    /// Every call's `(offset, limit)`, in the order they started.
    pub(super) fn calls(&self) -> Vec<(u64, u32)> {
        self.calls.lock().expect("not poisoned").clone()
    }

    /// Every call's `(offset, limit)`, sorted by offset.
    pub(super) fn calls_by_offset(&self) -> Vec<(u64, u32)> {
        let mut calls = self.calls();
        calls.sort_unstable();
        calls
    }

    pub(super) fn finished_before(&self) -> Vec<usize> {
        self.finished_before.lock().expect("not poisoned").clone()
    }

    pub(super) fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    pub(super) fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }

    /// How many clones of this server exist (the test's own, the listing's, and one per
    /// request task still alive).
    pub(super) fn clones(&self) -> usize {
        Arc::strong_count(&self.calls)
    }

    /// Pages this server with the given controls.
    pub(super) fn paginate(
        &self,
        start: u64,
        page_size: u32,
        max_items: Option<u64>,
        n: usize,
    ) -> Pages {
        let server = self.clone();
        let plan = Plan {
            start,
            page_size,
            max_items,
            concurrency: n,
        };
        paginate(plan, move |offset, limit| {
            let server = server.clone();
            async move { server.serve(offset, limit).await }
        })
    }

    pub(super) async fn serve(self, offset: u64, limit: u32) -> Result<Page, Error> {
        let call = {
            let mut calls = self.calls.lock().expect("not poisoned");
            calls.push((offset, limit));
            calls.len() - 1
        };
        self.finished_before
            .lock()
            .expect("not poisoned")
            .push(self.finished.load(Ordering::SeqCst));
        self.started.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let mut flight = Flight {
            server: self.clone(),
            done: false,
        };
        if let Some(latency) = self.latency {
            tokio::time::sleep(latency(call)).await;
        }
        let page = self.page(call, offset, limit);
        flight.done = true;
        page
    }

    fn page(&self, call: usize, offset: u64, limit: u32) -> Result<Page, Error> {
        let mut data = self.ids.lock().expect("not poisoned");
        match self.quirk {
            Quirk::InsertBefore {
                call: at_call,
                at,
                count,
            } if at_call == call => {
                for i in 0..count {
                    data.insert(at + i, format!("new-{call}-{i}"));
                }
            }
            Quirk::DeleteBefore { call: at_call, at } if at_call == call => {
                data.remove(at);
            }
            Quirk::InsertAndDeleteBefore {
                call: at_call,
                insert_at,
                delete_at,
            } if at_call == call => {
                data.insert(insert_at, format!("new-{call}"));
                data.remove(delete_at);
            }
            Quirk::FailAt(at) if at == offset => {
                return Err(Error::Transport {
                    timeout: false,
                    connect: true,
                    tls: false,
                    request_id: None,
                    source: format!("scripted failure at {offset}").into(),
                });
            }
            _ => {}
        }
        let total = data.len() as u64;
        let (served_from, echoed) = match self.quirk {
            Quirk::IgnoreOffset => (0, 0),
            Quirk::RepeatFirstPage => (0, offset),
            Quirk::StuckFrom(at) if offset >= at => (at - u64::from(limit), offset),
            _ => (offset, offset),
        };
        let served_limit = match self.cap {
            Some(cap) if offset >= cap.from => limit.min(cap.limit),
            _ => limit,
        };
        let mut take = served_limit as usize;
        match self.quirk {
            Quirk::EmptyAt(at) if at == offset => take = 0,
            Quirk::ShortAt(at, n) if at == offset => take = n,
            Quirk::LongAt(at, n) if at == offset => take += n,
            _ => {}
        }
        let tokens = data
            .iter()
            .skip(served_from as usize)
            .take(take)
            .map(|id| token(id))
            .collect();
        Ok(Page {
            tokens,
            offset: echoed,
            limit: u64::from(served_limit),
            total_count: total,
            total_changed: false,
            request_id: None,
            attempts: 1,
        })
    }
}

/// Collects every item, failing the test if the stream takes longer than 10 s (a hang).
pub(super) async fn collect(items: &mut Items) -> Result<Vec<ApiToken>, Error> {
    tokio::time::timeout(Duration::from_secs(10), items.try_collect())
        .await
        .expect("the listing ended instead of hanging")
}

/// Collects every page outcome, errors included, within 10 s.
pub(super) async fn outcomes(pages: Pages) -> Vec<Result<Page, Error>> {
    use futures::StreamExt;
    tokio::time::timeout(Duration::from_secs(10), pages.collect())
        .await
        .expect("the listing ended instead of hanging")
}

/// Waits (up to 10 s, polling every millisecond) until `done` holds; false if it never did.
pub(super) async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..10_000 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    done()
}
