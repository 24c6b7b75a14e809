//! `audit --format csv`: a header, then one row per open finding: `severity`, `finding`,
//! `detail`, `remediation`, then the columns of `list --format csv`. Every cell of server
//! text goes through the formula guard ([`text_cell`]): the detail (role names, other
//! token ids), the remediation (it quotes ids and names) and the token's own cells.

use std::io::{self, Write};

use super::Report;
use crate::output::csv::{HEADER, cells, text_cell, to_io};

/// The columns before the token's.
pub const FINDING_HEADER: [&str; 4] = ["severity", "finding", "detail", "remediation"];

/// Writes the header and one row per open finding.
pub fn write(report: &Report<'_>, out: &mut impl Write) -> io::Result<()> {
    let mut writer = ::csv::Writer::from_writer(&mut *out);
    writer
        .write_record(FINDING_HEADER.into_iter().chain(HEADER))
        .map_err(to_io)?;
    for finding in &report.audit.findings {
        let record = [
            finding.severity.as_str().to_owned(),
            finding.id.as_str().to_owned(),
            text_cell(&finding.detail),
            text_cell(&finding.remediation),
        ]
        .into_iter()
        .chain(cells(finding.token));
        writer.write_record(record).map_err(to_io)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::policy::Policy;
    use crate::audit::rules::{FindingId, Severity};
    use crate::audit::{Audit, Finding};

    #[test]
    fn detail_and_remediation_cells_are_guarded_too() {
        let token: astro_tokens::ApiToken = serde_json::from_value(serde_json::json!({
            "id": "t1", "name": "n", "description": "", "shortToken": "s",
            "scope": "WORKSPACE", "kind": "STANDARD",
            "createdAt": "2026-01-01T00:00:00Z", "startAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z"
        }))
        .expect("valid token");
        let audit = Audit {
            findings: vec![Finding {
                id: FindingId::NoExpiry,
                severity: Severity::Medium,
                token: &token,
                detail: "=1+1".to_owned(),
                remediation: "@SUM(A1)".to_owned(),
            }],
            accepted: Vec::new(),
            lapsed: Vec::new(),
            stale: Vec::new(),
        };
        let policy = Policy::default();
        let report = Report {
            audit: &audit,
            tokens_audited: 1,
            policy: &policy,
            policy_file: None,
            organization_id: "org",
            fail_on: None,
            now: chrono::DateTime::UNIX_EPOCH,
        };
        let mut out = Vec::new();
        write(&report, &mut out).expect("writes");
        let text = String::from_utf8(out).expect("UTF-8");
        let row = text.lines().nth(1).expect("a row");
        assert!(
            row.starts_with("medium,no-expiry,'=1+1,'@SUM(A1),t1,n,"),
            "{row}"
        );
    }
}
