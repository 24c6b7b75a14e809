//! Documentation that is compiled as doc tests only: the README's and the guides'
//! examples, and what `#[non_exhaustive]` rules out (`compile_fail`).

/// The README's Rust examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The guides' Rust examples, compiled (and the runnable ones run) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/getting-started.md")]
#[doc = include_str!("../docs/listing.md")]
#[doc = include_str!("../docs/reliability.md")]
pub struct GuideDoctests;

/// What `#[non_exhaustive]` rules out, as doc tests that must fail to compile: the types
/// that mirror the API can grow in a minor release.
///
/// A model cannot be built with a struct expression, even from another value; use its
/// generated builder or serde:
///
/// ```compile_fail
/// fn renamed(token: astro_tokens::ApiToken) -> astro_tokens::ApiToken {
///     astro_tokens::ApiToken { name: String::from("new"), ..token }
/// }
/// ```
///
/// ```
/// let role: astro_tokens::ApiTokenRole = astro_tokens::ApiTokenRole::builder()
///     .entity_id("clm8sgvai000008l794psbkdv")
///     .entity_type(astro_tokens::ApiTokenRoleEntityType::Workspace)
///     .role("WORKSPACE_MEMBER")
///     .try_into()?;
/// assert_eq!(role.role, "WORKSPACE_MEMBER");
/// # Ok::<(), astro_tokens::generated::types::error::ConversionError>(())
/// ```
///
/// A request enum needs a wildcard arm:
///
/// ```compile_fail
/// fn letter(kind: astro_tokens::TokenKind) -> char {
///     match kind {
///         astro_tokens::TokenKind::Standard => 'S',
///         astro_tokens::TokenKind::DirectAccess => 'D',
///     }
/// }
/// ```
///
/// ```compile_fail
/// fn name(field: astro_tokens::SortField) -> &'static str {
///     match field {
///         astro_tokens::SortField::Name => "n",
///         astro_tokens::SortField::Description => "d",
///         astro_tokens::SortField::CreatedAt => "c",
///         astro_tokens::SortField::UpdatedAt => "u",
///         astro_tokens::SortField::TokenStartAt => "t",
///     }
/// }
/// ```
///
/// An error variant's fields are matched with `..`:
///
/// ```compile_fail
/// fn field(error: &astro_tokens::Error) -> &str {
///     match error {
///         astro_tokens::Error::InvalidInput { field, value: _, allowed: _ } => field,
///         _ => "",
///     }
/// }
/// ```
///
/// ```
/// fn field(error: &astro_tokens::Error) -> &str {
///     match error {
///         astro_tokens::Error::InvalidInput { field, .. } => field,
///         _ => "",
///     }
/// }
/// ```
#[cfg(doctest)]
pub struct NonExhaustiveDoctests;
