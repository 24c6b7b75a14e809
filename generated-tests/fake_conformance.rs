//! The fake API (`astro-tokens-fake`) conforms to `openapi/tokens.yaml`, as judged by a
//! tool we did not write: schemathesis (PyPI, installed by `.ci/install-tools`) generates
//! requests from the fragment, valid and invalid, sends them to the fake's v1 base URL on
//! 127.0.0.1 and runs every check it has, response schema, status code and content type
//! conformance included. The fake is what users' own tests trust, so it must not drift from
//! the fragment the SDK is generated from.
//!
//! Any seed must pass, so the test runs several fixed ones (each printed before it runs,
//! and named when it fails, so a failure can be replayed with
//! `ASTRO_TOKENS_SCHEMATHESIS_SEED=<seed>`), with fewer examples each than one long run:
//! different seeds reach different corners (seeds 2 and 4 found the offsets beyond i64).
//!
//! schemathesis and Hypothesis keep state in the current directory (`.schemathesis/`, a
//! crash cache with absolute paths, and `.hypothesis/`): each run gets a scratch directory
//! of its own as its current directory and no example database
//! (`--generation-database none`, so a seed replays the same way every time), and the test
//! checks that the work tree gained neither directory.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use astro_tokens_fake::FakeApi;

/// Fixed so that a CI failure can be replayed; `ASTRO_TOKENS_SCHEMATHESIS_SEED` runs one
/// seed instead.
const SEEDS: [u64; 5] = [1, 2, 3, 4, 20261201];
/// Test cases per seed for the fuzzing phase (the examples and coverage phases run in full
/// whatever this says). Measured on a shared 2-core machine: one seed of 300 took 8 s, five
/// seeds of 200 take about 30 s (each run spends ~4 s starting Python), so five seeds of
/// 200 reach about three times as many cases, from five starting points, for ~20 s more.
const MAX_EXAMPLES: &str = "200";
/// What schemathesis and Hypothesis would leave in their current directory.
const STATE_DIRS: [&str; 2] = [".schemathesis", ".hypothesis"];

/// A scratch directory for one run, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(seed: u64) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "astro-tokens-schemathesis-{}-{seed}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Which of [`STATE_DIRS`] exist under `dir`.
fn state_dirs_in(dir: &Path) -> Vec<PathBuf> {
    STATE_DIRS
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.exists())
        .collect()
}

/// One schemathesis run with `seed` against `fake`: `Ok` with the seconds it took, or `Err`
/// with the report.
fn run(schemathesis: &Path, fake_url: &str, fake: &FakeApi, seed: u64) -> Result<f64, String> {
    let scratch = Scratch::new(seed);
    // The path parameter is fixed to the fake's organization, so requests get past the 404.
    let config = scratch.0.join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[[operations]]\ninclude-operation-id = \"ListApiTokens\"\n\
             parameters = {{ organizationId = \"{}\" }}\n",
            fake.organization_id()
        ),
    )
    .expect("write the schemathesis config");
    let started = Instant::now();
    let output = Command::new(schemathesis)
        .current_dir(&scratch.0)
        .arg("--config-file")
        .arg(&config)
        .args(["--no-color", "run"])
        .arg(common::fragment_path())
        .args(["--url", fake_url])
        .args(["-H", &format!("Authorization: Bearer {}", fake.token())])
        .args(["--checks", "all", "--max-examples", MAX_EXAMPLES])
        .args(["--seed", &seed.to_string()])
        .args(["--generation-database", "none"])
        .args(["--workers", "1"])
        .output()
        .map_err(|e| format!("schemathesis did not run: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.success() && report.contains("No issues found") {
        Ok(seconds)
    } else {
        Err(report)
    }
}

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
    let seeds: Vec<u64> = match std::env::var("ASTRO_TOKENS_SCHEMATHESIS_SEED") {
        Ok(seed) => vec![
            seed.trim()
                .parse()
                .expect("ASTRO_TOKENS_SCHEMATHESIS_SEED is an integer"),
        ],
        Err(_) => SEEDS.to_vec(),
    };
    let url = fake.base_url();
    assert!(url.ends_with("/v1"), "the fragment describes v1: {url}");
    let mut failed = Vec::new();
    for seed in seeds {
        println!("schemathesis: seed {seed}, {MAX_EXAMPLES} examples, against {url}");
        fake.reset_requests();
        let (schemathesis, url) = (schemathesis.clone(), url.clone());
        let fake_ref = &fake;
        let outcome = tokio::task::block_in_place(|| run(&schemathesis, &url, fake_ref, seed));
        let requests = fake.requests();
        match outcome {
            Ok(seconds) => {
                println!(
                    "schemathesis: seed {seed} passed in {seconds:.1} s, {} requests",
                    requests.len()
                );
                // It really exercised the fake, valid and invalid requests alike, all under
                // the v1 base URL (schemathesis also probes a path of its own there).
                assert!(
                    requests.len() >= 100,
                    "seed {seed}: only {} requests reached the fake",
                    requests.len()
                );
                assert!(
                    requests.iter().any(|r| {
                        r.query_values("limit")
                            .iter()
                            .any(|l| l.parse::<u32>().is_err())
                    }),
                    "seed {seed}: no invalid limit was sent"
                );
                let outside: Vec<&str> = requests
                    .iter()
                    .map(|r| r.path.as_str())
                    .filter(|path| !path.starts_with("/v1/"))
                    .collect();
                assert!(
                    outside.is_empty(),
                    "seed {seed}: requests outside v1: {outside:?}"
                );
            }
            Err(report) => {
                println!("schemathesis: seed {seed} FAILED");
                failed.push((seed, report));
            }
        }
    }
    let leftovers = state_dirs_in(&common::root());
    assert!(
        leftovers.is_empty(),
        "schemathesis or Hypothesis state in the work tree: {leftovers:?} (runs use a scratch \
         directory; delete these)"
    );
    let seeds: Vec<String> = failed.iter().map(|(seed, _)| seed.to_string()).collect();
    assert!(
        failed.is_empty(),
        "schemathesis found the fake departing from {} with seed(s) {} (replay one with \
         ASTRO_TOKENS_SCHEMATHESIS_SEED=<seed> cargo test -p astro-tokens --test \
         fake_conformance):\n{}",
        common::FRAGMENT,
        seeds.join(", "),
        failed
            .iter()
            .map(|(seed, report)| format!("--- seed {seed} ---\n{report}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
