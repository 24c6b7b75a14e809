//! The connect timeout applies to each attempt. A loopback listener that never accepts,
//! with its accept queue filled, leaves further connections hanging in the handshake: the
//! client must give up after `connect_timeout` on every attempt, well before `timeout`.

use std::time::{Duration, Instant};

use astro_tokens::{Client, Error};

#[tokio::test]
async fn the_connect_timeout_ends_each_attempt_of_a_hanging_connection() {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let address = socket.local_addr().expect("address");
    let _listener = socket.listen(1).expect("listen");
    // Fill the accept queue (backlog 1 admits a couple) so later handshakes get no answer.
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(address),
        )
        .await
        {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break,
        }
    }
    let connect_timeout = Duration::from_millis(300);
    let client = Client::builder()
        .token("t")
        .base_url(format!("http://{address}"))
        .connect_timeout(connect_timeout)
        .timeout(Duration::from_secs(20))
        .retry_policy(
            astro_tokens::RetryPolicy::default()
                .with_max_retries(2)
                .with_base_delay(Duration::from_millis(1)),
        )
        .build()
        .expect("client");
    let started = Instant::now();
    let error = client
        .list_tokens("org")
        .first_page()
        .await
        .expect_err("cannot connect");
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    // Three attempts, each cut at the connect timeout; far below the 20 s request timeout.
    assert!(
        elapsed >= connect_timeout * 3,
        "each attempt waits for its connect timeout: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "the connect timeout, not the request timeout, ended it: {elapsed:?}"
    );
}
