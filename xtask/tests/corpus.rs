//! The revision corpus (`xtask::spec_diff::corpus`): each case edits the real
//! `openapi/tokens.yaml` (parsed as a `serde_yaml::Value`, re-serialized, so every case is
//! also a reformat) and asserts the exact rule ids found with both columns. Every
//! implemented rule has a case.

mod common;

use common::*;
use xtask::spec_diff::corpus::{Case, Fragment, cases};
use xtask::spec_diff::{self, Impact, Input};

fn fragment_data() -> Fragment {
    Fragment::parse(fragment_text()).expect("the fragment is YAML")
}

fn run(case: &Case) -> spec_diff::Diff {
    let (old_text, new_text) = case.texts(&fragment_data()).expect("the edits apply");
    let old_in = Input {
        origin: "old.yaml".into(),
        text: old_text,
    };
    let new_in = Input {
        origin: "new.yaml".into(),
        text: new_text,
    };
    match spec_diff::compare_texts(&old_in, &new_in, false) {
        Ok(outcome) => outcome.diff,
        Err(e) => panic!("{}: comparison failed: {e}", case.name),
    }
}

fn check(case: &Case) {
    let diff = run(case);
    let mut got: Vec<(String, String, Impact, Impact)> = diff
        .changes
        .iter()
        .map(|c| (c.rule.clone(), c.location.clone(), c.wire, c.rust_api))
        .collect();
    got.sort();
    let mut want: Vec<(&str, &str, Impact, Impact)> = case.expect.to_vec();
    want.sort();
    let matches = got.len() == want.len()
        && got
            .iter()
            .zip(&want)
            .all(|(g, w)| g.0 == w.0 && g.1.ends_with(w.1) && g.2 == w.2 && g.3 == w.3);
    assert!(
        matches,
        "case `{}`:\n  got  {got:#?}\n  want {want:#?}",
        case.name
    );
    assert_eq!(
        diff.wire_breaking(),
        want.iter().any(|w| w.2 == Impact::Breaking),
        "{}: wire verdict",
        case.name
    );
    assert_eq!(
        diff.rust_api_breaking(),
        want.iter().any(|w| w.3 == Impact::Breaking),
        "{}: rust_api verdict",
        case.name
    );
    for c in &diff.changes {
        assert!(
            !c.message.is_empty(),
            "{}: every change explains itself",
            case.name
        );
    }
}

#[test]
fn corpus_has_at_least_25_cases_with_unique_names() {
    let cases = cases();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len());
}

#[test]
fn every_corpus_case_reports_the_expected_rules_and_columns() {
    let mut failures = Vec::new();
    for case in cases() {
        if let Err(e) = std::panic::catch_unwind(|| check(&case)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg);
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_reformat_of_the_whole_file_reports_nothing() {
    let json = serde_json::to_string_pretty(&fragment()).expect("json");
    let outcome = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "new.json".into(),
            text: json,
        },
        true,
    )
    .expect("both parse");
    assert!(
        outcome.diff.changes.is_empty(),
        "{:#?}",
        outcome.diff.changes
    );
    assert_eq!(outcome.rust.map(|s| s.is_empty()), Ok(true));
}

#[test]
fn shared_schema_change_names_the_other_use_sites() {
    let mut new = fragment();
    prop(&mut new, "Error", "statusCode")["maximum"] = 599.into();
    let outcome = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "new".into(),
            text: yaml(&new),
        },
        false,
    )
    .expect("both parse");
    let msg = &outcome.diff.changes[0].message;
    for status in ["401", "403", "404", "500"] {
        assert!(msg.contains(&format!("response {status} Error")), "{msg}");
    }
}

#[test]
fn malformed_yaml_is_an_error_naming_file_and_line() {
    // An unclosed flow sequence on the `version:` line of `info`, whatever it says.
    let text = fragment_text();
    let at = text
        .find("\n  version: ")
        .expect("the fragment has info.version")
        + 1;
    let bad = format!(
        "{}{}",
        &text[..at],
        text[at..].replacen("version: ", "version: [", 1)
    );
    let err = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "bad.yaml".into(),
            text: bad,
        },
        false,
    )
    .expect_err("bad YAML is rejected");
    assert!(err.starts_with("bad.yaml:"), "{err}");
    assert!(
        err.split(':')
            .nth(1)
            .is_some_and(|l| l.parse::<usize>().is_ok()),
        "{err}"
    );
}

#[test]
fn unresolved_ref_is_an_error_naming_the_file() {
    let mut new = fragment();
    prop(&mut new, "ApiToken", "createdBy")["$ref"] = "#/components/schemas/Missing".into();
    let err = spec_diff::compare_texts(
        &Input {
            origin: "old".into(),
            text: fragment_text(),
        },
        &Input {
            origin: "new.yaml".into(),
            text: yaml(&new),
        },
        false,
    )
    .expect_err("unresolved");
    assert!(err.contains("new.yaml") && err.contains("Missing"), "{err}");
}

/// The rules predict the Rust API effect; the generated code is the ground truth. For
/// every case both sides generate, a removed or changed public item must be explained by
/// a rule that says `rust_api: breaking` (otherwise `rust.generated.changed` appears).
#[test]
fn rule_predictions_agree_with_the_generated_code() {
    let mut problems = Vec::new();
    let fragment = fragment_data();
    for case in cases() {
        let (old, new) = case.texts(&fragment).expect("the edits apply");
        let outcome = spec_diff::compare_texts(
            &Input {
                origin: "old".into(),
                text: old,
            },
            &Input {
                origin: "new".into(),
                text: new,
            },
            true,
        )
        .expect("both parse");
        if outcome.diff.rules().contains(&"rust.generated.changed") {
            problems.push(format!("{}: {:?}", case.name, outcome.rust));
        }
        if let Ok(summary) = &outcome.rust {
            let predicted_none = outcome
                .diff
                .changes
                .iter()
                .all(|c| c.rust_api == Impact::None);
            if predicted_none && !summary.is_empty() {
                problems.push(format!(
                    "{}: rules say no Rust effect, generated code says {summary:?}",
                    case.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn semver_reasons_are_one_line_each() {
    for case in cases() {
        if let Some(why) = case.semver {
            let text = why.text();
            assert!(
                !text.trim().is_empty() && !text.contains('\n') && text.len() < 300,
                "{}: a reason is one line: {text:?}",
                case.name
            );
        }
    }
}
