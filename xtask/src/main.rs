//! `cargo xtask` — maintainer tasks. See `docs/spec-diff.md` and README.md, "Build cost".
//!
//! `cargo xtask spec-diff OLD NEW`, `--base REV` or `--upstream FULL.yaml`; exit status 0
//! (nothing breaking), 1 (breaking, per `--fail-on`), 2 (unreadable or invalid input, or a
//! tool failure). `--verify` adds cargo-semver-checks' verdict on the whole crate;
//! `--verify-corpus` builds the agreement table of `docs/spec-diff.md`.
//!
//! `cargo xtask build-cost [--runs N] [--only VARIANT]`; exit status 0 (every target
//! measured passes), 1 (a target fails), 2 (a build or the setup failed).

mod build_cost;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use xtask::git;
use xtask::spec_diff::verify::{Side, Verifier};
use xtask::spec_diff::{self, FailOn, Input, agreement, corpus, github, report, upstream};

#[derive(Parser)]
#[command(name = "xtask", about = "Maintainer tasks for astro-tokens")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// What an edit to the OpenAPI fragment does on the wire and to the Rust API.
    SpecDiff(SpecDiff),
    /// Times clean builds of a one-file consumer: each TLS choice, build.rs vs the snapshot.
    BuildCost(build_cost::Args),
}

#[derive(clap::Args)]
struct SpecDiff {
    /// The old fragment file (omit with --base, --upstream or --verify-corpus).
    #[arg(required_unless_present_any = ["base", "upstream", "verify_corpus"], conflicts_with_all = ["base", "upstream", "verify_corpus"])]
    old: Option<PathBuf>,
    /// The new fragment file (omit with --base, --upstream or --verify-corpus).
    #[arg(required_unless_present_any = ["base", "upstream", "verify_corpus"])]
    new: Option<PathBuf>,
    /// Compare `REV:openapi/tokens.yaml` (via `git show`) with the working tree; with
    /// --verify, the whole workspace at REV is the baseline.
    #[arg(long, value_name = "REV", conflicts_with_all = ["upstream", "verify_corpus"])]
    base: Option<String>,
    /// Compare the fragment with upstream's full OpenAPI document, sliced down to the
    /// operation (see --operation), what it references, servers and security.
    #[arg(long, value_name = "FULL.yaml", conflicts_with = "verify_corpus")]
    upstream: Option<PathBuf>,
    /// The operationId to slice out of --upstream (default: the fragment's operation).
    #[arg(long, value_name = "ID", requires = "upstream")]
    operation: Option<String>,
    /// Also run cargo-semver-checks on the whole crate built from both sides and print
    /// both verdicts; the exit status is then cargo-semver-checks' (1 = major or does not
    /// compile).
    #[arg(long, conflicts_with_all = ["upstream", "verify_corpus"])]
    verify: bool,
    /// Run every corpus case through the rules and cargo-semver-checks and print the
    /// agreement table; exit 1 when a disagreement has no reason in the corpus.
    #[arg(long)]
    verify_corpus: bool,
    /// With --verify or --verify-corpus: run cargo-semver-checks even when the cache
    /// (`target/spec-verify/cache`) has the verdict.
    #[arg(long)]
    no_cache: bool,
    /// With --verify-corpus: only these cases (comma-separated names).
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        requires = "verify_corpus"
    )]
    cases: Vec<String>,
    /// With --verify-corpus: replace the generated section of this markdown file.
    #[arg(
        long,
        value_name = "FILE",
        requires = "verify_corpus",
        conflicts_with = "cases"
    )]
    write: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Which breaking changes make the exit status 1.
    #[arg(long, value_enum, default_value = "any")]
    fail_on: FailOnArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), one per change.
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
    None,
    Wire,
    RustApi,
    Any,
}

fn main() -> ExitCode {
    let args = match Cli::parse().command {
        Command::SpecDiff(args) => args,
        Command::BuildCost(args) => {
            return match build_cost::run(&args) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(1),
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(2)
                }
            };
        }
    };
    let result = if args.verify_corpus {
        verify_corpus(&args)
    } else {
        run(&args)
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<Input, String> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{origin}: cannot read the file: {e}"))?;
    Ok(Input { origin, text })
}

fn working_fragment() -> Result<Input, String> {
    let path = git::repo_root()?.join(git::FRAGMENT);
    Ok(Input {
        origin: git::FRAGMENT.to_owned(),
        text: std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read the file: {e}", git::FRAGMENT))?,
    })
}

/// The two sides, and (for --upstream) the text whose lines NEW positions refer to.
struct Sides {
    old: Input,
    new: Input,
    new_positions: Input,
}

fn inputs(args: &SpecDiff) -> Result<Sides, String> {
    if let Some(rev) = &args.base {
        let old = Input {
            origin: format!("{rev}:{}", git::FRAGMENT),
            text: git::show(rev, git::FRAGMENT)?,
        };
        let new = working_fragment()?;
        return Ok(Sides {
            old,
            new_positions: new.clone(),
            new,
        });
    }
    if let Some(full) = &args.upstream {
        let old = working_fragment()?;
        let full = read(full)?;
        let slice = upstream::slice_for(&old, &full, args.operation.as_deref())?;
        return Ok(Sides {
            old,
            new: Input {
                origin: full.origin.clone(),
                text: slice,
            },
            new_positions: full,
        });
    }
    match (&args.old, &args.new) {
        (Some(o), Some(n)) => {
            let new = read(n)?;
            Ok(Sides {
                old: read(o)?,
                new_positions: new.clone(),
                new,
            })
        }
        _ => Err("give OLD and NEW files, --base REV or --upstream FULL.yaml".to_owned()),
    }
}

fn run(args: &SpecDiff) -> Result<u8, String> {
    let sides = inputs(args)?;
    let (old, new) = (&sides.old, &sides.new);
    // Always generate: the Rust summary can add a `rust.generated.*` entry.
    let outcome = spec_diff::compare_texts(old, new, true)?;
    let rendered = match args.format {
        Format::Text => report::text(&outcome),
        Format::Markdown => report::markdown(&outcome, &old.origin, &new.origin),
        Format::Json => {
            serde_json::to_string_pretty(&report::json(&outcome.diff)).map_err(|e| e.to_string())?
                + "\n"
        }
        Format::Github => github::annotations(&outcome.diff, old, &sides.new_positions)?,
    };
    print!("{rendered}");
    if args.verify {
        return verify_pair(args, &sides, &outcome);
    }
    let fail_on = match args.fail_on {
        FailOnArg::None => FailOn::None,
        FailOnArg::Wire => FailOn::Wire,
        FailOnArg::RustApi => FailOn::RustApi,
        FailOnArg::Any => FailOn::Any,
    };
    Ok(if spec_diff::exit_code(&outcome.diff, fail_on) == 0 {
        0
    } else {
        1
    })
}

/// `--verify`: cargo-semver-checks' verdict next to ours; its verdict sets the status.
fn verify_pair(args: &SpecDiff, sides: &Sides, outcome: &spec_diff::Outcome) -> Result<u8, String> {
    let mut verifier = Verifier::new()?;
    verifier.use_cache = !args.no_cache;
    match &args.base {
        Some(rev) => verifier.prepare_rev(Side::Old, rev)?,
        None => verifier.prepare_fragment(Side::Old, &sides.old.text)?,
    }
    verifier.prepare_fragment(Side::New, &sides.new.text)?;
    let theirs = verifier.run()?;
    let ours = agreement::ours_of(outcome);
    let baseline = match &args.base {
        Some(rev) => format!("the whole workspace at {rev}"),
        None => format!("the working tree with {}", sides.old.origin),
    };
    eprintln!(
        "\ncargo-semver-checks {} on the whole astro-tokens crate (default features): {baseline} → the working tree with {}",
        xtask::spec_diff::verify::SEMVER_CHECKS_VERSION,
        sides.new.origin
    );
    eprintln!(
        "  ours (rust_api):     {}{}",
        ours.impact.as_str(),
        if ours.rules.is_empty() {
            String::new()
        } else {
            format!(" ({})", ours.rules.join(", "))
        }
    );
    eprintln!(
        "  independent:         {}{}{}   (cargo check, then cargo-semver-checks)",
        theirs.level.as_str(),
        if theirs.lints.is_empty() {
            String::new()
        } else {
            format!(" (lints: {})", theirs.lints.join(", "))
        },
        theirs
            .error
            .as_deref()
            .map(|e| format!("; first error: {e}"))
            .unwrap_or_default()
    );
    eprintln!(
        "  agree: {}   ({:.1} s)",
        if xtask::spec_diff::verify::agrees(ours.impact, theirs.level) {
            "yes"
        } else {
            "no (see docs/spec-diff.md, \"Checked by cargo-semver-checks\")"
        },
        theirs.seconds
    );
    Ok(u8::from(theirs.level.is_breaking()))
}

fn verify_corpus(args: &SpecDiff) -> Result<u8, String> {
    let mut verifier = Verifier::new()?;
    verifier.use_cache = !args.no_cache;
    let path = verifier.root().join(git::FRAGMENT);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read the file: {e}", path.display()))?;
    let fragment = corpus::Fragment::parse(text)?;
    let mut cases = corpus::cases();
    if !args.cases.is_empty() {
        let known: Vec<&str> = cases.iter().map(|c| c.name).collect();
        if let Some(unknown) = args.cases.iter().find(|n| !known.contains(&n.as_str())) {
            return Err(format!(
                "--cases: no corpus case is named `{unknown}` (see xtask/src/spec_diff/corpus.rs)"
            ));
        }
        cases.retain(|c| args.cases.iter().any(|n| n == c.name));
    }
    let started = std::time::Instant::now();
    let rows = agreement::run(&verifier, &fragment, &cases, |line| eprintln!("{line}"))?;
    eprintln!(
        "{} pair(s) in {:.1} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    let table = agreement::table(&rows);
    print!("{table}");
    for r in agreement::stale_reasons(&rows) {
        eprintln!(
            "note: `{}`: the tools now agree; its reason in the corpus is stale and can go: {}",
            r.case,
            r.reason.map(|w| w.text()).unwrap_or_default()
        );
    }
    let missing = agreement::missing_reasons(&rows);
    if !missing.is_empty() {
        for r in &missing {
            eprintln!(
                "error: `{}`: ours says {}, cargo-semver-checks says {}, and the corpus gives no reason: add `semver: Some(Why::…(\"…\"))` to the case in xtask/src/spec_diff/corpus.rs, or fix the rule",
                r.case,
                r.ours.impact.as_str(),
                r.theirs.level.as_str()
            );
        }
        return Ok(1);
    }
    if let Some(file) = &args.write {
        let doc = std::fs::read_to_string(file)
            .map_err(|e| format!("{}: cannot read the file: {e}", file.display()))?;
        let updated = agreement::replace_section(&doc, &table)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        std::fs::write(file, updated)
            .map_err(|e| format!("{}: cannot write the file: {e}", file.display()))?;
        eprintln!("wrote the agreement table into {}", file.display());
    }
    Ok(0)
}
