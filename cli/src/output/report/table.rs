//! `audit --format table`: one block per (severity, finding), highest severity first, each
//! a table of the tokens with their detail and remediation; then the accepted findings and
//! the lapsed and stale exceptions. Server text goes through [`printable`].

use super::{Report, until_text};
use crate::audit::rules::{FindingId, Severity};
use crate::output::table::{Fit, fitted, scope_name};
use crate::printable::printable;

/// How a findings table fits: hide the scope first; wrap name, detail and remediation.
const FINDINGS_FIT: Fit = Fit {
    drop_order: &[2],
    wrapping: &[0, 3, 4],
};

/// How an exceptions table fits: wrap the reason.
const EXCEPTIONS_FIT: Fit = Fit {
    drop_order: &[],
    wrapping: &[4],
};

fn text(value: &str) -> String {
    printable(value).into_owned()
}

/// The findings and exceptions, without the summary.
pub fn render(report: &Report<'_>, width: Option<u16>) -> String {
    let audit = report.audit;
    let mut out = String::new();
    if audit.findings.is_empty() {
        out.push_str("No findings.\n\n");
    }
    for severity in Severity::HIGHEST_FIRST {
        for id in FindingId::ALL {
            let rows: Vec<Vec<String>> = audit
                .findings
                .iter()
                .filter(|f| f.severity == severity && f.id == id)
                .map(|f| {
                    vec![
                        text(&f.token.name),
                        text(&f.token.id),
                        text(&scope_name(&f.token.scope)),
                        text(&f.detail),
                        text(&f.remediation),
                    ]
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let headers = ["NAME", "ID", "SCOPE", "DETAIL", "REMEDIATION"];
            let (table, _) = fitted(&headers, &rows, width, FINDINGS_FIT);
            out.push_str(&format!(
                "{} · {id} ({}): {}\n{table}\n\n",
                severity.as_str().to_uppercase(),
                rows.len(),
                id.rule(&report.policy.thresholds)
            ));
        }
    }
    if !audit.accepted.is_empty() {
        let rows: Vec<Vec<String>> = audit
            .accepted
            .iter()
            .map(|a| {
                vec![
                    text(&a.finding.token.name),
                    text(&a.finding.token.id),
                    a.finding.id.to_string(),
                    until_text(a.exception.until),
                    text(&a.exception.reason),
                ]
            })
            .collect();
        let headers = ["NAME", "ID", "FINDING", "UNTIL", "REASON"];
        let (table, _) = fitted(&headers, &rows, width, EXCEPTIONS_FIT);
        out.push_str(&format!(
            "ACCEPTED ({}): not counted, by the policy's exceptions\n{table}\n\n",
            rows.len()
        ));
    }
    for (title, note, exceptions) in [
        (
            "LAPSED EXCEPTIONS",
            "past their until date, they no longer apply",
            &audit.lapsed,
        ),
        (
            "STALE EXCEPTIONS",
            "for tokens this listing did not return",
            &audit.stale,
        ),
    ] {
        if exceptions.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> = exceptions
            .iter()
            .map(|e| {
                vec![
                    e.line.to_string(),
                    text(&e.token),
                    e.finding
                        .map_or_else(|| "(all)".to_owned(), |f| f.to_string()),
                    until_text(e.until),
                    text(&e.reason),
                ]
            })
            .collect();
        let headers = ["LINE", "TOKEN", "FINDING", "UNTIL", "REASON"];
        let (table, _) = fitted(&headers, &rows, width, EXCEPTIONS_FIT);
        out.push_str(&format!("{title} ({}): {note}\n{table}\n\n", rows.len()));
    }
    out
}
