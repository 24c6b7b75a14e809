//! Raw-TCP HTTP/1.1 servers on 127.0.0.1 for fault-injection tests: each connection reads
//! one request head, asks a handler what to do, and does it byte by byte — including what
//! a well-behaved server never does (reset mid-body, stall a body, lie about the length).
//! Every response closes its connection, so each request arrives on a fresh one.
//!
//! Shared by several test files; not every file uses every helper.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The token every test client sends; tests assert it never leaks.
pub const TOKEN: &str = "astro-secret-token-DO-NOT-LEAK-5f3a9c";
/// The organization the tests list.
pub const ORG: &str = "org-faults";

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// 1-based, in order of arrival.
    pub number: usize,
    pub method: String,
    /// The request target as sent: path and query, still percent-encoded.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// When the head was fully read.
    pub at: Instant,
}

impl Request {
    /// The raw (still encoded) path.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The decoded query pairs, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        let Some((_, query)) = self.target.split_once('?') else {
            return Vec::new();
        };
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (form_decode(k), form_decode(v))
            })
            .collect()
    }

    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// `offset` as a number (0 when absent or malformed).
    pub fn offset(&self) -> u64 {
        self.param("offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// `limit` as a number (20, the API default, when absent or malformed).
    pub fn limit(&self) -> u64 {
        self.param("limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(20)
    }

    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does on a connection, in order.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write these bytes.
    Write(Vec<u8>),
    /// Wait.
    Sleep(Duration),
    /// Keep the connection open and silent until the client goes away.
    Stall,
    /// Abort the connection with a TCP RST.
    Reset,
}

type Handler = dyn Fn(&Request) -> Vec<Step> + Send + Sync + 'static;

/// A loopback server driven by a handler. Stops when dropped.
pub struct RawServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    /// Starts a server whose handler decides, per request, what is written back.
    pub async fn start(handler: impl Fn(&Request) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let task = tokio::spawn({
            let log = Arc::clone(&log);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, Arc::clone(&handler), Arc::clone(&log)));
                }
            }
        });
        Self { addr, log, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<Request> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The `offset` of every request, in order of arrival.
    pub fn offsets(&self) -> Vec<u64> {
        self.requests().iter().map(Request::offset).collect()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Request>>>) {
    let Some(mut request) = read_head(&mut stream).await else {
        return;
    };
    {
        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
        request.number = log.len() + 1;
        log.push(request.clone());
    }
    for step in handler(&request) {
        match step {
            Step::Write(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
                let _ = stream.flush().await;
            }
            Step::Sleep(d) => tokio::time::sleep(d).await,
            Step::Stall => {
                // Hold the socket until the client closes it (read returns 0 or fails).
                let mut sink = [0u8; 256];
                while let Ok(n) = stream.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
                return;
            }
            Step::Reset => {
                let _ = stream.set_zero_linger();
                drop(stream);
                return;
            }
        }
    }
    let _ = stream.shutdown().await;
}

async fn read_head(stream: &mut TcpStream) -> Option<Request> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Request {
        number: 0,
        method,
        target,
        headers,
        at: Instant::now(),
    })
}

/// Decodes a query component: `+` is a space, then `%XX` escapes.
pub fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// Decodes `%XX` escapes (as in a path: `+` stays `+`); invalid escapes stay as they
/// are, invalid UTF-8 is replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The reason phrase for the statuses the tests use.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A response head announcing `content_length` body bytes (which may never all come).
pub fn head(status: u16, headers: &[(&str, &str)], content_length: usize) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\ncontent-length: {content_length}\r\nconnection: close\r\n",
        reason(status),
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A complete response: status line, `Content-Length`, `Connection: close`, the extra
/// headers, then the body.
pub fn response(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Vec<u8> {
    let body = body.as_ref();
    let mut bytes = head(status, headers, body.len());
    bytes.extend_from_slice(body);
    bytes
}

/// A JSON response.
pub fn json(status: u16, extra: &[(&str, &str)], body: impl AsRef<[u8]>) -> Vec<u8> {
    let mut headers = vec![("content-type", "application/json")];
    headers.extend_from_slice(extra);
    response(status, &headers, body)
}

/// The API's `Error` body.
pub fn error_body(status: u16, message: &str, request_id: &str) -> String {
    serde_json::json!({ "message": message, "requestId": request_id, "statusCode": status })
        .to_string()
}

/// Just this response, written in one go.
pub fn reply(bytes: Vec<u8>) -> Vec<Step> {
    vec![Step::Write(bytes)]
}

/// A JSON error answer with the API's `Error` body.
pub fn error_reply(status: u16, extra: &[(&str, &str)]) -> Vec<Step> {
    reply(json(
        status,
        extra,
        error_body(
            status,
            &format!("injected {status}"),
            &format!("req-{status}"),
        ),
    ))
}

/// The id of the token at index `i` of the fake data set.
pub fn token_id(i: u64) -> String {
    format!("tok-{i:04}")
}

/// The token at index `i`, with every required field.
pub fn token_json(i: u64) -> serde_json::Value {
    serde_json::json!({
        "id": token_id(i),
        "name": format!("token {i}"),
        "description": "",
        "shortToken": format!("short{i}"),
        "scope": "ORGANIZATION",
        "kind": "STANDARD",
        "createdAt": "2024-01-01T00:00:00Z",
        "startAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-02T00:00:00Z",
    })
}

/// The page body for `offset`/`limit` over `total` tokens, as the API pages.
pub fn page_body(offset: u64, limit: u64, total: u64) -> String {
    let end = offset.saturating_add(limit).min(total);
    let tokens: Vec<_> = (offset.min(end)..end).map(token_json).collect();
    serde_json::json!({ "limit": limit, "offset": offset, "totalCount": total, "tokens": tokens })
        .to_string()
}

/// The correct page for this request over `total` tokens, with a request id.
pub fn page_reply(request: &Request, total: u64) -> Vec<Step> {
    let id = format!("req-{}", request.number);
    reply(json(
        200,
        &[("x-request-id", &id)],
        page_body(request.offset(), request.limit(), total),
    ))
}

/// The default retry policy with fast waits (1–10 ms).
pub fn fast_retries() -> astro_tokens::RetryPolicy {
    astro_tokens::RetryPolicy::default()
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(10))
}

/// A client for `server` with fast retries and a 5 s timeout.
pub fn client_builder(server: &RawServer) -> astro_tokens::ClientBuilder {
    astro_tokens::Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .retry_policy(fast_retries())
}

/// The first page of up to 20 tokens of [`ORG`] (one request, with its retries).
pub async fn first_page(
    client: &astro_tokens::Client,
) -> Result<astro_tokens::Page, astro_tokens::Error> {
    client.list_tokens(ORG).page_size(20).first_page().await
}

/// The ids of these tokens, in order.
pub fn ids(tokens: &[astro_tokens::ApiToken]) -> Vec<String> {
    tokens.iter().map(|t| t.id.clone()).collect()
}

/// The ids `tok-{from}` .. `tok-{to - 1}`.
pub fn expected_ids(range: std::ops::Range<u64>) -> Vec<String> {
    range.map(token_id).collect()
}
