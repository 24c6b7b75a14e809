//! Which TLS stack the client really speaks, seen from the other end of the connection.
//!
//! A loopback listener reads the client's first TLS record (its ClientHello) and tells the
//! stacks apart by the key-exchange groups offered: only a platform library (OpenSSL,
//! Security.framework, SChannel) offers x448, secp521r1 or finite-field groups; of the
//! rustls providers only aws-lc-rs offers X25519MLKEM768. The expected stack is the
//! README's rule restated: the first enabled of `native-tls`, `rustls-aws-lc`,
//! `rustls-ring`. Without any, `https://` is refused when the client is built.
//!
//! CI runs this file with every feature (native-tls wins), with the default features
//! (rustls-aws-lc), with rustls-ring alone and with none (`.ci/run`).

use std::time::Duration;

use astro_tokens::{Client, Error};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// The stack the features select, per the documented order.
fn expected() -> Option<&'static str> {
    [
        (cfg!(feature = "native-tls"), "native-tls"),
        (cfg!(feature = "rustls-aws-lc"), "rustls-aws-lc"),
        (cfg!(feature = "rustls-ring"), "rustls-ring"),
    ]
    .into_iter()
    .find_map(|(on, name)| on.then_some(name))
}

const X25519MLKEM768: u16 = 0x11ec;
/// x448, secp521r1 and the RFC 7919 finite-field groups: offered by platform TLS libraries,
/// never by rustls.
fn platform_only(group: u16) -> bool {
    matches!(group, 0x001e | 0x0019 | 0x0100..=0x0104)
}

/// What a ClientHello says about the stack that sent it.
#[derive(Debug)]
struct Hello {
    groups: Vec<u16>,
    alpn: Vec<String>,
}

impl Hello {
    fn stack(&self) -> &'static str {
        if self.groups.iter().copied().any(platform_only) {
            "native-tls"
        } else if self.groups.contains(&X25519MLKEM768) {
            "rustls-aws-lc"
        } else {
            "rustls-ring"
        }
    }
}

/// Reads one TLS record from `socket` and parses it as a ClientHello.
async fn read_hello(socket: &mut tokio::net::TcpStream) -> Result<Hello, String> {
    let mut header = [0_u8; 5];
    socket
        .read_exact(&mut header)
        .await
        .map_err(|e| format!("no TLS record: {e}"))?;
    if header[0] != 0x16 {
        return Err(format!("not a handshake record: {header:?}"));
    }
    let mut body = vec![0_u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
    socket
        .read_exact(&mut body)
        .await
        .map_err(|e| format!("short TLS record: {e}"))?;
    parse_hello(&body).ok_or_else(|| format!("not a ClientHello: {body:02x?}"))
}

/// A cursor over the handshake bytes; every read is bounds-checked.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<usize> {
        self.take(1).map(|b| usize::from(b[0]))
    }
    fn u16(&mut self) -> Option<usize> {
        self.take(2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(n)
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(n)
    }
}

fn parse_hello(record: &[u8]) -> Option<Hello> {
    let mut r = Bytes(record);
    if r.u8()? != 1 {
        return None; // handshake type client_hello
    }
    let length = r.take(3)?;
    let length =
        (usize::from(length[0]) << 16) | (usize::from(length[1]) << 8) | usize::from(length[2]);
    let mut hello = Bytes(r.take(length)?);
    hello.take(2 + 32)?; // legacy_version, random
    hello.vec8()?; // legacy_session_id
    hello.vec16()?; // cipher_suites
    hello.vec8()?; // legacy_compression_methods
    let mut extensions = Bytes(hello.vec16()?);
    let (mut groups, mut alpn) = (Vec::new(), Vec::new());
    while !extensions.0.is_empty() {
        let kind = extensions.u16()?;
        let mut data = Bytes(extensions.vec16()?);
        match kind {
            0x000a => {
                let mut list = Bytes(data.vec16()?);
                while !list.0.is_empty() {
                    groups.push(u16::try_from(list.u16()?).ok()?);
                }
            }
            0x0010 => {
                let mut list = Bytes(data.vec16()?);
                while !list.0.is_empty() {
                    alpn.push(String::from_utf8_lossy(list.vec8()?).into_owned());
                }
            }
            _ => {}
        }
    }
    Some(Hello { groups, alpn })
}

/// Sends one request to a loopback listener over `https://` and returns its ClientHello.
async fn client_hello() -> Hello {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        // Dropping the socket afterwards ends the handshake: the request fails.
        read_hello(&mut socket).await
    });
    let client = Client::builder()
        .token("t")
        .base_url(format!("https://{address}"))
        .retry_policy(astro_tokens::RetryPolicy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a TLS feature is on, so https:// builds");
    let outcome = client.list_tokens("org").first_page().await;
    assert!(outcome.is_err(), "the handshake cannot complete");
    tokio::time::timeout(Duration::from_secs(60), server)
        .await
        .expect("the listener got a connection")
        .expect("the listener task ran")
        .expect("a ClientHello")
}

#[tokio::test]
async fn the_client_speaks_the_stack_the_features_select() {
    let Some(expected) = expected() else {
        return; // No TLS: covered by the test below.
    };
    let hello = client_hello().await;
    assert_eq!(hello.stack(), expected, "{hello:?}");
    // HTTP/2 where the server offers it, else HTTP/1.1: what reqwest asks for itself.
    assert_eq!(hello.alpn, ["h2", "http/1.1"], "{hello:?}");
}

#[test]
fn without_a_tls_feature_https_is_refused_and_loopback_http_works() {
    let build = |url: &str| Client::builder().token("t").base_url(url).build();
    let https = build("https://api.astronomer.io/platform/v1beta1");
    if expected().is_some() {
        assert!(https.is_ok(), "{https:?}");
        return;
    }
    let error = https.expect_err("no TLS, no https://");
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    let text = error.to_string();
    for feature in ["rustls-ring", "rustls-aws-lc", "native-tls"] {
        assert!(text.contains(feature), "{text}");
    }
    // The default base URL is https:// too.
    assert!(Client::builder().token("t").build().is_err());
    build("http://127.0.0.1:9").expect("loopback http needs no TLS");
}

#[test]
fn the_parser_reads_groups_and_alpn() {
    // A minimal ClientHello: version, random, empty session id, one suite, null
    // compression, then supported_groups [x25519, secp256r1] and ALPN ["h2"].
    let mut hello = vec![0x03, 0x03];
    hello.extend([0_u8; 32]);
    hello.extend([0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]);
    let extensions = [
        0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17, // supported_groups
        0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, b'h', b'2', // ALPN
    ];
    hello.extend(
        u16::try_from(extensions.len())
            .expect("short")
            .to_be_bytes(),
    );
    hello.extend(extensions);
    let mut record = vec![0x01, 0x00];
    record.extend(u16::try_from(hello.len()).expect("short").to_be_bytes());
    record.extend(hello);
    let parsed = parse_hello(&record).expect("parses");
    assert_eq!(parsed.groups, [0x001d, 0x0017]);
    assert_eq!(parsed.alpn, ["h2"]);
    assert_eq!(parsed.stack(), "rustls-ring");
    assert!(
        parse_hello(&record[..record.len() - 1]).is_none(),
        "truncated"
    );
}
