//! The command line: subcommands, flags and their help text (clap derive).
//!
//! The token is deliberately not a flag and not a clap `env` argument: it is read from
//! `ASTRO_API_TOKEN` by `main.rs` only, so neither `--help` nor clap's debug output can
//! ever show it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::audit::rules::{FindingId, MAX_DAYS, Severity, Thresholds};
use crate::filters::{self, FilterArgs};

/// The environment variable `--organization-id` falls back to, as in the Astro Terraform
/// provider (`organization_id`).
pub const ORGANIZATION_ENV: &str = "ASTRO_ORGANIZATION_ID";

/// The exit codes, for every `--help`.
const EXIT_CODES: &str = "\
Exit codes: 0 success · 1 API or network error · 2 usage or invalid input (a bad flag or
policy file: nothing is sent) · 3 `audit --fail-on` (or --fail-on-findings) found an
unaccepted finding of that severity or higher · 130 interrupted (Ctrl-C).";

/// The text after every `--help`, with the SDK's default base URL
/// ([`astro_tokens::DEFAULT_BASE_URL`]) filled in at run time, so it cannot drift.
fn after_help() -> String {
    format!(
        "\
Authentication: the API token is read from the ASTRO_API_TOKEN environment variable (the one
astro-cli uses) and is never printed. The base URL comes from --base-url, else {url_env},
else {default_url}.
The organization comes from --organization-id, else {org_env}.

{EXIT_CODES}

New here? Run `astro-tokens demo`: it needs no credentials.",
        url_env = astro_tokens::URL_ENV,
        default_url = astro_tokens::DEFAULT_BASE_URL,
        org_env = ORGANIZATION_ENV,
    )
}

/// The text after `audit --help`: every finding, the policy file, the exit codes. The
/// findings' ids, rules and severities come from the rules themselves.
fn audit_after_help() -> String {
    let defaults = Thresholds::default();
    let mut findings = String::new();
    for id in FindingId::ALL {
        findings.push_str(&format!(
            "  {:<18} {:<12} {}\n",
            id.as_str(),
            id.default_severity_label(),
            id.rule(&defaults)
        ));
    }
    format!(
        "\
Findings, in report order (id, default severity, rule at the default thresholds; an
expired token gets no other date-based finding; organization-role is high for
ORGANIZATION_OWNER):
{findings}
Each finding has a one-line detail and a remediation naming the astro-cli command to run.

Policy file (--policy FILE, TOML; every key optional; a flag overrides the file):
  [thresholds]
  expiring_within_days = 30     # also --expiring-within
  unused_for_days = 90          # also --unused-for
  never_used_grace_days = 7     # also --never-used-grace
  rotate_after_days = 180       # also --rotate-after
  [severity]
  no-expiry = \"high\"            # low, medium or high, per finding id
  [[accept]]                    # a reviewed exception
  token = \"TOKEN_ID\"
  finding = \"no-expiry\"         # optional: all of the token's findings when absent
  reason = \"why it is accepted\"
  until = \"2027-03-01\"          # optional: applies through this day (UTC), then lapses
Accepted findings are reported but not counted; lapsed exceptions (past until) and stale
ones (for a token not listed) are reported. A bad file exits 2, naming its line and key.

{}

{}",
        filters::help_text(),
        after_help()
    )
}

/// The help of `--base-url`, naming the SDK's default.
fn base_url_help() -> String {
    format!(
        "API base URL [default: {}]; a v1beta1 host (.../platform/v1beta1 or .../iam/v1beta1) \
         works too until its end of support in January 2027",
        astro_tokens::DEFAULT_BASE_URL
    )
}

/// The text after `list --help`: the filter flags, then [`after_help`].
fn list_after_help() -> String {
    format!("{}\n\n{}", filters::help_text(), after_help())
}

/// List and audit Astro API tokens (GET /organizations/{organizationId}/tokens).
#[derive(Debug, Parser)]
#[command(name = "astro-tokens", version, about, after_help = after_help())]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Fixed "now" for relative dates and audit findings (RFC 3339), for reproducible output.
    #[arg(long, global = true, hide = true, value_name = "RFC3339")]
    pub now: Option<DateTime<Utc>>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every matching token, page by page.
    #[command(after_help = list_after_help())]
    List(ListArgs),
    /// List, then report findings with a severity and a remediation each (see below).
    #[command(after_help = audit_after_help())]
    Audit(AuditArgs),
    /// Start an embedded fake API on 127.0.0.1 and list its tokens: no credentials needed.
    #[command(after_help = after_help())]
    Demo(DemoArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    #[command(after_help = after_help())]
    Completions(CompletionsArgs),
}

/// `astro-tokens completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `astro-tokens list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which tokens, and how they are fetched.
    #[command(flatten)]
    pub listing: ListingArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `astro-tokens audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Which tokens, and how they are fetched.
    #[command(flatten)]
    pub listing: ListingArgs,

    /// Policy file (TOML): thresholds, severity overrides, reviewed exceptions (see below).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// `expiring-soon`: expiring within this many days [default: 30, or the policy's].
    #[arg(long, value_name = "DAYS", value_parser = days())]
    pub expiring_within: Option<u32>,

    /// `unused`: last used this many days ago or earlier [default: 90, or the policy's].
    #[arg(long, value_name = "DAYS", value_parser = days())]
    pub unused_for: Option<u32>,

    /// `never-used`: only once created this many days ago [default: 7, or the policy's].
    #[arg(long, value_name = "DAYS", value_parser = days())]
    pub never_used_grace: Option<u32>,

    /// `not-rotated`: last rotated (or created) this many days ago or earlier [default:
    /// 180, or the policy's].
    #[arg(long, value_name = "DAYS", value_parser = days())]
    pub rotate_after: Option<u32>,

    /// Exit 3 when at least one unaccepted finding has this severity or higher (for CI).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// The same as --fail-on low: exit 3 on any unaccepted finding.
    #[arg(long, conflicts_with = "fail_on")]
    pub fail_on_findings: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

impl AuditArgs {
    /// The `--fail-on` level, `--fail-on-findings` meaning `low`.
    pub fn fail_on(&self) -> Option<Severity> {
        self.fail_on
            .or(self.fail_on_findings.then_some(Severity::Low))
    }

    /// `thresholds` with the threshold flags given applied over them.
    pub fn override_thresholds(&self, thresholds: &mut Thresholds) {
        for (flag, slot) in [
            (self.expiring_within, &mut thresholds.expiring_within_days),
            (self.unused_for, &mut thresholds.unused_for_days),
            (self.never_used_grace, &mut thresholds.never_used_grace_days),
            (self.rotate_after, &mut thresholds.rotate_after_days),
        ] {
            if let Some(days) = flag {
                *slot = days;
            }
        }
    }
}

/// A number of days, 0..=[`MAX_DAYS`] (100 years, so date arithmetic can't overflow).
fn days() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(0..=i64::from(MAX_DAYS))
}

/// `astro-tokens demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many tokens the fake API holds.
    #[arg(long, value_name = "N", default_value_t = 24,
          value_parser = clap::value_parser!(u16).range(1..=5000))]
    pub tokens: u16,

    /// Tokens per request (small, to show paging).
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: u32,

    /// After the demo, keep the fake API running (until Ctrl-C) and print how to point
    /// `astro-tokens list` at it.
    #[arg(long)]
    pub serve: bool,

    /// Delay of each fake response, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 80, hide = true)]
    pub latency_ms: u64,
}

/// Filters and paging controls shared by `list` and `audit`.
#[derive(Debug, Args)]
pub struct ListingArgs {
    /// The organization whose tokens to list.
    #[arg(long, value_name = "ORG", env = ORGANIZATION_ENV,
          value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub organization_id: String,

    /// One flag per query parameter of the API, derived from the fragment (`filters.rs`).
    #[command(flatten)]
    pub filters: FilterArgs,

    /// Skip this many matching tokens.
    #[arg(long, value_name = "N")]
    pub offset: Option<u64>,

    /// Stop after this many tokens.
    #[arg(long, value_name = "N")]
    pub max_items: Option<u64>,

    /// Tokens per request, 1..=1000 [default: 100].
    #[arg(long, value_name = "N")]
    pub page_size: Option<u32>,

    /// Pages fetched at once after the first [default: 1].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// API base URL (default: [`astro_tokens::DEFAULT_BASE_URL`]; the help text is
    /// `base_url_help()`).
    #[arg(long, value_name = "URL", env = astro_tokens::URL_ENV, hide_env_values = true,
          help = base_url_help())]
    pub base_url: Option<String>,
}

/// `audit --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Grouped by severity, then finding, with a summary (fits the terminal width).
    Table,
    /// One JSON document (schema: cli/schema/audit-report.schema.json).
    Json,
    /// One finding per line (JSON); the summary goes to stderr.
    Ndjson,
    /// One row per finding, with severity and remediation; the summary goes to stderr.
    Csv,
    /// A summary table and one section per severity, for a pull request or a ticket.
    Markdown,
}

/// `list --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table for people (fits the terminal width).
    Table,
    /// One JSON document, with the API's field names.
    Json,
    /// One JSON object per line, streamed as pages arrive.
    Ndjson,
    /// A header and one row per token, streamed as pages arrive.
    Csv,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sorts_keep_their_order_and_repeat() {
        let cli = Cli::try_parse_from([
            "astro-tokens",
            "list",
            "--organization-id",
            "org",
            "--sort",
            "name:asc",
            "--sort",
            "createdAt:desc",
        ])
        .expect("parses");
        let Command::List(args) = cli.command else {
            panic!("not list")
        };
        let sorts: Vec<String> = args
            .listing
            .filters
            .query
            .sorts
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(sorts, ["name:asc", "createdAt:desc"]);
    }

    #[test]
    fn a_misspelt_sort_lists_the_valid_values() {
        let error = Cli::try_parse_from([
            "astro-tokens",
            "list",
            "--organization-id",
            "org",
            "--sort",
            "created:desc",
        ])
        .expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("createdAt:desc"), "{text}");
        assert!(text.contains("tokenStartAt:asc"), "{text}");
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn help_names_the_sdks_default_base_url() {
        for args in [
            ["astro-tokens", "--help"].as_slice(),
            &["astro-tokens", "list", "--help"],
            &["astro-tokens", "audit", "-h"],
        ] {
            let help = Cli::try_parse_from(args)
                .expect_err("help is shown")
                .to_string();
            assert!(help.contains(astro_tokens::DEFAULT_BASE_URL), "{help}");
        }
        let list_help = Cli::try_parse_from(["astro-tokens", "list", "--help"])
            .expect_err("help is shown")
            .to_string();
        assert!(
            list_help.contains(&format!(
                "API base URL [default: {}]",
                astro_tokens::DEFAULT_BASE_URL
            )),
            "{list_help}"
        );
        // The URL comes from the SDK's constant, not from a copy in this file.
        assert!(
            !include_str!("args.rs").contains(astro_tokens::DEFAULT_BASE_URL),
            "cli/src/args.rs repeats the default base URL: use astro_tokens::DEFAULT_BASE_URL"
        );
    }
}
