//! `audit --format markdown`: a summary table, then one section per severity (zeros
//! included), then the accepted findings and the lapsed and stale exceptions, as GitHub
//! Flavored Markdown to paste into a pull request or a ticket.
//!
//! Server text (names, ids, details, remediations) and the policy's text (reasons, the
//! file name) are only ever written by [`code`]: shown by [`printable`] (so no newline can
//! end a table row), inside a code span whose backtick fence is longer than any run of
//! backticks in the text, with `|` escaped as `\|` (GFM splits table cells before it
//! parses code spans, so the escape is needed inside them too). Inside a code span,
//! Markdown, HTML, entities, links, images, autolinks and `@mentions` are all plain text.
//! Everything else in the document is this program's own words and numbers.

use std::fmt::Write as _;

use super::{Report, until_text};
use crate::audit::rules::{FindingId, Severity};
use crate::output::timestamp;
use crate::printable::printable;

/// `text` as a code span that is safe in a GFM table cell; empty text is an empty cell.
pub fn code(text: &str) -> String {
    let shown = printable(text);
    if shown.is_empty() {
        return String::new();
    }
    let longest_run = shown.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A space on both sides keeps a leading or trailing backtick (or space) inside.
    let pad = if shown.starts_with(['`', ' ']) || shown.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", shown.replace('|', "\\|"))
}

/// A table row of cells already made safe.
fn row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// The whole document.
pub fn render(report: &Report<'_>) -> String {
    let audit = report.audit;
    let mut md = String::from("## Astro API token audit\n\n");
    let n = report.tokens_audited;
    let _ = writeln!(
        md,
        "{n} token{} of organization {} audited at {}.  ",
        if n == 1 { "" } else { "s" },
        code(report.organization_id),
        timestamp(report.now)
    );
    let t = &report.policy.thresholds;
    let _ = write!(
        md,
        "Thresholds: expiring within {} days, unused for {} days, never used after {} days, \
         rotate after {} days.",
        t.expiring_within_days, t.unused_for_days, t.never_used_grace_days, t.rotate_after_days
    );
    if let Some(file) = report.policy_file {
        let _ = write!(md, " Policy file: {}.", code(&file.display().to_string()));
    }
    md.push_str("\n\n| severity | open findings |\n| --- | ---: |\n");
    for (severity, count) in audit.by_severity() {
        md.push_str(&row(&[severity.to_string(), count.to_string()]));
    }
    for (label, count) in [
        ("accepted", audit.accepted.len()),
        ("lapsed exceptions", audit.lapsed.len()),
        ("stale exceptions", audit.stale.len()),
    ] {
        md.push_str(&row(&[label.to_owned(), count.to_string()]));
    }
    md.push_str("\n| finding | severity | rule | open findings |\n| --- | --- | --- | ---: |\n");
    for (id, count) in audit.by_finding() {
        let severity = report.severity_text(id);
        md.push_str(&row(&[
            id.to_string(),
            severity.to_owned(),
            code(&id.rule(t)),
            count.to_string(),
        ]));
    }

    for severity in Severity::HIGHEST_FIRST {
        let findings: Vec<_> = audit
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        let title = match severity {
            Severity::High => "High",
            Severity::Medium => "Medium",
            Severity::Low => "Low",
        };
        let _ = write!(md, "\n### {title} ({})\n\n", findings.len());
        if findings.is_empty() {
            md.push_str("None.\n");
            continue;
        }
        md.push_str("| finding | name | id | detail | remediation |\n");
        md.push_str("| --- | --- | --- | --- | --- |\n");
        for id in FindingId::ALL {
            for f in findings.iter().filter(|f| f.id == id) {
                md.push_str(&row(&[
                    f.id.to_string(),
                    code(&f.token.name),
                    code(&f.token.id),
                    code(&f.detail),
                    code(&f.remediation),
                ]));
            }
        }
    }

    if !audit.accepted.is_empty() {
        let _ = write!(
            md,
            "\n### Accepted ({})\n\nNot counted: the policy's exceptions accept them.\n\n\
             | finding | severity | name | id | until | reason |\n\
             | --- | --- | --- | --- | --- | --- |\n",
            audit.accepted.len()
        );
        for a in &audit.accepted {
            md.push_str(&row(&[
                a.finding.id.to_string(),
                a.finding.severity.to_string(),
                code(&a.finding.token.name),
                code(&a.finding.token.id),
                until_text(a.exception.until),
                code(&a.exception.reason),
            ]));
        }
    }
    for (title, note, exceptions) in [
        (
            "Lapsed exceptions",
            "Past their `until` date: they no longer apply.",
            &audit.lapsed,
        ),
        (
            "Stale exceptions",
            "For token ids this listing did not return.",
            &audit.stale,
        ),
    ] {
        if exceptions.is_empty() {
            continue;
        }
        let _ = write!(
            md,
            "\n### {title} ({})\n\n{note}\n\n| policy line | token | finding | until | reason |\n\
             | ---: | --- | --- | --- | --- |\n",
            exceptions.len()
        );
        for e in exceptions.iter() {
            md.push_str(&row(&[
                e.line.to_string(),
                code(&e.token),
                e.finding
                    .map_or_else(|| "(all)".to_owned(), |f| f.to_string()),
                until_text(e.until),
                code(&e.reason),
            ]));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("ci-bot"), "`ci-bot`");
        assert_eq!(code(""), "");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code(" x"), "`  x `");
        assert_eq!(code("line\nbreak"), "`line\\nbreak`");
    }
}
