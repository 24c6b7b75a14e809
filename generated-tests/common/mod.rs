//! Finding the external tools that `.ci/install-tools` installs under `.tools/`.
//!
//! A missing tool fails the test with the command that installs it, unless
//! `ASTRO_TOKENS_SKIP_EXTERNAL=1` is set (CI never sets it), in which case the test says
//! that it was skipped and passes.
//!
//! Prism is the exception to "find the tool": when [`PRISM_URL_ENV`] is set (`.ci/run`
//! does), the Prism tests talk to that running Prism and start nothing.

// Each test target uses part of this module.
#![allow(dead_code)]

use std::path::PathBuf;

/// Set to `1` to skip (not fail) tests whose external tool is not installed.
pub const SKIP_ENV: &str = "ASTRO_TOKENS_SKIP_EXTERNAL";

/// The base URL (`http://127.0.0.1:<port>`) of a Prism mock that is already running, set
/// by `.ci/run` (through `.ci/prism`): the Prism tests use it instead of starting their own.
pub const PRISM_URL_ENV: &str = "ASTRO_TOKENS_PRISM_URL";

/// That Prism's log file, set with [`PRISM_URL_ENV`]; quoted in failure messages.
pub const PRISM_LOG_ENV: &str = "ASTRO_TOKENS_PRISM_LOG";

/// The non-empty value of an environment variable.
pub fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// The package root (where `openapi/`, `.tools/` and `.ci/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `.tools/<local>` if it is there, else `name` found on `PATH`.
fn find(local: &str, name: &str) -> Option<PathBuf> {
    let local = root().join(".tools").join(local);
    if local.is_file() {
        return Some(local);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The tool, or `None` after printing why the test is skipped; panics (fails the test)
/// with the install command when it is missing and skipping was not asked for.
pub fn require(local: &str, name: &str, test: &str) -> Option<PathBuf> {
    if let Some(path) = find(local, name) {
        return Some(path);
    }
    let wanted = root().join(".tools").join(local);
    if std::env::var(SKIP_ENV).as_deref() == Ok("1") {
        println!(
            "SKIPPED {test}: `{name}` is not installed ({} nor on PATH) and {SKIP_ENV}=1",
            wanted.display()
        );
        return None;
    }
    panic!(
        "{test} needs `{name}`, which is not installed (looked for {} and on PATH).\n\
         Install it with:\n\n    bash .ci/install-tools\n\n\
         (or set {SKIP_ENV}=1 to skip this test locally; CI never does)",
        wanted.display()
    );
}

/// openapi-spec-validator (PyPI), from `.tools/venv` or `PATH`.
pub fn openapi_spec_validator(test: &str) -> Option<PathBuf> {
    require(
        "venv/bin/openapi-spec-validator",
        "openapi-spec-validator",
        test,
    )
}

/// Prism (npm `@stoplight/prism-cli`), from `.tools/node` or `PATH`.
pub fn prism(test: &str) -> Option<PathBuf> {
    require("node/node_modules/.bin/prism", "prism", test)
}

/// schemathesis (PyPI), from `.tools/schemathesis` or `PATH`.
pub fn schemathesis(test: &str) -> Option<PathBuf> {
    require("schemathesis/bin/schemathesis", "schemathesis", test)
}

/// A scratch file path unique to this process and `tag`.
pub fn scratch(tag: &str, extension: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "astro-tokens-{tag}-{}.{extension}",
        std::process::id()
    ))
}

/// The fragment, relative to the package root.
pub const FRAGMENT: &str = "openapi/tokens.yaml";

/// The fragment's absolute path.
pub fn fragment_path() -> PathBuf {
    root().join(FRAGMENT)
}
