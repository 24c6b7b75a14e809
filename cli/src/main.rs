//! `astro-tokens`: list and audit Astro API tokens from a terminal, with a credential-free
//! demo. This file is the entry point: parse the command line, run the subcommand on a
//! tokio runtime, and turn the outcome into an exit code (see `failure.rs` for the table).

mod args;
mod audit;
mod demo;
mod failure;
mod fetch;
mod filters;
mod output;
mod printable;
mod progress;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, Parser};

use args::{AuditArgs, Cli, Command, ListArgs};
use audit::policy::{self, Policy};
use failure::Failure;
use fetch::{Expect, each_page};
use output::TokenWriter;
use output::report::Report;
use progress::Progress;

fn main() -> ExitCode {
    // clap prints usage errors and exits 2 (help and version: 0).
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return report(Failure::Runtime(format!("cannot start tokio: {error}"))),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(failure),
    }
}

/// Prints the failure's one line on stderr and returns its exit code.
fn report(failure: Failure) -> ExitCode {
    if let Some(message) = failure.message() {
        let _ = writeln!(io::stderr(), "{message}");
    }
    ExitCode::from(failure.exit_code())
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let now = cli.now.unwrap_or_else(Utc::now);
    match cli.command {
        Command::List(args) => list(args, now).await,
        Command::Audit(args) => audit(args, now).await,
        Command::Demo(args) => {
            let mut out = BufWriter::new(io::stdout().lock());
            demo::run(&args, now, &mut out).await
        }
        Command::Completions(args) => {
            let mut out = BufWriter::new(io::stdout().lock());
            clap_complete::generate(args.shell, &mut Cli::command(), "astro-tokens", &mut out);
            Ok(out.flush()?)
        }
    }
}

async fn list(args: ListArgs, now: DateTime<Utc>) -> Result<(), Failure> {
    let client = fetch::client(&args.listing)?;
    let listing = fetch::listing(&client, &args.listing);
    let out = BufWriter::new(io::stdout().lock());
    let mut writer = TokenWriter::new(args.format, out, now, output::table::target_width());
    each_page(
        listing,
        Expect::from_args(&args.listing),
        &mut Progress::for_stderr(),
        &mut writer,
    )
    .await?;
    Ok(writer.finish()?)
}

async fn audit(args: AuditArgs, now: DateTime<Utc>) -> Result<(), Failure> {
    // The policy first: a bad file is a usage error, and nothing is sent.
    let mut policy = match &args.policy {
        Some(path) => policy::load(path).map_err(|e| Failure::Usage(e.to_string()))?,
        None => Policy::default(),
    };
    args.override_thresholds(&mut policy.thresholds);
    let client = fetch::client(&args.listing)?;
    let listing = fetch::listing(&client, &args.listing);
    let mut pages = Vec::new();
    each_page(
        listing,
        Expect::from_args(&args.listing),
        &mut Progress::for_stderr(),
        &mut pages,
    )
    .await?;
    let tokens: Vec<_> = pages
        .into_iter()
        .flat_map(|page| page.tokens)
        .map(output::without_secret)
        .collect();
    let organization_id = args.listing.organization_id.as_str();
    let result = audit::audit(&tokens, &policy, now, organization_id);
    let report = Report {
        audit: &result,
        tokens_audited: tokens.len(),
        policy: &policy,
        policy_file: args.policy.as_deref(),
        organization_id,
        fail_on: args.fail_on(),
        now,
    };
    report.write(
        args.format,
        &mut BufWriter::new(io::stdout().lock()),
        &mut io::stderr().lock(),
        output::table::target_width(),
    )?;
    if let Some(level) = args.fail_on() {
        let count = result.at_or_above(level);
        if count > 0 {
            return Err(Failure::Findings { count, level });
        }
    }
    Ok(())
}
