//! The request comes from the spec: a copy of this workspace whose fragment gained optional
//! query parameters, with no other edit, builds; the SDK's listing has a setter for each
//! (named as progenitor names it, documented with the fragment's description) that sends
//! it on every page; and `astro-tokens list` and `audit` offer a flag for each, in their
//! help, and send it.
//!
//! The copy is built in `target/fragment-copy/` (kept between runs, so a later run only
//! rebuilds what changed); the first run compiles the SDK's and the CLI's dependencies once
//! more, a few minutes. The consumer program is a new file in the copy (`cli/src/bin/`,
//! found by cargo without a manifest edit), since a setter is shown by code calling it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use astro_tokens_fake::FakeApi;

/// The parameters added to the copy's fragment: each kind the listing takes (a string, a
/// bounded integer, a date-time, a constrained string, which typify makes a newtype).
const NEW_PARAMETERS: &str = r#"
- name: searchTerm
  in: query
  description: Only API tokens whose name or description contains this text.
  schema: {type: string}
- name: minIdleDays
  in: query
  description: Only API tokens unused for at least this many days.
  schema: {type: integer, minimum: 1, maximum: 3650}
- name: expiresBefore
  in: query
  description: Only API tokens that expire before this time.
  schema: {type: string, format: date-time}
- name: namePrefix
  in: query
  description: Only API tokens whose name starts with this.
  schema: {type: string, maxLength: 16}
"#;

/// A consumer of the copy's SDK: lists with the new setters, two tokens a page.
const PROGRAM: &str = r#"
use futures::TryStreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = astro_tokens::Client::from_env()?;
    let organization = std::env::var("ASTRO_ORGANIZATION_ID")?;
    let expires: astro_tokens::chrono::DateTime<astro_tokens::chrono::Utc> =
        "2030-01-01T00:00:00Z".parse()?;
    let tokens: Vec<_> = client
        .list_tokens(organization)
        .search_term("needle")
        .min_idle_days(std::num::NonZeroU64::new(30).ok_or("zero")?)
        .expires_before(expires)
        .page_size(2)
        .items()
        .try_collect()
        .await?;
    println!("{} tokens", tokens.len());
    Ok(())
}
"#;

fn copy_dir() -> PathBuf {
    common::root().join("target").join("fragment-copy")
}

/// Every file of the workspace that git does not ignore (tracked, or new and not yet
/// committed), copied from the work tree into `to` (stale files removed first).
fn copy_workspace(to: &Path) {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(common::root())
        .output()
        .expect("git lists the workspace's files");
    assert!(listed.status.success(), "git ls-files failed");
    let _ = std::fs::remove_dir_all(to);
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name);
        let from = common::root().join(&*name);
        if !from.is_file() {
            continue; // Deleted in the work tree.
        }
        let target = to.join(&*name);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("create a directory");
        std::fs::copy(&from, &target).unwrap_or_else(|e| panic!("copy {name}: {e}"));
    }
}

/// The copy's fragment with the new parameters appended to the operation's list.
fn add_parameters(fragment: &Path) {
    let text = std::fs::read_to_string(fragment).expect("the copy's fragment");
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let parameters = doc["paths"]["/organizations/{organizationId}/tokens"]["get"]["parameters"]
        .as_sequence_mut()
        .expect("a parameters list");
    let added: Vec<serde_yaml::Value> = serde_yaml::from_str(NEW_PARAMETERS).expect("YAML");
    parameters.extend(added);
    std::fs::write(fragment, serde_yaml::to_string(&doc).expect("YAML")).expect("write");
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Builds the copy's binaries; returns the directory they are in.
fn build_copy() -> PathBuf {
    let dir = copy_dir();
    let tree = dir.join("workspace");
    copy_workspace(&tree);
    add_parameters(&tree.join("openapi/tokens.yaml"));
    let bin = tree.join("cli/src/bin");
    std::fs::create_dir_all(&bin).expect("create cli/src/bin");
    std::fs::write(bin.join("send_new_parameters.rs"), PROGRAM).expect("write the program");
    let target = dir.join("target");
    run(Command::new(env!("CARGO"))
        .args(["build", "--locked", "-p", "astro-tokens-cli", "--bins"])
        .current_dir(&tree)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS"));
    target.join("debug")
}

fn sent(fake: &FakeApi, name: &str) -> Vec<Vec<String>> {
    fake.requests()
        .iter()
        .map(|r| {
            r.query_values(name)
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parameter_added_to_the_fragment_reaches_the_listing_list_and_audit() {
    let bin = tokio::task::spawn_blocking(build_copy)
        .await
        .expect("the build ran");
    let fake = FakeApi::builder()
        .tokens(5)
        .start()
        .await
        .expect("the fake");
    let with_env = |command: &mut Command| {
        command
            .env("ASTRO_API_TOKEN", fake.token())
            .env("ASTRO_API_URL", fake.base_url())
            .env("ASTRO_ORGANIZATION_ID", fake.organization_id())
            .env_remove("NO_COLOR");
    };

    // The SDK: the generated setters send the parameters on every page.
    let mut program = Command::new(bin.join("send_new_parameters"));
    with_env(&mut program);
    let output = tokio::task::spawn_blocking(move || run(&mut program))
        .await
        .expect("ran");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "5 tokens");
    assert_eq!(fake.request_count(), 3, "five tokens, two a page");
    for (name, value) in [
        ("searchTerm", "needle"),
        ("minIdleDays", "30"),
        ("expiresBefore", "2030-01-01T00:00:00Z"),
    ] {
        assert!(
            sent(&fake, name).iter().all(|values| values == &[value]),
            "{name}={value} on every page: {:?}",
            fake.requests()
        );
    }

    // The CLI: a flag per parameter, with the fragment's description, in both subcommands.
    let cli = bin.join("astro-tokens");
    for subcommand in ["list", "audit"] {
        let help = run(Command::new(&cli).args([subcommand, "--help"]));
        let help = String::from_utf8_lossy(&help.stdout);
        for flag in [
            "--search-term",
            "Only API tokens whose name or description contains this text.",
            "--min-idle-days",
            "--expires-before",
        ] {
            assert!(
                help.contains(flag),
                "`{subcommand} --help` lacks {flag}:\n{help}"
            );
        }
        fake.reset_requests();
        let mut command = Command::new(&cli);
        command.args([
            subcommand,
            "--search-term",
            "needle",
            "--min-idle-days",
            "7",
            "--format",
            "json",
        ]);
        with_env(&mut command);
        tokio::task::spawn_blocking(move || run(&mut command))
            .await
            .expect("ran");
        assert!(fake.request_count() >= 1);
        assert!(
            sent(&fake, "searchTerm").iter().all(|v| v == &["needle"]),
            "{subcommand}"
        );
        assert!(
            sent(&fake, "minIdleDays").iter().all(|v| v == &["7"]),
            "{subcommand}"
        );
    }

    // Bad input is refused by the CLI with the parameter's constraints, and nothing is sent.
    fake.reset_requests();
    for (flag, value) in [
        ("--min-idle-days", "0"),
        ("--name-prefix", "a-prefix-far-too-long"),
    ] {
        let mut command = Command::new(&cli);
        command.args(["list", flag, value]);
        with_env(&mut command);
        let output = command.output().expect("ran");
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&flag[2..]), "{flag}: {stderr}");
    }
    assert_eq!(fake.request_count(), 0);
}
