//! # astro-tokens
//!
//! A Rust SDK for Astronomer's *List API tokens* endpoint
//! (`GET /organizations/{organizationId}/tokens`), generated at build time from the
//! OpenAPI fragment `openapi/tokens.yaml` with progenitor, plus a thin hand-written layer:
//! a client you can trust with a token, typed sorts, page and item streams over
//! offset/limit paging, validation, retries, forward-compatible enums and one error type.
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

pub mod generated;

/// The README's Rust examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod client;
mod convert;
mod error;
mod fetch;
mod filters;
mod hooks;
mod kind;
mod list;
mod page;
mod pagination;
mod retry;
mod secret;
mod sort;
mod tls;

#[cfg(feature = "testing")]
pub mod fake;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, TOKEN_ENV,
    URL_ENV, USER_AGENT,
};
pub use error::{ApiError, Error};
pub use generated::open_enums::{
    ApiTokenKind, ApiTokenRoleEntityType, ApiTokenType,
    BasicSubjectProfileSubjectType as SubjectType,
};
pub use generated::types::{
    ApiToken, ApiTokenRole, BasicSubjectProfile, FieldValidationError,
    ListApiTokensKind as TokenKind,
};
pub use list::{DEFAULT_PAGE_SIZE, ListTokens, MAX_PAGE_SIZE};
pub use page::Page;
pub use pagination::{Items, ListingReport, Pages};
pub use retry::{
    DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_RETRIES, DEFAULT_RETRY_AFTER_CAP,
    RetryPolicy,
};
pub use sort::{Direction, Sort, SortField};
