//! The audit report in each format (`audit --format`):
//!
//! - `table` (`table.rs`): grouped by severity, then finding; then the accepted findings
//!   and the lapsed and stale exceptions; then the summary, on stdout.
//! - `json` (`json.rs`): one document, described by `cli/schema/audit-report.schema.json`.
//! - `ndjson`: one finding per line (the document's `findings` items).
//! - `csv` (`csv.rs`): one row per finding.
//! - `markdown` (`markdown.rs`): a summary table and one section per severity, for a pull
//!   request or a ticket.
//!
//! `ndjson` and `csv` print the summary on stderr, so stdout stays one data stream. Only
//! open (unaccepted) findings are rows of `ndjson` and `csv`; `json`, `table` and
//! `markdown` also show the accepted ones and the lapsed and stale exceptions.

mod csv;
pub mod json;
mod markdown;
mod table;

use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::timestamp;
use crate::args::AuditFormat;
use crate::audit::Audit;
use crate::audit::policy::Policy;
use crate::audit::rules::{FindingId, Severity};

/// Everything the report shows.
pub struct Report<'a> {
    /// The outcome.
    pub audit: &'a Audit<'a>,
    /// How many tokens were listed and audited.
    pub tokens_audited: usize,
    /// The policy in force (thresholds after the flags, overrides, exceptions).
    pub policy: &'a Policy,
    /// The policy file, if one was given.
    pub policy_file: Option<&'a Path>,
    /// The organization listed.
    pub organization_id: &'a str,
    /// `--fail-on`, if given.
    pub fail_on: Option<Severity>,
    /// The reference time.
    pub now: DateTime<Utc>,
}

impl Report<'_> {
    /// Writes the report in `format`: data to `out`, the summary of streamed formats to `err`.
    pub fn write(
        &self,
        format: AuditFormat,
        out: &mut impl Write,
        err: &mut impl Write,
        width: Option<u16>,
    ) -> io::Result<()> {
        match format {
            AuditFormat::Table => {
                out.write_all(table::render(self, width).as_bytes())?;
                out.write_all(self.summary_text().as_bytes())?;
            }
            AuditFormat::Json => super::json::write_document(out, &json::Document::new(self))?,
            AuditFormat::Ndjson => {
                for finding in &self.audit.findings {
                    super::json::write_line(out, &json::Finding::new(finding))?;
                }
                err.write_all(self.summary_text().as_bytes())?;
            }
            AuditFormat::Csv => {
                csv::write(self, out)?;
                err.write_all(self.summary_text().as_bytes())?;
            }
            AuditFormat::Markdown => out.write_all(markdown::render(self).as_bytes())?,
        }
        out.flush()?;
        err.flush()
    }

    /// The thresholds in force, for people.
    fn thresholds_text(&self) -> String {
        let t = &self.policy.thresholds;
        format!(
            "expiring within {} days, unused for {} days, never used after {} days, \
             rotate after {} days",
            t.expiring_within_days, t.unused_for_days, t.never_used_grace_days, t.rotate_after_days
        )
    }

    /// The severity a finding id has in this report: the override, else the default.
    pub(super) fn severity_text(&self, id: FindingId) -> &'static str {
        self.policy
            .severity
            .get(&id)
            .map_or_else(|| id.default_severity_label(), |s| s.as_str())
    }

    /// The summary: what was audited, one line per severity and per finding (zeros
    /// included), and the exception counts.
    pub fn summary_text(&self) -> String {
        let n = self.tokens_audited;
        let mut text = format!(
            "Audited {n} token{} of organization {} at {} ({}):\n",
            if n == 1 { "" } else { "s" },
            crate::printable::printable(self.organization_id),
            timestamp(self.now),
            self.thresholds_text()
        );
        for (severity, count) in self.audit.by_severity() {
            text.push_str(&format!("  {:<32}{count:>6}\n", severity.as_str()));
        }
        for (id, count) in self.audit.by_finding() {
            text.push_str(&format!(
                "  {:<20}{:>12}{count:>6}\n",
                id.as_str(),
                self.severity_text(id)
            ));
        }
        text.push_str(&format!(
            "  accepted {} · lapsed exceptions {} · stale exceptions {}\n",
            self.audit.accepted.len(),
            self.audit.lapsed.len(),
            self.audit.stale.len()
        ));
        text
    }
}

/// An exception's `until` for people: the date, or `-` for none.
fn until_text(date: Option<chrono::NaiveDate>) -> String {
    date.map_or_else(|| "-".to_owned(), |d| d.to_string())
}
