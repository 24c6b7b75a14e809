//! The fake API (`astro-tokens-fake`) conforms to `openapi/tokens.yaml`, as judged by a
//! tool we did not write: schemathesis (PyPI, installed by `.ci/install-tools`) generates
//! requests from the fragment, valid and invalid, sends them to the fake on 127.0.0.1 and
//! runs every check it has, response schema, status code and content type conformance
//! included. The fake is what users' own tests trust, so it must not drift from the
//! fragment the SDK is generated from.

mod common;

use std::process::Command;

use astro_tokens_fake::FakeApi;

/// Fixed so that a CI failure can be replayed; `ASTRO_TOKENS_SCHEMATHESIS_SEED` overrides
/// it (any seed must pass).
const SEED: &str = "20261201";
/// Test cases per phase: enough to reach every parameter and error path of one operation.
const MAX_EXAMPLES: &str = "300";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_issue_in_the_fake() {
    let test = "schemathesis_finds_no_issue_in_the_fake";
    let Some(schemathesis) = common::schemathesis(test) else {
        return;
    };
    let fake = FakeApi::builder()
        .tokens(60)
        .start()
        .await
        .expect("the fake starts");
    // The path parameter is fixed to the fake's organization, so requests get past the 404.
    let config = common::scratch("schemathesis", "toml");
    std::fs::write(
        &config,
        format!(
            "[[operations]]\ninclude-operation-id = \"ListApiTokens\"\n\
             parameters = {{ organizationId = \"{}\" }}\n",
            fake.organization_id()
        ),
    )
    .expect("write the schemathesis config");
    let seed = std::env::var("ASTRO_TOKENS_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.to_owned());
    let mut command = Command::new(&schemathesis);
    command
        .arg("--config-file")
        .arg(&config)
        .args(["--no-color", "run"])
        .arg(common::fragment_path())
        .args(["--url", &fake.base_url()])
        .args(["-H", &format!("Authorization: Bearer {}", fake.token())])
        .args([
            "--checks",
            "all",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            &seed,
        ])
        .args(["--workers", "1"]);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the runner thread")
        .expect("schemathesis runs");
    let _ = std::fs::remove_file(&config);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.contains("No issues found"),
        "schemathesis found the fake departing from {} (seed {seed}):\n{report}",
        common::FRAGMENT
    );
    // It really exercised the fake, valid and invalid requests alike.
    let requests = fake.requests();
    assert!(
        requests.len() >= 100,
        "only {} requests reached the fake",
        requests.len()
    );
    assert!(requests.iter().any(|r| {
        r.query_values("limit")
            .iter()
            .any(|l| l.parse::<u32>().is_err())
    }));
}
