//! The generator catches progenitor's panics without silencing anyone else's: a panic on
//! another thread while progenitor runs still reaches the process's panic hook. (This test
//! is alone in its binary: it installs a process-wide hook.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Two different error body types for one operation: progenitor 0.15 panics on it.
const PANICKING: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /things:
    get:
      operationId: ListThings
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: string}}}}
        "400": {description: a, content: {application/json: {schema: {type: integer}}}}
        "500": {description: b, content: {application/json: {schema: {type: boolean}}}}
"#;

const OTHER: &str = "a panic on another thread";

#[test]
fn panics_on_other_threads_reach_the_hook_while_progenitor_panics_are_caught() {
    let reported = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reported);
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<&str>() == Some(&OTHER) {
            counter.fetch_add(1, Ordering::SeqCst);
        } else {
            default(info);
        }
    }));
    // The generator's hook is installed on its first use, once per process (taking the
    // hook before it and setting its own: a panic elsewhere at that instant gets the
    // default hook, printed, not lost). After that, every generation keeps it.
    let first = astro_tokens_codegen::generate_str(PANICKING, "panicking.yaml");
    assert!(first.is_err());
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let panicked = Arc::new(AtomicUsize::new(0));
    let panics_so_far = Arc::clone(&panicked);
    let panicker = std::thread::spawn(move || {
        while !stopped.load(Ordering::SeqCst) {
            let _ = std::panic::catch_unwind(|| std::panic::panic_any(OTHER));
            panics_so_far.fetch_add(1, Ordering::SeqCst);
        }
    });
    // The other thread is panicking before the generations start (counted, not timed).
    while panicked.load(Ordering::SeqCst) < 100 {
        std::thread::yield_now();
    }
    for _ in 0..5 {
        let error = astro_tokens_codegen::generate_str(PANICKING, "panicking.yaml")
            .expect_err("progenitor rejects it");
        assert!(error.to_string().contains("progenitor panicked"), "{error}");
    }
    stop.store(true, Ordering::SeqCst);
    panicker.join().expect("the panicking thread ends");
    let panics = panicked.load(Ordering::SeqCst);
    assert!(panics >= 100);
    assert_eq!(
        reported.load(Ordering::SeqCst),
        panics,
        "every panic of the other thread reached the hook"
    );
}
