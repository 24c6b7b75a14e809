//! TLS failures are told apart from other transport errors: a server whose certificate the
//! client does not trust ends in `Error::Transport { tls: true, .. }`, not retried, with the
//! TLS error reachable through `source()`; a connection reset stays retryable.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use astro_tokens::{Client, Error};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::pem::PemObject};

/// A self-signed certificate for `localhost` and `127.0.0.1`, made once for these tests
/// (`openssl req -x509 -newkey ec ... -days 36500`): no client trusts it.
const CERT: &[u8] = include_bytes!("fixtures/tls/cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/tls/key.pem");

/// A TLS server on 127.0.0.1 with the self-signed certificate; counts handshakes tried.
async fn untrusted_tls_server() -> (String, Arc<AtomicUsize>) {
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<Vec<_>, _>>()
        .expect("the test certificate parses");
    let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(KEY).expect("the test key parses");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let attempts = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&attempts);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // The client aborts the handshake: there is nothing to serve.
                let _ = acceptor.accept(stream).await;
            });
        }
    });
    (url, attempts)
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error_and_is_not_retried() {
    let (url, attempts) = untrusted_tls_server().await;
    let client = Client::builder()
        .token(support::TOKEN)
        .base_url(url)
        .retry_policy(
            astro_tokens::RetryPolicy::default()
                .with_base_delay(std::time::Duration::from_millis(1)),
        )
        .build()
        .expect("client");
    let error = client
        .list_tokens("org")
        .first_page()
        .await
        .expect_err("untrusted certificate");
    assert!(
        matches!(
            error,
            Error::Transport {
                tls: true,
                connect: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        1,
        "a TLS failure was retried"
    );
    assert_eq!(error.to_string(), "TLS failed while connecting to the API");
    // The cause chain names the certificate problem; reqwest's error is the source.
    let mut causes = Vec::new();
    let mut next = std::error::Error::source(&error);
    while let Some(cause) = next {
        causes.push(cause.to_string());
        next = cause.source();
    }
    assert!(
        std::error::Error::source(&error)
            .and_then(|e| e.downcast_ref::<reqwest::Error>())
            .is_some(),
        "{causes:?}"
    );
    assert!(
        causes.iter().any(|c| c.contains("certificate")),
        "{causes:?}"
    );
    assert!(!format!("{error:?}").contains(support::TOKEN));
}

#[tokio::test]
async fn a_reset_is_not_a_tls_error_and_stays_retryable() {
    use support::{RawServer, Step};
    let server = RawServer::start(|_| vec![Step::Reset]).await;
    let client = support::client_builder(&server)
        .retry_policy(support::fast_retries().with_max_retries(1))
        .build()
        .expect("client");
    let error = support::first_page(&client).await.expect_err("reset");
    assert!(
        matches!(error, Error::Transport { tls: false, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(server.request_count(), 2, "the reset was retried once");
}
