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
