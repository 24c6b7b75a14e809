//! The API versions the fake serves, where each lives and what each changes on the wire:
//! v1 (GA) under `/v1`, with an optional `X-API-Version` minor-version pin, and the
//! deprecated v1beta1 under `/platform/v1beta1` and `/iam/v1beta1`, where a token's `scope`
//! is still called `type` and `X-API-Version` is ignored.

use axum::http::HeaderMap;

use crate::query::FieldErrors;

/// The header that pins a minor version of API v1.
pub(crate) const API_VERSION_HEADER: &str = "x-api-version";
/// How the header is named in error messages and `fieldErrors`.
const HEADER_SHOWN: &str = "X-API-Version";

/// The path prefix of API v1.
pub(crate) const V1_PREFIX: &str = "/v1";
/// The path prefix of the Platform API v1beta1.
pub(crate) const PLATFORM_V1BETA1_PREFIX: &str = "/platform/v1beta1";
/// The path prefix of the IAM API v1beta1.
pub(crate) const IAM_V1BETA1_PREFIX: &str = "/iam/v1beta1";

/// The API version a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    /// Astro API v1: tokens carry `scope`; `X-API-Version` is checked.
    V1,
    /// Astro API v1beta1 (either host): tokens carry `type`; `X-API-Version` is ignored.
    V1beta1,
}

/// The version and the (still percent-encoded) organization id of a raw path of the form
/// `{prefix}/organizations/{id}/tokens`; `None` for any other path, the bare
/// `/organizations/{id}/tokens` included. Matching the raw path lets an encoded id contain
/// `/`, `?`, spaces or non-ASCII.
pub(crate) fn route(raw_path: &str) -> Option<(ApiVersion, &str)> {
    let (version, rest) = [
        (ApiVersion::V1, V1_PREFIX),
        (ApiVersion::V1beta1, PLATFORM_V1BETA1_PREFIX),
        (ApiVersion::V1beta1, IAM_V1BETA1_PREFIX),
    ]
    .into_iter()
    .find_map(|(version, prefix)| Some((version, raw_path.strip_prefix(prefix)?)))?;
    let id = rest
        .strip_prefix("/organizations/")?
        .strip_suffix("/tokens")?;
    (!id.is_empty() && !id.contains('/')).then_some((version, id))
}

/// Checks the `X-API-Version` of a v1 request (the first one, if sent several times):
/// absent, or `1.MINOR` with MINOR in digits (any minor: the fake serves its one shape of
/// v1 for every minor version). A value that is not `MAJOR.MINOR` in digits (empty
/// included), or names another major version, is one field error named `X-API-Version`.
pub(crate) fn check_api_version(headers: &HeaderMap, errors: &mut FieldErrors) {
    let Some(value) = headers.get(API_VERSION_HEADER) else {
        return;
    };
    let text = value.to_str().unwrap_or_default();
    let shown = String::from_utf8_lossy(value.as_bytes());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((major, minor)) if digits(major) && digits(minor) => {
            if major.trim_start_matches('0') != "1" {
                errors.push(crate::query::field_error(
                    HEADER_SHOWN,
                    "oneof",
                    format!("must be a minor version of API v1 (1.MINOR, e.g. 1.0), got {shown:?}"),
                ));
            }
        }
        _ => errors.push(crate::query::field_error(
            HEADER_SHOWN,
            "format",
            format!("must be MAJOR.MINOR in digits, e.g. 1.0, got {shown:?}"),
        )),
    }
}

/// A token object as v1beta1 sends it: `scope` renamed to `type`, in place.
pub(crate) fn to_v1beta1_token(token: &mut serde_json::Value) {
    if let Some(fields) = token.as_object_mut()
        && let Some(scope) = fields.remove("scope")
    {
        fields.insert("type".to_owned(), scope);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn routes_each_version_on_the_raw_path() {
        assert_eq!(
            route("/v1/organizations/abc/tokens"),
            Some((ApiVersion::V1, "abc"))
        );
        assert_eq!(
            route("/platform/v1beta1/organizations/abc/tokens"),
            Some((ApiVersion::V1beta1, "abc"))
        );
        assert_eq!(
            route("/iam/v1beta1/organizations/abc/tokens"),
            Some((ApiVersion::V1beta1, "abc"))
        );
        assert_eq!(
            route("/v1/organizations/a%2Fb%3F%20%C3%A9/tokens"),
            Some((ApiVersion::V1, "a%2Fb%3F%20%C3%A9"))
        );
        for path in [
            "/organizations/abc/tokens",
            "/v1beta1/organizations/abc/tokens",
            "/v2/organizations/abc/tokens",
            "/v1/v1/organizations/abc/tokens",
            "/iam/v1/organizations/abc/tokens",
            "/v1/organizations/a/b/tokens",
            "/v1/organizations//tokens",
            "/v1/organizations/abc/tokens/",
            "/v1/organizations/abc",
            "/v1organizations/abc/tokens",
        ] {
            assert_eq!(route(path), None, "{path}");
        }
    }

    fn version_errors(values: &[&str]) -> Vec<(String, String)> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(API_VERSION_HEADER, HeaderValue::from_str(value).unwrap());
        }
        let mut errors = FieldErrors::new();
        check_api_version(&headers, &mut errors);
        errors.into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn api_version_is_absent_or_a_v1_minor() {
        assert!(version_errors(&[]).is_empty());
        for ok in ["1.0", "1.1", "1.27", "01.0"] {
            assert!(version_errors(&[ok]).is_empty(), "{ok}");
        }
        let one = |code: &str| vec![(HEADER_SHOWN.to_owned(), code.to_owned())];
        for malformed in ["", "1", "v1.0", "1.0.0", "1.x", "latest", " .1", "1."] {
            assert_eq!(version_errors(&[malformed]), one("format"), "{malformed:?}");
        }
        for other in ["2.0", "0.9", "10.0"] {
            assert_eq!(version_errors(&[other]), one("oneof"), "{other}");
        }
        // The first of several wins.
        assert!(version_errors(&["1.0", "bogus"]).is_empty());
        assert_eq!(version_errors(&["bogus", "1.0"]), one("format"));
    }

    #[test]
    fn v1beta1_calls_scope_type() {
        let mut token = serde_json::json!({"id": "c1", "scope": "WORKSPACE"});
        to_v1beta1_token(&mut token);
        assert_eq!(token, serde_json::json!({"id": "c1", "type": "WORKSPACE"}));
    }
}
