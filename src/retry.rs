//! Retries for the one GET this SDK sends, one concern per file: `policy` says which
//! failures are tried again and how long to wait ([`RetryPolicy`]), `run` runs one
//! request's attempts under it, and `budget` is the allowance of retries one listing's
//! concurrent requests share. The rules, in full, are in `docs/reliability.md`.
//!
//! A hand-written policy rather than a crate: full jitter (a uniform wait in
//! `[0, min(max_delay, base_delay × 2ⁿ)]`), the server's `Retry-After` in place of the
//! computed wait up to a cap, a time limit over all attempts and a shared budget are less
//! code here than the glue `backon` would need for them.

mod budget;
mod policy;
mod run;

pub(crate) use budget::Budget;
pub use policy::{
    DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_ELAPSED, DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_AFTER_CAP, RetryPolicy,
};
pub(crate) use run::run;
