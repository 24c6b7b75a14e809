//! The command line: subcommands, flags and their help text (clap derive).
//!
//! The token is deliberately not a flag and not a clap `env` argument: it is read from
//! `ASTRO_API_TOKEN` by `main.rs` only, so neither `--help` nor clap's debug output can
//! ever show it.

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};

use astro_tokens::{Sort, TokenKind};

/// The text after every `--help`, with the SDK's default base URL
/// ([`astro_tokens::DEFAULT_BASE_URL`]) filled in at run time, so it cannot drift.
fn after_help() -> String {
    format!(
        "\
Authentication: the API token is read from the ASTRO_API_TOKEN environment variable (the one
astro-cli uses) and is never printed. The base URL comes from --base-url, else {url_env},
else {default_url}.

Exit codes: 0 success · 1 API or network error · 2 usage or invalid input ·
3 findings with `audit --fail-on-findings` · 130 interrupted (Ctrl-C).

New here? Run `astro-tokens demo`: it needs no credentials.",
        url_env = astro_tokens::URL_ENV,
        default_url = astro_tokens::DEFAULT_BASE_URL,
    )
}

/// The help of `--base-url`, naming the SDK's default.
fn base_url_help() -> String {
    format!("API base URL [default: {}]", astro_tokens::DEFAULT_BASE_URL)
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
    #[command(after_help = after_help())]
    List(ListArgs),
    /// List, then report findings: expired, expiring soon, never used, unused, organization-wide roles.
    #[command(after_help = after_help())]
    Audit(AuditArgs),
    /// Start an embedded fake API on 127.0.0.1 and list its tokens: no credentials needed.
    #[command(after_help = after_help())]
    Demo(DemoArgs),
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

    /// Report tokens that expire within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(0..=MAX_DAYS))]
    pub expiring_within: u32,

    /// Report tokens last used this many days ago or earlier.
    #[arg(long, value_name = "DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(0..=MAX_DAYS))]
    pub unused_for: u32,

    /// Exit 3 when there is at least one finding (for CI).
    #[arg(long)]
    pub fail_on_findings: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The largest `--expiring-within` / `--unused-for` (100 years), so date arithmetic can't overflow.
pub const MAX_DAYS: i64 = 36_500;

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
    #[arg(long, value_name = "ORG")]
    pub organization_id: String,

    /// Only tokens of this Workspace.
    #[arg(long, value_name = "ID")]
    pub workspace_id: Option<String>,

    /// Only tokens of this Deployment.
    #[arg(long, value_name = "ID")]
    pub deployment_id: Option<String>,

    /// Only tokens with a role on this DAG.
    #[arg(long, value_name = "ID")]
    pub dag_id: Option<String>,

    /// Only tokens for this DAG tag (repeatable).
    #[arg(long = "dag-tag", value_name = "TAG")]
    pub dag_tags: Vec<String>,

    /// Only Organization API tokens.
    #[arg(long)]
    pub only_organization_tokens: bool,

    /// Only tokens of this kind.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// Sort key FIELD:DIR, e.g. name:asc or createdAt:desc (repeatable; applied in order).
    /// Fields: name, description, createdAt, updatedAt, tokenStartAt.
    #[arg(long = "sort", value_name = "FIELD:DIR", value_parser = parse_sort)]
    pub sorts: Vec<Sort>,

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

/// `--kind` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// STANDARD tokens.
    Standard,
    /// DIRECT_ACCESS tokens.
    DirectAccess,
}

impl From<KindArg> for TokenKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Standard => TokenKind::Standard,
            KindArg::DirectAccess => TokenKind::DirectAccess,
        }
    }
}

/// `--format` values.
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

/// `--sort` values: the library's parser, whose error lists every valid value.
fn parse_sort(text: &str) -> Result<Sort, String> {
    text.trim()
        .parse::<Sort>()
        .map_err(|e| format!("expected one of {}", e.allowed()))
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
        let sorts: Vec<String> = args.listing.sorts.iter().map(Sort::to_string).collect();
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

    /// The `kind` query parameter's enum in the OpenAPI fragment, read at test time.
    fn fragment_kind_values() -> Vec<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/tokens.yaml");
        let text = std::fs::read_to_string(path).expect("the OpenAPI fragment is readable");
        let spec: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
        let parameters =
            spec["paths"]["/organizations/{organizationId}/tokens"]["get"]["parameters"]
                .as_sequence()
                .expect("the list operation has parameters");
        let kind = parameters
            .iter()
            .find(|p| p["name"] == "kind" && p["in"] == "query")
            .expect("a `kind` query parameter");
        kind["schema"]["enum"]
            .as_sequence()
            .expect("`kind` is an enum")
            .iter()
            .map(|v| v.as_str().expect("string enum value").to_owned())
            .collect()
    }

    #[test]
    fn every_token_kind_of_the_fragment_has_a_kind_arg_and_back() {
        let wire_values = fragment_kind_values();
        assert!(!wire_values.is_empty());
        for wire in &wire_values {
            let kind: TokenKind = wire
                .parse()
                .unwrap_or_else(|e| panic!("TokenKind does not parse {wire:?}: {e}"));
            let expected_flag = wire.to_lowercase().replace('_', "-");
            let arg = KindArg::value_variants()
                .iter()
                .copied()
                .find(|arg| TokenKind::from(*arg) == kind)
                .unwrap_or_else(|| {
                    panic!(
                        "the fragment's kind {wire:?} has no `--kind` value: add a variant to \
                         `KindArg` in cli/src/args.rs (`--kind {expected_flag}`) and map it \
                         to `TokenKind` in `impl From<KindArg> for TokenKind`"
                    )
                });
            let flag = arg.to_possible_value().expect("not skipped");
            assert_eq!(
                flag.get_name(),
                expected_flag,
                "`--kind` spelling of {wire}"
            );
            assert_eq!(TokenKind::from(arg).to_string(), *wire, "{arg:?} goes back");
        }
        assert_eq!(
            KindArg::value_variants().len(),
            wire_values.len(),
            "KindArg has a variant the fragment's `kind` enum ({wire_values:?}) lacks"
        );
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

    #[test]
    fn kind_values_map_to_the_api_enum() {
        assert_eq!(TokenKind::from(KindArg::Standard), TokenKind::Standard);
        assert_eq!(
            TokenKind::from(KindArg::DirectAccess),
            TokenKind::DirectAccess
        );
    }
}
