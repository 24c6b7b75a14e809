//! `cargo xtask` — maintainer tasks. See `docs/spec-diff.md` and README.md, "Build cost".
//!
//! `cargo xtask spec-diff OLD NEW` or `cargo xtask spec-diff --base REV`; exit status 0
//! (nothing breaking), 1 (breaking, per `--fail-on`), 2 (unreadable or invalid input).
//!
//! `cargo xtask build-cost [--runs N] [--only VARIANT]`; exit status 0 (every target
//! measured passes), 1 (a target fails), 2 (a build or the setup failed).

mod build_cost;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use xtask::git;
use xtask::spec_diff::{self, FailOn, Input, report};

#[derive(Parser)]
#[command(name = "xtask", about = "Maintainer tasks for astro-tokens")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// What an edit to the OpenAPI fragment does on the wire and to the generated Rust API.
    SpecDiff(SpecDiff),
    /// Times clean builds of a one-file consumer: each TLS choice, build.rs vs the snapshot.
    BuildCost(build_cost::Args),
}

#[derive(clap::Args)]
struct SpecDiff {
    /// The old fragment file (omit with --base).
    #[arg(required_unless_present = "base", conflicts_with = "base")]
    old: Option<PathBuf>,
    /// The new fragment file (omit with --base).
    #[arg(required_unless_present = "base", conflicts_with = "base")]
    new: Option<PathBuf>,
    /// Compare `REV:openapi/tokens.yaml` (via `git show`) with the working tree.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Which breaking changes make the exit status 1.
    #[arg(long, value_enum, default_value = "any")]
    fail_on: FailOnArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
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
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &std::path::Path) -> Result<Input, String> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{origin}: cannot read the file: {e}"))?;
    Ok(Input { origin, text })
}

fn inputs(args: &SpecDiff) -> Result<(Input, Input), String> {
    if let Some(rev) = &args.base {
        let old = Input {
            origin: format!("{rev}:{}", git::FRAGMENT),
            text: git::show(rev, git::FRAGMENT)?,
        };
        let path = git::repo_root()?.join(git::FRAGMENT);
        let new = Input {
            origin: git::FRAGMENT.to_owned(),
            text: std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: cannot read the file: {e}", git::FRAGMENT))?,
        };
        return Ok((old, new));
    }
    match (&args.old, &args.new) {
        (Some(o), Some(n)) => Ok((read(o)?, read(n)?)),
        _ => Err("give OLD and NEW files, or --base REV".to_owned()),
    }
}

fn run(args: &SpecDiff) -> Result<u8, String> {
    let (old, new) = inputs(args)?;
    // Always generate: the Rust summary can add a `rust.generated.changed` entry.
    let outcome = spec_diff::compare_texts(&old, &new, true)?;
    let rendered = match args.format {
        Format::Text => report::text(&outcome),
        Format::Markdown => report::markdown(&outcome, &old.origin, &new.origin),
        Format::Json => {
            serde_json::to_string_pretty(&report::json(&outcome.diff)).map_err(|e| e.to_string())?
                + "\n"
        }
    };
    print!("{rendered}");
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
