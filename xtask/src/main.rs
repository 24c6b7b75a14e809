//! `cargo xtask` — maintainer tasks. See `docs/spec-diff.md` and README.md, "Build cost".
//!
//! `cargo xtask spec-diff OLD NEW`, `--base REV` or `--upstream FULL.yaml`; exit status 0
//! (nothing breaking), 1 (breaking, per `--fail-on`), 2 (unreadable or invalid input, or a
//! tool failure). `--verify` adds cargo-semver-checks' verdict on the whole crate;
//! `--verify-corpus` builds the agreement table of `docs/spec-diff.md`;
//! `--upstream FULL.yaml --write openapi/tokens.yaml` rebuilds the fragment from upstream's
//! document and the local additions of `openapi/local.yaml`, then reports what changed.
//!
//! `cargo xtask build-cost [--runs N] [--only VARIANT]`; exit status 0 (every target
//! measured passes), 1 (a target fails), 2 (a build or the setup failed).

mod build_cost;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use xtask::git;
use xtask::spec_diff::local::{self, Local};
use xtask::spec_diff::verify::{Level, Side, Verifier};
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
#[command(group(clap::ArgGroup::new("writes").args(["upstream", "verify_corpus"])))]
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
    /// operation (see --operation), what it references, servers and security, with the
    /// project's local additions applied (openapi/local.yaml, when it exists; see --local),
    /// so the report shows upstream's changes, not our own. With --write FILE, that result
    /// is written into FILE and the report is FILE before against FILE after.
    #[arg(long, value_name = "FULL.yaml", conflicts_with = "verify_corpus")]
    upstream: Option<PathBuf>,
    /// The operationId to slice out of --upstream (default: the fragment's operation).
    #[arg(long, value_name = "ID", requires = "upstream")]
    operation: Option<String>,
    /// With --upstream: the local additions to apply to the slice (default: local.yaml
    /// next to the fragment, openapi/local.yaml; a missing default file means none).
    #[arg(long, value_name = "local.yaml", requires = "upstream")]
    local: Option<PathBuf>,
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
    /// With --verify-corpus: replace the generated section of this markdown file. With
    /// --upstream: write the slice with the local additions into this fragment (normally
    /// openapi/tokens.yaml), if the generator accepts it, then report the fragment before
    /// (OLD) against what was written (NEW).
    #[arg(
        long,
        value_name = "FILE",
        requires = "writes",
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
    /// How the markdown report names OLD and NEW.
    labels: (String, String),
}

impl Sides {
    fn new(old: Input, new: Input, new_positions: Input) -> Self {
        let labels = (old.origin.clone(), new.origin.clone());
        Self {
            old,
            new,
            new_positions,
            labels,
        }
    }
}

/// The sides to compare; `None` when there is nothing to compare (--write made a new file).
fn inputs(args: &SpecDiff) -> Result<Option<Sides>, String> {
    if let Some(rev) = &args.base {
        let old = Input {
            origin: format!("{rev}:{}", git::FRAGMENT),
            text: git::show(rev, git::FRAGMENT)?,
        };
        let new = working_fragment()?;
        return Ok(Some(Sides::new(old, new.clone(), new)));
    }
    if let Some(full) = &args.upstream {
        return match &args.write {
            Some(out) => write_from_upstream(args, full, out),
            None => upstream_sides(args, full).map(Some),
        };
    }
    match (&args.old, &args.new) {
        (Some(o), Some(n)) => {
            let new = read(n)?;
            Ok(Some(Sides::new(read(o)?, new.clone(), new)))
        }
        _ => Err("give OLD and NEW files, --base REV or --upstream FULL.yaml".to_owned()),
    }
}

/// A file as people see it: relative to the repository when it is inside it
/// (`openapi/local.yaml`, whatever the current directory), else its file name.
fn shown(path: &Path) -> String {
    let absolute = match (path.canonicalize(), path.parent(), path.file_name()) {
        (Ok(p), _, _) => p,
        (Err(_), Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            match parent.canonicalize() {
                Ok(p) => p.join(name),
                Err(_) => return path.display().to_string(),
            }
        }
        _ => return path.display().to_string(),
    };
    let root = git::repo_root().and_then(|r| r.canonicalize().map_err(|e| e.to_string()));
    if let Some(relative) = root
        .ok()
        .and_then(|r| absolute.strip_prefix(r).ok().map(Path::to_path_buf))
    {
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return parts.join("/");
    }
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The local additions: `--local` (which must exist), else `default` if it exists.
fn local_additions(args: &SpecDiff, default: &Path) -> Result<(String, Option<Local>), String> {
    let path = args.local.as_deref().unwrap_or(default);
    let name = shown(path);
    if args.local.is_none() && !path.exists() {
        return Ok((name, None));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read the file: {e}"))?;
    let local = Local::parse(&Input {
        origin: name.clone(),
        text,
    })?;
    Ok((name, Some(local)))
}

/// `--upstream` without `--write`: the working fragment against the slice, with the local
/// additions applied.
fn upstream_sides(args: &SpecDiff, full: &Path) -> Result<Sides, String> {
    let old = working_fragment()?;
    let full = read(full)?;
    let id = upstream::operation_id(Some(&old), args.operation.as_deref())?;
    let mut slice = upstream::slice_yaml(&full, &id)?;
    let default = git::repo_root()?.join(Path::new(git::FRAGMENT).with_file_name(local::FILE_NAME));
    let (name, local) = local_additions(args, &default)?;
    if let Some(local) = &local {
        local.apply(&mut slice)?;
        eprintln!(
            "note: NEW is {id} of {} with the {} local addition(s) of {name} applied",
            full.origin,
            local.actions.len()
        );
    }
    let new = Input {
        origin: full.origin.clone(),
        text: upstream::to_yaml(&slice)?,
    };
    Ok(Sides::new(old, new, full))
}

/// `--upstream FULL.yaml --write OUT`: writes the slice with the local additions into OUT
/// (only if the generator accepts it, and only if it differs), then compares OUT before
/// with OUT after. `None` when OUT did not exist: there is nothing to compare.
fn write_from_upstream(
    args: &SpecDiff,
    full_path: &Path,
    out: &Path,
) -> Result<Option<Sides>, String> {
    let out_name = shown(out);
    let before = match std::fs::read_to_string(out) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{out_name}: cannot read the file: {e}")),
    };
    let fragment = before.as_ref().map(|text| Input {
        origin: out_name.clone(),
        text: text.clone(),
    });
    let id = upstream::operation_id(fragment.as_ref(), args.operation.as_deref()).map_err(|e| {
        match fragment {
            Some(_) => e,
            None => format!("{out_name} does not exist yet, so {e}"),
        }
    })?;
    let full = read(full_path)?;
    let mut slice = upstream::slice_yaml(&full, &id)?;
    let (local_name, local) = local_additions(args, &out.with_file_name(local::FILE_NAME))?;
    if let Some(local) = &local {
        local.apply(&mut slice)?;
    }
    let text = upstream::header(
        &shown(full_path),
        &id,
        &local_name,
        local.is_some(),
        &out_name,
    ) + &upstream::to_yaml(&slice)?;
    // The result must parse back and generate, or nothing is written.
    let rejected = |e: astro_tokens_codegen::CodegenError| {
        format!(
            "{out_name}: not written: the slice of {id} with the local additions is not a fragment the generator accepts: {}",
            e.to_string().replace('\n', " ")
        )
    };
    astro_tokens_codegen::parse_spec(&text, "the result").map_err(rejected)?;
    astro_tokens_codegen::generate_str(&text, "the result").map_err(rejected)?;
    let additions = local.as_ref().map_or(0, |l| l.actions.len());
    let status = if before.as_deref() == Some(text.as_str()) {
        "unchanged"
    } else {
        write_atomically(out, &text)
            .map_err(|e| format!("{out_name}: cannot write the file: {e}"))?;
        "written"
    };
    eprintln!(
        "{out_name}: {status}: {id} of {} plus {additions} local addition(s) of {local_name}",
        full.origin
    );
    let Some(before) = before else {
        eprintln!("{out_name} is new: there is no earlier version to compare it with");
        return Ok(None);
    };
    let old = Input {
        origin: out_name.clone(),
        text: before,
    };
    let new = Input {
        origin: out_name.clone(),
        text,
    };
    let mut sides = Sides::new(old, new.clone(), new);
    sides.labels = (
        format!("{out_name} (before)"),
        format!("{out_name} (written)"),
    );
    Ok(Some(sides))
}

/// Writes through a temporary file next to `path`, so a reader never sees half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.xtask-write"));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

fn run(args: &SpecDiff) -> Result<u8, String> {
    let Some(sides) = inputs(args)? else {
        return Ok(0);
    };
    let (old, new) = (&sides.old, &sides.new);
    // Always generate: the Rust summary can add a `rust.generated.*` entry.
    let outcome = spec_diff::compare_texts(old, new, true)?;
    let rendered = match args.format {
        Format::Text => report::text(&outcome),
        Format::Markdown => report::markdown(&outcome, &sides.labels.0, &sides.labels.1),
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
    if theirs.level == Level::OldDoesNotCompile {
        return Err(format!(
            "cargo-semver-checks failed (the OLD (baseline) crate does not compile: {})",
            theirs.error.as_deref().unwrap_or_default()
        ));
    }
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
    let unchecked = agreement::unchecked(&rows);
    for r in &unchecked {
        eprintln!(
            "error: `{}`: not checked: the OLD crate does not compile ({}); the case or the generator needs a fix",
            r.case,
            r.theirs
                .error
                .as_deref()
                .unwrap_or("no compiler error found")
        );
    }
    Ok(u8::from(!unchecked.is_empty()))
}
