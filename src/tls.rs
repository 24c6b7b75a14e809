//! Which TLS stack the client uses, chosen by the crate's features (docs/design.md, "TLS").
//!
//! Features are additive, so several may be on at once (`--all-features`, or two crates in
//! one build asking for different ones). Then the first enabled in this order is used:
//! `native-tls`, `rustls-aws-lc` (the default), `rustls-ring`: native-tls added on top of
//! the default takes effect as is (reqwest prefers native-tls over rustls the same way);
//! the lighter `rustls-ring` needs `default-features = false`.
//!
//! The rustls crypto provider is given to this client's own rustls configuration: the
//! process-wide default provider is neither read nor installed, so what another crate
//! installs cannot change this client's choice, and this crate changes no one else's.
//! With no TLS feature, `http://` to loopback still works and `https://` is refused when
//! the client is built.

use crate::error::Error;

/// A TLS stack this crate can be built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // Only the variants whose features are on are ever built.
pub(crate) enum Backend {
    /// The platform's TLS library through `native-tls` (OpenSSL on Linux).
    NativeTls,
    /// rustls with the aws-lc-rs crypto provider.
    RustlsAwsLc,
    /// rustls with the ring crypto provider.
    RustlsRing,
}

impl Backend {
    /// The crate feature that selects it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Self::NativeTls => "native-tls",
            Self::RustlsAwsLc => "rustls-aws-lc",
            Self::RustlsRing => "rustls-ring",
        }
    }
}

/// The backend this build uses, or `None` when no TLS feature is enabled.
pub(crate) const SELECTED: Option<Backend> = selected();

const fn selected() -> Option<Backend> {
    if cfg!(feature = "native-tls") {
        Some(Backend::NativeTls)
    } else if cfg!(feature = "rustls-aws-lc") {
        Some(Backend::RustlsAwsLc)
    } else if cfg!(feature = "rustls-ring") {
        Some(Backend::RustlsRing)
    } else {
        None
    }
}

/// What to enable when a build has no TLS (named in the error).
const FEATURES_HINT: &str = "enable one of the astro-tokens features \
     `rustls-aws-lc` (the default), `rustls-ring` or `native-tls`";

/// Puts [`SELECTED`] into the reqwest builder; without TLS, refuses an `https://` base URL.
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
    base_url: &str,
) -> Result<reqwest::ClientBuilder, Error> {
    match SELECTED {
        None if base_url.starts_with("https:") => Err(Error::config(format!(
            "base_url {base_url} needs TLS, and this build of astro-tokens has none: \
             {FEATURES_HINT}"
        ))),
        None => Ok(builder),
        Some(backend) => with_backend(builder, backend),
    }
}

#[cfg(feature = "native-tls")]
fn with_backend(
    builder: reqwest::ClientBuilder,
    _backend: Backend,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(builder.tls_backend_native())
}

#[cfg(all(
    not(feature = "native-tls"),
    any(feature = "rustls-aws-lc", feature = "rustls-ring")
))]
fn with_backend(
    builder: reqwest::ClientBuilder,
    backend: Backend,
) -> Result<reqwest::ClientBuilder, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;

    // What reqwest builds for its own rustls backend (TLS 1.2 and 1.3, the platform's
    // certificate verifier, ALPN `h2` then `http/1.1`), with the provider given explicitly.
    let failed =
        |e: rustls::Error| Error::config(format!("cannot set up TLS ({}): {e}", backend.feature()));
    let mut config =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls_provider()))
            .with_safe_default_protocol_versions()
            .map_err(failed)?
            .with_platform_verifier()
            .map_err(failed)?
            .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(all(not(feature = "native-tls"), feature = "rustls-aws-lc"))]
fn rustls_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

#[cfg(all(
    not(feature = "native-tls"),
    not(feature = "rustls-aws-lc"),
    feature = "rustls-ring"
))]
fn rustls_provider() -> rustls::crypto::CryptoProvider {
    // Deprecated since rustls 0.23.48 because ring has no post-quantum key exchange: that
    // is why aws-lc-rs is the default, and `rustls-ring` the opt-in lighter build.
    #[allow(deprecated)]
    rustls::crypto::ring::default_provider()
}

#[cfg(not(any(
    feature = "native-tls",
    feature = "rustls-aws-lc",
    feature = "rustls-ring"
)))]
fn with_backend(
    builder: reqwest::ClientBuilder,
    _backend: Backend,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented order, restated from the enabled features.
    fn expected() -> Option<&'static str> {
        [
            (cfg!(feature = "native-tls"), "native-tls"),
            (cfg!(feature = "rustls-aws-lc"), "rustls-aws-lc"),
            (cfg!(feature = "rustls-ring"), "rustls-ring"),
        ]
        .into_iter()
        .find_map(|(on, name)| on.then_some(name))
    }

    #[test]
    fn the_first_enabled_backend_in_the_documented_order_is_selected() {
        assert_eq!(SELECTED.map(Backend::feature), expected());
    }

    #[test]
    fn without_tls_only_https_is_refused() {
        let refused = configure(reqwest::Client::builder(), "https://example.com");
        assert_eq!(refused.is_err(), SELECTED.is_none());
        if let Err(error) = refused {
            let text = error.to_string();
            for feature in ["rustls-ring", "rustls-aws-lc", "native-tls"] {
                assert!(text.contains(feature), "{text}");
            }
        }
        assert!(configure(reqwest::Client::builder(), "http://127.0.0.1:1").is_ok());
    }
}
