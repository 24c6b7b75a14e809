//! The HTTP side of the fake: one axum fallback handler that records every request, applies
//! the latency and fault-injection hooks, routes on the raw (still percent-encoded) path to
//! an API version, checks the bearer token and organization, validates the query (and v1's
//! `X-API-Version`) and answers with JSON built from the generated types, as the version and
//! the Go-nulls setting shape it. Every response carries `x-request-id`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use percent_encoding::percent_decode_str;

use crate::query::{self, FieldErrors};
use crate::select::DataSet;
use crate::version::{self, ApiVersion};
use crate::{CannedResponse, RecordedRequest, Responder, nulls, request_id};
use astro_tokens::generated::types::{ApiTokensPaginated, Error};

/// Everything the handler and the [`FakeApi`](super::FakeApi) handle share.
pub(crate) struct Shared {
    pub(crate) token: String,
    pub(crate) organization_id: String,
    pub(crate) latency: Option<Duration>,
    pub(crate) ignore_offset: bool,
    /// Serve at most this many tokens a page, and say so in `limit`.
    pub(crate) max_limit: Option<usize>,
    /// Send absent optional properties and empty arrays as `null`, as Go does.
    pub(crate) go_nulls: bool,
    pub(crate) responder: Option<Responder>,
    pub(crate) data: DataSet,
    pub(crate) log: Mutex<Log>,
}

/// Requests received so far; `next` numbers them (never reset).
#[derive(Debug, Default)]
pub(crate) struct Log {
    pub(crate) next: usize,
    pub(crate) requests: Vec<RecordedRequest>,
}

impl Shared {
    /// Appends the request to the log and returns its number.
    fn record(&self, request: RecordedRequest) -> usize {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let n = log.next;
        log.next += 1;
        log.requests.push(request);
        n
    }
}

/// Whether `Authorization` is `Bearer <expected>` (scheme case-insensitive).
fn authorized(parts: &Parts, expected: &str) -> bool {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    match value.split_once(' ') {
        Some((scheme, credentials)) => {
            scheme.eq_ignore_ascii_case("bearer") && credentials == expected
        }
        None => false,
    }
}

fn response(status: StatusCode, request_id: &str, content_type: &str, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static("x-request-id"), value);
    }
    response
}

/// An `Error`-schema answer.
fn error(
    shared: &Shared,
    status: StatusCode,
    request_id: &str,
    message: String,
    field_errors: FieldErrors,
) -> Response {
    let body: Error = crate::built(
        Error::builder()
            .field_errors(field_errors)
            .message(message)
            .request_id(request_id)
            .status_code(i64::from(status.as_u16())),
    );
    let value = serde_json::to_value(&body).map(|mut value| {
        if shared.go_nulls {
            nulls::error(&mut value);
        }
        value
    });
    match value {
        Ok(value) => response(
            status,
            request_id,
            "application/json",
            value.to_string().into_bytes(),
        ),
        Err(e) => internal(request_id, &e),
    }
}

fn internal(request_id: &str, cause: &serde_json::Error) -> Response {
    let body = format!(
        r#"{{"message":"fake could not serialize its answer","requestId":"{request_id}","statusCode":500,"cause":{:?}}}"#,
        cause.to_string()
    );
    response(
        StatusCode::INTERNAL_SERVER_ERROR,
        request_id,
        "application/json",
        body.into_bytes(),
    )
}

fn canned(canned: CannedResponse, request_id: &str) -> Response {
    let status = StatusCode::from_u16(canned.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(canned.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in &canned.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.append(name, value);
        }
    }
    if !headers.contains_key("x-request-id")
        && let Ok(value) = HeaderValue::from_str(request_id)
    {
        headers.insert(HeaderName::from_static("x-request-id"), value);
    }
    response
}

/// The handler for every request.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let recorded = RecordedRequest::from_parts(&parts);
    let n = shared.record(recorded.clone());
    let id = request_id(n);
    if let Some(latency) = shared.latency {
        tokio::time::sleep(latency).await;
    }
    if let Some(responder) = &shared.responder
        && let Some(answer) = responder(&recorded, n)
    {
        return canned(answer, &id);
    }
    answer(&shared, &parts, &recorded, &id)
}

fn answer(shared: &Shared, parts: &Parts, recorded: &RecordedRequest, id: &str) -> Response {
    let Some((version, raw_org)) = version::route(&recorded.path) else {
        return error(
            shared,
            StatusCode::NOT_FOUND,
            id,
            format!("no route for {} {}", recorded.method, recorded.path),
            Vec::new(),
        );
    };
    if parts.method != Method::GET {
        let mut response = error(
            shared,
            StatusCode::METHOD_NOT_ALLOWED,
            id,
            format!("method {} not allowed; use GET", recorded.method),
            Vec::new(),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    if !authorized(parts, &shared.token) {
        return error(
            shared,
            StatusCode::UNAUTHORIZED,
            id,
            "missing or invalid bearer token".to_owned(),
            Vec::new(),
        );
    }
    let organization = percent_decode_str(raw_org).decode_utf8();
    if organization.as_deref().ok() != Some(shared.organization_id.as_str()) {
        let shown = organization.map_or_else(|_| raw_org.to_owned(), |o| o.into_owned());
        return error(
            shared,
            StatusCode::NOT_FOUND,
            id,
            format!("organization {shown:?} not found"),
            Vec::new(),
        );
    }
    let mut errors = FieldErrors::new();
    if version == ApiVersion::V1 {
        version::check_api_version(&parts.headers, &mut errors);
    }
    let query = query::parse(&recorded.query);
    if let Err(query_errors) = &query {
        errors.extend(query_errors.iter().cloned());
    }
    let query = match query {
        Ok(query) if errors.is_empty() => query,
        _ => {
            let message = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            return error(shared, StatusCode::BAD_REQUEST, id, message, errors);
        }
    };
    let offset = if shared.ignore_offset {
        0
    } else {
        usize::try_from(query.offset).unwrap_or(usize::MAX)
    };
    let mut limit = usize::try_from(query.limit).unwrap_or(0);
    let mut served_limit = query.limit;
    if let Some(cap) = shared.max_limit
        && cap < limit
    {
        limit = cap;
        served_limit = i64::try_from(cap).unwrap_or(i64::MAX);
    }
    let page = shared.data.page(&query, offset, limit);
    let secrets: Vec<Option<String>> = page
        .tokens
        .iter()
        .map(|t| t.token.as_ref().map(|s| s.expose_secret().to_owned()))
        .collect();
    let body: ApiTokensPaginated = crate::built(
        ApiTokensPaginated::builder()
            .limit(served_limit)
            .offset(query.offset)
            .tokens(page.tokens)
            .total_count(i64::try_from(page.total).unwrap_or(i64::MAX)),
    );
    let value = serde_json::to_value(&body).map(|value| {
        let mut value = with_secrets(value, &secrets);
        if version == ApiVersion::V1beta1
            && let Some(tokens) = value
                .get_mut("tokens")
                .and_then(serde_json::Value::as_array_mut)
        {
            tokens.iter_mut().for_each(version::to_v1beta1_token);
        }
        if shared.go_nulls {
            nulls::page(&mut value);
        }
        value
    });
    match value {
        Ok(value) => response(
            StatusCode::OK,
            id,
            "application/json",
            value.to_string().into_bytes(),
        ),
        Err(e) => internal(id, &e),
    }
}

/// The page as the API would send it: serde writes a token's secret value as
/// `[redacted]` (see `SensitiveString`), the API sends the value itself.
fn with_secrets(mut page: serde_json::Value, secrets: &[Option<String>]) -> serde_json::Value {
    if let Some(tokens) = page
        .get_mut("tokens")
        .and_then(serde_json::Value::as_array_mut)
    {
        for (token, secret) in tokens.iter_mut().zip(secrets) {
            if let (Some(fields), Some(secret)) = (token.as_object_mut(), secret) {
                fields.insert(
                    "token".to_owned(),
                    serde_json::Value::String(secret.clone()),
                );
            }
        }
    }
    page
}
