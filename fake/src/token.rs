//! Test data in one line: [`token`] gives the SDK's generated `ApiToken` builder with every
//! required field already filled in, so a test sets only the fields it is about.

use astro_tokens::generated::open_enums::{ApiTokenKind, ApiTokenScope};
use astro_tokens::generated::types::ApiToken;
use astro_tokens::generated::types::builder::ApiTokenBuilder;

use crate::data::{BASE36, BASE62, default_anchor, encode};

/// FNV-1a over `bytes`, from `basis`: a stable hash, the same on every platform and release.
fn fnv1a(basis: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(basis, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// An `ApiToken` named `name`, as the SDK's generated builder
/// ([`astro_tokens::generated::types::builder::ApiTokenBuilder`]), with every required field
/// filled in, so a test sets only what it cares about and hands the builder to
/// [`FakeApiBuilder::with_data`](crate::FakeApiBuilder::with_data):
///
/// | field | value |
/// | --- | --- |
/// | `id` | derived from `name`: cuid-shaped (`c` + 24 base-36 characters), the same for the same name in every run, different for different names |
/// | `name` | `name` |
/// | `description` | empty |
/// | `scope` | `ORGANIZATION` |
/// | `kind` | `STANDARD` |
/// | `shortToken` | 8 characters derived from `name` |
/// | `createdAt`, `updatedAt`, `startAt` | the fake's default "now", [`default_anchor`](crate::default_anchor), 2026-01-15T12:00:00Z |
///
/// Everything optional is left unset: no roles, no expiry (`endAt`,
/// `expiryPeriodInDays`), never used (`lastUsedAt`), never rotated, no `createdBy` or
/// `updatedBy`, no secret `token` value.
///
/// **The dates are fixed, not the wall clock.** A test that compares them with
/// `Utc::now()` compares with today, not with 2026-01-15: take "now" from
/// [`FakeApi::now`](crate::FakeApi::now) (the fake's anchor), or set every date you rely on
/// yourself, as below.
///
/// ```
/// use astro_tokens::ApiTokenScope;
/// use astro_tokens::generated::types::ApiToken;
/// use astro_tokens_fake::{default_anchor, token};
/// use chrono::Duration;
///
/// let soon = default_anchor() + Duration::days(3);
/// let t: ApiToken = token("ci-deploy").end_at(soon).try_into()?;
/// assert_eq!((t.name.as_str(), t.end_at), ("ci-deploy", Some(soon)));
/// assert_eq!(t.scope, ApiTokenScope::Organization);
/// assert_eq!(t.id, token("ci-deploy").try_into().map(|t: ApiToken| t.id)?);
/// # Ok::<(), astro_tokens::generated::types::error::ConversionError>(())
/// ```
pub fn token(name: &str) -> ApiTokenBuilder {
    let bytes = name.as_bytes();
    let basis = 0xCBF2_9CE4_8422_2325;
    let id = format!(
        "c{}{}",
        encode(fnv1a(basis, bytes), 12, BASE36),
        encode(fnv1a(basis ^ 0x1D, bytes), 12, BASE36)
    );
    let now = default_anchor();
    ApiToken::builder()
        .id(id)
        .name(name)
        .description("")
        .scope(ApiTokenScope::Organization)
        .kind(ApiTokenKind::Standard)
        .short_token(encode(fnv1a(basis ^ 0x5E, bytes), 8, BASE62))
        .created_at(now)
        .updated_at(now)
        .start_at(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_a_stable_cuid_shaped_id_per_name() {
        let a = ApiToken::try_from(token("ci-deploy")).unwrap();
        let again = ApiToken::try_from(token("ci-deploy")).unwrap();
        let b = ApiToken::try_from(token("ci-deplox")).unwrap();
        assert_eq!(a, again);
        assert_ne!(a.id, b.id);
        assert_ne!(a.short_token, b.short_token);
        assert_eq!(a.id.len(), 25);
        assert!(a.id.starts_with('c'));
        assert!(
            a.id.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_eq!(a.short_token.len(), 8);
        assert_eq!(
            (a.kind, a.scope),
            (ApiTokenKind::Standard, ApiTokenScope::Organization)
        );
        assert_eq!(a.created_at, default_anchor());
        assert!(a.roles.is_empty() && a.end_at.is_none() && a.token.is_none());
        assert!(ApiToken::try_from(token("")).is_ok());
    }
}
