//! The audit report in each format.
//!
//! - `table`: one section per finding that occurred, then the summary (one line per finding,
//!   zeros included), all on stdout.
//! - `json`: one object: `now`, the policy, `tokensAudited`, `summary` and `findings`
//!   (each `{finding, detail, token}` with the token as the API names its fields).
//! - `ndjson`: one `{finding, detail, token}` per line; `csv`: `finding,detail` then the
//!   columns of `list --format csv`. For these two the summary goes to stderr, so stdout
//!   stays one clean data stream.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use astro_tokens::ApiToken;

use super::table::{Fit, fitted};
use super::{csv as csv_out, json, printable, timestamp};
use crate::args::Format;
use crate::audit::{Finding, FindingKind, Policy, summary};

/// Everything the report needs.
pub struct Report<'a> {
    /// The tokens audited.
    pub tokens: &'a [ApiToken],
    /// The findings, grouped in report order.
    pub findings: &'a [Finding<'a>],
    /// The thresholds used.
    pub policy: Policy,
    /// The reference time.
    pub now: DateTime<Utc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    now: String,
    expiring_within_days: u32,
    unused_for_days: u32,
    tokens_audited: usize,
    summary: Vec<JsonCount>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonCount {
    finding: FindingKind,
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    finding: FindingKind,
    detail: &'a str,
    token: &'a ApiToken,
}

impl<'a> JsonFinding<'a> {
    fn new(finding: &'a Finding<'a>) -> Self {
        Self {
            finding: finding.kind,
            detail: &finding.detail,
            token: finding.token,
        }
    }
}

impl Report<'_> {
    /// Writes the report in `format`: data to `out`, the summary of streamed formats to `err`.
    pub fn write(
        &self,
        format: Format,
        out: &mut impl Write,
        err: &mut impl Write,
        width: Option<u16>,
    ) -> io::Result<()> {
        match format {
            Format::Table => {
                out.write_all(self.table(width).as_bytes())?;
                out.write_all(self.summary_text().as_bytes())?;
            }
            Format::Json => json::write_document(out, &self.json())?,
            Format::Ndjson => {
                for finding in self.findings {
                    json::write_line(out, &JsonFinding::new(finding))?;
                }
                err.write_all(self.summary_text().as_bytes())?;
            }
            Format::Csv => {
                let mut writer = ::csv::Writer::from_writer(&mut *out);
                let header = ["finding", "detail"].into_iter().chain(csv_out::HEADER);
                writer.write_record(header).map_err(csv_out::to_io)?;
                for finding in self.findings {
                    // The detail may hold role names from the server.
                    let detail = csv_out::text_cell(&finding.detail);
                    let record = [finding.kind.as_str().to_owned(), detail]
                        .into_iter()
                        .chain(csv_out::cells(finding.token));
                    writer.write_record(record).map_err(csv_out::to_io)?;
                }
                writer.flush()?;
                drop(writer);
                err.write_all(self.summary_text().as_bytes())?;
            }
        }
        out.flush()?;
        err.flush()
    }

    fn json(&self) -> JsonReport<'_> {
        JsonReport {
            now: timestamp(self.now),
            expiring_within_days: self.policy.expiring_within_days,
            unused_for_days: self.policy.unused_for_days,
            tokens_audited: self.tokens.len(),
            summary: summary(self.findings)
                .into_iter()
                .map(|(kind, count)| JsonCount {
                    finding: kind,
                    label: kind.label(&self.policy),
                    count,
                })
                .collect(),
            findings: self.findings.iter().map(JsonFinding::new).collect(),
        }
    }

    /// One section per finding kind that occurred.
    fn table(&self, width: Option<u16>) -> String {
        const HEADERS: [&str; 4] = ["NAME", "ID", "TYPE", "DETAIL"];
        const FIT: Fit = Fit {
            drop_order: &[2],
            wrapping: &[0, 3],
        };
        if self.findings.is_empty() {
            return "No findings.\n\n".to_owned();
        }
        let mut out = String::new();
        for kind in FindingKind::ALL {
            let rows: Vec<Vec<String>> = self
                .findings
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| {
                    vec![
                        printable(&f.token.name),
                        printable(&f.token.id),
                        printable(&f.token.type_.to_string().to_lowercase()),
                        printable(&f.detail),
                    ]
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let (table, _) = fitted(&HEADERS, &rows, width, FIT);
            out.push_str(&format!(
                "{} ({})\n{table}\n\n",
                kind.label(&self.policy).to_uppercase(),
                rows.len()
            ));
        }
        out
    }

    /// `Audited N tokens at NOW` and one line per finding kind.
    pub fn summary_text(&self) -> String {
        let mut text = format!(
            "Audited {} token{} at {}:\n",
            self.tokens.len(),
            if self.tokens.len() == 1 { "" } else { "s" },
            timestamp(self.now)
        );
        for (kind, count) in summary(self.findings) {
            text.push_str(&format!("  {:<28}{count:>6}\n", kind.label(&self.policy)));
        }
        text
    }
}
