//! Maintainer tasks for astro-tokens, as a library so the tests can drive them directly.
//!
//! The only task today is [`spec_diff`]: what an edit to `openapi/tokens.yaml` does on the
//! wire and to the generated Rust API. [`git`] reads the base revision of the fragment.

pub mod git;
pub mod spec_diff;
