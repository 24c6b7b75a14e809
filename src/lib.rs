//! # astro-tokens
//!
//! A Rust SDK for Astronomer's *List API tokens* endpoint
//! (`GET /organizations/{organizationId}/tokens`), generated at build time from the
//! OpenAPI fragment `openapi/tokens.yaml` with progenitor, plus a thin hand-written layer:
//! a client you can trust with a token, typed sorts, page and item streams over
//! offset/limit paging, validation, retries, forward-compatible enums and one error type.
//! It speaks Astro API v1 (pinned to the minor version of the fragment, [`API_VERSION`])
//! and, until v1beta1's end of support in January 2027, v1beta1 too.
//!
//! ```no_run
//! # async fn run() -> Result<(), astro_tokens::Error> {
//! use futures::TryStreamExt;
//! use astro_tokens::{Client, SortField};
//!
//! let client = Client::from_env()?; // ASTRO_API_TOKEN, optional ASTRO_API_URL
//! let tokens: Vec<_> = client
//!     .list_tokens("my-organization-id")
//!     .sort(SortField::CreatedAt.desc())
//!     .items()
//!     .try_collect()
//!     .await?;
//! println!("{} tokens", tokens.len());
//! # Ok(()) }
//! ```
//!
//! Logging: every span and event has the target `astro_tokens` (a request span per
//! attempt, retries at `DEBUG`, giving up and data drift at `INFO`), so
//! `RUST_LOG=astro_tokens=debug` with `tracing_subscriber`'s `EnvFilter` shows them. The
//! token never appears in them.

pub mod generated;

/// The HTTP client crate this SDK is built on (its types appear in `generated` and in
/// [`Error`] sources), re-exported so you can name them without a matching dependency.
pub use reqwest;

/// progenitor's runtime crate, whose `Error` and `ResponseValue` the raw generated
/// builder ([`Client::list_api_tokens`]) returns; re-exported for the same reason.
pub use progenitor_client;

/// The date-time crate of the models' timestamps (`DateTime<Utc>`), re-exported.
pub use chrono;

/// The `tracing` target of every span and event of this crate.
pub const LOG_TARGET: &str = "astro_tokens";

#[cfg(doctest)]
mod doctests;

mod attempt;
mod base_url;
mod client;
mod convert;
mod deprecated;
mod error;
mod excerpt;
mod fetch;
mod hooks;
mod kind;
mod list;
mod page;
mod pagination;
mod redact;
mod retry;
mod sort;
mod tls;

pub use client::{
    API_VERSION, API_VERSION_HEADER, Client, ClientBuilder, DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, TOKEN_ENV, URL_ENV, USER_AGENT,
};
pub use error::{ApiError, BoxError, Error};
#[doc(inline)]
pub use generated::open_enums::{ApiTokenKind, ApiTokenRoleEntityType, ApiTokenScope, SubjectType};
#[doc(inline)]
pub use generated::query::ListApiTokensQuery;
#[doc(inline)]
pub use generated::sensitive::SensitiveString;
#[doc(inline)]
pub use generated::types::{
    ApiToken, ApiTokenRole, BasicSubjectProfile, FieldValidationError, TokenKind,
};
pub use list::{DEFAULT_PAGE_SIZE, ListTokens, MAX_PAGE_SIZE};
pub use page::Page;
pub use pagination::{Items, ListingReport, Pages};
pub use redact::Redacted;
pub use retry::{
    DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_ELAPSED, DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AFTER_CAP, RetryPolicy,
};
pub use sort::{Direction, ParseSortError, Sort, SortField};

/// The guarantees users build on, checked when this crate compiles: the client, the
/// listing, its futures and streams, and the errors can move to other threads
/// (`Send`), and the shared ones can be used from several (`Sync`).
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Client>();
    send_sync::<ClientBuilder>();
    send_sync::<ListTokens>();
    send_sync::<Error>();
    send_sync::<ApiError>();
    send_sync::<Redacted>();
    send_sync::<ParseSortError>();
    send_sync::<Page>();
    send_sync::<ApiToken>();
    send_sync::<ListingReport>();
    send::<Pages>();
    send::<Items>();
};

/// `ListTokens::first_page()`'s future is `Send`: it can be spawned.
#[allow(dead_code)]
fn first_page_is_send(listing: &ListTokens) -> impl Send + '_ {
    listing.first_page()
}
