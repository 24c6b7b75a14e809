//! Catching progenitor's panics without silencing anyone else's.
//!
//! progenitor panics on some fragments it does not support; the generator turns that into
//! a located error, and the default panic hook would also print the panic to stderr. The
//! hook is process-wide, so swapping it while progenitor runs would silence every other
//! thread's panic in that window (a parallel test, an xtask thread). Instead, a hook is
//! installed once that stays quiet only on a thread that is inside [`catch`] and hands
//! every other panic to the hook that was there before. (Installing it takes that hook and
//! sets this one: a panic on another thread at that very instant, once per process, meets
//! the default hook, which prints it.)

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`catch`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static INSTALL: Once = Once::new();

/// Runs `f`; a panic in it (on this thread) is returned as its message, and printed by no
/// hook. Panics elsewhere reach the hook installed before, as they would without this.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "an unexplained internal failure".to_owned())
    })
}
