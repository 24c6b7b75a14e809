//! The listing's filter flags, derived at run time from the fragment's query parameters
//! (`ListApiTokensQuery::PARAMETERS`): one flag per parameter, none written by hand.
//!
//! Each parameter becomes `--kebab-case-of-its-wire-name` (`dagTags` → `--dag-tags`), with
//! the fragment's description as its help, under the "Filters" heading of `list --help`
//! and `audit --help`. Its values are parsed by its type: an enum takes its values (in any
//! case, `_` or `-`: `--kind direct-access` is `DIRECT_ACCESS`); a boolean's flag alone
//! means `true` and `--flag=false` says false; an integer is checked against its minimum
//! and maximum; a number and an RFC 3339 date-time must parse; an array repeats, its
//! values sent in the order given. The values go into a [`ListApiTokensQuery`] through
//! its `set_text`, whose refusals are usage errors (exit 2) naming the flag, the value and
//! what is allowed; nothing is sent then.
//!
//! The only per-parameter knowledge here is [`LEGACY_ALIASES`]: the flag names of earlier
//! versions, kept as visible aliases. A parameter added to the fragment gets its flag, its
//! help and its place in the request with no edit to this crate.

use std::ops::Bound;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser, ValueParser};
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Command};

use astro_tokens::ListApiTokensQuery;
use astro_tokens::generated::query::{InvalidParameter, Parameter, ValueType};

/// Earlier flag names that keep working, as visible aliases: (wire name, alias). An entry
/// for a parameter the fragment no longer has is ignored.
pub const LEGACY_ALIASES: &[(&str, &str)] = &[
    ("dagTags", "dag-tag"),
    ("includeOnlyOrganizationTokens", "only-organization-tokens"),
    ("sorts", "sort"),
];

/// The help heading the filter flags are listed under.
pub const HEADING: &str = "Filters (the API's query parameters)";

/// Prefix of the filter flags' clap ids, so that none can clash with another flag's id.
const ID_PREFIX: &str = "filter:";

/// The query the filter flags describe.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterArgs {
    /// Every filter given, ready for `ListTokens::query`.
    pub query: ListApiTokensQuery,
}

/// The fragment's query parameters, in its order.
fn parameters() -> &'static [Parameter] {
    ListApiTokensQuery::PARAMETERS
}

/// `dagTags` → `dag-tags`, `includeOnlyOrganizationTokens` → `include-only-organization-tokens`,
/// `page_size` → `page-size`: lower-case words joined by `-`, a new word at each upper-case
/// letter that follows a lower-case letter or a digit.
pub fn kebab_case(wire_name: &str) -> String {
    let mut flag = String::with_capacity(wire_name.len() + 4);
    let mut previous: Option<char> = None;
    for c in wire_name.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !flag.is_empty() && !flag.ends_with('-') {
                flag.push('-');
            }
        } else if c.is_uppercase() {
            if previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                && !flag.ends_with('-')
            {
                flag.push('-');
            }
            flag.extend(c.to_lowercase());
        } else {
            flag.push(c);
        }
        previous = Some(c);
    }
    flag.trim_end_matches('-').to_owned()
}

/// The long flag of `parameter`, without `--`.
pub fn flag_name(parameter: &Parameter) -> String {
    kebab_case(parameter.name)
}

/// The legacy alias of the parameter named `wire_name`, if it has one.
pub fn legacy_alias(wire_name: &str) -> Option<&'static str> {
    LEGACY_ALIASES
        .iter()
        .find(|(name, _)| *name == wire_name)
        .map(|(_, alias)| *alias)
}

/// The paragraph `list --help` and `audit --help` show about the filter flags; the
/// legacy names come from [`LEGACY_ALIASES`].
pub fn help_text() -> String {
    let aliases: Vec<String> = LEGACY_ALIASES
        .iter()
        .filter_map(|(wire, alias)| {
            let parameter = parameters().iter().find(|p| p.name == *wire)?;
            Some(format!("\n  --{alias} is --{}", flag_name(parameter)))
        })
        .collect();
    let mut text = "\
Filters: one flag per query parameter of the API, named after it (dagTags: --dag-tags) and
described as the API describes it. An array's flag repeats (values sent in the order given);
a boolean's flag alone means true (--flag=false for false); enum values may be typed in any
case, with - for _."
        .to_owned();
    if !aliases.is_empty() {
        text.push_str("\nEarlier names keep working:");
        text.push_str(&aliases.concat());
    }
    text
}

/// The clap id of `parameter`'s flag.
fn arg_id(parameter: &Parameter) -> String {
    format!("{ID_PREFIX}{}", parameter.name)
}

/// What the help shows as the value: `N` for a number, `RFC3339` for a date-time, else
/// the parameter's name in capitals, singular for an array (`dag_tags` → `DAG_TAG`).
fn value_name(parameter: &Parameter) -> String {
    match parameter.value_type {
        ValueType::Integer | ValueType::Number => "N".to_owned(),
        ValueType::DateTime => "RFC3339".to_owned(),
        ValueType::Boolean => "BOOL".to_owned(),
        _ => {
            let name = parameter.rust_name.to_uppercase();
            match name.strip_suffix('S') {
                Some(singular) if parameter.repeated && !singular.is_empty() => singular.to_owned(),
                _ => name,
            }
        }
    }
}

/// How an enum value may also be typed: lower case with `-` for `_` (`direct-access`).
fn spelling_alias(value: &str) -> String {
    value.to_lowercase().replace('_', "-")
}

/// The enum value `typed` stands for (any case, `-` or `_`), or `typed` itself.
fn canonical(values: &'static [&'static str], typed: &str) -> String {
    values
        .iter()
        .find(|v| v.eq_ignore_ascii_case(typed) || spelling_alias(v).eq_ignore_ascii_case(typed))
        .map_or_else(|| typed.to_owned(), |v| (*v).to_owned())
}

/// The value parser of `parameter`: every one yields the text to hand to `set_text`.
fn value_parser(parameter: &Parameter) -> ValueParser {
    let values = parameter.values;
    match parameter.value_type {
        ValueType::Enum if !values.is_empty() => {
            let possible = values.iter().map(|v| {
                let alias = spelling_alias(v);
                let value = PossibleValue::new(*v);
                if alias == *v {
                    value
                } else {
                    value.alias(alias)
                }
            });
            ValueParser::new(
                PossibleValuesParser::new(possible).map(move |typed| canonical(values, &typed)),
            )
        }
        ValueType::Boolean => ValueParser::new(PossibleValuesParser::new(["true", "false"])),
        ValueType::Integer => {
            let low = parameter.minimum.map_or(Bound::Unbounded, Bound::Included);
            let high = parameter.maximum.map_or(Bound::Unbounded, Bound::Included);
            ValueParser::new(
                clap::value_parser!(i64)
                    .range((low, high))
                    .map(|n| n.to_string()),
            )
        }
        ValueType::Number => ValueParser::new(
            clap::builder::StringValueParser::new()
                .try_map(|text| text.trim().parse::<f64>().map(|_| text)),
        ),
        ValueType::DateTime => ValueParser::new(
            clap::builder::StringValueParser::new()
                .try_map(|text| chrono::DateTime::parse_from_rfc3339(text.trim()).map(|_| text)),
        ),
        // Text, and whatever a later SDK adds: `set_text` checks the value.
        _ => ValueParser::string(),
    }
}

/// The flag of one parameter.
pub fn arg_for(parameter: &Parameter) -> Arg {
    let mut arg = Arg::new(arg_id(parameter))
        .long(flag_name(parameter))
        .help(parameter.description)
        .value_name(value_name(parameter))
        .value_parser(value_parser(parameter))
        .required(parameter.required)
        .help_heading(HEADING)
        .action(if parameter.repeated {
            ArgAction::Append
        } else {
            ArgAction::Set
        });
    if parameter.value_type == ValueType::Enum {
        arg = arg.ignore_case(true);
    }
    if matches!(parameter.value_type, ValueType::Integer | ValueType::Number) {
        // `-3` is a value to check against the range, not an unknown flag.
        arg = arg.allow_negative_numbers(true);
    }
    if parameter.value_type == ValueType::Boolean {
        // `--flag` alone is true; `--flag=false` is false (`--flag false` is refused: the
        // value must be attached, so `false` is never mistaken for another argument).
        arg = arg
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true");
    }
    if let Some(alias) = legacy_alias(parameter.name) {
        arg = arg.visible_alias(alias);
    }
    arg
}

/// A usage error naming the flag of the parameter `error` is about, the value and what is
/// allowed.
fn usage_error(error: &InvalidParameter) -> clap::Error {
    let flag = parameters()
        .iter()
        .find(|p| p.rust_name == error.name || p.name == error.name)
        .map_or_else(|| error.name.to_owned(), |p| format!("--{}", flag_name(p)));
    clap::Error::raw(
        ErrorKind::ValueValidation,
        format!(
            "invalid value '{}' for '{flag}': allowed: {}\n",
            error.value, error.allowed
        ),
    )
}

impl FilterArgs {
    /// Sets, over `self.query`, every filter given in `matches` (an array's values add to
    /// those before; a scalar replaces), then checks the whole query.
    fn apply(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for parameter in parameters() {
            let id = arg_id(parameter);
            let Ok(Some(values)) = matches.try_get_many::<String>(&id) else {
                continue;
            };
            let values: Vec<&str> = values.map(String::as_str).collect();
            self.query
                .set_text(parameter.name, &values)
                .map_err(|e| usage_error(&e))?;
        }
        self.query.validate().map_err(|e| usage_error(&e))
    }
}

impl clap::FromArgMatches for FilterArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut filters = Self::default();
        filters.apply(matches)?;
        Ok(filters)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.apply(matches)
    }
}

impl clap::Args for FilterArgs {
    fn augment_args(command: Command) -> Command {
        parameters().iter().fold(command, |command, parameter| {
            command.arg(arg_for(parameter))
        })
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command as Sub};
    use clap::{CommandFactory, Parser};

    /// The query `list ARGS` parses to.
    fn parse(args: &[&str]) -> Result<ListApiTokensQuery, clap::Error> {
        let mut all = vec!["astro-tokens", "list", "--organization-id", "org"];
        all.extend(args);
        let cli = Cli::try_parse_from(all)?;
        match cli.command {
            Sub::List(list) => Ok(list.listing.filters.query),
            other => panic!("not list: {other:?}"),
        }
    }

    fn query(args: &[&str]) -> ListApiTokensQuery {
        parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    /// A command with only the flag of `parameter`.
    fn single(parameter: &Parameter) -> Command {
        Command::new("t")
            .no_binary_name(true)
            .arg(arg_for(parameter))
    }

    #[test]
    fn flag_names_are_the_kebab_case_of_the_wire_names() {
        for (wire, flag) in [
            ("workspaceId", "workspace-id"),
            ("dagTags", "dag-tags"),
            (
                "includeOnlyOrganizationTokens",
                "include-only-organization-tokens",
            ),
            ("searchTerm", "search-term"),
            ("kind", "kind"),
            ("sorts", "sorts"),
            ("page_size", "page-size"),
            ("createdAfter2", "created-after2"),
            ("v2Name", "v2-name"),
        ] {
            assert_eq!(kebab_case(wire), flag, "{wire}");
        }
    }

    #[test]
    fn every_parameter_has_a_flag_in_list_and_audit_with_its_description() {
        assert!(!parameters().is_empty());
        let cli = Cli::command();
        for subcommand in ["list", "audit"] {
            let command = cli
                .find_subcommand(subcommand)
                .unwrap_or_else(|| panic!("no {subcommand}"));
            for parameter in parameters() {
                let flag = flag_name(parameter);
                let arg = command
                    .get_arguments()
                    .find(|a| a.get_long() == Some(flag.as_str()))
                    .unwrap_or_else(|| panic!("{subcommand} has no --{flag} ({})", parameter.name));
                assert_eq!(
                    arg.get_help().map(ToString::to_string).as_deref(),
                    Some(parameter.description),
                    "{subcommand} --{flag}"
                );
                assert_eq!(arg.get_help_heading(), Some(HEADING));
                if parameter.value_type == ValueType::Enum {
                    let shown: Vec<String> = arg
                        .get_possible_values()
                        .iter()
                        .map(|v| v.get_name().to_owned())
                        .collect();
                    assert_eq!(shown, parameter.values, "--{flag}");
                }
            }
            let help = command.clone().render_help().to_string();
            for parameter in parameters() {
                assert!(
                    help.contains(&format!("--{}", flag_name(parameter))),
                    "{subcommand} --help lacks {}:\n{help}",
                    parameter.name
                );
            }
        }
    }

    #[test]
    fn the_legacy_aliases_name_parameters_of_the_fragment_and_show_in_help() {
        let help = Cli::command()
            .find_subcommand_mut("list")
            .map(|c| c.render_help().to_string())
            .unwrap_or_default();
        for (wire, alias) in LEGACY_ALIASES {
            assert!(
                parameters().iter().any(|p| p.name == *wire),
                "the alias table names {wire}, which the fragment does not have"
            );
            assert!(help.contains(&format!("--{alias}")), "--{alias}:\n{help}");
        }
    }

    #[test]
    fn the_legacy_aliases_parse_to_the_same_query_as_the_new_names() {
        for (wire, alias) in LEGACY_ALIASES {
            let Some(parameter) = parameters().iter().find(|p| p.name == *wire) else {
                continue;
            };
            let flag = flag_name(parameter);
            let samples: Vec<String> = match parameter.value_type {
                ValueType::Enum => parameter
                    .values
                    .iter()
                    .take(2)
                    .map(|v| (*v).to_owned())
                    .collect(),
                ValueType::Boolean => Vec::new(),
                _ => vec!["first".to_owned(), "second".to_owned()],
            };
            let (old, new): (Vec<String>, Vec<String>) = if samples.is_empty() {
                (vec![format!("--{alias}")], vec![format!("--{flag}")])
            } else {
                let take = if parameter.repeated { 2 } else { 1 };
                let with = |name: &str| -> Vec<String> {
                    samples
                        .iter()
                        .take(take)
                        .flat_map(|v| [format!("--{name}"), v.clone()])
                        .collect()
                };
                (with(alias), with(&flag))
            };
            let old: Vec<&str> = old.iter().map(String::as_str).collect();
            let new: Vec<&str> = new.iter().map(String::as_str).collect();
            let by_alias = query(&old);
            assert_ne!(
                by_alias,
                ListApiTokensQuery::default(),
                "{old:?} set nothing"
            );
            assert_eq!(by_alias, query(&new), "{old:?} vs {new:?}");
        }
        // The flags users typed before, spelled as they were.
        assert_eq!(
            query(&[
                "--dag-tag",
                "a",
                "--dag-tag",
                "b",
                "--only-organization-tokens",
                "--sort",
                "name:asc",
                "--sort",
                "createdAt:desc",
                "--kind",
                "direct-access"
            ]),
            query(&[
                "--dag-tags",
                "a",
                "--dag-tags",
                "b",
                "--include-only-organization-tokens=true",
                "--sorts",
                "name:asc",
                "--sorts",
                "createdAt:desc",
                "--kind",
                "DIRECT_ACCESS"
            ]),
        );
    }

    #[test]
    fn every_parameter_given_on_the_command_line_lands_in_the_query() {
        let mut args: Vec<String> = Vec::new();
        let mut expected = ListApiTokensQuery::default();
        for parameter in parameters() {
            let value = match parameter.value_type {
                ValueType::Enum => parameter.values.last().map(|v| (*v).to_owned()),
                ValueType::Boolean => Some("true".to_owned()),
                ValueType::Integer => Some(parameter.minimum.unwrap_or(1).to_string()),
                ValueType::Number => Some("1.5".to_owned()),
                ValueType::DateTime => Some("2026-01-15T12:00:00Z".to_owned()),
                _ => Some(format!("{}-value", parameter.rust_name)),
            };
            let Some(value) = value else { continue };
            args.push(format!("--{}={value}", flag_name(parameter)));
            expected
                .set_text(parameter.name, &[&value])
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let parsed = query(&args);
        assert_eq!(parsed, expected);
        assert_ne!(parsed, ListApiTokensQuery::default());
    }

    #[test]
    fn arrays_repeat_in_order_and_scalars_do_not() {
        for parameter in parameters() {
            let flag = format!("--{}", flag_name(parameter));
            let value = match parameter.value_type {
                ValueType::Enum => parameter.values.first().copied().unwrap_or("x"),
                ValueType::Boolean => continue,
                _ => "x",
            };
            let twice = parse(&[&flag, value, &flag, value]);
            assert_eq!(twice.is_ok(), parameter.repeated, "{flag} given twice");
        }
        let sorts = query(&[
            "--sort",
            "updatedAt:desc",
            "--sorts",
            "name:asc",
            "--sort",
            "createdAt:asc",
        ]);
        let shown: Vec<String> = sorts.sorts.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["updatedAt:desc", "name:asc", "createdAt:asc"]);
    }

    #[test]
    fn a_boolean_flag_alone_means_true_and_takes_an_attached_false() {
        let only = query(&["--include-only-organization-tokens"]);
        assert_eq!(only.include_only_organization_tokens, Some(true));
        let not = query(&["--include-only-organization-tokens=false"]);
        assert_eq!(not.include_only_organization_tokens, Some(false));
        let legacy = query(&["--only-organization-tokens=false"]);
        assert_eq!(legacy.include_only_organization_tokens, Some(false));
        assert_eq!(query(&[]).include_only_organization_tokens, None);
        for bad in [
            &["--include-only-organization-tokens=maybe"][..],
            &["--include-only-organization-tokens", "false"],
        ] {
            let error = parse(bad).expect_err("refused");
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn enum_values_are_the_fragments_in_any_case_or_kebab_spelling() {
        assert_eq!(
            query(&["--kind", "direct-access"]),
            query(&["--kind", "DIRECT_ACCESS"])
        );
        assert_eq!(
            query(&["--kind", "standard"]),
            query(&["--kind", "STANDARD"])
        );
        assert_eq!(
            query(&["--sort", "CREATEDAT:DESC"]).sorts,
            query(&["--sort", "createdAt:desc"]).sorts
        );
        let error = parse(&["--kind", "premium"]).expect_err("refused");
        let text = error.to_string();
        assert!(
            text.contains("--kind") && text.contains("premium"),
            "{text}"
        );
        assert!(
            text.contains("DIRECT_ACCESS") && text.contains("STANDARD"),
            "{text}"
        );
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn an_integer_gets_the_fragments_range() {
        let mut parameter = parameters()[0];
        parameter.name = "pageCount";
        parameter.rust_name = "page_count";
        parameter.value_type = ValueType::Integer;
        parameter.minimum = Some(1);
        parameter.maximum = Some(10);
        let command = single(&parameter);
        let ok = command
            .clone()
            .try_get_matches_from(["--page-count", "10"])
            .expect("in range");
        let values: Vec<&String> = ok
            .get_many::<String>(&arg_id(&parameter))
            .map(Iterator::collect)
            .unwrap_or_default();
        assert_eq!(values, ["10"]);
        for bad in ["0", "11", "ten", "-3"] {
            let error = command
                .clone()
                .try_get_matches_from(["--page-count", bad])
                .expect_err("out of range");
            assert_eq!(error.exit_code(), 2, "{bad}");
            assert!(error.to_string().contains("--page-count"), "{error}");
        }
        parameter.maximum = None;
        assert!(
            single(&parameter)
                .try_get_matches_from(["--page-count", "99999"])
                .is_ok()
        );
    }

    #[test]
    fn numbers_and_date_times_must_parse() {
        let mut number = parameters()[0];
        number.name = "minScore";
        number.value_type = ValueType::Number;
        assert!(
            single(&number)
                .try_get_matches_from(["--min-score", "2.5"])
                .is_ok()
        );
        assert!(
            single(&number)
                .try_get_matches_from(["--min-score", "lots"])
                .is_err()
        );
        let mut date = parameters()[0];
        date.name = "createdAfter";
        date.value_type = ValueType::DateTime;
        let ok = single(&date)
            .try_get_matches_from(["--created-after", "2026-01-15T12:00:00+01:00"])
            .expect("RFC 3339");
        let values: Vec<&String> = ok
            .get_many::<String>(&arg_id(&date))
            .map(Iterator::collect)
            .unwrap_or_default();
        assert_eq!(values, ["2026-01-15T12:00:00+01:00"], "passed on as typed");
        assert!(
            single(&date)
                .try_get_matches_from(["--created-after", "yesterday"])
                .is_err()
        );
    }

    #[test]
    fn a_value_set_text_refuses_is_a_usage_error_naming_the_flag() {
        let refused = ListApiTokensQuery::default()
            .set_text("kind", &["PREMIUM"])
            .expect_err("refused");
        let error = usage_error(&refused);
        let text = error.to_string();
        assert!(
            text.contains("'--kind'") && text.contains("PREMIUM"),
            "{text}"
        );
        assert!(text.contains("STANDARD"), "{text}");
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn no_filter_flag_or_setter_is_written_by_hand_elsewhere() {
        let sources = [
            ("args.rs", include_str!("args.rs")),
            ("fetch.rs", include_str!("fetch.rs")),
            ("main.rs", include_str!("main.rs")),
        ];
        for parameter in parameters() {
            let flag = format!("--{}", flag_name(parameter));
            let setter = format!(".{}(", parameter.rust_name);
            let wire = format!("\"{}\"", parameter.name);
            for (file, text) in sources {
                for needle in [&flag, &setter, &wire] {
                    assert!(
                        !text.contains(needle.as_str()),
                        "cli/src/{file} names the parameter {} ({needle}): filters are \
                         derived in filters.rs",
                        parameter.name
                    );
                }
            }
        }
    }

    #[test]
    fn a_required_parameter_would_be_a_required_flag() {
        let mut parameter = parameters()[0];
        parameter.name = "mustHave";
        parameter.required = true;
        assert!(
            single(&parameter)
                .try_get_matches_from(Vec::<&str>::new())
                .is_err()
        );
        assert!(
            single(&parameter)
                .try_get_matches_from(["--must-have", "x"])
                .is_ok()
        );
    }
}
