//! Helpers shared by the CLI's end-to-end tests: a fake API on a runtime owned by the
//! test, the built binary with a clean environment, and output accessors. Every run goes
//! through [`run`], which also asserts that the token appears in neither stdout nor stderr.

#![allow(dead_code)] // each test binary uses some of these

use std::process::Output;

use astro_tokens::ApiToken;
use astro_tokens_fake::{FakeApi, FakeApiBuilder};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

/// The token the fakes accept: distinctive, so a leak is easy to spot.
pub const SECRET: &str = "s3cr3t-astro-token-7f3a9c-never-print-me";
/// A fixed "now" for audits.
pub const NOW: &str = "2026-01-15T12:00:00Z";

pub fn now() -> DateTime<Utc> {
    NOW.parse().expect("valid date")
}

/// The binary, with a clean environment for the variables it reads.
pub fn binary() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_astro-tokens"));
    cmd.env_remove("ASTRO_API_TOKEN")
        .env_remove("ASTRO_API_URL")
        .env_remove("ASTRO_ORGANIZATION_ID")
        .env_remove("COLUMNS")
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

/// A running fake and the runtime serving it.
pub struct Fake {
    // Dropped before the runtime (fields drop in declaration order).
    pub api: FakeApi,
    _runtime: tokio::runtime::Runtime,
}

impl Fake {
    pub fn start(builder: FakeApiBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let api = runtime
            .block_on(builder.token(SECRET).start())
            .expect("fake API starts");
        Self {
            api,
            _runtime: runtime,
        }
    }

    /// A fake with `n` seeded tokens.
    pub fn seeded(n: usize) -> Self {
        Self::start(FakeApi::builder().tokens(n))
    }

    pub fn org(&self) -> String {
        self.api.organization_id().to_owned()
    }

    /// `astro-tokens SUBCOMMAND --organization-id ORG --base-url URL ARGS...` with the token.
    pub fn command(&self, subcommand: &str, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = binary();
        cmd.env("ASTRO_API_TOKEN", SECRET)
            .arg(subcommand)
            .args(["--organization-id", &self.org()])
            .args(["--base-url", &self.api.base_url()])
            .args(args);
        cmd
    }

    /// Runs `command` and checks the token is in neither stdout nor stderr.
    pub fn run(&self, subcommand: &str, args: &[&str]) -> Output {
        run(&mut self.command(subcommand, args))
    }

    /// The fake's own answer for `query`, as the JSON the CLI should print.
    pub fn expected(&self, query: &[(&str, &str)]) -> Vec<Value> {
        self.api
            .select(query)
            .expect("valid query")
            .iter()
            .map(|t| serde_json::to_value(t).expect("serializes"))
            .collect()
    }
}

/// Runs a command, asserting that the token appears in neither stdout nor stderr.
pub fn run(cmd: &mut assert_cmd::Command) -> Output {
    let output = cmd.output().expect("the binary runs");
    for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(SECRET), "the token leaked on {name}: {text}");
    }
    output
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

pub fn json_array(output: &Output) -> Vec<Value> {
    assert_eq!(code(output), 0, "stderr: {}", stderr(output));
    match serde_json::from_slice(&output.stdout) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a JSON array: {other:?}\n{}", stdout(output)),
    }
}

pub fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A token created long ago, used yesterday, never expiring, with a workspace role.
pub fn known_token(id: &str, now: DateTime<Utc>) -> ApiToken {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "name": format!("name-{id}"),
        "description": "",
        "shortToken": "abcd1234",
        "scope": "WORKSPACE",
        "kind": "STANDARD",
        "createdAt": now - Duration::days(400),
        "startAt": now - Duration::days(400),
        "updatedAt": now - Duration::days(400),
        "lastUsedAt": now - Duration::days(1),
        "roles": [{"entityId": "ws1", "entityType": "WORKSPACE", "role": "WORKSPACE_MEMBER"}]
    }))
    .expect("valid token")
}
