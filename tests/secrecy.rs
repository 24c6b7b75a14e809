//! The token appears in no `Debug`, no error and no tracing output. Alone in its test
//! binary: a thread-local tracing subscriber is only reliable without concurrent tests.

use std::sync::{Arc, Mutex};

use astro_tokens::Client;
use astro_tokens_fake::FakeApi;

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_is_in_no_error_and_no_trace() {
    const SECRET: &str = "top-secret-bearer-0123456789";
    let fake = FakeApi::builder()
        .token(SECRET)
        .start()
        .await
        .expect("fake");
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let good = Client::builder()
        .token(SECRET)
        .base_url(fake.base_url())
        .build()
        .expect("client");
    good.list_tokens(fake.organization_id())
        .first_page()
        .await
        .expect("a page");
    let mut texts = vec![format!("{good:?}")];
    for error in [
        good.list_tokens("unknown-org")
            .first_page()
            .await
            .expect_err("404"),
        good.list_tokens("")
            .first_page()
            .await
            .expect_err("invalid"),
        good.list_tokens(fake.organization_id())
            .page_size(0)
            .first_page()
            .await
            .expect_err("invalid"),
        Client::builder()
            .token(format!("{SECRET}\nInjected: header"))
            .build()
            .map(|_| ())
            .expect_err("bad header"),
    ] {
        texts.push(error.to_string());
        texts.push(format!("{error:?}"));
    }
    let trace = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(
        trace.contains("astro_tokens.request"),
        "a span per request: {trace}"
    );
    assert!(
        trace.contains("status=200") && trace.contains("status=404"),
        "{trace}"
    );
    texts.push(trace);
    for text in texts {
        assert!(!text.contains(SECRET), "the token leaked: {text}");
    }
}
