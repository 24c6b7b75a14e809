//! Which base URLs a client accepts, how they are shown in errors (never with a user or
//! password), and which API version speaks there.

use std::net::IpAddr;

use crate::error::Error;
use crate::redact::REDACTED;

const ALLOWED: &str =
    "an https:// URL, or http:// to a loopback host (127.0.0.1, [::1], localhost)";

/// Accepts `https://` URLs, and `http://` only to loopback (a plain URL elsewhere would
/// send the token in clear); refuses credentials, a query or a fragment; strips a trailing
/// slash. Errors show the URL without its user and password, whatever else is wrong.
pub(crate) fn checked(raw: &str) -> Result<String, Error> {
    let shown = without_userinfo(raw);
    let refuse = |why: String| Error::invalid("base_url", &shown, why);
    let url = url::Url::parse(raw.trim()).map_err(|e| refuse(format!("{ALLOWED}; {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => {}
        "http" if loopback => {}
        "http" => {
            return Err(refuse(format!(
                "{ALLOWED} (plain http:// would expose the token on the network)"
            )));
        }
        _ => return Err(refuse(format!("{ALLOWED} (unsupported scheme)"))),
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(refuse(format!(
            "{ALLOWED}, without credentials, query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether the API behind `base_url` is a v1beta1 one (`…/platform/v1beta1`,
/// `…/iam/v1beta1`), which has no minor versions and takes no `X-API-Version`.
pub(crate) fn is_v1beta1(base_url: &str) -> bool {
    base_url.trim_end_matches('/').ends_with("/v1beta1")
}

/// `raw` as errors and `Debug` show it: with whatever stands for a user or a password
/// replaced by `[redacted]`. When `raw` parses, the URL parser says where they are (it
/// accepts `https:/user@host` and `https:\\user@host` too); otherwise the text between the
/// scheme's `:` and its slashes, and the last `@` before the path, is cut.
pub(crate) fn without_userinfo(raw: &str) -> String {
    let raw = raw.trim();
    if let Ok(mut url) = url::Url::parse(raw) {
        if url.username().is_empty() && url.password().is_none() {
            return raw.to_owned();
        }
        if url.set_username("").is_ok()
            && url.set_password(None).is_ok()
            && let Some((scheme, rest)) = url.as_str().split_once("://")
        {
            return format!("{scheme}://{REDACTED}@{rest}");
        }
    }
    let is_scheme = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    };
    let (scheme, rest) = match raw.find(':') {
        Some(at) if is_scheme(&raw[..at]) => {
            let after = &raw[at + 1..];
            let slashes = after.len() - after.trim_start_matches(['/', '\\']).len();
            raw.split_at(at + 1 + slashes)
        }
        _ => ("", raw),
    };
    let authority_end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}{REDACTED}{}", &rest[at..]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        for url in [
            "http://api.astronomer.io/v1",
            "http://10.0.0.1:8080",
            "ftp://example.com",
            "not a url",
        ] {
            let error = checked(url).expect_err(url);
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        field: "base_url",
                        ..
                    }
                ),
                "{error}"
            );
            assert!(error.to_string().contains("https://"), "{error}");
        }
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
            "https://example.com/api/",
        ] {
            let ok = checked(url).expect(url);
            assert!(!ok.ends_with('/'), "{ok}");
        }
    }

    #[test]
    fn credentials_in_the_url_are_refused_and_never_echoed() {
        for url in [
            "https://user:hunter2@example.com",
            "http://admin:hunter2@example.com/x",
            "http://admin:hunter2@127.0.0.1:1/x",
            "ftp://admin:hunter2@example.com",
            "https://hunter2@example.com/a?b",
            "https://admin:hunter2@exa mple.com",
            "not a url admin:hunter2@host",
            "https://admin:hunter2@@example.com:99999",
            "https:/admin:hunter2@example.com",
            "https:///admin:hunter2@example.com",
            "https:\\\\admin:hunter2@example.com",
            "HTTPS://admin:hunter2@example.com:99999",
            " https:/admin:hunter2@exa mple.com",
            "http:admin:hunter2@127.0.0.1:1",
        ] {
            let error = checked(url).expect_err(url);
            for text in [error.to_string(), format!("{error:?}")] {
                assert!(!text.contains("hunter2"), "{url}: {text}");
            }
            assert!(error.to_string().contains("base_url"), "{error}");
        }
        assert_eq!(
            without_userinfo("http://a:b@host/p@q"),
            "http://[redacted]@host/p@q"
        );
        assert_eq!(without_userinfo("https://host/x"), "https://host/x");
        assert_eq!(
            without_userinfo("https:/a:b@host/x"),
            "https://[redacted]@host/x"
        );
        assert_eq!(without_userinfo("HTTPS://Host"), "HTTPS://Host");
        assert_eq!(
            without_userinfo("https:/a:b@host:99999/x"),
            "https:/[redacted]@host:99999/x"
        );
    }

    #[test]
    fn both_v1beta1_hosts_are_recognised_and_v1_is_not() {
        for url in [
            "https://api.astronomer.io/platform/v1beta1",
            "https://api.astronomer.io/iam/v1beta1/",
            "http://127.0.0.1:9/iam/v1beta1",
        ] {
            assert!(is_v1beta1(url), "{url}");
        }
        for url in [
            "https://api.astronomer.io/v1",
            "http://127.0.0.1:9",
            "https://proxy.example/v1beta10",
        ] {
            assert!(!is_v1beta1(url), "{url}");
        }
    }
}
